// Every custom metric the alarms and the dashboard read is one the functions emit (contract/metrics.ts),
// under the service that emits it: an alarm on a renamed or removed metric would never fire.
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIVEPERSON_FUNCTION_NAMES } from '#contract/constants.ts';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import { METRIC_DIMENSIONS, METRICS, METRICS_NAMESPACE, SERVICE_DIMENSION } from '#contract/metrics.ts';
import { templateOf } from './helpers.ts';

interface MetricRead {
  readonly where: string;
  readonly metricName: string;
  /** Undefined for a SEARCH, which matches the name under every service. */
  readonly service: string | undefined;
}

type MetricStat = { Namespace?: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> };

function serviceOf(dimensions: ReadonlyArray<{ Name: string; Value: unknown }> | undefined): string | undefined {
  const value = dimensions?.find((dimension) => dimension.Name === SERVICE_DIMENSION)?.Value;
  return typeof value === 'string' ? value : undefined;
}

function alarmReads(template: Template): MetricRead[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((resource) => {
    const properties = (
      resource as { Properties: MetricStat & { AlarmName: string; Metrics?: Array<{ MetricStat?: { Metric: MetricStat } }> } }
    ).Properties;
    const stats =
      properties.Metrics === undefined
        ? [properties]
        : properties.Metrics.flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric] : []));
    return stats
      .filter((stat) => stat.Namespace === METRICS_NAMESPACE)
      .map((stat) => ({ where: `alarm ${properties.AlarmName}`, metricName: stat.MetricName, service: serviceOf(stat.Dimensions) }));
  });
}

function dashboardReads(template: Template): MetricRead[] {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
    Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } };
  };
  const text = dashboard.Properties.DashboardBody['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  const { widgets } = JSON.parse(text) as { widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }> };
  return widgets.flatMap(({ properties }) =>
    (properties.metrics ?? []).flatMap((row): MetricRead[] => {
      const where = `widget "${properties.title}"`;
      if (row[0] === METRICS_NAMESPACE) {
        // [namespace, name, dimension, value, …, options]
        const pairs = row.slice(2).filter((part) => typeof part === 'string');
        const dimensions = pairs.flatMap((part, index) => (index % 2 === 0 ? [{ Name: part, Value: pairs[index + 1] }] : []));
        return [{ where, metricName: String(row[1]), service: serviceOf(dimensions) }];
      }
      const expression = (row[0] as { expression?: string } | undefined)?.expression ?? '';
      if (!expression.includes('SEARCH(')) return [];
      const name = /MetricName="([^"]+)"/.exec(expression)?.[1] ?? '';
      const schema = /\{([^}]+)\}/.exec(expression)?.[1]?.split(',');
      const namespace = schema?.[0] ?? /Namespace="([^"]+)"/.exec(expression)?.[1];
      expect(namespace, `${where}: ${expression}`).toBe(METRICS_NAMESPACE);
      const dimensionNames: readonly string[] = [...Object.values(METRIC_DIMENSIONS), SERVICE_DIMENSION];
      for (const dimension of schema?.slice(1) ?? []) expect(dimensionNames, `${where}: ${expression}`).toContain(dimension);
      return [{ where, metricName: name, service: undefined }];
    }),
  );
}

const emitted = (service: string): readonly string[] => Object.values(METRICS[service as LivePersonFunctionName] ?? {});
const everyEmitted = LIVEPERSON_FUNCTION_NAMES.flatMap((service) => emitted(service).map((metricName) => `${service}/${metricName}`));

describe('monitoring reads only the metrics the functions emit', () => {
  let alarms: MetricRead[];
  let widgets: MetricRead[];
  beforeAll(() => {
    // Every capability, the connector event route and AWS WAF: everything monitoring can watch.
    const template = templateOf({ accountId: '12345678', connector: { eventRoute: true }, ingestion: { waf: { enabled: true } } });
    alarms = alarmReads(template);
    widgets = dashboardReads(template);
  });

  it('alarms on contract metrics, each under the service that emits it', () => {
    expect(alarms.map((read) => `${read.service}/${read.metricName}`).sort()).toEqual([
      'c2m-funnel/C2mInvitesDelivered',
      'c2m-funnel/C2mInvitesSent',
      'c2m-invite/C2mErrors',
      'c2m-invite/C2mRequests',
      'domain-refresh/DomainRefreshFailed',
      'domain-refresh/DomainRefreshSucceeded',
      'webhook-receiver/WebhookAccepted',
    ]);
    for (const read of alarms) expect(emitted(read.service ?? ''), read.where).toContain(read.metricName);
  });

  it('graphs contract metrics only, each line under the service that emits it, each SEARCH on a contract metric name', () => {
    expect(widgets.length).toBeGreaterThan(0);
    const names = LIVEPERSON_FUNCTION_NAMES.flatMap((service) => emitted(service));
    for (const read of widgets) {
      if (read.service === undefined) expect(names, read.where).toContain(read.metricName);
      else expect(emitted(read.service), `${read.where}: ${read.metricName}`).toContain(read.metricName);
    }
  });

  it('graphs every metric the functions emit', () => {
    const graphed = new Set(
      widgets.flatMap((read) =>
        read.service === undefined
          ? LIVEPERSON_FUNCTION_NAMES.filter((service) => emitted(service).includes(read.metricName)).map(
              (service) => `${service}/${read.metricName}`,
            )
          : [`${read.service}/${read.metricName}`],
      ),
    );
    expect(everyEmitted.filter((metric) => !graphed.has(metric))).toEqual([]);
  });
});

// Metric definitions, apart from the alarms and widgets that read them. Every custom metric is named
// through the contract (METRICS[service][key]), so a renamed or removed metric is a type error here,
// never an alarm on a metric nobody emits.
import { Duration } from 'aws-cdk-lib';
import { Metric, SearchExpression, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import { METRICS, METRICS_NAMESPACE, SERVICE_DIMENSION } from '#contract/metrics.ts';
import type { METRIC_DIMENSIONS, MetricKey } from '#contract/metrics.ts';

export const FIVE_MINUTES = Duration.minutes(5);
export const ONE_MINUTE = Duration.minutes(1);
export const ONE_HOUR = Duration.hours(1);

/** A breakdown dimension the functions add to some metrics (Reason, Route, …). */
export type MetricDimension = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];

/** The CloudWatch name of a contract metric. */
export function metricName<S extends LivePersonFunctionName>(service: S, key: MetricKey<S>): string {
  return METRICS[service][key] as string;
}

/** A custom metric at the service level: the fixed dimension set every alarm and line here relies on. */
export function customMetric<S extends LivePersonFunctionName>(service: S, key: MetricKey<S>, label: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metricName(service, key),
    dimensionsMap: { [SERVICE_DIMENSION]: service },
    statistic: Stats.SUM,
    period: FIVE_MINUTES,
    label,
  });
}

/** One line per value combination of a breakdown metric emitted with exactly these dimensions (plus the service). */
export function breakdownSearch<S extends LivePersonFunctionName>(
  service: S,
  key: MetricKey<S>,
  dimensions: readonly MetricDimension[],
  period: Duration = FIVE_MINUTES,
): SearchExpression {
  return search(`{${[METRICS_NAMESPACE, ...dimensions, SERVICE_DIMENSION].join(',')}} MetricName="${metricName(service, key)}"`, period);
}

/** One line per dimension set of a metric whose dimensions vary (e.g. an ErrorCode on errors only): searched by name. */
export function nameSearch<S extends LivePersonFunctionName>(service: S, key: MetricKey<S>): SearchExpression {
  return search(`Namespace="${METRICS_NAMESPACE}" MetricName="${metricName(service, key)}"`);
}

// Dashboards only: an alarm cannot watch a SEARCH.
function search(query: string, period: Duration = FIVE_MINUTES): SearchExpression {
  return new SearchExpression({ expression: `SEARCH('${query}', 'Sum', ${period.toSeconds()})`, period });
}

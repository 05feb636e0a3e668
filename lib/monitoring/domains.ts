// Domain refresh: one alarm on any failure, reported by the handler or not (its Errors), and a graph.
import { GraphWidget, MathExpression, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { LivePersonDomains } from '../domains.ts';
import type { AlarmFactory } from './alarms.ts';
import { FIVE_MINUTES, customMetric } from './metrics.ts';

function domainMetrics(domains: LivePersonDomains) {
  const failed = customMetric('domain-refresh', 'failed', 'failed');
  return {
    succeeded: customMetric('domain-refresh', 'succeeded', 'succeeded'),
    failed,
    // A failure the handler reports, or one before it could (start-up, timeout): the function's Errors.
    failures: new MathExpression({
      expression: 'FILL(failed, 0) + FILL(errors, 0)',
      usingMetrics: { failed, errors: domains.refresh.fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }) },
      period: FIVE_MINUTES,
      label: 'domain refresh failures',
    }),
  };
}

/** Creates the DomainRefreshFailed alarm; returns its graph (drawn in the functions' row). */
export function watchDomains(alarms: AlarmFactory, domains: LivePersonDomains): IWidget[] {
  const metrics = domainMetrics(domains);
  alarms.alarm('DomainRefreshFailed', {
    metric: metrics.failures,
    threshold: 0,
    description:
      'The LivePerson domain refresh failed: the functions keep their cached and stored domains and fall back to CSDS. ' +
      'Check the domain-refresh log (CSDS answer), then invoke it again by hand.',
  });
  return [new GraphWidget({ title: 'Domain refresh', width: 8, left: [metrics.succeeded, metrics.failed] })];
}

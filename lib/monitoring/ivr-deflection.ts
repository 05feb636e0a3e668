// IVR deflection (C2M): the share of C2M requests answered ERROR, c2m-invite's duration against
// Amazon Connect's limit, and the invites by action and result.
import { GraphWidget, MathExpression, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRIC_DIMENSIONS } from '#contract/metrics.ts';
import type { LivePersonIvrDeflection } from '../ivr-deflection.ts';
import { CONNECT_LAMBDA_LIMIT_SECONDS } from '../ivr-deflection.ts';
import { ConstructPropsError } from '../settings/resolve.ts';
import { DEFAULT_C2M_P99_DURATION_MS } from '../settings/monitoring.ts';
import type { AlarmFactory, MonitoringThresholds } from './alarms.ts';
import { FIVE_MINUTES, customMetric, metricName, nameSearch } from './metrics.ts';

/**
 * The p99 duration above which C2mSlow alarms: the one set, or the default lowered to 1 s under a
 * shorter c2m-invite timeout. A value set at or over the timeout is refused (a call that slow has timed out).
 */
export function c2mSlowThresholdMs(scope: Construct, ivr: LivePersonIvrDeflection, configuredMs: number | undefined): number {
  const timeoutMs = ivr.c2mInvite.fn.timeout?.toMilliseconds() ?? CONNECT_LAMBDA_LIMIT_SECONDS * 1000;
  const slowMs = configuredMs ?? Math.min(DEFAULT_C2M_P99_DURATION_MS, timeoutMs - 1000);
  if (slowMs >= timeoutMs) {
    throw new ConstructPropsError(scope, 'LivePersonMonitoring', [
      `c2mP99DurationMs: must be below the c2m-invite timeout (${timeoutMs} ms), got ${slowMs}`,
    ]);
  }
  return slowMs;
}

function ivrMetrics(ivr: LivePersonIvrDeflection, minimumRequests: number) {
  const fn = ivr.c2mInvite.fn;
  const requests = customMetric('c2m-invite', 'requests', 'requests');
  const errors = customMetric('c2m-invite', 'errors', 'answered ERROR');
  return {
    requests,
    errors,
    errorRate: new MathExpression({
      // Below the minimum count a few failed calls would read as a high rate: report 0 then.
      expression: `IF(requests >= ${minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: { requests, errors },
      period: FIVE_MINUTES,
      label: 'ERROR rate (%)',
    }),
    // Errors add an ErrorCode dimension: search by name, not by one dimension set.
    results: nameSearch('c2m-invite', 'results'),
    p50: fn.metricDuration({ statistic: Stats.p(50), label: 'p50' }),
    p99: fn.metricDuration({ statistic: Stats.p(99), period: FIVE_MINUTES }),
    max: fn.metricDuration({ statistic: Stats.MAXIMUM, label: 'max' }),
  };
}

/** Creates the C2M alarms (C2mSlow above `slowMs`, from c2mSlowThresholdMs); returns the dashboard row. */
export function watchIvrDeflection(alarms: AlarmFactory, ivr: LivePersonIvrDeflection, t: MonitoringThresholds, slowMs: number): IWidget[] {
  const metrics = ivrMetrics(ivr, t.c2mMinimumRequests);
  alarms.alarm('C2mErrorRate', {
    metric: metrics.errorRate,
    threshold: t.c2mErrorRatePercent,
    description:
      `More than ${t.c2mErrorRatePercent}% of C2M requests answered ERROR over 5 minutes (with at least ${t.c2mMinimumRequests} requests): ` +
      `callers are not being deflected. Check the c2m-invite log (errorCode), the ${metricName('c2m-invite', 'results')} metric by ` +
      `${METRIC_DIMENSIONS.errorCode}, the credentials secret (oauth1 or AppJWT) and the LivePerson C2M status.`,
  });
  alarms.alarm('C2mSlow', {
    metric: metrics.p99,
    threshold: slowMs,
    description:
      `c2m-invite p99 duration above ${slowMs} ms over 5 minutes: close to Amazon Connect's ${CONNECT_LAMBDA_LIMIT_SECONDS} s limit, ` +
      'past which the flow takes its error branch. Check C2M latency and retries in the log, and cold starts.',
  });
  return [
    new GraphWidget({
      title: 'C2M requests and errors',
      width: 8,
      left: [metrics.requests, metrics.errors],
      right: [metrics.errorRate],
      rightAnnotations: [{ value: t.c2mErrorRatePercent, label: 'alarm' }],
    }),
    new GraphWidget({ title: 'C2M invites by action and result', width: 8, left: [metrics.results] }),
    new GraphWidget({
      title: 'c2m-invite duration (ms)',
      width: 8,
      left: [metrics.p50, metrics.p99.with({ label: 'p99' }), metrics.max],
      leftAnnotations: [
        { value: slowMs, label: 'alarm' },
        { value: CONNECT_LAMBDA_LIMIT_SECONDS * 1000, label: 'Amazon Connect limit' },
      ],
    }),
  ];
}

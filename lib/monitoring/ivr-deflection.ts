// IVR deflection (C2M): the share of C2M requests answered ERROR, c2m-invite's duration against
// Amazon Connect's limit, the invites by action and result; and the funnel of what became of them.
import { GraphWidget, MathExpression, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRIC_DIMENSIONS } from '#contract/metrics.ts';
import type { C2mFunnelResources, LivePersonIvrDeflection } from '../ivr-deflection.ts';
import { CONNECT_LAMBDA_LIMIT_SECONDS } from '../ivr-deflection.ts';
import { ConstructPropsError } from '../settings/resolve.ts';
import { DEFAULT_C2M_P99_DURATION_MS } from '../settings/monitoring.ts';
import type { AlarmFactory, MonitoringThresholds } from './alarms.ts';
import { FIVE_MINUTES, ONE_HOUR, breakdownSearch, customMetric, metricName, nameSearch } from './metrics.ts';

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

/**
 * The funnel (c2m-funnel's metrics, each step at the minute it happened, published up to the
 * reporting delay plus one schedule interval late): the C2mInvitesUndelivered alarm and its row.
 */
export function watchC2mFunnel(alarms: AlarmFactory, funnel: C2mFunnelResources, t: MonitoringThresholds): IWidget[] {
  const hourly = (metric: ReturnType<typeof customMetric>) => metric.with({ period: ONE_HOUR });
  const attempted = hourly(customMetric('c2m-funnel', 'invitesAttempted', 'attempted'));
  const sent = hourly(customMetric('c2m-funnel', 'invitesSent', 'sent'));
  const delivered = hourly(customMetric('c2m-funnel', 'invitesDelivered', 'delivered'));
  const read = hourly(customMetric('c2m-funnel', 'invitesRead', 'read'));
  const failed = hourly(customMetric('c2m-funnel', 'invitesFailed', 'failed'));
  const conversations = hourly(customMetric('c2m-funnel', 'conversationsCreated', 'conversations created'));
  const undelivered = new MathExpression({
    // Below the minimum a few late receipts would read as a high share: report 0 then.
    expression: `IF(sent >= ${t.c2mFunnelMinimumSent}, 100 * (sent - FILL(delivered, 0)) / sent, 0)`,
    usingMetrics: { sent, delivered },
    period: ONE_HOUR,
    label: 'sent, not delivered (%)',
  });
  alarms.alarm('C2mInvitesUndelivered', {
    metric: undelivered,
    threshold: t.c2mUndeliveredPercent,
    description:
      `More than ${t.c2mUndeliveredPercent}% of the C2M invites sent in an hour were not delivered (with at least ${t.c2mFunnelMinimumSent} sent): ` +
      `callers accept a message that never reaches them. The funnel is LivePerson's reporting data, up to 20 minutes late and read every ` +
      `${funnel.scheduleMinutes} minutes. Check \`liveperson-aws c2m report --transactions\` (errorCode, errorSource), the ` +
      `${metricName('c2m-funnel', 'invitesFailed')} metric by ${METRIC_DIMENSIONS.channel}, and the SMS or WhatsApp channel in LivePerson.`,
  });
  const runs = [customMetric('c2m-funnel', 'runSucceeded', 'runs'), customMetric('c2m-funnel', 'runFailed', 'failed runs')];
  return [
    new GraphWidget({
      title: 'C2M funnel (invites per hour)',
      width: 8,
      left: [attempted, sent, delivered, read, failed, conversations],
      right: [undelivered],
      rightAnnotations: [{ value: t.c2mUndeliveredPercent, label: 'alarm' }],
    }),
    new GraphWidget({
      title: 'C2M funnel by channel (delivered, conversations)',
      width: 8,
      left: [
        breakdownSearch('c2m-funnel', 'invitesDelivered', [METRIC_DIMENSIONS.channel], ONE_HOUR),
        breakdownSearch('c2m-funnel', 'conversationsCreated', [METRIC_DIMENSIONS.channel], ONE_HOUR),
      ],
    }),
    new GraphWidget({ title: 'C2M funnel runs', width: 8, left: runs }),
  ];
}

/**
 * c2m-funnel's metrics: each minute's steps published with that minute as the EMF timestamp, so a
 * graph shows when invites were delivered or answered, not when the funnel ran. Per minute one
 * record with the service dimension only (what the alarm reads) and one per channel (dimension
 * Channel, for the dashboard). Each is its own EMF record, since a record has one timestamp.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS, METRICS, type MetricKey } from '#contract/metrics.ts';
import { emptyCounts, FUNNEL_STEPS, type FunnelCount, type FunnelStep, type FunnelStepCounts } from '../ivr/funnel.ts';
import type { Telemetry } from './telemetry.ts';

const STEP_METRICS: Readonly<Record<FunnelStep, MetricKey<'c2m-funnel'>>> = {
  attempted: 'invitesAttempted',
  sent: 'invitesSent',
  delivered: 'invitesDelivered',
  read: 'invitesRead',
  failed: 'invitesFailed',
  conversationCreated: 'conversationsCreated',
};

/** Publishes the counts now (not at the end of the invocation): one EMF record per minute, and per minute and channel. */
export function publishFunnelCounts(telemetry: Telemetry<'c2m-funnel'>, counts: readonly FunnelCount[]): void {
  // A Metrics of its own: the handler's instance keeps the run's own metrics, stamped when it flushes.
  const records = new Metrics({ serviceName: telemetry.service });
  const totals = new Map<number, Record<FunnelStep, number>>();
  for (const { minute, channel, counts: steps } of counts) {
    const total = totals.get(minute) ?? emptyCounts();
    for (const step of FUNNEL_STEPS) total[step] += steps[step];
    totals.set(minute, total);
    publish(records, minute, steps, channel);
  }
  for (const [minute, steps] of totals) publish(records, minute, steps, undefined);
}

function publish(records: Metrics, minute: number, steps: FunnelStepCounts, channel: string | undefined): void {
  const names = METRICS['c2m-funnel'];
  let any = false;
  for (const step of FUNNEL_STEPS) {
    if (steps[step] === 0) continue;
    records.addMetric(names[STEP_METRICS[step]], MetricUnit.Count, steps[step]);
    any = true;
  }
  if (!any) return;
  records.setTimestamp(minute);
  if (channel !== undefined) records.addDimension(METRIC_DIMENSIONS.channel, channel);
  // Clears the metrics, the dimension and the timestamp for the next record.
  records.publishStoredMetrics();
}

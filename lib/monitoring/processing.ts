// Processing: the event processor's outcomes, its failures by reason and its duration. Its queue is
// watched with ingestion (the event queue is ingestion's), its errors and throttles with the functions.
import { GraphWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_DIMENSIONS } from '#contract/metrics.ts';
import type { LivePersonProcessing } from '../processing.ts';
import { breakdownSearch, customMetric } from './metrics.ts';

function processingMetrics(processing: LivePersonProcessing) {
  const fn = processing.processor.fn;
  return {
    processed: customMetric('event-processor', 'processed', 'processed'),
    duplicatesSkipped: customMetric('event-processor', 'duplicatesSkipped', 'duplicates skipped'),
    failed: customMetric('event-processor', 'failed', 'failed'),
    staleConversationUpdates: customMetric('event-processor', 'staleConversationUpdates', 'stale conversation updates'),
    // Passed on as UnknownEvent: LivePerson sent a type this version does not type yet.
    unknownEvents: customMetric('event-processor', 'unknownEvents', 'of unknown types'),
    failedByReason: breakdownSearch('event-processor', 'failedByReason', [METRIC_DIMENSIONS.reason]),
    p50: fn.metricDuration({ statistic: Stats.p(50), label: 'p50' }),
    p99: fn.metricDuration({ statistic: Stats.p(99), label: 'p99' }),
  };
}

/** Processing has no alarm of its own (dead letters and a stalled queue alarm with ingestion); returns its dashboard row. */
export function watchProcessing(processing: LivePersonProcessing): IWidget[] {
  const metrics = processingMetrics(processing);
  return [
    new GraphWidget({
      title: 'Events processed / duplicates / failures / unknown types',
      width: 8,
      left: [metrics.processed, metrics.duplicatesSkipped, metrics.failed, metrics.staleConversationUpdates, metrics.unknownEvents],
    }),
    new GraphWidget({ title: 'Events failed by reason', width: 8, left: [metrics.failedByReason] }),
    new GraphWidget({ title: 'event-processor duration (ms)', width: 8, left: [metrics.p50, metrics.p99] }),
  ];
}

/**
 * The telemetry every handler shares: a Powertools Logger and Metrics named after the function, the
 * metric names from the contract (so a handler cannot emit a metric its alarm does not read), and one
 * middy wrapper that injects the Lambda context into the logs and flushes the metrics.
 */
import type { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import { METRIC_DIMENSIONS, METRICS, type MetricKey } from '#contract/metrics.ts';
import { tracer } from '../aws/tracing.ts';

export type MetricDimensions = Partial<Record<keyof typeof METRIC_DIMENSIONS, string>>;

export interface Telemetry<S extends LivePersonFunctionName> {
  readonly service: S;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Adds 1 (or `value`) to a metric of this function, with the service dimension only: what alarms read. */
  count(metric: MetricKey<S>, value?: number): void;
  /** The same, as its own metric with extra dimensions: the breakdowns the dashboard shows. */
  countWith(metric: MetricKey<S>, dimensions: MetricDimensions, value?: number): void;
  /**
   * Writes what the function prints from now to the end of this tick (its last log line, the breakdown
   * metric, the metrics flushed after the handler) in one write to each stream; see writeTogether.
   */
  writeTogether(): void;
}

export function createTelemetry<S extends LivePersonFunctionName>(service: S): Telemetry<S> {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ serviceName: service });
  const names = METRICS[service] as Record<MetricKey<S>, string>;
  // One single-metric instance for every breakdown, made on first use: singleMetric() builds a whole
  // Metrics (its own Console, the environment read again) per call, most of a warm invocation's cost.
  // Publishing (addMetric) clears its dimensions; the service dimension is a default and stays.
  let breakdowns: Metrics | undefined;
  return {
    service,
    logger,
    metrics,
    count: (metric, value = 1) => metrics.addMetric(names[metric], MetricUnit.Count, value),
    countWith: (metric, dimensions, value = 1) => {
      const single = (breakdowns ??= metrics.singleMetric());
      try {
        for (const key of Object.keys(dimensions) as (keyof typeof METRIC_DIMENSIONS)[]) {
          const dimensionValue = dimensions[key];
          if (dimensionValue !== undefined) single.addDimension(METRIC_DIMENSIONS[key], dimensionValue);
        }
        single.addMetric(names[metric], MetricUnit.Count, value);
      } finally {
        // Nothing of this metric may stick to the next one, even when adding it threw.
        single.clearDimensions();
      }
    },
    writeTogether: () => writeTogether(),
  };
}

const held = new WeakSet<Writable>();

/**
 * Holds the streams (stdout and stderr: cork) until the current tick is over, then writes what they
 * got in one write each (uncork: a single writev). The lines are the same, in the same order per
 * stream; only the write calls are fewer: an invocation's closing lines cost one system call instead
 * of one each, the largest share of a warm call's own time. Nothing is held past the tick: the promise
 * chain that ends the invocation (middy's after middlewares, the metrics flush) runs within it, before
 * any I/O, and Node releases the tick queue before it treats an unhandled rejection as fatal.
 */
export function writeTogether(streams: readonly Writable[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (held.has(stream)) continue;
    held.add(stream);
    stream.cork();
    process.nextTick(() => {
      held.delete(stream);
      stream.uncork();
    });
  }
}

export interface HandlerOptions {
  /** Clear keys appended during an invocation before the next one (for handlers that append per invocation). */
  readonly resetKeys?: boolean;
}

/**
 * The handler as Lambda calls it, with the context injected into every log line and the metrics
 * flushed after each invocation. The event itself is never logged, whatever POWERTOOLS_LOGGER_LOG_EVENT
 * says: every function's events hold something that must not reach a log (signatures, message text,
 * phone numbers). When the function traces, the invocation is a subsegment with the ColdStart and
 * Service annotations; its answer is never put in the trace, for the same reason as the event.
 */
export function lambdaHandler<E, R>(
  telemetry: Telemetry<LivePersonFunctionName>,
  handle: (event: E, context: Context) => Promise<R>,
  options: HandlerOptions = {},
) {
  const handler = middy(handle);
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return handler
    .use(injectLambdaContext(telemetry.logger, { logEvent: false, ...(options.resetKeys ? { resetKeys: true } : {}) }))
    .use(logMetrics(telemetry.metrics));
}

/**
 * The telemetry every handler shares: a Powertools Logger and Metrics named after the function, the
 * metric names from the contract (so a handler cannot emit a metric its alarm does not read), and one
 * middy wrapper that injects the Lambda context into the logs and flushes the metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import { METRIC_DIMENSIONS, METRICS, type MetricKey } from '#contract/metrics.ts';

export type MetricDimensions = Partial<Record<keyof typeof METRIC_DIMENSIONS, string>>;

export interface Telemetry<S extends LivePersonFunctionName> {
  readonly service: S;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Adds 1 (or `value`) to a metric of this function, with the service dimension only: what alarms read. */
  count(metric: MetricKey<S>, value?: number): void;
  /** The same, as its own metric with extra dimensions: the breakdowns the dashboard shows. */
  countWith(metric: MetricKey<S>, dimensions: MetricDimensions, value?: number): void;
}

export function createTelemetry<S extends LivePersonFunctionName>(service: S): Telemetry<S> {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ serviceName: service });
  const names = METRICS[service] as Record<MetricKey<S>, string>;
  return {
    service,
    logger,
    metrics,
    count: (metric, value = 1) => metrics.addMetric(names[metric], MetricUnit.Count, value),
    countWith: (metric, dimensions, value = 1) => {
      const single = metrics.singleMetric();
      for (const [key, dimensionValue] of Object.entries(dimensions) as [keyof typeof METRIC_DIMENSIONS, string | undefined][]) {
        if (dimensionValue !== undefined) single.addDimension(METRIC_DIMENSIONS[key], dimensionValue);
      }
      single.addMetric(names[metric], MetricUnit.Count, value);
    },
  };
}

export interface HandlerOptions {
  /** Clear keys appended during an invocation before the next one (for handlers that append per invocation). */
  readonly resetKeys?: boolean;
}

/**
 * The handler as Lambda calls it, with the context injected into every log line and the metrics
 * flushed after each invocation. The event itself is never logged, whatever POWERTOOLS_LOGGER_LOG_EVENT
 * says: every function's events hold something that must not reach a log (signatures, message text,
 * phone numbers).
 */
export function lambdaHandler<E, R>(
  telemetry: Telemetry<LivePersonFunctionName>,
  handle: (event: E, context: Context) => Promise<R>,
  options: HandlerOptions = {},
) {
  return middy(handle)
    .use(injectLambdaContext(telemetry.logger, { logEvent: false, ...(options.resetKeys ? { resetKeys: true } : {}) }))
    .use(logMetrics(telemetry.metrics));
}

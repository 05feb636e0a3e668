/**
 * Scheduled (and once at deploy): resolves the LivePerson service domains the functions use
 * (LIVEPERSON_SERVICES) through CSDS and stores them as SSM parameters under LP_DOMAIN_PARAMETER_PATH.
 */
import type { Context } from 'aws-lambda';
import { readRuntimeEnvironment } from '../lib/aws/config.ts';
import { refreshDomainParameters, ssmDomainParameterStore, type DomainRefreshResult } from '../lib/aws/domain-parameters.ts';
import { livePersonCallTracer } from '../lib/aws/tracing.ts';
import { createTelemetry, lambdaHandler } from '../lib/lambda/telemetry.ts';
import { DomainResolver } from '../lib/liveperson/domains.ts';
import { LivePersonHttpClient } from '../lib/liveperson/http.ts';
import { logSafeError, logSafeReason } from '../lib/log-mask.ts';

const telemetry = createTelemetry('domain-refresh');
const { logger } = telemetry;
const environment = readRuntimeEnvironment();
const http = new LivePersonHttpClient({
  tracer: livePersonCallTracer(),
  onRetry: (notice) => logger.warn('retrying CSDS', { retry: notice.retry, delayMs: notice.delayMs, reason: logSafeReason(notice.error) }),
});
const resolver = new DomainResolver({
  accountId: environment.accountId,
  http,
  csdsUrl: environment.csdsUrl,
  hostPolicy: environment.hostPolicy,
});
const store = ssmDomainParameterStore();

// Leave a second to log and report before Lambda's own timeout.
const SAFETY_MARGIN_MS = 1_000;

async function refresh(_event: unknown, context: Context): Promise<DomainRefreshResult> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  try {
    const result = await refreshDomainParameters({ resolver, store, path: environment.domainParameterPath, deadline });
    logger.info('domains refreshed', { ...result });
    telemetry.count('succeeded');
    return result;
  } catch (error) {
    logger.error('domain refresh failed', logSafeError(error));
    telemetry.count('failed');
    throw error;
  }
}

// The event is never logged, as in every function here.
export const handler = lambdaHandler(telemetry, refresh);

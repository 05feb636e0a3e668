/**
 * Scheduled (and once at deploy): resolves the LivePerson service domains the functions use
 * (LIVEPERSON_SERVICES) through CSDS and stores them as SSM parameters under LP_DOMAIN_PARAMETER_PATH.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AWS_CALL_BUDGETS, ssmClient } from '../lib/aws/clients.ts';
import { readRuntimeEnvironment } from '../lib/aws/config.ts';
import { refreshDomainParameters, type DomainRefreshResult } from '../lib/aws/domain-parameters.ts';
import { DomainResolver } from '../lib/liveperson/domains.ts';
import { LivePersonHttpClient } from '../lib/liveperson/http.ts';
import { logSafeReason, logSafeText } from '../lib/log-mask.ts';

const logger = new Logger({ serviceName: 'domain-refresh' });
const metrics = new Metrics({ serviceName: 'domain-refresh' });
const environment = readRuntimeEnvironment();
const http = new LivePersonHttpClient({
  onRetry: (notice) => logger.warn('retrying CSDS', { retry: notice.retry, delayMs: notice.delayMs, reason: logSafeReason(notice.error) }),
});
const resolver = new DomainResolver({ accountId: environment.accountId, http, csdsUrl: environment.csdsUrl, hostPolicy: environment.hostPolicy });
const store = new SSMProvider({ awsSdkV3Client: ssmClient(AWS_CALL_BUDGETS.ssmDomainRefresh) });

// Leave a second to log and report before Lambda's own timeout.
const SAFETY_MARGIN_MS = 1_000;

async function refresh(_event: unknown, context: Context): Promise<DomainRefreshResult> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  try {
    const result = await refreshDomainParameters({ resolver, store, path: environment.domainParameterPath, deadline });
    logger.info('domains refreshed', { ...result });
    metrics.addMetric('DomainRefreshSucceeded', MetricUnit.Count, 1);
    return result;
  } catch (error) {
    logger.error('domain refresh failed', { errorName: error instanceof Error ? error.name : 'unknown', reason: logSafeReason(error), stack: error instanceof Error ? logSafeText(error.stack) : undefined });
    metrics.addMetric('DomainRefreshFailed', MetricUnit.Count, 1);
    throw error;
  }
}

// logEvent stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says, as in every function here.
export const handler = middy(refresh).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics));

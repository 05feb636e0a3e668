/**
 * Amazon Connect contact flow → here → C2M Eligibility and Invite. Answers a flat map of strings
 * (result, callId, channels, errorCode, errorMessage) inside Connect's 8 s, and never throws at
 * the flow: every failure is result=ERROR or NOT_ELIGIBLE, which the flow branches on.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logSafeId, logSafeReason, logSafeText, maskPhoneNumber } from '../lib/log-mask.ts';
import { errorOutcome, failureOutcome, IVR_ERROR_CODES, toConnectAttributes, type ConnectAttributes, type IvrOutcome } from '../lib/ivr/outcome.ts';
import { C2mService } from '../lib/ivr/service.ts';
import { readC2mSettings } from '../lib/ivr/settings.ts';
import { createLivePersonPlatform } from '../lib/platform.ts';

const logger = new Logger({ serviceName: 'c2m-invite' });
const metrics = new Metrics({ serviceName: 'c2m-invite' });

/** Time kept after the deadline to log, flush metrics and hand the answer back before Lambda's timeout. */
const ANSWER_MARGIN_MS = 1_000;
/** The cold-start prefetch stops trying after this long; the first call then tries again. */
const PREFETCH_BUDGET_MS = 5_000;

const setup = createService();

function createService(): { service: C2mService } | { error: unknown } {
  try {
    const platform = createLivePersonPlatform({ logger: { warn: (message, extra = {}) => logger.warn(message, extra) } });
    const service = new C2mService({
      platform,
      settings: readC2mSettings(),
      onDomainFallback: (region, error) => logger.warn('C2M domain from the region table: SSM and CSDS failed', { region, reason: messageOf(error) }),
    });
    // During the cold start, not on the first caller's time. A failure is only logged: each call tries again.
    service
      .prefetch({ deadline: Date.now() + PREFETCH_BUDGET_MS })
      .catch((error: unknown) => logger.warn('C2M prefetch at cold start failed', { reason: messageOf(error) }));
    return { service };
  } catch (error) {
    // A broken environment must still answer the flow (ERROR), and say why in the log.
    logger.error('c2m-invite is misconfigured', { reason: messageOf(error) });
    return { error };
  }
}

async function answer(event: unknown, context: Context): Promise<ConnectAttributes> {
  const startedAt = Date.now();
  const deadline = startedAt + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
  logger.appendKeys({ contactId: logSafeId(contactIdOf(event)) });

  let action: string | undefined;
  let phone: string | undefined;
  let outcome: IvrOutcome;
  if ('error' in setup) {
    outcome = errorOutcome(IVR_ERROR_CODES.configurationError, messageOf(setup.error));
  } else {
    try {
      const answered = await setup.service.answer(event, { deadline });
      ({ outcome } = answered);
      action = answered.contact.action;
      phone = maskPhoneNumber(answered.contact.phoneNumber);
    } catch (error) {
      outcome = failureOutcome(error);
    }
  }

  const details = {
    action,
    phone,
    result: outcome.result,
    errorCode: outcome.errorCode,
    errorMessage: logSafeText(outcome.errorMessage),
    recommendedChannel: outcome.recommendedChannel,
    durationMs: Date.now() - startedAt,
  };
  if (outcome.errorCode === IVR_ERROR_CODES.internalError || outcome.errorCode === IVR_ERROR_CODES.configurationError) {
    logger.error('C2M request failed', details);
  } else if (outcome.result === 'ERROR') {
    logger.warn('C2M request failed', details);
  } else {
    logger.info('C2M request answered', details);
  }
  // Alarms need totals at the service level (a fixed dimension set); the breakdown is its own metric.
  metrics.addMetric('C2mRequests', MetricUnit.Count, 1);
  if (outcome.result === 'ERROR') metrics.addMetric('C2mErrors', MetricUnit.Count, 1);
  const detailed = metrics.singleMetric();
  detailed.addDimension('Action', action ?? 'invalid');
  detailed.addDimension('Result', outcome.result);
  if (outcome.errorCode) detailed.addDimension('ErrorCode', outcome.errorCode);
  detailed.addMetric('C2mResults', MetricUnit.Count, 1);
  return toConnectAttributes(outcome);
}

function contactIdOf(event: unknown): string | undefined {
  const contactId = (event as { Details?: { ContactData?: { ContactId?: unknown } } } | null)?.Details?.ContactData?.ContactId;
  return typeof contactId === 'string' ? contactId.slice(0, 128) : undefined;
}

/** What went wrong, for the log and the flow's errorMessage: a phone number in it is masked (log-mask.ts). */
function messageOf(error: unknown): string {
  return logSafeReason(error);
}

// logEvent stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event holds the caller's number.
export const handler = middy(answer)
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics));

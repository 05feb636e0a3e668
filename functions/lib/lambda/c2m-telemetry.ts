/**
 * c2m-invite's log lines and metrics: the ContactId on every line of a call, one line per call with
 * the caller's number masked, and the totals and breakdown the alarms and the dashboard read.
 */
import type { C2mCallReport, ContactFlowObserver } from '../ivr/contact-flow.ts';
import { IVR_ERROR_CODES } from '../ivr/outcome.ts';
import { logSafeId, logSafeReason, logSafeText, maskPhoneNumber } from '../log-mask.ts';
import type { Telemetry } from './telemetry.ts';

export function c2mTelemetry(telemetry: Telemetry<'c2m-invite'>): Required<ContactFlowObserver> {
  const { logger } = telemetry;
  // Every reason goes through logSafeReason: a phone number in it is masked (log-mask.ts).
  return {
    started: (contactId) => logger.appendKeys({ contactId: logSafeId(contactId) }),
    answered: (report) => answered(telemetry, report),
    misconfigured: (error) => logger.error('c2m-invite is misconfigured', { reason: logSafeReason(error) }),
    prefetchFailed: (error) => logger.warn('C2M prefetch at cold start failed', { reason: logSafeReason(error) }),
    domainFallback: (region, error) =>
      logger.warn('C2M domain from the region table: SSM and CSDS failed', { region, reason: logSafeReason(error) }),
  };
}

function answered(telemetry: Telemetry<'c2m-invite'>, { action, phoneNumber, outcome, durationMs }: C2mCallReport): void {
  const { logger } = telemetry;
  // The call's closing lines: this one, the breakdown metric and the flush after the handler, in one write.
  telemetry.writeTogether();
  const details = {
    action,
    phone: maskPhoneNumber(phoneNumber),
    result: outcome.result,
    errorCode: outcome.errorCode,
    errorMessage: logSafeText(outcome.errorMessage),
    recommendedChannel: outcome.recommendedChannel,
    durationMs,
  };
  if (outcome.errorCode === IVR_ERROR_CODES.internalError || outcome.errorCode === IVR_ERROR_CODES.configurationError) {
    logger.error('C2M request failed', details);
  } else if (outcome.result === 'ERROR') {
    logger.warn('C2M request failed', details);
  } else {
    logger.info('C2M request answered', details);
  }
  // Alarms need totals at the service level (a fixed dimension set); the breakdown is its own metric.
  telemetry.count('requests');
  if (outcome.result === 'ERROR') telemetry.count('errors');
  telemetry.countWith('results', { action: action ?? 'invalid', result: outcome.result, errorCode: outcome.errorCode || undefined });
}

/**
 * What the contact flow gets back: a flat map of strings (Connect's STRING_MAP response) with
 * every key always present, and the one place deciding which failure is which result.
 * LivePerson facts behind this: docs/liveperson.md#connect-to-messaging-c2m.
 */
import { ConfigurationError } from '../errors.ts';
import { APP_JWT_OPERATION } from '../liveperson/app-jwt.ts';
import { C2M_OPERATIONS, C2mDomainUnavailableError, type C2mErrorCode } from '../liveperson/c2m.ts';
import {
  DeadlineExceededError,
  LivePersonApiError,
  LivePersonError,
  LivePersonNetworkError,
  LivePersonResponseError,
} from '../liveperson/errors.ts';

export const C2M_RESULTS = ['INVITED', 'ELIGIBLE', 'NOT_ELIGIBLE', 'ERROR'] as const;
export type C2mResult = (typeof C2M_RESULTS)[number];

/** Keys of the answer, all of them in every answer ("" where they do not apply). */
export const CONNECT_ATTRIBUTE_KEYS = [
  'result',
  'callId',
  'recommendedChannel',
  'availableChannels',
  /** The channel c2m.whatsapp chose over C2M's recommendation ("" when it chose none): the invite's overrideChannel. */
  'overrideChannel',
  'errorCode',
  'errorMessage',
] as const;
export type ConnectAttributeKey = (typeof CONNECT_ATTRIBUTE_KEYS)[number];
export type ConnectAttributes = Record<ConnectAttributeKey, string>;

export interface IvrOutcome {
  readonly result: C2mResult;
  readonly callId?: string | undefined;
  readonly recommendedChannel?: string | undefined;
  readonly availableChannels?: readonly string[] | undefined;
  readonly overrideChannel?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
}

/** Our own error codes (C2M's are its numbers, as strings). */
export const IVR_ERROR_CODES = {
  invalidEvent: 'INVALID_EVENT',
  invalidAction: 'INVALID_ACTION',
  invalidPhoneNumber: 'INVALID_PHONE_NUMBER',
  invalidSkill: 'INVALID_SKILL',
  invalidHandoffId: 'INVALID_HANDOFF_ID',
  invalidCallId: 'INVALID_CALL_ID',
  invalidIvrNumber: 'INVALID_IVR_NUMBER',
  invalidOverrideChannel: 'INVALID_OVERRIDE_CHANNEL',
  invalidOverrideMessage: 'INVALID_OVERRIDE_MESSAGE',
  invalidOverrideSkill: 'INVALID_OVERRIDE_SKILL',
  invalidTemplateVariables: 'INVALID_TEMPLATE_VARIABLES',
  invalidSdes: 'INVALID_SDES',
  invalidConsumerId: 'INVALID_CONSUMER_ID',
  timeout: 'TIMEOUT',
  networkError: 'NETWORK_ERROR',
  invalidResponse: 'INVALID_RESPONSE',
  configurationError: 'CONFIGURATION_ERROR',
  domainUnavailable: 'DOMAIN_UNAVAILABLE',
  authenticationFailed: 'AUTHENTICATION_FAILED',
  livePersonUnavailable: 'LIVEPERSON_UNAVAILABLE',
  internalError: 'INTERNAL_ERROR',
} as const;

/**
 * C2M error code → result. NOT_ELIGIBLE where the cause is this consumer's messaging state (an open
 * conversation, no channel for them, or not the requested one); ERROR where the request, the
 * credentials, the brand's C2M set-up or the service is at fault. Both send the caller to the queue
 * in the shipped flow; the difference is for reporting and alarms.
 */
export const C2M_ERROR_RESULTS: Readonly<Record<C2mErrorCode, C2mResult>> = {
  1000: 'ERROR',
  1001: 'ERROR',
  1002: 'ERROR',
  1004: 'ERROR',
  1005: 'ERROR',
  1015: 'ERROR',
  1029: 'ERROR',
  1100: 'ERROR',
  1101: 'ERROR',
  1200: 'ERROR',
  1201: 'ERROR',
  1300: 'ERROR',
  1400: 'NOT_ELIGIBLE',
  1500: 'ERROR',
  1501: 'NOT_ELIGIBLE',
  1600: 'ERROR',
  1900: 'NOT_ELIGIBLE',
  1901: 'ERROR',
};

// Long enough for any C2M message; attributes end up in contact records, which have a size limit.
const MAX_ERROR_MESSAGE_LENGTH = 300;

export function toConnectAttributes(outcome: IvrOutcome): ConnectAttributes {
  return {
    result: outcome.result,
    callId: outcome.callId ?? '',
    recommendedChannel: outcome.recommendedChannel ?? '',
    availableChannels: (outcome.availableChannels ?? []).join(','),
    overrideChannel: outcome.overrideChannel ?? '',
    errorCode: outcome.errorCode ?? '',
    errorMessage: (outcome.errorMessage ?? '').slice(0, MAX_ERROR_MESSAGE_LENGTH),
  };
}

export function errorOutcome(errorCode: string, errorMessage: string): IvrOutcome {
  return { result: 'ERROR', errorCode, errorMessage };
}

/** The result for anything a C2M action threw. Messages come from our code or LivePerson's, never from a request. */
export function failureOutcome(error: unknown): IvrOutcome {
  if (error instanceof DeadlineExceededError) {
    return errorOutcome(IVR_ERROR_CODES.timeout, `no answer within the time Amazon Connect allows: ${error.message}`);
  }
  if (error instanceof ConfigurationError) return errorOutcome(IVR_ERROR_CODES.configurationError, error.message);
  if (error instanceof C2mDomainUnavailableError) {
    return errorOutcome(
      IVR_ERROR_CODES.domainUnavailable,
      `${error.message}; the domain-refresh function fills SSM, and the region hint (C2M_REGION) is the last resort`,
    );
  }
  if (!(error instanceof LivePersonError)) {
    return errorOutcome(IVR_ERROR_CODES.internalError, `unexpected failure: ${error instanceof Error ? error.name : 'non-error thrown'}`);
  }
  if (error instanceof LivePersonNetworkError) {
    // An attempt cut off by its own timeout is "no answer in time" too (a C2M invite is not repeated after one).
    const code = error.timedOut ? IVR_ERROR_CODES.timeout : IVR_ERROR_CODES.networkError;
    return errorOutcome(code, isC2mOperation(error.operation) ? error.message : `no AppJWT for C2M: ${error.message}`);
  }
  if (!isC2mOperation(error.operation)) return beforeC2mOutcome(error);
  if (error instanceof LivePersonApiError) {
    const code = error.code ?? `HTTP_${error.status}`;
    const result = isKnownC2mCode(code) ? C2M_ERROR_RESULTS[Number(code) as C2mErrorCode] : 'ERROR';
    return { result, errorCode: code, errorMessage: error.apiMessage ?? error.message };
  }
  if (error instanceof LivePersonResponseError) return errorOutcome(IVR_ERROR_CODES.invalidResponse, error.message);
  return errorOutcome(IVR_ERROR_CODES.internalError, error.message);
}

/**
 * A failure while getting the AppJWT, before C2M was reached: Sentinel's answer, or the CSDS lookup of
 * Sentinel's domain. Only Sentinel refusing is about the credentials.
 */
function beforeC2mOutcome(error: LivePersonError): IvrOutcome {
  const message = `no AppJWT for C2M: ${error.message}`;
  const fromSentinel = error.operation === APP_JWT_OPERATION;
  if (error instanceof LivePersonApiError) {
    if (error.status === 429 || error.status >= 500) return errorOutcome(IVR_ERROR_CODES.livePersonUnavailable, message);
    // CSDS refusing the lookup (a 404 for a wrong account id, say) is no credentials problem.
    return errorOutcome(fromSentinel ? IVR_ERROR_CODES.authenticationFailed : IVR_ERROR_CODES.domainUnavailable, message);
  }
  if (error instanceof LivePersonResponseError) {
    return errorOutcome(fromSentinel ? IVR_ERROR_CODES.invalidResponse : IVR_ERROR_CODES.domainUnavailable, message);
  }
  return errorOutcome(IVR_ERROR_CODES.internalError, message);
}

function isC2mOperation(operation: string): boolean {
  return operation === C2M_OPERATIONS.eligibility || operation === C2M_OPERATIONS.invite;
}

function isKnownC2mCode(code: string): boolean {
  return /^\d+$/.test(code) && Object.hasOwn(C2M_ERROR_RESULTS, code);
}

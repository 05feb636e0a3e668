import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#functions/lib/errors.ts';
import { C2M_ERROR_RESULTS, CONNECT_ATTRIBUTE_KEYS, failureOutcome, toConnectAttributes } from '#functions/lib/ivr/outcome.ts';
import { C2M_ERROR_CODES, C2mDomainUnavailableError } from '#functions/lib/liveperson/c2m.ts';
import {
  DeadlineExceededError,
  LivePersonApiError,
  LivePersonNetworkError,
  LivePersonResponseError,
} from '#functions/lib/liveperson/errors.ts';

const c2mError = (status: number, code?: string, apiMessage?: string) => new LivePersonApiError('C2M invite', { status, code, apiMessage });

describe('toConnectAttributes', () => {
  it('always gives every key, as strings, with the channels comma-separated', () => {
    expect(toConnectAttributes({ result: 'ELIGIBLE', callId: 'c-1', recommendedChannel: 'wa', availableChannels: ['sms', 'wa'] })).toEqual({
      result: 'ELIGIBLE',
      callId: 'c-1',
      recommendedChannel: 'wa',
      availableChannels: 'sms,wa',
      overrideChannel: '',
      errorCode: '',
      errorMessage: '',
    });
    const bare = toConnectAttributes({ result: 'ERROR' });
    expect(Object.keys(bare)).toEqual([...CONNECT_ATTRIBUTE_KEYS]);
    expect(Object.values(bare).every((value) => typeof value === 'string')).toBe(true);
  });

  it('caps the error message', () => {
    expect(toConnectAttributes({ result: 'ERROR', errorMessage: 'x'.repeat(5_000) }).errorMessage).toHaveLength(300);
  });
});

describe('failureOutcome', () => {
  it("maps every C2M error code of C2M's published error table to a result", () => {
    expect(Object.keys(C2M_ERROR_RESULTS).sort()).toEqual(Object.keys(C2M_ERROR_CODES).sort());
    for (const [code, { status, message }] of Object.entries(C2M_ERROR_CODES)) {
      const outcome = failureOutcome(c2mError(status, code, message));
      expect(outcome).toEqual({
        result: C2M_ERROR_RESULTS[Number(code) as keyof typeof C2M_ERROR_RESULTS],
        errorCode: code,
        errorMessage: message,
      });
    }
  });

  it('calls NOT_ELIGIBLE only what depends on the consumer', () => {
    const notEligible = Object.entries(C2M_ERROR_RESULTS)
      .filter(([, result]) => result === 'NOT_ELIGIBLE')
      .map(([code]) => code);
    expect(notEligible).toEqual(['1400', '1501', '1900']);
  });

  it("keeps C2M's server error code (5000-7000), or the HTTP status when the body has none", () => {
    expect(failureOutcome(c2mError(500, '5003', 'Internal Server Error'))).toEqual({
      result: 'ERROR',
      errorCode: '5003',
      errorMessage: 'Internal Server Error',
    });
    expect(failureOutcome(c2mError(502))).toEqual({ result: 'ERROR', errorCode: 'HTTP_502', errorMessage: 'C2M invite: HTTP 502' });
    expect(failureOutcome(c2mError(429, '1029', 'Rate limit hit'))).toMatchObject({ result: 'ERROR', errorCode: '1029' });
  });

  it('turns a deadline into TIMEOUT, naming what it cut short', () => {
    const error = new DeadlineExceededError('C2M eligibility', 'no time left to retry after HTTP 429 (next retry would wait 5000 ms)');
    expect(failureOutcome(error)).toEqual({
      result: 'ERROR',
      errorCode: 'TIMEOUT',
      errorMessage:
        'no answer within the time Amazon Connect allows: C2M eligibility: no time left to retry after HTTP 429 (next retry would wait 5000 ms)',
    });
  });

  it.each([
    [new LivePersonNetworkError('C2M invite', 'request failed: ECONNRESET', false), 'NETWORK_ERROR'],
    [new LivePersonResponseError('C2M eligibility', 'unexpected answer'), 'INVALID_RESPONSE'],
    [new ConfigurationError('secret x is invalid: missing key clientSecret'), 'CONFIGURATION_ERROR'],
    [new C2mDomainUnavailableError('no connectToMessagingDomain'), 'DOMAIN_UNAVAILABLE'],
    [new LivePersonApiError('Sentinel AppJWT', { status: 401, code: 'invalid_client' }), 'AUTHENTICATION_FAILED'],
    [new LivePersonApiError('Sentinel AppJWT', { status: 403 }), 'AUTHENTICATION_FAILED'],
    [new LivePersonApiError('CSDS lookup of sentinel', { status: 404 }), 'DOMAIN_UNAVAILABLE'],
    [new TypeError('x is undefined'), 'INTERNAL_ERROR'],
    ['a string', 'INTERNAL_ERROR'],
  ])('%s → %s', (error, errorCode) => {
    expect(failureOutcome(error)).toMatchObject({ result: 'ERROR', errorCode });
  });

  describe('before C2M is reached (the AppJWT: Sentinel, and CSDS for its domain), only a refusal by Sentinel is AUTHENTICATION_FAILED', () => {
    const refused = { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) };
    it.each([
      [
        new LivePersonNetworkError('CSDS lookup of sentinel', 'request failed: ECONNREFUSED', false, { ...refused, neverSent: true }),
        'NETWORK_ERROR',
      ],
      [new LivePersonNetworkError('Sentinel AppJWT', 'request failed: ECONNRESET', false), 'NETWORK_ERROR'],
      [new LivePersonNetworkError('Sentinel AppJWT', 'no answer within 5000 ms', true), 'TIMEOUT'],
      [new DeadlineExceededError('Sentinel AppJWT', 'no time left to retry after HTTP 503'), 'TIMEOUT'],
      [new LivePersonApiError('Sentinel AppJWT', { status: 503 }), 'LIVEPERSON_UNAVAILABLE'],
      [new LivePersonApiError('Sentinel AppJWT', { status: 500 }), 'LIVEPERSON_UNAVAILABLE'],
      [new LivePersonApiError('Sentinel AppJWT', { status: 429 }), 'LIVEPERSON_UNAVAILABLE'],
      [new LivePersonApiError('CSDS lookup of sentinel', { status: 502 }), 'LIVEPERSON_UNAVAILABLE'],
      [new LivePersonResponseError('Sentinel AppJWT', 'unexpected answer: access_token'), 'INVALID_RESPONSE'],
      [new LivePersonResponseError('CSDS lookup of sentinel', 'no domain for service "sentinel"'), 'DOMAIN_UNAVAILABLE'],
    ])('%s → %s', (error, errorCode) => {
      const outcome = failureOutcome(error);
      expect(outcome).toMatchObject({ result: 'ERROR', errorCode });
      expect(outcome.errorMessage).toContain(error.message);
    });

    it('says that C2M was not reached', () => {
      expect(failureOutcome(new LivePersonApiError('Sentinel AppJWT', { status: 503 })).errorMessage).toBe(
        'no AppJWT for C2M: Sentinel AppJWT: HTTP 503',
      );
    });
  });

  it('calls a C2M attempt cut off by its own timeout TIMEOUT, like a deadline', () => {
    const error = new LivePersonNetworkError('C2M invite', 'no answer within 5000 ms (not repeated: it may have reached LivePerson)', true);
    expect(failureOutcome(error)).toEqual({ result: 'ERROR', errorCode: 'TIMEOUT', errorMessage: error.message });
  });
});

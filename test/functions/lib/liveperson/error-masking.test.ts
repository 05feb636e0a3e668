// LivePerson's error messages may echo the consumer's number: masked where the error is made, so
// every log of it (a retry notice's reason, a handler's `{ error }` with message, apiMessage and stack) is safe.
import { describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  LivePersonApiError,
  LivePersonNetworkError,
  LivePersonResponseError,
} from '#functions/lib/liveperson/errors.ts';

const leaks = (text: string | undefined) => /4155550100/.test((text ?? '').replace(/\D/g, ''));

describe('LivePerson errors carry no full phone number', () => {
  it.each([
    ['Invalid customerPhoneNumber +14155550100'],
    ['Invalid customerPhoneNumber tel_1_415_555_0100'],
    ['consumer 1/415/555/0100 is blocked'],
    ['ext_consumer_id whatsapp:%2B1%20415%20555%200100'],
    ['consumer ＋１ ４１５ ５５５ ０１００'],
  ])("LivePersonApiError's message, apiMessage and stack: %s", (apiMessage) => {
    const error = new LivePersonApiError('C2M eligibility', { status: 400, code: '1001', apiMessage });
    for (const text of [error.message, error.apiMessage, error.stack, JSON.stringify({ ...error })]) expect(leaks(text), text).toBe(false);
    expect(error.apiMessage).toContain('***0100');
    expect(error.message).toMatch(/^C2M eligibility: HTTP 400 \(LivePerson error 1001\): .*\*\*\*0100/);
  });

  it('every LivePerson error class masks its message', () => {
    const errors = [
      new LivePersonResponseError('Connector API send', 'unexpected answer: consumerId: 0044_20_7946_0958 unknown'),
      new LivePersonNetworkError('Connector API send', 'socket closed for 0044 20 7946 0958', false),
      new DeadlineExceededError('C2M invite', 'no time left for 0044-20-7946-0958'),
    ];
    for (const error of errors) {
      expect(error.message.replace(/\D/g, '')).not.toContain('2079460958');
      expect(error.message).toContain('***0958');
    }
  });

  it('keeps what is no phone number: statuses, codes, ids', () => {
    const error = new LivePersonApiError('Connector API send to 0c3f0d3e-1b5a-4d8e-9f00-1234567890ab', {
      status: 401,
      code: '40103',
      apiMessage: 'consumer JWS invalid',
    });
    expect(error.message).toBe(
      'Connector API send to 0c3f0d3e-1b5a-4d8e-9f00-1234567890ab: HTTP 401 (LivePerson error 40103): consumer JWS invalid',
    );
  });
});

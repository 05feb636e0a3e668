import { describe, expect, it, vi } from 'vitest';
import { channelChoice, runIvrRequest, type C2mOperations } from '#functions/lib/ivr/deflection.ts';
import type { C2mEligibility } from '#functions/lib/liveperson/c2m.ts';
import { LivePersonApiError } from '#functions/lib/liveperson/errors.ts';

const ELIGIBILITY = { consumerPhoneNumber: '+12061234567', skill: 'support', handoffId: 'H1' };
const ELIGIBLE: C2mEligibility = { eligible: true, callId: 'call-1', recommendedChannelName: 'sms', availableChannels: ['sms', 'wa'] };

function fakeC2m(eligibility: C2mEligibility | Error = ELIGIBLE, invite: Error | undefined = undefined) {
  return {
    eligibility: vi.fn<C2mOperations['eligibility']>(() =>
      eligibility instanceof Error ? Promise.reject(eligibility) : Promise.resolve(eligibility),
    ),
    invite: vi.fn<C2mOperations['invite']>((request) => (invite ? Promise.reject(invite) : Promise.resolve({ callId: request.callId }))),
  };
}

describe('runIvrRequest', () => {
  it('deflect: invites with the eligibility callId and the invite options, under the same deadline', async () => {
    const c2m = fakeC2m();
    const outcome = await runIvrRequest({ action: 'deflect', eligibility: ELIGIBILITY, invite: { overrideMessage: 'hi' } }, c2m, {
      deadline: 42,
    });
    expect(outcome).toEqual({ result: 'INVITED', callId: 'call-1', recommendedChannel: 'sms', availableChannels: ['sms', 'wa'] });
    expect(c2m.eligibility).toHaveBeenCalledWith(ELIGIBILITY, { deadline: 42 });
    expect(c2m.invite).toHaveBeenCalledWith({ callId: 'call-1', overrideMessage: 'hi' }, { deadline: 42 });
  });

  it('deflect: no invite for a consumer who is not eligible', async () => {
    const c2m = fakeC2m({ eligible: false, callId: 'call-2', recommendedChannelName: '', availableChannels: [] });
    expect(await runIvrRequest({ action: 'deflect', eligibility: ELIGIBILITY, invite: {} }, c2m)).toMatchObject({
      result: 'NOT_ELIGIBLE',
      callId: 'call-2',
    });
    expect(c2m.invite).not.toHaveBeenCalled();
  });

  it('deflect: a failed invite keeps what eligibility found', async () => {
    const c2m = fakeC2m(
      ELIGIBLE,
      new LivePersonApiError('C2M invite', { status: 400, code: '1400', apiMessage: 'Message cannot be sent' }),
    );
    expect(await runIvrRequest({ action: 'deflect', eligibility: ELIGIBILITY, invite: {} }, c2m)).toEqual({
      result: 'NOT_ELIGIBLE',
      callId: 'call-1',
      recommendedChannel: 'sms',
      availableChannels: ['sms', 'wa'],
      errorCode: '1400',
      errorMessage: 'Message cannot be sent',
    });
  });

  it('eligibility: answers without inviting', async () => {
    const c2m = fakeC2m();
    expect(await runIvrRequest({ action: 'eligibility', eligibility: ELIGIBILITY }, c2m)).toMatchObject({
      result: 'ELIGIBLE',
      callId: 'call-1',
    });
    expect(c2m.invite).not.toHaveBeenCalled();
  });

  it('invite: answers INVITED, or the failure with the callId it was given', async () => {
    expect(await runIvrRequest({ action: 'invite', invite: { callId: 'call-3' } }, fakeC2m())).toEqual({
      result: 'INVITED',
      callId: 'call-3',
    });
    const failing = fakeC2m(ELIGIBLE, new LivePersonApiError('C2M invite', { status: 400, code: '1000', apiMessage: 'Invalid request' }));
    expect(await runIvrRequest({ action: 'invite', invite: { callId: 'call-3' } }, failing)).toEqual({
      result: 'ERROR',
      callId: 'call-3',
      errorCode: '1000',
      errorMessage: 'Invalid request',
    });
  });

  it('never throws: an unexpected error is INTERNAL_ERROR', async () => {
    const c2m = fakeC2m(new TypeError('boom'));
    await expect(runIvrRequest({ action: 'eligibility', eligibility: ELIGIBILITY }, c2m)).resolves.toMatchObject({
      result: 'ERROR',
      errorCode: 'INTERNAL_ERROR',
    });
  });
});

describe('the WhatsApp policy (C2M answers eligible for WhatsApp whatever the consumer can receive)', () => {
  // "wa" is C2M's name for WhatsApp (its eligibility example answers ["sms","wa"]).
  const whatsappFirst: C2mEligibility = {
    eligible: true,
    callId: 'call-w',
    recommendedChannelName: 'wa',
    availableChannels: ['wa', 'sms'],
  };
  const whatsappOnly: C2mEligibility = {
    eligible: true,
    callId: 'call-o',
    recommendedChannelName: 'wa',
    availableChannels: ['wa'],
  };

  it('chooses the channel: C2M’s by default, SMS when preferred or required and listed, none when required and missing', () => {
    expect(channelChoice(whatsappFirst)).toEqual({ eligible: true });
    expect(channelChoice(whatsappFirst, 'prefer-sms')).toEqual({ eligible: true, override: 'sms' });
    expect(channelChoice(whatsappFirst, 'require-sms')).toEqual({ eligible: true, override: 'sms' });
    expect(channelChoice(whatsappOnly, 'prefer-sms')).toEqual({ eligible: true });
    expect(channelChoice(whatsappOnly, 'require-sms')).toEqual({ eligible: false });
    // "twilio" is C2M's other name for SMS; an SMS recommendation needs no override, listed or not.
    expect(channelChoice({ ...whatsappOnly, availableChannels: ['wa', 'twilio'] }, 'require-sms')).toEqual({
      eligible: true,
      override: 'twilio',
    });
    expect(channelChoice(ELIGIBLE, 'require-sms')).toEqual({ eligible: true });
    expect(channelChoice({ ...ELIGIBLE, availableChannels: [] }, 'require-sms')).toEqual({ eligible: true });
    expect(channelChoice({ ...whatsappOnly, eligible: false }, 'prefer-sms')).toEqual({ eligible: false });
  });

  it('deflect: invites by SMS when preferred; the flow’s own overrideChannel still wins', async () => {
    const c2m = fakeC2m(whatsappFirst);
    expect(await runIvrRequest({ action: 'deflect', eligibility: ELIGIBILITY, invite: {} }, c2m, { whatsapp: 'prefer-sms' })).toMatchObject(
      {
        result: 'INVITED',
        recommendedChannel: 'wa',
        overrideChannel: 'sms',
      },
    );
    expect(c2m.invite).toHaveBeenCalledWith({ callId: 'call-w', overrideChannel: 'sms' }, { whatsapp: 'prefer-sms' });
    const flowChoice = fakeC2m(whatsappFirst);
    await runIvrRequest({ action: 'deflect', eligibility: ELIGIBILITY, invite: { overrideChannel: 'wa' } }, flowChoice, {
      whatsapp: 'prefer-sms',
    });
    expect(flowChoice.invite).toHaveBeenCalledWith({ callId: 'call-w', overrideChannel: 'wa' }, { whatsapp: 'prefer-sms' });
  });

  it('deflect and eligibility: with SMS required and only WhatsApp listed, the caller is not eligible and nobody is invited', async () => {
    const c2m = fakeC2m(whatsappOnly);
    expect(await runIvrRequest({ action: 'deflect', eligibility: ELIGIBILITY, invite: {} }, c2m, { whatsapp: 'require-sms' })).toEqual({
      result: 'NOT_ELIGIBLE',
      callId: 'call-o',
      recommendedChannel: 'wa',
      availableChannels: ['wa'],
    });
    expect(c2m.invite).not.toHaveBeenCalled();
    expect(await runIvrRequest({ action: 'eligibility', eligibility: ELIGIBILITY }, c2m, { whatsapp: 'require-sms' })).toMatchObject({
      result: 'NOT_ELIGIBLE',
    });
  });
});

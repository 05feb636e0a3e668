import { describe, expect, it } from 'vitest';
import { parseIvrRequest } from '#functions/lib/ivr/request.ts';
import { CALLER, contactFlowEvent } from '#test/functions/c2m-invite/contact-flow-event.ts';

const DEFAULTS = { defaultSkill: 'support', defaultHandoffId: 'H1' };
const CALL_ID = 'b52403dc-b140-45cc-a9ca-d749a39b1b56';

describe('parseIvrRequest', () => {
  it('defaults to deflect with the configured skill and handoff', () => {
    expect(parseIvrRequest(contactFlowEvent(), DEFAULTS)).toEqual({
      ok: true,
      contact: { contactId: 'contact-0001', phoneNumber: CALLER, action: 'deflect' },
      request: { action: 'deflect', eligibility: { consumerPhoneNumber: CALLER, skill: 'support', handoffId: 'H1' }, invite: {} },
    });
  });

  it('builds an eligibility request from the parameters, which beat the defaults', () => {
    const parsed = parseIvrRequest(
      contactFlowEvent({
        action: 'ELIGIBILITY',
        skill: 'sales',
        handoffId: 'H2',
        ivrNumber: ' 180000 ',
        templateVariables: '{"1":"Jane"}',
      }),
      DEFAULTS,
    );
    expect(parsed).toMatchObject({
      ok: true,
      request: {
        action: 'eligibility',
        eligibility: {
          consumerPhoneNumber: CALLER,
          skill: 'sales',
          handoffId: 'H2',
          ivrNumber: '180000',
          templateVariables: { 1: 'Jane' },
        },
      },
    });
  });

  it('builds an invite request that needs no phone number, skill or handoff', () => {
    const parsed = parseIvrRequest(
      contactFlowEvent({ action: 'invite', callId: CALL_ID, overrideChannel: 'wa', overrideSkill: 'sales' }, { phone: null }),
    );
    expect(parsed).toEqual({
      ok: true,
      contact: { contactId: 'contact-0001', phoneNumber: undefined, action: 'invite' },
      request: { action: 'invite', invite: { callId: CALL_ID, overrideChannel: 'wa', overrideSkill: 'sales' } },
    });
  });

  it('keeps the invite options of a deflect apart from its eligibility request', () => {
    const parsed = parseIvrRequest(
      contactFlowEvent({ overrideChannel: 'sms', overrideMessage: 'Text us back', callId: CALL_ID }),
      DEFAULTS,
    );
    expect(parsed).toMatchObject({
      ok: true,
      request: { action: 'deflect', invite: { overrideChannel: 'sms', overrideMessage: 'Text us back' } },
    });
    // A deflect always asks eligibility for a fresh callId: a passed one is ignored.
    expect(JSON.stringify(parsed)).not.toContain(CALL_ID);
  });

  it('treats empty and blank parameters as absent', () => {
    expect(parseIvrRequest(contactFlowEvent({ action: '', skill: '  ', handoffId: '' }), DEFAULTS)).toMatchObject({
      ok: true,
      request: { action: 'deflect', eligibility: { skill: 'support', handoffId: 'H1' } },
    });
  });

  it("accepts limits exactly at C2M's maximum", () => {
    const parsed = parseIvrRequest(
      contactFlowEvent(
        { skill: 's'.repeat(255), handoffId: 'H'.repeat(16), overrideMessage: 'm'.repeat(1600) },
        { phone: '+12345678901234' },
      ),
    );
    expect(parsed.ok).toBe(true);
  });

  it('names a parameter that is not a string', () => {
    const event = contactFlowEvent();
    (event.Details.Parameters as Record<string, unknown>).skill = 42;
    expect(parseIvrRequest(event, DEFAULTS)).toMatchObject({
      ok: false,
      outcome: { errorCode: 'INVALID_SKILL', errorMessage: 'skill must be a string' },
    });
  });

  it('keeps what it learnt about the contact when the request is invalid (for the log line)', () => {
    expect(parseIvrRequest(contactFlowEvent({ action: 'eligibility' }, { contactId: 'c-9' }))).toEqual({
      ok: false,
      contact: { contactId: 'c-9', phoneNumber: CALLER, action: 'eligibility' },
      outcome: {
        result: 'ERROR',
        errorCode: 'INVALID_SKILL',
        errorMessage:
          'skill is missing: pass a skill parameter or configure c2m.defaultSkill; handoffId is missing: pass a handoffId parameter or configure c2m.defaultHandoffId',
      },
    });
  });

  it('never puts the phone number into an error message', () => {
    for (const phone of ['2061234567', '+1206123456789012', '+1 (206) 123-4567']) {
      const parsed = parseIvrRequest(contactFlowEvent({}, { phone }), DEFAULTS);
      expect(parsed.ok).toBe(false);
      expect(JSON.stringify(parsed.ok ? {} : parsed.outcome)).not.toMatch(/206/);
    }
  });

  it.each([null, 'text', {}, { Details: {} }, { Details: { ContactData: { ContactId: 7 } } }])('answers INVALID_EVENT for %j', (event) => {
    expect(parseIvrRequest(event)).toMatchObject({ ok: false, contact: {}, outcome: { result: 'ERROR', errorCode: 'INVALID_EVENT' } });
  });
});

/**
 * Property-based tests of the C2M function's input validation: any Amazon Connect event, however
 * odd its parameters, is either a valid C2M request within C2M's published limits or an ERROR outcome
 * with a specific INVALID_* code; nothing throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { C2M_LIMITS, isC2mPhoneNumber } from '#functions/lib/liveperson/c2m.ts';
import { parseIvrRequest } from '#functions/lib/ivr/request.ts';
import { contactFlowEvent } from '#local/connect-event.ts';

const settings = { defaultSkill: 'support', defaultHandoffId: 'H123456789' };
const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
const phone = fc.oneof(
  fc.stringMatching(/^\+[1-9]\d{6,13}$/),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '+', '+1', '+1234567890123456', '12065550100', '+1 206 555 0100', null),
);
const parameters = fc.record(
  {
    action: fc.oneof(fc.constantFrom('eligibility', 'invite', 'deflect', 'DEFLECT', ''), text(12)),
    skill: fc.oneof(text(10), fc.string({ minLength: 250, maxLength: 300 })),
    handoffId: fc.oneof(text(10), fc.string({ minLength: 15, maxLength: 20 })),
    callId: fc.oneof(fc.uuid(), text(10)),
    ivrNumber: text(20),
    overrideChannel: fc.oneof(fc.constantFrom('sms', 'wa', 'twilio'), text(10)),
    overrideMessage: fc.oneof(text(50), fc.string({ minLength: 1590, maxLength: 1610 })),
    overrideSkill: text(10),
    templateVariables: fc.oneof(
      fc.json(),
      text(20),
      fc.dictionary(fc.string(), fc.string()).map((d) => JSON.stringify(d)),
    ),
  },
  { requiredKeys: [] },
);

describe('C2M input properties', () => {
  it('answers every Connect event with a request within the limits or a specific INVALID_* error', () => {
    fc.assert(
      fc.property(phone, parameters, (phoneNumber, params) => {
        const parsed = parseIvrRequest(contactFlowEvent({ phoneNumber, parameters: params as Record<string, string> }), settings);
        if (!parsed.ok) {
          expect(parsed.outcome.result).toBe('ERROR');
          expect(parsed.outcome.errorCode).toMatch(/^INVALID_[A-Z_]+$/);
          expect(parsed.outcome.errorMessage?.length).toBeGreaterThan(0);
          return;
        }
        const request = parsed.request;
        const eligibility = 'eligibility' in request ? request.eligibility : undefined;
        if (eligibility) {
          expect(isC2mPhoneNumber(eligibility.consumerPhoneNumber)).toBe(true);
          expect(eligibility.skill.length).toBeLessThanOrEqual(C2M_LIMITS.skill);
          expect(eligibility.handoffId.length).toBeLessThanOrEqual(C2M_LIMITS.handoffId);
          for (const value of Object.values(eligibility.templateVariables ?? {})) expect(typeof value).toBe('string');
        }
        const invite = 'invite' in request ? request.invite : undefined;
        if (invite?.overrideMessage !== undefined) expect(invite.overrideMessage.length).toBeLessThanOrEqual(C2M_LIMITS.overrideMessage);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers anything that is not a Connect event with INVALID_EVENT', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseIvrRequest(value, settings);
        if (!parsed.ok) expect(parsed.outcome.errorCode).toMatch(/^INVALID_/);
      }),
      { numRuns: 1500 },
    );
  });
});

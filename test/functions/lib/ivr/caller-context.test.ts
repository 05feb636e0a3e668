// The caller's context for the agent: SDEs from the flow (LivePerson's JSON array, or one field per
// lp_sde_* parameter or contact attribute), checked before any call.
import { describe, expect, it } from 'vitest';
import { sdesOf } from '#functions/lib/ivr/caller-context.ts';
import { parseIvrRequest } from '#functions/lib/ivr/request.ts';
import { contactFlowEvent as connectEvent } from '#local/connect-event.ts';

describe('sdesOf', () => {
  it('takes LivePerson’s SDE array as JSON, as C2M’s own example gives it', () => {
    // From C2M's eligibility example (the personal SDE), trimmed.
    const sdes = [
      { type: 'personal', info: { firstname: 'Smith', lastname: 'John', age: { age: 31 }, gender: 'MALE', language: 'en-US' } },
    ];
    expect(sdesOf({ sdes: JSON.stringify(sdes) })).toEqual({ ok: true, sdes });
  });

  it('takes one field per lp_sde_* parameter or contact attribute, numbers as numbers; the parameter wins', () => {
    expect(
      sdesOf(
        { lp_sde_ctmrinfo_customerId: '138766AC', lp_sde_personal_language: 'fr-FR' },
        {
          lp_sde_personal_language: 'en-US',
          lp_sde_personal_firstname: 'Ada',
          lp_sde_ctmrinfo_balance: '-200.99',
          lp_sde_ctmrinfo_loginStatus: '1',
        },
      ),
    ).toEqual({
      ok: true,
      sdes: [
        { type: 'ctmrinfo', info: { balance: -200.99, loginStatus: 1, customerId: '138766AC' } },
        { type: 'personal', info: { language: 'fr-FR', firstname: 'Ada' } },
      ],
    });
    // Flat fields override the JSON's; empty ones (an unset attribute) count as absent.
    expect(
      sdesOf({
        sdes: '[{"type":"personal","info":{"firstname":"A","lastname":"B"}}]',
        lp_sde_personal_firstname: 'C',
        lp_sde_personal_company: '',
      }),
    ).toEqual({
      ok: true,
      sdes: [{ type: 'personal', info: { firstname: 'C', lastname: 'B' } }],
    });
    expect(sdesOf({}, { someOtherAttribute: 'x' })).toEqual({ ok: true });
    // An attribute naming no documented field is another block's business: left alone, not a failure.
    expect(sdesOf({}, { lp_sde_personal_age: '{"age":31}', lp_sde_personal_firstname: 'Ada' })).toEqual({
      ok: true,
      sdes: [{ type: 'personal', info: { firstname: 'Ada' } }],
    });
  });

  it('names every problem without the value', () => {
    expect(sdesOf({ sdes: '[{"type":"purchase","info":{}}]' })).toEqual({
      ok: false,
      problems: ['sdes: each SDE must be of type ctmrinfo or personal'],
    });
    expect(sdesOf({ sdes: '{not json' })).toEqual({ ok: false, problems: ['sdes is not JSON'] });
    expect(sdesOf({ sdes: '{"type":"personal"}' })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('sdes must be a JSON array')],
    });
    expect(
      sdesOf({
        sdes: JSON.stringify([
          { type: 'personal', info: {} },
          { type: 'personal', info: {} },
        ]),
      }),
    ).toEqual({
      ok: false,
      problems: ['sdes: each type at most once'],
    });
    expect(
      sdesOf({ lp_sde_personal_shoeSize: '42', lp_sde_ctmrinfo_companySize: 'large', lp_sde_personal_firstname: 'x'.repeat(257) }),
    ).toEqual({
      ok: false,
      problems: [
        'lp_sde_personal_shoeSize names no SDE field LivePerson documents (lp_sde_ctmrinfo_<field> or lp_sde_personal_<field>)',
        'lp_sde_ctmrinfo_companySize must be a whole number',
        'lp_sde_personal_firstname must be at most 256 characters (our sanity limit)',
      ],
    });
    expect(sdesOf({ sdes: 'x'.repeat(8193) })).toEqual({
      ok: false,
      problems: ['sdes must be at most 8192 characters (our sanity limit)'],
    });
  });
});

describe('parseIvrRequest with caller context', () => {
  const event = (parameters: Record<string, string>, attributes: Record<string, string> = {}) =>
    connectEvent({ phoneNumber: '+12065550100', parameters: { skill: 'support', handoffId: 'H1', ...parameters }, attributes });

  it('puts the SDEs and the in-app consumerId on the eligibility call', () => {
    const parsed = parseIvrRequest(event({ consumerId: 'james' }, { lp_sde_personal_firstname: 'Ada' }));
    expect(parsed).toMatchObject({
      ok: true,
      request: { action: 'deflect', eligibility: { consumerId: 'james', sdes: [{ type: 'personal', info: { firstname: 'Ada' } }] } },
    });
  });

  it('answers INVALID_SDES or INVALID_CONSUMER_ID and calls nothing', () => {
    expect(parseIvrRequest(event({ sdes: '[1]' }))).toMatchObject({ ok: false, outcome: { result: 'ERROR', errorCode: 'INVALID_SDES' } });
    expect(parseIvrRequest(event({ consumerId: 'x'.repeat(257) }))).toMatchObject({
      ok: false,
      outcome: { errorCode: 'INVALID_CONSUMER_ID', errorMessage: 'consumerId must be at most 256 characters (our sanity limit)' },
    });
  });
});

// The c2m-invite handler against the LivePerson simulator, with Secrets Manager and SSM mocked:
// every action, both auth modes, every C2M error code, validation, deadlines, logging.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as HandlerModule from '#functions/c2m-invite/index.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { contactFlowEvent as connectEvent } from '#local/connect-event.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { CALLER, contactFlowEvent, stubC2mEnvironment } from './contact-flow-event.ts';

type Handler = (typeof HandlerModule)['handler'];

const DOMAIN_PATH = '/liveperson/12345678/domains/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEYS = ['availableChannels', 'callId', 'errorCode', 'errorMessage', 'overrideChannel', 'recommendedChannel', 'result'];

describe('c2m-invite handler', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let sim: LivePersonSimulator;

  const bearerSecret = () => ({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret });
  const apiKeySecret = () => ({ ...bearerSecret(), oauth1: sim.credentials.oauth1 });

  // A simulator per test: its consumers, invites and injected faults never leak into the next test.
  beforeEach(async () => {
    sim = await startLivePersonSimulator();
    stubC2mEnvironment(sim, { allowInsecureHosts: true, domainParameterPath: DOMAIN_PATH });
    secrets.reset();
    ssm.reset();
    // No domain in SSM unless a test says so: CSDS (the simulator) answers.
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    vi.resetModules();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await sim.close();
  });

  /** Imports a fresh handler (a cold start) and waits for its prefetch, then forgets those requests. */
  async function coldStart(secret: object = bearerSecret()): Promise<Handler> {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
    const { handler } = await import('#functions/c2m-invite/index.ts');
    const expected = 'oauth1' in secret ? 1 : 3; // C2M's domain, and for an AppJWT Sentinel's domain and the token
    await vi.waitFor(() => expect(sim.requests().filter((r) => r.status !== 0)).toHaveLength(expected));
    sim.clearRequests();
    return handler;
  }

  const c2mRequests = () => sim.requests({ service: 'connectToMessagingDomain' });
  const bodyOf = (index: number) => JSON.parse(c2mRequests()[index]?.body ?? 'null') as Record<string, unknown>;

  describe('actions (AppJWT)', () => {
    it('deflect: eligibility then invite on the recommended channel, in one answer of strings', async () => {
      const handler = await coldStart();
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));

      expect(Object.keys(answer).sort()).toEqual(KEYS);
      expect(Object.values(answer).every((value) => typeof value === 'string')).toBe(true);
      expect(answer).toEqual({
        result: 'INVITED',
        callId: expect.stringMatching(UUID),
        recommendedChannel: 'sms',
        availableChannels: 'sms',
        overrideChannel: '',
        errorCode: '',
        errorMessage: '',
      });
      expect(c2mRequests().map((r) => r.path)).toEqual([
        `/api/account/${sim.accountId}/eligibility`,
        `/api/account/${sim.accountId}/invite`,
      ]);
      expect(c2mRequests().every((r) => r.query.v === '2.0' && /^Bearer \S+$/.test(r.headers.authorization ?? ''))).toBe(true);
      expect(bodyOf(0)).toEqual({ consumerPhoneNumber: CALLER, skill: 'support', handoffId: 'H123456789' });
      expect(bodyOf(1)).toEqual({ callId: answer.callId });
      expect(sim.c2m.invites()).toEqual([
        expect.objectContaining({ callId: answer.callId, consumerPhoneNumber: CALLER, channel: 'sms', skill: 'support' }),
      ]);
      // Everything else was prefetched at the cold start.
      expect(sim.requests()).toHaveLength(2);
    });

    it('deflect: overrideChannel, overrideMessage and overrideSkill reach the invite; parameters beat the defaults', async () => {
      sim.c2m.setConsumer(CALLER, { eligible: true, availableChannels: ['sms', 'wa'], recommendedChannelName: 'wa' });
      sim.c2m.addHandoff('H2');
      const handler = await coldStart();
      const answer = await handler(
        contactFlowEvent({
          skill: 'sales',
          handoffId: 'H2',
          ivrNumber: '18005550100',
          templateVariables: '{"1":"Jane"}',
          overrideChannel: 'twilio',
          overrideMessage: 'Reply here to continue with us',
          overrideSkill: 'support',
        }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(answer).toMatchObject({ result: 'INVITED', recommendedChannel: 'wa', availableChannels: 'sms,wa' });
      expect(bodyOf(0)).toEqual({
        consumerPhoneNumber: CALLER,
        skill: 'sales',
        handoffId: 'H2',
        ivrNumber: '18005550100',
        templateVariables: { '1': 'Jane' },
      });
      expect(bodyOf(1)).toEqual({
        callId: answer.callId,
        overrideChannel: 'twilio',
        overrideMessage: 'Reply here to continue with us',
        overrideSkill: 'support',
      });
      expect(sim.c2m.invites()).toEqual([
        expect.objectContaining({ channel: 'sms', skill: 'support', handoffId: 'H2', overrideMessage: 'Reply here to continue with us' }),
      ]);
    });

    it('deflect with C2M_WHATSAPP_POLICY: SMS preferred over C2M’s WhatsApp recommendation, or required', async () => {
      sim.c2m.setConsumer(CALLER, { eligible: true, availableChannels: ['sms', 'wa'], recommendedChannelName: 'wa' });
      vi.stubEnv('C2M_WHATSAPP_POLICY', 'prefer-sms');
      const handler = await coldStart();
      expect(await handler(contactFlowEvent({}), lambdaContext('c2m-invite', 7_000))).toMatchObject({
        result: 'INVITED',
        recommendedChannel: 'wa',
        availableChannels: 'sms,wa',
        overrideChannel: 'sms',
      });
      expect(bodyOf(1)).toMatchObject({ overrideChannel: 'sms' });
      expect(sim.c2m.invites()).toEqual([expect.objectContaining({ channel: 'sms' })]);

      const whatsappOnly = '+12065550177';
      sim.c2m.setConsumer(whatsappOnly, { eligible: true, availableChannels: ['wa'], recommendedChannelName: 'wa' });
      vi.stubEnv('C2M_WHATSAPP_POLICY', 'require-sms');
      vi.resetModules();
      sim.clearRequests();
      const strict = await coldStart();
      expect(await strict(contactFlowEvent({}, { phone: whatsappOnly }), lambdaContext('c2m-invite', 7_000))).toMatchObject({
        result: 'NOT_ELIGIBLE',
      });
      expect(sim.c2m.invites()).toHaveLength(1);
    });

    it('deflect: the caller’s context (SDEs from parameters and contact attributes, the in-app consumerId) reaches C2M and the agent', async () => {
      sim.c2m.setConsumer(CALLER, { eligible: true, availableChannels: ['inapp'], recommendedChannelName: 'inapp' });
      const handler = await coldStart();
      const event = connectEvent({
        phoneNumber: CALLER,
        parameters: { consumerId: 'james', lp_sde_ctmrinfo_customerId: '138766AC' },
        attributes: { lp_sde_personal_language: 'en-US', lp_sde_ctmrinfo_balance: '-200.99' },
      });
      expect(await handler(event, lambdaContext('c2m-invite', 7_000))).toMatchObject({ result: 'INVITED', recommendedChannel: 'inapp' });
      const sdes = [
        { type: 'ctmrinfo', info: { balance: -200.99, customerId: '138766AC' } },
        { type: 'personal', info: { language: 'en-US' } },
      ];
      expect(bodyOf(0)).toMatchObject({ consumerId: 'james', sdes });
      const [invite] = sim.c2m.invites();
      expect(invite).toMatchObject({ channel: 'inapp', consumerId: 'james', sdes });
      const { conversationId } = sim.c2m.consumerReplies(invite?.callId ?? '', 'hello');
      expect(sim.connector.conversations().find((c) => c.conversationId === conversationId)?.userProfile).toEqual({
        authenticatedData: { lp_sdes: sdes },
      });
    });

    it('deflect: bad SDEs answer INVALID_SDES and call nothing', async () => {
      const handler = await coldStart();
      expect(await handler(contactFlowEvent({ lp_sde_personal_shoeSize: '42' }), lambdaContext('c2m-invite', 7_000))).toMatchObject({
        result: 'ERROR',
        errorCode: 'INVALID_SDES',
      });
      expect(c2mRequests()).toEqual([]);
    });

    it('deflect: a consumer who is not eligible gets NOT_ELIGIBLE and no invite', async () => {
      const phone = '+441234567890';
      sim.c2m.setConsumer(phone, { eligible: false, availableChannels: [], recommendedChannelName: '' });
      const handler = await coldStart();
      const answer = await handler(contactFlowEvent({}, { phone }), lambdaContext('c2m-invite', 7_000));
      expect(answer).toEqual({
        result: 'NOT_ELIGIBLE',
        callId: expect.stringMatching(UUID),
        recommendedChannel: '',
        availableChannels: '',
        overrideChannel: '',
        errorCode: '',
        errorMessage: '',
      });
      expect(c2mRequests()).toHaveLength(1);
    });

    it('eligibility, then a separate invite with the callId the flow kept', async () => {
      const handler = await coldStart();
      const eligibility = await handler(contactFlowEvent({ action: 'eligibility' }), lambdaContext('c2m-invite', 7_000));
      expect(eligibility).toMatchObject({
        result: 'ELIGIBLE',
        callId: expect.stringMatching(UUID),
        recommendedChannel: 'sms',
        availableChannels: 'sms',
        overrideChannel: '',
      });
      expect(sim.c2m.invites()).toEqual([]);

      const invite = await handler(
        contactFlowEvent({ action: 'invite', callId: eligibility.callId ?? '', overrideMessage: 'Hi there' }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(invite).toEqual({
        result: 'INVITED',
        callId: eligibility.callId,
        recommendedChannel: '',
        availableChannels: '',
        overrideChannel: '',
        errorCode: '',
        errorMessage: '',
      });
      expect(sim.c2m.invites()).toEqual([expect.objectContaining({ callId: eligibility.callId, overrideMessage: 'Hi there' })]);
      expect(c2mRequests().map((r) => r.path.split('/').pop())).toEqual(['eligibility', 'invite']);
    });

    it('accepts the action in any case and treats empty parameters as absent (defaults apply)', async () => {
      const handler = await coldStart();
      const answer = await handler(
        contactFlowEvent({ action: 'Eligibility', skill: ' ', handoffId: '' }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(answer.result).toBe('ELIGIBLE');
      expect(bodyOf(0)).toMatchObject({ skill: 'support', handoffId: 'H123456789' });
    });

    it('fetches one AppJWT for many calls, and a new one once when C2M says it expired', async () => {
      const handler = await coldStart();
      for (let i = 0; i < 3; i++) expect((await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000))).result).toBe('INVITED');
      expect(sim.requests({ service: 'sentinel' })).toEqual([]);

      sim.expireAppJwts();
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer.result).toBe('INVITED');
      expect(sim.requests({ service: 'sentinel' })).toHaveLength(1);
      expect(
        c2mRequests()
          .slice(-3)
          .map((r) => r.status),
      ).toEqual([401, 200, 200]);
    });

    it("reads C2M's domain from SSM when the domain-refresh function stored it", async () => {
      ssm.on(GetParameterCommand, { Name: `${DOMAIN_PATH}connectToMessagingDomain` }).resolves({ Parameter: { Value: sim.url } });
      ssm.on(GetParameterCommand, { Name: `${DOMAIN_PATH}sentinel` }).resolves({ Parameter: { Value: sim.url } });
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(bearerSecret()) });
      const { handler } = await import('#functions/c2m-invite/index.ts');
      expect((await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000))).result).toBe('INVITED');
      expect(sim.requests({ service: 'csds' })).toEqual([]);
    });
  });

  describe('API key (OAuth 1.0a)', () => {
    it("signs every C2M call with the secret's oauth1 block and never fetches an AppJWT", async () => {
      const handler = await coldStart(apiKeySecret());
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer.result).toBe('INVITED');
      const authorizations = c2mRequests().map((r) => r.headers.authorization ?? '');
      expect(authorizations).toHaveLength(2);
      for (const authorization of authorizations) {
        expect(authorization).toMatch(/^OAuth /);
        expect(authorization).toContain(`oauth_consumer_key="${sim.credentials.oauth1.consumerKey}"`);
        expect(authorization).toContain('oauth_signature_method="HMAC-SHA1"');
      }
      expect(sim.requests({ service: 'sentinel' })).toEqual([]);
    });

    it('answers ERROR 1100 when the API key is wrong', async () => {
      const handler = await coldStart({ ...bearerSecret(), oauth1: { ...sim.credentials.oauth1, accessTokenSecret: 'wrong' } });
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({ result: 'ERROR', errorCode: '1100', errorMessage: 'Invalid Bearer token' });
      expect(c2mRequests()).toHaveLength(1); // no token to refresh: no second try
    });
  });

  describe('invalid input: a specific error, and no call at all', () => {
    const cases: Array<[string, Parameters<typeof contactFlowEvent>, string, RegExp]> = [
      ['unknown action', [{ action: 'callback' }], 'INVALID_ACTION', /action must be one of eligibility, invite, deflect/],
      ['no caller number', [{}, { phone: null }], 'INVALID_PHONE_NUMBER', /no caller phone number/],
      ['anonymous caller', [{}, { phone: 'anonymous' }], 'INVALID_PHONE_NUMBER', /not E\.164/],
      ['number without +', [{}, { phone: '12061234567' }], 'INVALID_PHONE_NUMBER', /not E\.164/],
      ['number over 15 characters', [{}, { phone: '+1234567890123456' }], 'INVALID_PHONE_NUMBER', /at most 15 characters/],
      ['skill over 255', [{ skill: 's'.repeat(256) }], 'INVALID_SKILL', /skill must be at most 255 characters/],
      ['handoffId over 16', [{ handoffId: 'H'.repeat(17) }], 'INVALID_HANDOFF_ID', /handoffId must be at most 16 characters/],
      [
        'overrideMessage over 1600',
        [{ overrideMessage: 'm'.repeat(1601) }],
        'INVALID_OVERRIDE_MESSAGE',
        /overrideMessage must be at most 1600/,
      ],
      ['overrideSkill over 255', [{ overrideSkill: 's'.repeat(256) }], 'INVALID_OVERRIDE_SKILL', /overrideSkill must be at most 255/],
      ['templateVariables not JSON', [{ templateVariables: '{1:' }], 'INVALID_TEMPLATE_VARIABLES', /JSON object of string values/],
      ['templateVariables not strings', [{ templateVariables: '{"1":2}' }], 'INVALID_TEMPLATE_VARIABLES', /JSON object of string values/],
      ['templateVariables an array', [{ templateVariables: '["a"]' }], 'INVALID_TEMPLATE_VARIABLES', /JSON object of string values/],
      ['invite without callId', [{ action: 'invite' }], 'INVALID_CALL_ID', /callId is missing/],
      ['invite with a callId that is no UUID', [{ action: 'invite', callId: '$.Attributes.c2mCallId' }], 'INVALID_CALL_ID', /a UUID/],
    ];
    it.each(cases)('%s', async (_name, args, errorCode, message) => {
      const handler = await coldStart();
      const answer = await handler(contactFlowEvent(...args), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({ result: 'ERROR', errorCode, errorMessage: expect.stringMatching(message), callId: '' });
      expect(answer.errorMessage).not.toContain('2061234567');
      expect(sim.requests()).toEqual([]);
    });

    it('lists every problem, the first one as errorCode', async () => {
      vi.stubEnv('C2M_DEFAULT_SKILL', '');
      vi.stubEnv('C2M_DEFAULT_HANDOFF_ID', '');
      const handler = await coldStart();
      const answer = await handler(
        contactFlowEvent({ overrideMessage: 'm'.repeat(1601) }, { phone: '555' }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(answer.errorCode).toBe('INVALID_PHONE_NUMBER');
      expect(answer.errorMessage.split('; ')).toEqual([
        expect.stringMatching(/not E\.164/),
        expect.stringMatching(/skill is missing/),
        expect.stringMatching(/handoffId is missing/),
        expect.stringMatching(/overrideMessage must be at most 1600/),
      ]);
      expect(sim.requests()).toEqual([]);
    });

    it('answers INVALID_EVENT to something that is not a ContactFlowEvent', async () => {
      const handler = await coldStart();
      const answer = await handler({ hello: 'world' } as never, lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({ result: 'ERROR', errorCode: 'INVALID_EVENT', errorMessage: expect.stringContaining('Details') });
      expect(sim.requests()).toEqual([]);
    });
  });

  describe('every C2M error code', () => {
    const INELIGIBLE = '+15550001111';
    type Case = {
      code: string;
      result: string;
      action?: 'invite';
      message: RegExp;
      arrange: () => void;
      parameters?: Record<string, string>;
    };
    const inject = (status: number, errorCode?: number, errorMessage?: string) => () =>
      sim.fail({ service: 'connectToMessagingDomain', status, ...(errorCode === undefined ? {} : { body: { errorCode, errorMessage } }) });
    const cases: Case[] = [
      { code: '1000', result: 'ERROR', message: /Invalid request/, arrange: inject(400, 1000, 'Invalid request') },
      { code: '1001', result: 'ERROR', message: /Invalid customerPhoneNumber/, arrange: inject(400, 1001, 'Invalid customerPhoneNumber') },
      { code: '1002', result: 'ERROR', message: /Invalid version/, arrange: inject(400, 1002, 'Invalid version') },
      { code: '1004', result: 'ERROR', message: /Not Found/, arrange: inject(404) },
      { code: '1005', result: 'ERROR', message: /Method Not Allowed/, arrange: inject(405) },
      { code: '1015', result: 'ERROR', message: /Unsupported Media Type/, arrange: inject(415) },
      {
        code: '1100',
        result: 'ERROR',
        message: /Invalid Bearer token/,
        arrange: () => sim.fail({ service: 'connectToMessagingDomain', status: 401, times: 2 }),
      },
      { code: '1101', result: 'ERROR', message: /Not enough privilege/, arrange: inject(403) },
      { code: '1200', result: 'ERROR', message: /No internal user/, arrange: () => sim.c2m.setAccountSetupError(1200) },
      { code: '1201', result: 'ERROR', message: /No internal app/, arrange: () => sim.c2m.setAccountSetupError(1201) },
      { code: '1600', result: 'ERROR', message: /No setting/, arrange: () => sim.c2m.setAccountSetupError(1600) },
      {
        code: '1300',
        result: 'ERROR',
        message: /No engagement found for skill billing/,
        arrange: () => undefined,
        parameters: { skill: 'billing' },
      },
      { code: '1400', result: 'NOT_ELIGIBLE', message: /Message cannot be sent/, arrange: () => sim.c2m.setOpenConversation(CALLER, true) },
      { code: '1500', result: 'ERROR', message: /No handoff is available/, arrange: () => undefined, parameters: { handoffId: 'H404' } },
      {
        code: '1900',
        result: 'NOT_ELIGIBLE',
        message: /Overridden channel/,
        arrange: () => undefined,
        parameters: { overrideChannel: 'wa' },
      },
      { code: '1901', result: 'ERROR', message: /overridden skill/, arrange: () => undefined, parameters: { overrideSkill: 'billing' } },
    ];
    it.each(cases)('$code → $result', async ({ code, result, message, arrange, parameters }) => {
      const handler = await coldStart();
      arrange();
      const answer = await handler(contactFlowEvent(parameters), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({ result, errorCode: code, errorMessage: expect.stringMatching(message) });
    });

    it('1501 → NOT_ELIGIBLE: an invite for a consumer eligibility found no channel for', async () => {
      sim.c2m.setConsumer(INELIGIBLE, { eligible: false, availableChannels: [], recommendedChannelName: '' });
      const handler = await coldStart();
      const eligibility = await handler(
        contactFlowEvent({ action: 'eligibility' }, { phone: INELIGIBLE }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(eligibility.result).toBe('NOT_ELIGIBLE');
      const invite = await handler(
        contactFlowEvent({ action: 'invite', callId: eligibility.callId ?? '' }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(invite).toMatchObject({
        result: 'NOT_ELIGIBLE',
        errorCode: '1501',
        errorMessage: 'No handoff channel is available',
        callId: eligibility.callId,
      });
    });

    it('1000 from the real check: an invite for a callId C2M never issued', async () => {
      const handler = await coldStart();
      const answer = await handler(
        contactFlowEvent({ action: 'invite', callId: '0b6c1f5e-1111-4222-8333-944444444444' }),
        lambdaContext('c2m-invite', 7_000),
      );
      expect(answer).toMatchObject({ result: 'ERROR', errorCode: '1000', errorMessage: 'Invalid request' });
    });

    it('a failed invite after eligibility keeps what eligibility found', async () => {
      sim.c2m.setOpenConversation(CALLER, true);
      const handler = await coldStart();
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer).toEqual({
        result: 'NOT_ELIGIBLE',
        callId: expect.stringMatching(UUID),
        recommendedChannel: 'sms',
        availableChannels: 'sms',
        overrideChannel: '',
        errorCode: '1400',
        errorMessage: 'Message cannot be sent',
      });
    });
  });

  describe('deadline (Connect gives 8 s)', () => {
    it("retries a 429 after C2M's 5 s when that still fits before the deadline", { timeout: 15_000 }, async () => {
      const handler = await coldStart();
      sim.fail({ service: 'connectToMessagingDomain', status: 429 });
      const started = Date.now();
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      const elapsed = Date.now() - started;
      expect(answer.result).toBe('INVITED');
      expect(c2mRequests().map((r) => r.status)).toEqual([429, 200, 200]);
      expect(elapsed).toBeGreaterThanOrEqual(5_000);
      expect(elapsed).toBeLessThan(6_000);
    });

    it('answers TIMEOUT at once when the deadline leaves no room for the 429 retry', async () => {
      const handler = await coldStart();
      sim.fail({ service: 'connectToMessagingDomain', status: 429 });
      const started = Date.now();
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 4_000));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(answer).toMatchObject({ result: 'ERROR', errorCode: 'TIMEOUT', errorMessage: expect.stringContaining('HTTP 429') });
      expect(c2mRequests()).toHaveLength(1);
    });

    it('answers TIMEOUT at once for a 5xx with no time to retry', async () => {
      const handler = await coldStart();
      sim.fail({ service: 'connectToMessagingDomain', status: 503 });
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 4_000));
      expect(answer).toMatchObject({ result: 'ERROR', errorCode: 'TIMEOUT', errorMessage: expect.stringContaining('HTTP 503') });
    });

    it('cuts a slow answer at the deadline and returns before the Lambda timeout', async () => {
      const handler = await coldStart();
      sim.fail({ service: 'connectToMessagingDomain', delayMs: 10_000 });
      const timeoutMs = 2_500;
      const context = lambdaContext('c2m-invite', timeoutMs);
      const answer = await handler(contactFlowEvent(), context);
      expect(answer).toMatchObject({ result: 'ERROR', errorCode: 'TIMEOUT' });
      // Answered with the safety margin still left, not killed by Lambda.
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(800);
      expect(context.getRemainingTimeInMillis()).toBeLessThan(1_100);
    });

    it('keeps the invite inside the same deadline as the eligibility call', async () => {
      const handler = await coldStart();
      sim.fail({ service: 'connectToMessagingDomain', delayMs: 1_200 });
      sim.fail({ service: 'connectToMessagingDomain', delayMs: 10_000 });
      const context = lambdaContext('c2m-invite', 3_000);
      const answer = await handler(contactFlowEvent(), context);
      expect(answer).toMatchObject({
        result: 'ERROR',
        errorCode: 'TIMEOUT',
        callId: expect.stringMatching(UUID),
        availableChannels: 'sms',
        overrideChannel: '',
      });
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(800);
    });
  });

  describe('configuration', () => {
    it('answers CONFIGURATION_ERROR (never throws) when the secret lacks a key', async () => {
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ clientId: 'only-the-id' }) });
      const { handler } = await import('#functions/c2m-invite/index.ts');
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({
        result: 'ERROR',
        errorCode: 'CONFIGURATION_ERROR',
        errorMessage: expect.stringContaining('missing key clientSecret'),
      });
      expect(c2mRequests()).toEqual([]);
    });

    it('answers CONFIGURATION_ERROR (never throws) for a broken environment', async () => {
      vi.stubEnv('C2M_REGION', 'eu');
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(bearerSecret()) });
      const { handler } = await import('#functions/c2m-invite/index.ts');
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({
        result: 'ERROR',
        errorCode: 'CONFIGURATION_ERROR',
        errorMessage: expect.stringContaining('C2M_REGION must be one of va, lo, sy'),
      });
    });

    it('answers DOMAIN_UNAVAILABLE when neither SSM nor CSDS knows C2M and no region hint is set', async () => {
      ssm.on(GetParameterCommand, { Name: `${DOMAIN_PATH}sentinel` }).resolves({ Parameter: { Value: sim.url } });
      // One lookup at the cold start, one more for the call (failures are not cached).
      sim.fail({ service: 'csds', status: 404, times: 2 });
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(bearerSecret()) });
      const { handler } = await import('#functions/c2m-invite/index.ts');
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({
        result: 'ERROR',
        errorCode: 'DOMAIN_UNAVAILABLE',
        errorMessage: expect.stringContaining('C2M_REGION'),
      });
      expect(sim.requests({ service: 'csds' }).map((r) => r.status)).toEqual([404, 404]);
      expect(c2mRequests()).toEqual([]);
    });

    it('answers AUTHENTICATION_FAILED when Sentinel refuses the client credentials', async () => {
      const handler = await coldStart();
      sim.expireAppJwts();
      sim.fail({ service: 'sentinel', status: 401 });
      const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
      expect(answer).toMatchObject({
        result: 'ERROR',
        errorCode: 'AUTHENTICATION_FAILED',
        errorMessage: expect.stringContaining('Sentinel AppJWT: HTTP 401'),
      });
    });
  });

  describe('logs', () => {
    it("carry the ContactId on every line and the caller's number only masked", async () => {
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
      const lines: string[] = [];
      for (const method of ['log', 'debug', 'info', 'warn', 'error'] as const) {
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
      }
      const handler = await coldStart();
      const contactIdsPerCall: string[][] = [];
      const invoke = async (event: ReturnType<typeof contactFlowEvent>, timeoutMs: number) => {
        lines.length = 0;
        await handler(event, lambdaContext('c2m-invite', timeoutMs));
        contactIdsPerCall.push(lines.map((line) => String((JSON.parse(line) as { contactId?: unknown }).contactId)));
        return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      };

      const answered = await invoke(contactFlowEvent({}, { contactId: 'contact-a' }), 7_000);
      sim.fail({ service: 'connectToMessagingDomain', status: 503 });
      const failed = await invoke(contactFlowEvent({}, { contactId: 'contact-b' }), 4_000);
      const invalid = await invoke(contactFlowEvent({ skill: 's'.repeat(300) }, { contactId: 'contact-c' }), 7_000);

      expect(contactIdsPerCall).toEqual([['contact-a'], ['contact-b'], ['contact-c']]);
      expect(answered).toEqual([
        expect.objectContaining({ level: 'INFO', message: 'C2M request answered', action: 'deflect', phone: '***4567', result: 'INVITED' }),
      ]);
      expect(failed).toEqual([expect.objectContaining({ level: 'WARN', phone: '***4567', result: 'ERROR', errorCode: 'TIMEOUT' })]);
      expect(invalid).toEqual([expect.objectContaining({ level: 'WARN', phone: '***4567', errorCode: 'INVALID_SKILL' })]);
      const all = [...answered, ...failed, ...invalid].map((entry) => JSON.stringify(entry)).join('\n');
      expect(all).not.toContain('2061234567');
      expect(all).not.toMatch(/Bearer|oauth_signature|sim-client-secret/);
    });
  });

  it('prefetches the secret, the domains and an AppJWT during the cold start, before any call', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(bearerSecret()) });
    await import('#functions/c2m-invite/index.ts');
    await vi.waitFor(() => {
      expect(sim.requests({ service: 'sentinel' }).filter((r) => r.status === 200)).toHaveLength(1);
      expect(
        sim
          .requests({ service: 'csds' })
          .map((r) => r.path.split('/')[5])
          .sort(),
      ).toEqual(['connectToMessagingDomain', 'sentinel']);
    });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(c2mRequests()).toEqual([]);
  });
});

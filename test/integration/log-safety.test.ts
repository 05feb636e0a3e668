/**
 * The rule: "Never log a secret, token or signature; mask phone numbers in logs (keep the last 4
 * digits)". Proven on the whole product: the local stack in this process with the handlers at
 * DEBUG, every handler driven through its success and failure paths with known secret values,
 * everything the process writes captured, then scanned for those values, for any JWT, for every
 * webhook and OAuth 1.0a signature sent, and for every full phone number used.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contactFlowEvent } from '#local/connect-event.ts';
import { DEMO_STEP_COUNT, runDemo } from '#local/demo.ts';
import { lambdaContext } from '#local/lambda-context.ts';
import { startLocalStack, type LocalStack } from '#local/stack.ts';
import {
  contentEventChange,
  conversationChange,
  conversationNotification,
  messagingNotification,
  SIMULATOR_DEFAULTS,
  type LivePersonSimulator,
  type WebhookDelivery,
} from '#simulator/index.ts';
import { captureProcessOutput, type OutputCapture } from '../support/log-capture.ts';
import { describeLeaks, digitsOf, findLeaks, summarizeLeaks, type KnownValue, type Leak, type LeakKind } from '../support/log-leaks.ts';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

// Values a caller or an attacker might send: wrong ones are often the right one mistyped, so they may not be logged either.
const WRONG_CLIENT_SECRET = 'wrong-client-secret-0123456789';
const WRONG_WEBHOOK_TOKEN = 'wrong-webhook-token-0123456789';
const WRONG_OAUTH1_SECRET = 'wrong-oauth1-consumer-secret-0123';
const FORGED_SIGNATURE = 'sha1=Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZQ==';

// One number per scenario (plus the demo's random caller, read back from the simulator).
const PHONES = {
  eligible: '+12065550147',
  noPlus: '12065550148',
  tooLong: '+1206555014912345',
  formatted: '+1 (206) 555-0150',
  unknownSkill: '+12065550151',
  expiredJwt: '+12065550152',
  serverError: '+12065550153',
  slow: '+12065550154',
  notEligible: '+447700900155',
  openConversation: '+447700900156',
  oauth1: '+61491570157',
  oauth1Wrong: '+61491570158',
  sentinelDown: '+12065550159',
  brokenSecret: '+12065550160',
  messagingRoute: '+12065550161',
  phoneConsumer: '+12065550162',
  // Numbers written other ways: in consumer ids, as a command's key, echoed by LivePerson in its own format.
  telUnderscores: 'tel_1_206_555_0163',
  internationalUnderscores: '0044_20_7946_0164',
  slashes: '1/206/555/0165',
  percentEncoded: '%2B1%20206%20555%200166',
  fullWidth: '＋１ ２０６ ５５５ ０１６７',
  asKey: '+12065550168',
  asFullWidthKey: '＋１２０６５５５０１７２',
  echoedByC2m: '+12065550169',
  echoedByConnector: 'whatsapp:+12065550170',
  echoedByCsds: '+12065550171',
} as const;

describe('log safety: no secret, token, signature or full phone number in any log line', () => {
  let stack: LocalStack;
  let sim: LivePersonSimulator;
  let capture: OutputCapture;
  let secretId: string;
  /** Signatures this test put on requests itself (the simulator's are recomputed from its deliveries). */
  const sentSignatures: string[] = [];

  beforeAll(async () => {
    // Production's log shape (one JSON object per line on stdout), not POWERTOOLS_DEV's pretty print.
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    // Before the stack starts: the deploy-time domain refresh and every cold start log too.
    capture = captureProcessOutput();
    // No config cache: a secret changed mid-test (OAuth 1.0a, a broken one) is read on the next call.
    stack = await startLocalStack({ handlerLogLevel: 'DEBUG', configCacheSeconds: 0 });
    if (!stack.simulator) throw new Error('the local stack runs without its simulator');
    sim = stack.simulator;
    secretId = `liveperson/${stack.accountId}/credentials`;
  });

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      capture?.restore();
      vi.unstubAllEnvs();
      // LOG_SAFETY_DUMP=<file>: everything captured, to read what the handlers log.
      const dump = process.env.LOG_SAFETY_DUMP;
      if (dump && capture)
        writeFileSync(
          dump,
          capture
            .lines()
            .map(({ scenario, channel, line }) => `[${scenario}] ${channel} ${line}`)
            .join('\n'),
        );
    }
  });

  const connectorUrl = () => `${stack.urls.webhooks}/connector`;
  const messagingUrl = (token: string) => `${stack.urls.webhooks}/messaging/${encodeURIComponent(token)}`;
  const c2mHandler = async () => (await import('#functions/c2m-invite/index.ts')).handler as unknown as Handler;
  const connectorHandler = async () => (await import('#functions/connector-send/index.ts')).handler as unknown as Handler;

  function sign(body: string, secret: string = SIMULATOR_DEFAULTS.clientSecret, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
    const signature = `${algorithm}=${createHmac(algorithm, secret).update(body).digest('base64')}`;
    sentSignatures.push(signature);
    return signature;
  }

  async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await response.arrayBuffer();
    return response.status;
  }

  function lpHeaders(body: string, overrides: Record<string, string> = {}): Record<string, string> {
    return {
      'x-liveperson-account-id': stack.accountId,
      'x-liveperson-client-id': SIMULATOR_DEFAULTS.clientId,
      'x-liveperson-signature': sign(body),
      ...overrides,
    };
  }

  async function waitFor(what: string, done: () => boolean, timeoutMs = 8_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Whether a handler wrote a log line with this message (and these fields). */
  const logged = (message: string, fields: Record<string, unknown> = {}) =>
    capture.lines().some(({ line }) => {
      if (!line.startsWith('{')) return false;
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.message === message && Object.entries(fields).every(([key, value]) => entry[key] === value);
    });

  const published = (predicate: (detail: Record<string, unknown>) => boolean) =>
    stack.aws.events().some((event) => predicate(event.detail as Record<string, unknown>));

  /** A brand's EventBridge event carrying a connector command, as the construct's rule delivers it. */
  const bridged = (detail: unknown) => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'LivePerson Connector Command',
    source: 'brand.app',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });

  function setSecret(document: object | string): void {
    stack.aws.setSecret(secretId, typeof document === 'string' ? document : JSON.stringify(document));
  }
  const defaultSecret = () => ({
    clientId: SIMULATOR_DEFAULTS.clientId,
    clientSecret: SIMULATOR_DEFAULTS.clientSecret,
    webhookToken: SIMULATOR_DEFAULTS.webhookToken,
  });

  it('domain-refresh: succeeds at stack start, then fails on CSDS errors (retryable and not)', async () => {
    capture.scenario('domain-refresh');
    expect(stack.aws.parameter(`/liveperson/${stack.accountId}/domains/sentinel`)).toBe(stack.urls.simulator);
    const refresh = (await import('#functions/domain-refresh/index.ts')).handler as unknown as Handler;
    // A 5xx whose retry cannot fit the budget, then a 401 that is never retried.
    sim.fail({ service: 'csds', status: 503 });
    await expect(refresh({}, lambdaContext('domain-refresh', 3_000))).rejects.toThrow(/no time left to retry/);
    sim.fail({ service: 'csds', status: 401 });
    await expect(refresh({}, lambdaContext('domain-refresh', 3_000))).rejects.toThrow(/401/);
    await expect(refresh({}, lambdaContext('domain-refresh', 3_000))).resolves.toMatchObject({ unchanged: expect.any(Array) });
  });

  it('the demo story: C2M eligibility and invite, consumer reply, signed webhooks, processor, agent reply, connector sendText', async () => {
    capture.scenario('demo');
    const steps = await runDemo(stack.urls.control);
    expect(steps.filter((step) => !step.ok)).toEqual([]);
    expect(steps).toHaveLength(DEMO_STEP_COUNT);
  });

  it('webhook-receiver: accepts sha256 and the messaging route with its token; rejects every bad call', async () => {
    capture.scenario('webhook-receiver');
    const body = JSON.stringify(
      messagingNotification(
        contentEventChange({
          originatorId: PHONES.messagingRoute,
          role: 'CONSUMER',
          conversationId: `conv-${randomUUID()}`,
          sequence: 0,
          serverTimestamp: Date.now(),
          message: 'hi',
        }),
      ),
    );
    // The simulator signs: sha256 with the right secret is accepted; the wrong secret is refused (and not retried).
    const accepted = await sim.webhooks.send(connectorUrl(), body, { algorithm: 'sha256' });
    expect(accepted.attempts.at(-1)?.status).toBe(200);
    const refused = await sim.webhooks.send(connectorUrl(), body, {
      clientSecret: WRONG_CLIENT_SECRET,
      redelivery: { policy: 'legacy', maxRetries: 0 },
    });
    expect(refused.attempts.map((attempt) => attempt.status)).toEqual([401]);

    expect(await post(connectorUrl(), body, { 'x-liveperson-account-id': stack.accountId })).toBe(401); // no signature
    expect(await post(connectorUrl(), body, { ...lpHeaders(body), 'x-liveperson-signature': FORGED_SIGNATURE })).toBe(401);
    expect(
      await post(connectorUrl(), body, { ...lpHeaders(body), 'x-liveperson-signature': sign(body, WRONG_CLIENT_SECRET, 'sha256') }),
    ).toBe(401);
    expect(await post(connectorUrl(), body, lpHeaders(body, { 'x-liveperson-account-id': '87654321' }))).toBe(403);
    expect(await post(connectorUrl(), body, lpHeaders(body, { 'x-liveperson-client-id': 'another-client' }))).toBe(403);
    expect(await post(connectorUrl(), '{not json', lpHeaders('{not json'))).toBe(400);
    const notNotification = JSON.stringify({ kind: 'event', phone: PHONES.messagingRoute, secret: SIMULATOR_DEFAULTS.clientSecret });
    // Signed, so genuine: queued whatever its shape (refusing it would hold back every event).
    expect(await post(connectorUrl(), notNotification, lpHeaders(notNotification))).toBe(200);
    // Signed, so judged by the signature, whatever its label.
    expect(await post(connectorUrl(), body, { ...lpHeaders(body), 'content-type': 'text/plain' })).toBe(200);

    // The unsigned messaging route: the URL token is the only guard.
    const subscription = JSON.stringify({
      type: 'messaging.subscription',
      conversationId: `conv-${randomUUID()}`,
      consumerPhone: PHONES.messagingRoute,
    });
    expect(await post(messagingUrl(WRONG_WEBHOOK_TOKEN), subscription)).toBe(401);
    expect(await post(messagingUrl(SIMULATOR_DEFAULTS.webhookToken), subscription)).toBe(200);

    // SQS down: 503, so LivePerson delivers again later.
    stack.faults.sqsAvailable(false);
    try {
      expect(await post(connectorUrl(), body, lpHeaders(body))).toBe(503);
    } finally {
      stack.faults.sqsAvailable(true);
    }
  });

  it('event-processor: a notification that breaks the schema goes to the dead-letter queue; a failing handler is retried', async () => {
    capture.scenario('event-processor');
    const broken = JSON.stringify({
      kind: 'notification',
      type: 'ms.MessagingEventNotification',
      body: {
        changes: [
          {
            conversationId: `conv-${randomUUID()}`,
            originatorId: PHONES.messagingRoute,
            sequence: 'one',
            event: { type: 'ContentEvent', message: 7 },
          },
        ],
      },
    });
    expect(await post(connectorUrl(), broken, lpHeaders(broken))).toBe(200);
    await waitFor('the schema violation', () => logged('notification moved to the dead-letter queue'));

    // EventBridge refuses the next entries (the publisher's own two retries included): the record fails,
    // SQS gives it back after the visibility timeout, and the retry publishes it.
    const conversationId = `conv-${randomUUID()}`;
    stack.aws.refuseEvents(3);
    const delivery = await sim.webhooks.send(
      connectorUrl(),
      conversationNotification(
        conversationChange({
          convId: conversationId,
          state: 'OPEN',
          participants: [{ id: PHONES.messagingRoute, role: 'CONSUMER' }],
          brandId: stack.accountId,
          startTs: Date.now(),
          metaDataLastUpdateTs: Date.now(),
        }),
      ),
    );
    expect(delivery.state).toBe('delivered');
    await waitFor('the failed notification', () => logged('notification failed; it will be retried'));
    await waitFor(
      'the retried notification to be published',
      () => published((detail) => detail.conversationId === conversationId),
      10_000,
    );
  });

  it('c2m-invite: eligibility, invalid phones, unknown skill, expired AppJWT, 5xx and slow C2M, NOT_ELIGIBLE, Sentinel down', async () => {
    capture.scenario('c2m-invite');
    expect(await stack.invokeC2m(PHONES.eligible, { action: 'eligibility' })).toMatchObject({ result: 'ELIGIBLE' });
    for (const phone of [PHONES.noPlus, PHONES.tooLong, PHONES.formatted]) {
      expect(await stack.invokeC2m(phone, { action: 'eligibility' })).toMatchObject({ result: 'ERROR', errorCode: 'INVALID_PHONE_NUMBER' });
    }
    expect(await stack.invokeC2m(PHONES.unknownSkill, { action: 'eligibility', skill: 'no-such-skill' })).toMatchObject({
      result: 'ERROR',
      errorCode: '1300',
    });

    // C2M answers 401 "jwt expired": the AppJWT is refreshed once and the call made again.
    const sentinelCalls = sim.requests({ service: 'sentinel' }).length;
    sim.expireAppJwts();
    expect(await stack.invokeC2m(PHONES.expiredJwt, { action: 'deflect' })).toMatchObject({ result: 'INVITED' });
    expect(sim.requests({ service: 'sentinel' }).length).toBe(sentinelCalls + 1);

    // A short budget: a 5xx cannot be retried in time, a slow answer is cut off.
    const c2m = await c2mHandler();
    sim.fail({ service: 'connectToMessagingDomain', status: 503 });
    expect(
      await c2m(
        contactFlowEvent({ phoneNumber: PHONES.serverError, parameters: { action: 'eligibility' } }),
        lambdaContext('c2m-invite', 1_800),
      ),
    ).toMatchObject({
      result: 'ERROR',
      errorCode: 'TIMEOUT',
    });
    sim.fail({ service: 'connectToMessagingDomain', delayMs: 1_500 });
    expect(
      await c2m(contactFlowEvent({ phoneNumber: PHONES.slow, parameters: { action: 'eligibility' } }), lambdaContext('c2m-invite', 1_500)),
    ).toMatchObject({
      result: 'ERROR',
      errorCode: 'TIMEOUT',
    });

    sim.c2m.setConsumer(PHONES.notEligible, { eligible: false, availableChannels: [], recommendedChannelName: '' });
    expect(await stack.invokeC2m(PHONES.notEligible)).toMatchObject({ result: 'NOT_ELIGIBLE' });
    sim.c2m.setOpenConversation(PHONES.openConversation, true);
    expect(await stack.invokeC2m(PHONES.openConversation)).toMatchObject({ result: 'NOT_ELIGIBLE', errorCode: '1400' });

    // The AppJWT is rejected and Sentinel refuses a new one: C2M was never reached.
    sim.expireAppJwts();
    sim.fail({ service: 'sentinel', status: 401 });
    expect(await stack.invokeC2m(PHONES.sentinelDown, { action: 'eligibility' })).toMatchObject({
      result: 'ERROR',
      errorCode: 'AUTHENTICATION_FAILED',
    });
  });

  it('c2m-invite and webhook-receiver: OAuth 1.0a API key, a wrong API key, an unreadable secret', async () => {
    capture.scenario('c2m-invite oauth1');
    try {
      setSecret({ ...defaultSecret(), oauth1: SIMULATOR_DEFAULTS.oauth1 });
      const oauthCalls = () =>
        sim.requests({ service: 'connectToMessagingDomain' }).filter((r) => r.headers.authorization?.startsWith('OAuth ')).length;
      expect(await stack.invokeC2m(PHONES.oauth1)).toMatchObject({ result: 'INVITED' });
      expect(oauthCalls()).toBe(2);

      setSecret({ ...defaultSecret(), oauth1: { ...SIMULATOR_DEFAULTS.oauth1, consumerSecret: WRONG_OAUTH1_SECRET } });
      expect(await stack.invokeC2m(PHONES.oauth1Wrong, { action: 'eligibility' })).toMatchObject({ result: 'ERROR', errorCode: '1100' });

      // Not JSON, with the real values in it: the error may say what is wrong, never what it holds.
      capture.scenario('broken secret');
      setSecret(
        `{"clientId": "${SIMULATOR_DEFAULTS.clientId}", "clientSecret": "${SIMULATOR_DEFAULTS.clientSecret}", "webhookToken": "${SIMULATOR_DEFAULTS.webhookToken}"`,
      );
      expect(await stack.invokeC2m(PHONES.brokenSecret, { action: 'eligibility' })).toMatchObject({
        result: 'ERROR',
        errorCode: 'CONFIGURATION_ERROR',
      });
      const body = JSON.stringify(
        messagingNotification(
          contentEventChange({
            originatorId: 'c',
            role: 'CONSUMER',
            conversationId: 'conv-broken',
            sequence: 0,
            serverTimestamp: Date.now(),
            message: 'x',
          }),
        ),
      );
      expect(await post(connectorUrl(), body, lpHeaders(body))).toBe(503);
      // Valid JSON, keys of the wrong type or too short, holding the real values.
      setSecret({
        clientId: SIMULATOR_DEFAULTS.clientId,
        clientSecret: [SIMULATOR_DEFAULTS.clientSecret],
        webhookToken: 'short',
        oauth1: SIMULATOR_DEFAULTS.oauth1.consumerSecret,
      });
      expect(await post(connectorUrl(), body, lpHeaders(body))).toBe(503);
    } finally {
      setSecret(defaultSecret());
    }
  });

  it('connector-send: every command type, bad commands (direct, queue, EventBridge), 401 refreshes, a closed conversation, a cut-off retry', async () => {
    capture.scenario('connector-send');
    const consumerId = `log-safety-${randomUUID().slice(0, 8)}`;
    const command = (type: string, fields: Record<string, unknown> = {}) => ({ type, commandId: randomUUID(), consumerId, ...fields });

    const opened = (await stack.invokeConnector(command('openConversation', { firstMessage: 'hello', routing: { skillId: '-1' } }))) as {
      ok: boolean;
      conversationId: string;
      sequence: number;
    };
    expect(opened).toMatchObject({ ok: true, openedConversation: true });
    expect(await stack.invokeConnector(command('sendTyping'))).toMatchObject({ ok: true });
    expect(await stack.invokeConnector(command('sendText', { text: 'more' }))).toMatchObject({
      ok: true,
      conversationId: opened.conversationId,
    });
    expect(await stack.invokeConnector(command('markRead', { sequenceList: [opened.sequence] }))).toMatchObject({ ok: true });

    // 401s: 40102 (AppJWT) refreshes the AppJWT, 40103 (consumer JWS) fetches a new JWS; both then succeed.
    sim.fail({ service: 'asyncMessagingEnt', status: 401 });
    expect(await stack.invokeConnector(command('sendText', { text: 'after 40102' }))).toMatchObject({ ok: true });
    sim.fail({
      service: 'asyncMessagingEnt',
      status: 401,
      body: { kind: 'resp', code: 401, body: { errorCode: 40103, message: 'consumer JWS invalid' } },
    });
    expect(await stack.invokeConnector(command('sendText', { text: 'after 40103' }))).toMatchObject({ ok: true });

    // The agent closed it before its notification arrived: the send opens a new conversation.
    sim.connector.closeConversation(opened.conversationId);
    const replaced = await stack.invokeConnector(command('sendText', { text: 'are you there?' }));
    expect(replaced).toMatchObject({ ok: true, openedConversation: true });
    expect(await stack.invokeConnector(command('closeConversation'))).toMatchObject({ ok: true });

    // Bad commands, one per trigger.
    expect(
      await stack.invokeConnector({
        type: 'sendText',
        commandId: randomUUID(),
        consumerId,
        text: 42,
        token: SIMULATOR_DEFAULTS.clientSecret,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' },
    });
    await stack.sqs.client.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.outbound,
        MessageBody: '{"type": "sendFax"}',
        MessageGroupId: 'log-safety',
        MessageDeduplicationId: randomUUID(),
      }),
    );
    await waitFor('the bad queued command', () => logged('command rejected; moved to the dead-letter queue', { trigger: 'queue' }));
    const connector = await connectorHandler();
    expect(await connector(bridged(command('sendText', { text: 'via EventBridge' })), lambdaContext('connector-send'))).toMatchObject({
      ok: true,
      forwarded: true,
    });
    expect(await connector(bridged({ type: 'sendText', consumerId }), lambdaContext('connector-send'))).toMatchObject({ ok: false });
    // The forwarded command runs from the queue; the fault below must not meet it.
    await waitFor('the forwarded command', () => logged('command applied', { trigger: 'queue' }));

    // A 5xx whose retry cannot fit the invocation's time (2.6 s less the 1.5 s margin): a retryable failure.
    sim.fail({ service: 'asyncMessagingEnt', status: 503 });
    expect(await connector(command('sendText', { text: 'too late' }), lambdaContext('connector-send', 2_600))).toMatchObject({
      ok: false,
      error: { retryable: true },
    });
  });

  it('connector-send and c2m-invite: a brand keys a consumer by phone number (ext_consumer_id = E.164)', async () => {
    // The simulator's C2M refuses to invite a number with a conversation opened through the Connector API
    // under that number as ext_consumer_id: brands do key consumers by phone number.
    capture.scenario('connector-send phone consumerId');
    const consumerId = PHONES.phoneConsumer;
    const connector = await connectorHandler();
    const commandId = randomUUID();
    const forwarded = await connector(
      bridged({ type: 'sendText', commandId, consumerId, text: 'Your order shipped' }),
      lambdaContext('connector-send'),
    );
    expect(forwarded).toMatchObject({ ok: true, forwarded: true });
    await waitFor('the forwarded command', () => logged('command applied', { commandId }));
    expect(await stack.invokeC2m(consumerId)).toMatchObject({ result: 'NOT_ELIGIBLE', errorCode: '1400' });
    expect(await stack.invokeConnector({ type: 'sendText', commandId: randomUUID(), consumerId })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' },
    });
    expect(await stack.invokeConnector({ type: 'closeConversation', commandId: randomUUID(), consumerId })).toMatchObject({ ok: true });
  });

  it('connector-send, c2m-invite and domain-refresh: a number written any way in an id, a key, or a message from LivePerson', async () => {
    capture.scenario('numbers written any way');
    // Consumer ids a brand built from a number, each in a format a reader still reads as that number.
    for (const consumerId of [
      PHONES.telUnderscores,
      PHONES.internationalUnderscores,
      PHONES.slashes,
      PHONES.percentEncoded,
      PHONES.fullWidth,
    ]) {
      expect(await stack.invokeConnector({ type: 'sendText', commandId: randomUUID(), consumerId, text: 'hi' })).toMatchObject({
        ok: true,
      });
      expect(await stack.invokeConnector({ type: 'sendText', commandId: randomUUID(), consumerId })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_COMMAND' },
      });
    }
    // Keys named like a number: zod's "Unrecognized keys" message repeats them.
    const withKeys = {
      type: 'sendText',
      commandId: randomUUID(),
      consumerId: 'log-safety-keys',
      text: 'hi',
      [PHONES.asKey]: 'x',
      [PHONES.asFullWidthKey]: 'y',
    };
    expect(await stack.invokeConnector(withKeys)).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });

    // LivePerson repeats the number in its own format: C2M's errorMessage, the Connector API's message, CSDS's.
    sim.fail({
      service: 'connectToMessagingDomain',
      status: 400,
      body: { errorCode: 1001, errorMessage: 'Invalid customerPhoneNumber 1 (206) 555-0169' },
    });
    expect(await stack.invokeC2m(PHONES.echoedByC2m, { action: 'eligibility' })).toMatchObject({ result: 'ERROR', errorCode: '1001' });
    sim.fail({
      service: 'asyncMessagingEnt',
      status: 400,
      body: {
        kind: 'resp',
        code: 400,
        body: { errorCode: 'INVALID_CONSUMER', message: 'ext_consumer_id whatsapp:%2B1-206-555-0170 is not allowed' },
      },
    });
    expect(
      await stack.invokeConnector({ type: 'sendText', commandId: randomUUID(), consumerId: PHONES.echoedByConnector, text: 'hi' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'REJECTED_BY_LIVEPERSON' },
    });
    // domain-refresh logs the error object itself: message, apiMessage and stack.
    const refresh = (await import('#functions/domain-refresh/index.ts')).handler as unknown as Handler;
    sim.fail({ service: 'csds', status: 403, body: { message: 'account locked: call +1.206.555.0171' } });
    await expect(refresh({}, lambdaContext('domain-refresh', 3_000))).rejects.toThrow(/403/);
    expect(logged('domain refresh failed')).toBe(true);
  });

  // ---- The scan ----

  function knownValues(): KnownValue[] {
    const values: KnownValue[] = [];
    const add = (kind: LeakKind, label: string, value: string | undefined) => {
      if (value !== undefined && value !== '' && !values.some((known) => known.value === value)) values.push({ kind, label, value });
    };
    add('credential', 'clientSecret', SIMULATOR_DEFAULTS.clientSecret);
    add('credential', 'webhookToken', SIMULATOR_DEFAULTS.webhookToken);
    for (const [key, value] of Object.entries(SIMULATOR_DEFAULTS.oauth1)) add('credential', `oauth1.${key}`, value);
    add('credential', 'a wrong client secret', WRONG_CLIENT_SECRET);
    add('credential', 'a wrong webhook token', WRONG_WEBHOOK_TOKEN);
    add('credential', 'a wrong oauth1.consumerSecret', WRONG_OAUTH1_SECRET);

    const requests = sim.requests();
    for (const request of requests) {
      const authorization = request.headers.authorization ?? '';
      const oauthSignature = /oauth_signature="([^"]+)"/.exec(authorization)?.[1];
      if (oauthSignature !== undefined) {
        add('oauth1 signature', 'an OAuth 1.0a signature', oauthSignature);
        add('oauth1 signature', 'an OAuth 1.0a signature', decodeURIComponent(oauthSignature));
      } else if (authorization !== '') {
        const token = authorization.replace(/^Bearer\s+/i, '');
        add('jwt', 'an AppJWT', token);
        add('jwt', "an AppJWT's signature", token.split('.')[2]);
      }
      const jws = request.headers['x-lp-on-behalf'];
      add('jwt', 'a consumer JWS', jws);
      add('jwt', "a consumer JWS's signature", jws?.split('.')[2]);
    }

    // Every signature the simulator sent (recomputed from the bytes, with either secret), in every encoding, and ours.
    const deliveries: WebhookDelivery[] = sim.webhooks.deliveries();
    for (const { body } of deliveries) {
      for (const secret of [SIMULATOR_DEFAULTS.clientSecret, WRONG_CLIENT_SECRET]) {
        for (const algorithm of ['sha1', 'sha256'] as const) {
          const digest = createHmac(algorithm, secret).update(body).digest();
          add('webhook signature', 'an x-liveperson-signature', digest.toString('base64'));
          add('webhook signature', 'an x-liveperson-signature (hex)', digest.toString('hex'));
        }
      }
    }
    for (const signature of sentSignatures) add('webhook signature', 'an x-liveperson-signature', signature.replace(/^sha(1|256)=/, ''));
    add('webhook signature', 'a forged x-liveperson-signature', FORGED_SIGNATURE.replace(/^sha1=/, ''));

    // Every phone number: as used, its digits, and its national part; "***" + the last 4 is what may appear.
    // findLeaks also reads each line as a person would, so the number is found however a line writes it.
    const phones = new Set<string>(Object.values(PHONES));
    for (const invite of sim.c2m.invites()) phones.add(invite.consumerPhoneNumber);
    for (const request of sim.requests({ service: 'connectToMessagingDomain' })) {
      const phone = /"consumerPhoneNumber":"([^"]+)"/.exec(request.body)?.[1];
      if (phone !== undefined) phones.add(phone);
    }
    for (const phone of phones) {
      const digits = digitsOf(phone);
      add('phone number', `phone ${maskForLabel(phone)}`, phone);
      add('phone number', `phone ${maskForLabel(phone)} (digits)`, digits);
      add('phone number', `phone ${maskForLabel(phone)} (national part)`, digits.slice(-10));
    }
    return values;
  }

  let leaks: Leak[] | undefined;
  const leaksOf = (kind: LeakKind) => {
    leaks ??= findLeaks(capture.lines(), knownValues());
    return leaks.filter((leak) => leak.kind === kind);
  };

  it('recorded the handlers’ log lines (so the scan below cannot pass vacuously)', () => {
    const lines = capture.lines().map(({ line }) => line);
    const json = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as { service?: string; level?: string; message?: string }];
      } catch {
        return [];
      }
    });
    const services = new Set(json.map((entry) => entry.service));
    for (const service of ['webhook-receiver', 'event-processor', 'c2m-invite', 'connector-send', 'domain-refresh'])
      expect(services).toContain(service);
    const levels = new Set(json.map((entry) => entry.level));
    for (const level of ['INFO', 'WARN', 'ERROR']) expect(levels).toContain(level);
    expect(json.some((entry) => entry.message === 'webhook rejected')).toBe(true);
    expect(json.some((entry) => entry.message === 'notification moved to the dead-letter queue')).toBe(true);
    expect(json.some((entry) => entry.message === 'domain refresh failed')).toBe(true);
    // The masked form is what a reader matches a caller with.
    expect(lines.some((line) => line.includes(`"***${PHONES.eligible.slice(-4)}"`))).toBe(true);
    expect(lines.some((line) => line.includes(`"***${PHONES.notEligible.slice(-4)}"`))).toBe(true);
    // The known values are real: the simulator saw the tokens, signatures and API-key calls this scan looks for.
    const known = knownValues();
    for (const kind of ['jwt', 'webhook signature', 'oauth1 signature', 'phone number'] as const)
      expect(known.some((value) => value.kind === kind)).toBe(true);
  });

  it('no field dropped for a key the logger reserves (service, level, message, timestamp…)', () => {
    // Powertools drops such a key with a WARN of its own: what the field said is lost.
    expect(capture.lines().filter(({ line }) => /is a reserved key and will be dropped/.test(line))).toEqual([]);
  });

  it('the scan finds what it looks for', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const lines = [
      {
        scenario: 's',
        channel: 'stdout',
        line: JSON.stringify({ service: 'x', level: 'INFO', message: 'm', token: jwt, nested: { phone: '+12065550100' } }),
      },
      { scenario: 's', channel: 'stderr', line: `plain text ${SIMULATOR_DEFAULTS.clientSecret}` },
    ];
    const found = findLeaks(lines, [
      { kind: 'phone number', label: 'phone', value: '+12065550100' },
      { kind: 'phone number', label: 'phone (digits)', value: '12065550100' },
      { kind: 'credential', label: 'clientSecret', value: SIMULATOR_DEFAULTS.clientSecret },
    ]);
    expect(summarizeLeaks(found)).toEqual([
      'phone in x INFO «m» at nested.phone (scenario: s)',
      'a JWT-shaped string in x INFO «m» at token (scenario: s)',
      'clientSecret in stderr (scenario: s)',
    ]);
    expect(describeLeaks(found)).not.toContain(SIMULATOR_DEFAULTS.clientSecret);
  });

  it('the scan finds a phone number however a line writes it, and nothing in a masked line', () => {
    const line = (fields: Record<string, unknown>) => ({
      scenario: 's',
      channel: 'stdout',
      line: JSON.stringify({ service: 'x', level: 'INFO', message: 'm', ...fields }),
    });
    const phone: KnownValue[] = [{ kind: 'phone number', label: 'phone ***0147', value: '+12065550147' }];
    const written = [
      'tel_1_206_555_0147',
      '001_206_555_0147',
      '1/206/555/0147',
      '(206) 555.0147',
      '%2B1%20206%20555%200147',
      '%252B12065550147',
      '＋１２０６５５５０１４７',
      '١٢٠٦٥٥٥٠١٤٧',
      '1\u200B206\u200B555\u200B0147',
    ];
    for (const form of written) {
      expect(summarizeLeaks(findLeaks([line({ consumerId: `x:${form}` })], phone)), form).toEqual([
        'phone ***0147 (as written in the line) in x INFO «m» at consumerId (scenario: s)',
      ]);
    }
    // A key's name, and a redacted line that never repeats the number.
    const asKey = findLeaks([line({ reason: 'bad', extra: { [written[0] ?? '']: 1 } })], phone);
    expect(summarizeLeaks(asKey)).toEqual([
      `phone ***0147 (as written in the line) in x INFO «m» at extra.${written[0]} (the key's name) (scenario: s)`,
    ]);
    expect(describeLeaks(asKey)).not.toMatch(/0147/);
    // Masked, or other numbers: nothing.
    expect(findLeaks([line({ consumerId: 'tel_***0147', sequence: 2065, at: '2026-01-01T20:06:55.501Z', ids: '206 555' })], phone)).toEqual(
      [],
    );
  });

  it('connector-send logs a consumerId that is a phone number masked, never in full', () => {
    const full = capture.lines().filter(({ line }) => line.includes('"service":"connector-send"') && line.includes(PHONES.phoneConsumer));
    const where = full.map(({ line }) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const keys = Object.keys(entry).filter(
        (key) => typeof entry[key] === 'string' && (entry[key] as string).includes(PHONES.phoneConsumer),
      );
      return `«${String(entry.message)}» at ${keys.join(', ')}`;
    });
    expect([...new Set(where)]).toEqual([]);
  });

  it('no credential (client secret, webhook token, OAuth 1.0a keys) in any log line', () => {
    const found = leaksOf('credential');
    expect(summarizeLeaks(found), describeLeaks(found)).toEqual([]);
  });

  it('no AppJWT, consumer JWS or other JWT in any log line', () => {
    const found = leaksOf('jwt');
    expect(summarizeLeaks(found), describeLeaks(found)).toEqual([]);
  });

  it('no x-liveperson-signature or OAuth 1.0a signature in any log line', () => {
    const found = [...leaksOf('webhook signature'), ...leaksOf('oauth1 signature')];
    expect(summarizeLeaks(found), describeLeaks(found)).toEqual([]);
  });

  it('no full phone number in any log line (only "***" and the last 4 digits)', () => {
    const found = leaksOf('phone number');
    expect(summarizeLeaks(found), describeLeaks(found)).toEqual([]);
  });
});

function maskForLabel(phone: string): string {
  return `***${digitsOf(phone).slice(-4)}`;
}

// The simulator as a webhook sender: signed bodies, redelivery policies, duplicates, and the
// Connector API's conversations turned into notifications. A loopback receiver checks every
// signature on its own over the raw bytes.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SIMULATED_AGENT_ID,
  chatStateEventChange,
  contentEventChange,
  conversationChange,
  conversationNotification,
  messagingNotification,
  quickRepliesContent,
  SIMULATED_CONTROLLER_ID,
  SIMULATED_SURVEY_BOT_ID,
  startLivePersonSimulator,
} from '#simulator/index.ts';
import type { LivePersonSimulator, RedeliveryOptions, WebhookDelivery } from '#simulator/index.ts';
import { fetchAppJwt, fetchConsumerJws, postJson } from './helpers.ts';
import type { Answer, ReceivedWebhook, WebhookReceiver } from './webhook-receiver.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

let sim: LivePersonSimulator;
const receivers: WebhookReceiver[] = [];

beforeEach(async () => {
  sim = await startLivePersonSimulator();
});
afterEach(async () => {
  await sim.close();
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(answer?: (request: ReceivedWebhook) => Answer): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(sim.credentials.clientSecret, answer);
  receivers.push(started);
  return started;
}

/** Waits are 1/1000 of LivePerson's: 2 ms, 4 ms, 8 ms ... (legacy: 30 ms). */
const fast: RedeliveryOptions = { backoffScale: 0.001 };

function textNotification(conversationId: string, sequence: number, message: string) {
  return messagingNotification(
    contentEventChange({
      conversationId,
      originatorId: 'consumer-1',
      role: 'CONSUMER',
      sequence,
      serverTimestamp: 1_700_000_000_000 + sequence,
      message,
    }),
  );
}

const messageOf = (json: unknown) =>
  (json as { body: { changes: Array<{ event?: { message?: string } }> } }).body.changes[0]?.event?.message;

describe('signing', () => {
  it('sends the LivePerson headers and a sha1 signature of the raw body by default, sha256 on request', async () => {
    const target = await receiver();
    const body = textNotification('conv-1', 0, 'hello');
    const sha1 = await sim.webhooks.send(target.url, body);
    const sha256 = await sim.webhooks.send(target.url, body, { algorithm: 'sha256' });

    expect([sha1.state, sha256.state]).toEqual(['delivered', 'delivered']);
    expect(target.received.map((request) => request.verifiedWith)).toEqual(['sha1', 'sha256']);
    const [first] = target.received;
    expect(first?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-liveperson-account-id': sim.accountId,
      'x-liveperson-client-id': sim.credentials.clientId,
      'x-liveperson-signature': expect.stringMatching(/^sha1=[A-Za-z0-9+/]+=*$/),
    });
    expect(first?.text).toBe(JSON.stringify(body));
    expect(sha1).toMatchObject({ url: target.url, conversationId: 'conv-1', eventType: 'ContentEvent', body: JSON.stringify(body) });
  });

  it('signs emoji and CJK text over the UTF-8 bytes sent, and a pre-serialised body as is', async () => {
    const target = await receiver();
    const message = 'こんにちは 你好 안녕 👋🏽 café';
    await sim.webhooks.send(target.url, textNotification('conv-1', 0, message));
    // Escaped in the JSON text: re-serialising the parsed body would change the bytes (and break the signature).
    const escaped =
      '{"kind":"notification","type":"ms.MessagingEventNotification","body":{"changes":[{"dialogId":"conv-2",' +
      '"event":{"type":"ContentEvent","message":"\\ud83d\\udc4b \\u4f60\\u597d","contentType":"text/plain"}}]}}';
    const delivery = await sim.webhooks.send(target.url, escaped);

    const [unicode, asIs] = target.received;
    expect(unicode?.verifiedWith).toBe('sha1');
    expect(messageOf(unicode?.json)).toBe(message);
    expect(unicode?.raw.length).toBeGreaterThan(unicode?.text.length ?? 0); // multi-byte UTF-8 on the wire
    expect(asIs?.verifiedWith).toBe('sha1');
    expect(asIs?.text).toBe(escaped);
    expect(JSON.stringify(asIs?.json)).not.toBe(escaped);
    expect(delivery).toMatchObject({ conversationId: 'conv-2', eventType: 'ContentEvent', body: escaped });
  });

  it('signs with another secret when asked, which the receiver refuses to verify', async () => {
    const target = await receiver();
    await sim.webhooks.send(target.url, textNotification('conv-1', 0, 'x'), { clientSecret: 'not-the-secret' });
    expect(target.received[0]?.verifiedWith).toBeUndefined();
  });
});

describe('delivery and redelivery (current policy)', () => {
  it('retries on 500 with doubling back-off until a 200', async () => {
    const answers = [500, 500, 200];
    const target = await receiver(() => answers.shift() ?? 200);
    // 20 ms, then 40 ms: long enough to measure.
    const delivery = await sim.webhooks.send(target.url, textNotification('conv-1', 0, 'retry me'), { redelivery: { backoffScale: 0.01 } });

    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
    const ends = delivery.attempts.map((attempt) => attempt.at + attempt.durationMs);
    expect(delivery.attempts[1]!.at - ends[0]!).toBeGreaterThanOrEqual(19);
    expect(delivery.attempts[2]!.at - ends[1]!).toBeGreaterThanOrEqual(39);
    expect(target.received.every((request) => request.verifiedWith === 'sha1' && request.raw.equals(target.received[0]!.raw))).toBe(true);
  });

  it('counts 200 and 201 as delivered, anything else as failed', async () => {
    const answers = [204, 302, 400, 201];
    const target = await receiver(() => answers.shift() ?? 200);
    const delivery = await sim.webhooks.send(target.url, textNotification('conv-1', 0, 'x'), { redelivery: fast });
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([204, 302, 400, 201]);
    expect(delivery.state).toBe('delivered');
  });

  it('retries after a timeout and after a refused connection', async () => {
    const answers: Answer[] = [{ status: 200, delayMs: 600 }, 200];
    const slow = await receiver(() => answers.shift() ?? 200);
    const timedOut = await sim.webhooks.send(slow.url, textNotification('conv-1', 0, 'slow'), { timeoutMs: 150, redelivery: fast });
    expect(timedOut.state).toBe('delivered');
    expect(timedOut.attempts[0]).toMatchObject({ error: 'timed out after 150 ms' });
    expect(timedOut.attempts[0]?.status).toBeUndefined();
    expect(timedOut.attempts[1]).toMatchObject({ status: 200 });

    const refused = await sim.webhooks.send(`http://127.0.0.1:${await closedPort()}/webhook`, textNotification('conv-1', 1, 'nobody'), {
      redelivery: { policy: 'legacy', backoffScale: 0.0001, maxRetries: 2 },
    });
    expect(refused).toMatchObject({ state: 'dropped', dropReason: 'retries-exhausted' });
    expect(refused.attempts.map((attempt) => attempt.error)).toEqual(Array(3).fill(expect.stringMatching(/ECONNREFUSED/)));
  });

  it('keeps order within a conversation while another conversation’s events flow', async () => {
    let failuresLeft = 3;
    const target = await receiver((request) => (messageOf(request.json) === 'A0' && failuresLeft-- > 0 ? 500 : 200));
    const redelivery = { backoffScale: 0.01 }; // 20 ms, 40 ms, 80 ms
    const sent = ['A0', 'B0', 'A1', 'B1', 'A2', 'B2'].map((message) =>
      sim.webhooks.send(target.url, textNotification(`conv-${message[0]}`, Number(message[1]), message), { redelivery }),
    );
    await sim.webhooks.idle();
    const deliveries = await Promise.all(sent);

    expect(deliveries.every((delivery) => delivery.state === 'delivered')).toBe(true);
    const arrivals = target.received.map((request) => `${messageOf(request.json)}:${request.status}`);
    expect(arrivals.filter((arrival) => arrival.startsWith('A'))).toEqual(['A0:500', 'A0:500', 'A0:500', 'A0:200', 'A1:200', 'A2:200']);
    // conv-B was not held up by conv-A's failing first event.
    expect(arrivals.indexOf('B2:200')).toBeLessThan(arrivals.indexOf('A0:200'));
  });

  it('drops an event when its retention time runs out, then delivers the next one of its conversation', async () => {
    const target = await receiver((request) => (messageOf(request.json) === 'doomed' ? 503 : 200));
    const doomed = sim.webhooks.send(target.url, textNotification('conv-1', 0, 'doomed'), {
      redelivery: { backoffScale: 0.005, retentionMs: 60 },
    });
    // Retention counts from when an event is produced, waiting included: the next one gets more of it.
    const next = sim.webhooks.send(target.url, textNotification('conv-1', 1, 'next'), { redelivery: { retentionMs: 10_000 } });

    const [dropped, delivered] = await Promise.all([doomed, next]);
    expect(dropped).toMatchObject({ state: 'dropped', dropReason: 'retention-expired' });
    expect(dropped.attempts.length).toBeGreaterThanOrEqual(2);
    expect(dropped.attempts.every((attempt) => attempt.status === 503)).toBe(true);
    expect(delivered.state).toBe('delivered');
    expect(delivered.attempts).toHaveLength(1);
    expect(delivered.attempts[0]!.at).toBeGreaterThanOrEqual(dropped.settledAt!);
  });
});

describe('legacy policy', () => {
  it('retries 5 times 30 s apart (scaled), then drops, without holding back the conversation', async () => {
    const target = await receiver((request) => (messageOf(request.json) === 'doomed' ? 500 : 200));
    const redelivery: RedeliveryOptions = { policy: 'legacy', backoffScale: 0.001 };
    const doomed = sim.webhooks.send(target.url, textNotification('conv-1', 0, 'doomed'), { redelivery });
    const next = sim.webhooks.send(target.url, textNotification('conv-1', 1, 'next'), { redelivery });

    const [dropped, delivered] = await Promise.all([doomed, next]);
    expect(dropped).toMatchObject({ state: 'dropped', dropReason: 'retries-exhausted' });
    expect(dropped.attempts).toHaveLength(6);
    for (let index = 1; index < dropped.attempts.length; index += 1) {
      expect(dropped.attempts[index]!.at - dropped.attempts[index - 1]!.at).toBeGreaterThanOrEqual(29);
    }
    expect(delivered.state).toBe('delivered');
    expect(delivered.settledAt!).toBeLessThan(dropped.settledAt!);
  });

  it('takes another retry count', async () => {
    const target = await receiver(() => 500);
    const delivery = await sim.webhooks.send(target.url, textNotification('conv-1', 0, 'x'), {
      redelivery: { policy: 'legacy', backoffScale: 0.0001, maxRetries: 2 },
    });
    expect(delivery.attempts).toHaveLength(3);
    expect(delivery.dropReason).toBe('retries-exhausted');
  });
});

describe('duplicates', () => {
  it('redeliver() sends the same bytes and signature again, as a new delivery', async () => {
    const target = await receiver();
    const original = await sim.webhooks.send(target.url, textNotification('conv-1', 0, 'twice 👯'), { algorithm: 'sha256' });
    const duplicate = await sim.webhooks.redeliver(original.id);

    expect(duplicate).toMatchObject({ state: 'delivered', duplicateOf: original.id, body: original.body, conversationId: 'conv-1' });
    expect(duplicate.id).not.toBe(original.id);
    const [first, second] = target.received;
    expect(second?.raw.equals(first!.raw)).toBe(true);
    expect(second?.headers['x-liveperson-signature']).toBe(first?.headers['x-liveperson-signature']);
    expect(second?.verifiedWith).toBe('sha256');
    await expect(sim.webhooks.redeliver('delivery-404')).rejects.toThrow(/No delivery/);
  });

  it('duplicateEvery sends every Nth notification twice, right after the original', async () => {
    const target = await receiver();
    const { conversationId, say } = await connectorConsumer(sim);
    sim.webhooks.subscribe({ url: target.url, events: ['ContentEvent'], duplicateEvery: 2 });
    for (const text of ['one', 'two', 'three', 'four']) await say(text);
    await sim.webhooks.idle();

    expect(target.received.map((request) => messageOf(request.json))).toEqual(['one', 'two', 'two', 'three', 'four', 'four']);
    expect(target.received[2]?.raw.equals(target.received[1]!.raw)).toBe(true);
    expect(target.received[2]?.headers['x-liveperson-signature']).toBe(target.received[1]?.headers['x-liveperson-signature']);
    const records = sim.webhooks.deliveries({ conversationId });
    expect(records.map((record) => record.duplicateOf !== undefined)).toEqual([false, false, true, false, false, true]);
    expect(records[2]?.duplicateOf).toBe(records[1]?.id);
  });
});

describe('subscriptions fed by the Connector API', () => {
  it('turns a whole conversation into notifications with the store’s sequences and timestamps', async () => {
    const all = await receiver();
    const textOnly = await receiver();
    const subscription = sim.webhooks.subscribe({ url: all.url, algorithm: 'sha256' });
    sim.webhooks.subscribe({ url: textOnly.url, events: ['ContentEvent'] });
    expect(subscription).toMatchObject({ url: all.url, algorithm: 'sha256', events: expect.arrayContaining(['ChatStateEvent']) });

    const { conversationId, say, publish, close } = await connectorConsumer(sim);
    await say('Hello 👋');
    const agentSequence = sim.connector.sendAgentMessage(conversationId, 'How can I help? 你好');
    await publish({ type: 'ChatStateEvent', chatState: 'COMPOSING' });
    await publish({ type: 'AcceptStatusEvent', status: 'READ', sequenceList: [agentSequence] });
    await close();
    await sim.webhooks.idle();

    const [stored] = sim.connector.conversations();
    const messages = stored!.messages;
    const consumer = { id: 'ext-consumer-1', role: 'CONSUMER' };
    const agent = { id: SIMULATED_AGENT_ID, role: 'ASSIGNED_AGENT' };
    const messaging = (index: number, event: unknown, originator: { id: string; role: string }, stamped = true) => ({
      kind: 'notification',
      type: 'ms.MessagingEventNotification',
      body: {
        changes: [
          {
            ...(stamped ? { sequence: messages[index]!.sequence } : {}),
            originatorId: originator.id,
            originatorMetadata: originator,
            ...(stamped ? { serverTimestamp: messages[index]!.serverTimestamp } : {}),
            event,
            // The main dialog names the conversation, as in LivePerson's webhook examples.
            dialogId: conversationId,
          },
        ],
      },
    });
    const conversation = (state: 'OPEN' | 'CLOSE', participants: unknown[], metaDataLastUpdateTs: number, extra: object = {}) => ({
      kind: 'notification',
      type: 'cqm.ExConversationChangeNotification',
      body: {
        changes: [
          {
            type: 'UPSERT',
            result: {
              convId: conversationId,
              effectiveTTR: state === 'OPEN' ? stored!.startTs + 3_600_000 : -1,
              conversationDetails: {
                skillId: '-1',
                participants,
                dialogs: [
                  {
                    dialogId: conversationId,
                    participantsDetails: (participants as Array<{ id: string; role: string }>).map((p) => ({ ...p, state: 'ACTIVE' })),
                    dialogType: 'MAIN',
                    channelType: 'MESSAGING',
                    state,
                    creationTs: stored!.startTs,
                    ...(state === 'CLOSE' ? { endTs: stored!.closeTs } : {}),
                    metaDataLastUpdateTs: state === 'CLOSE' ? stored!.closeTs : stored!.startTs,
                    ...(state === 'CLOSE' ? { closedBy: 'CONSUMER' } : {}),
                  },
                ],
                brandId: sim.accountId,
                state,
                stage: state,
                ...extra,
                startTs: stored!.startTs,
                metaDataLastUpdateTs,
                ttr: { ttrType: 'NORMAL', value: 3600 },
                conversationHandlerDetails: { accountId: sim.accountId, skillId: '-1' },
              },
            },
          },
        ],
      },
    });

    expect(all.received.map((request) => request.json)).toEqual([
      conversation('OPEN', [consumer], stored!.startTs),
      messaging(0, { type: 'ContentEvent', message: 'Hello 👋', contentType: 'text/plain' }, consumer),
      conversation('OPEN', [consumer, agent], messages[1]!.serverTimestamp),
      messaging(1, { type: 'ContentEvent', message: 'How can I help? 你好', contentType: 'text/plain' }, agent),
      messaging(2, { type: 'ChatStateEvent', chatState: 'COMPOSING' }, consumer, false),
      messaging(3, { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [1] }, consumer),
      conversation('CLOSE', [consumer, agent], stored!.closeTs!, { closeReason: 'CONSUMER' }),
    ]);
    expect(all.received.every((request) => request.verifiedWith === 'sha256')).toBe(true);
    expect(textOnly.received.map((request) => [messageOf(request.json), request.verifiedWith])).toEqual([
      ['Hello 👋', 'sha1'],
      ['How can I help? 你好', 'sha1'],
    ]);
    expect(sim.webhooks.deliveries({ url: all.url }).map((record) => record.eventType)).toEqual([
      'ExConversationChangeNotification',
      'ContentEvent',
      'ExConversationChangeNotification',
      'ContentEvent',
      'ChatStateEvent',
      'AcceptStatusEvent',
      'ExConversationChangeNotification',
    ]);
  });

  it('an agent closing shows the agent as participant and the close reason', async () => {
    const target = await receiver();
    sim.webhooks.subscribe({ url: target.url, events: ['ExConversationChangeNotification'] });
    const { conversationId } = await connectorConsumer(sim);
    sim.connector.closeConversation(conversationId);
    await sim.webhooks.idle();

    type ConversationBody = { body: { changes: Array<{ result: { conversationDetails: Record<string, unknown> } }> } };
    const details = target.received.map((request) => (request.json as ConversationBody).body.changes[0]?.result.conversationDetails);
    expect(details).toEqual([
      expect.objectContaining({ state: 'OPEN', participants: [{ id: 'ext-consumer-1', role: 'CONSUMER' }] }),
      expect.objectContaining({
        state: 'CLOSE',
        closeReason: 'AGENT',
        participants: [
          { id: 'ext-consumer-1', role: 'CONSUMER' },
          { id: SIMULATED_AGENT_ID, role: 'ASSIGNED_AGENT' },
        ],
      }),
    ]);
  });

  it('keeps a conversation’s notifications in order behind a failing one; unsubscribe stops new ones', async () => {
    let failures = 2;
    const target = await receiver(() => (failures-- > 0 ? 500 : 200));
    const subscription = sim.webhooks.subscribe({ url: target.url, redelivery: fast });
    const { say } = await connectorConsumer(sim);
    await say('first');
    await say('second');
    await sim.webhooks.idle();
    expect(target.accepted().map((json) => messageOf(json) ?? 'conversation')).toEqual(['conversation', 'first', 'second']);
    expect(target.received.slice(0, 3).map((request) => request.status)).toEqual([500, 500, 200]);

    subscription.unsubscribe();
    expect(sim.webhooks.subscriptions()).toEqual([]);
    await say('unheard');
    await sim.webhooks.idle();
    expect(target.received).toHaveLength(5);
  });

  it('refuses a bad url or event type', () => {
    expect(() => sim.webhooks.subscribe({ url: 'ftp://example.invalid/' })).toThrow(/http/);
    expect(() => sim.webhooks.subscribe({ url: 'http://127.0.0.1:1/', events: ['TypingEvent' as never] })).toThrow(/Unknown/);
    expect(() => sim.webhooks.subscribe({ url: 'http://127.0.0.1:1/', duplicateEvery: 0 })).toThrow(/duplicateEvery/);
  });
});

describe('close()', () => {
  it('drops pending deliveries, aborts tries in flight and leaves no timer or socket behind', async () => {
    const failing = await receiver(() => 500);
    const hanging = await receiver(() => 'hang');
    const baseline = activeResources();

    const own = await startLivePersonSimulator();
    const waiting = own.webhooks.send(failing.url, textNotification('conv-1', 0, 'waits 2 s to retry'));
    const queued = own.webhooks.send(failing.url, textNotification('conv-1', 1, 'queued behind'));
    const inFlight = own.webhooks.send(hanging.url, textNotification('conv-2', 0, 'never answered'));
    while (failing.received.length === 0 || hanging.received.length === 0) await sleep(5);
    await sleep(20);
    // The retry wait and the try in flight hold timers: what close() must clear.
    expect(activeResources().Timeout ?? 0).toBeGreaterThan(baseline.Timeout ?? 0);

    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    const settled: WebhookDelivery[] = await Promise.all([waiting, queued, inFlight]);
    expect(settled.map((delivery) => [delivery.state, delivery.dropReason, delivery.attempts.length])).toEqual([
      ['dropped', 'simulator-closed', 1],
      ['dropped', 'simulator-closed', 0],
      ['dropped', 'simulator-closed', 1],
    ]);
    expect(settled[2]?.attempts[0]?.error).toBeDefined();
    await own.webhooks.idle();
    await expect(own.webhooks.send(failing.url, textNotification('conv-1', 2, 'late'))).rejects.toThrow(/closed/);

    // Sockets close on the next turns of the event loop.
    for (let turn = 0; turn < 50 && !sameOrFewer(activeResources(), baseline); turn += 1) await sleep(10);
    expect(sameOrFewer(activeResources(), baseline), JSON.stringify({ now: activeResources(), baseline })).toBe(true);
  });
});

describe('send() with a hand-built body', () => {
  it('delivers several changes of different conversations in one body, ordered by its first change', async () => {
    const target = await receiver();
    const common = { participants: [], brandId: sim.accountId, startTs: 1 };
    const body = conversationNotification(
      conversationChange({ ...common, convId: 'conv-1', state: 'OPEN', metaDataLastUpdateTs: 1 }),
      conversationChange({ ...common, type: 'DELETE', convId: 'conv-2', state: 'CLOSE', metaDataLastUpdateTs: 2 }),
    );
    const delivery = await sim.webhooks.send(target.url, body);
    expect(delivery).toMatchObject({ state: 'delivered', conversationId: 'conv-1', eventType: 'ExConversationChangeNotification' });
    const change = chatStateEventChange({ conversationId: 'conv-3', originatorId: 'c', role: 'CONSUMER', chatState: 'ACTIVE' });
    const typing = await sim.webhooks.send(target.url, messagingNotification(change));
    expect(typing).toMatchObject({ state: 'delivered', conversationId: 'conv-3', eventType: 'ChatStateEvent' });
    expect(target.received.map((request) => request.json)).toEqual([
      body,
      expect.objectContaining({ type: 'ms.MessagingEventNotification' }),
    ]);
  });
});

// ---- helpers ----

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of process.getActiveResourcesInfo()) {
    if (resource === 'Timeout' || resource.startsWith('TCP')) counts[resource] = (counts[resource] ?? 0) + 1;
  }
  return counts;
}

function sameOrFewer(now: Record<string, number>, baseline: Record<string, number>): boolean {
  return Object.entries(now).every(([resource, count]) => count <= (baseline[resource] ?? 0));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A consumer with an open conversation, through the Connector API as a client would use it. */
async function connectorConsumer(simulator: LivePersonSimulator) {
  const appJwt = await fetchAppJwt(simulator);
  const consumerJws = await fetchConsumerJws(simulator, appJwt, 'ext-consumer-1');
  const base = `${simulator.url}/api/account/${simulator.accountId}/messaging/consumer/conversation`;
  const headers = { authorization: appJwt, 'x-lp-on-behalf': consumerJws };
  const opened = await postJson(
    `${base}?v=3`,
    [
      { kind: 'req', id: '1', type: 'userprofile.SetUserProfile', body: {} },
      {
        kind: 'req',
        id: '2',
        type: 'cm.ConsumerRequestConversation',
        body: { brandId: simulator.accountId, channelType: 'MESSAGING', skillId: '-1' },
      },
    ],
    headers,
  );
  expect(opened.status).toBe(200);
  const conversationId = (opened.body as Array<{ body: { conversationId: string } }>)[1]!.body.conversationId;
  let requestId = 10;
  const send = async (type: string, body: unknown) => {
    const response = await postJson(`${base}/send?v=3`, { kind: 'req', id: String(requestId++), type, body }, headers);
    expect(response.status).toBe(200);
  };
  const publish = (event: unknown) => send('ms.PublishEvent', { dialogId: conversationId, event });
  return {
    conversationId,
    send,
    publish,
    say: (message: string) => publish({ type: 'ContentEvent', contentType: 'text/plain', message }),
    close: () =>
      send('cm.UpdateConversationField', {
        conversationId,
        conversationField: { field: 'ConversationStateField', conversationState: 'CLOSE' },
      }),
  };
}

describe("the shapes of LivePerson's published examples", () => {
  const changesOf = (bodies: unknown[]) =>
    bodies.map((body) => (body as { type: string; body: { changes: Array<Record<string, unknown>> } }).body.changes[0]!);

  it('sends a shared file as a hosted/file ContentEvent and quick replies inside the event, naming the dialog only', async () => {
    const target = await receiver();
    sim.webhooks.subscribe({ url: target.url, events: ['ContentEvent'] });
    const { conversationId, say } = await connectorConsumer(sim);
    await say('hi');
    const file = sim.connector.consumerSharesFile(conversationId, { caption: 'my receipt', fileType: 'JPG' });
    sim.connector.sendAgentMessage(conversationId, 'Did that help?', { quickReplies: quickRepliesContent(['Yes', 'No']) });
    await sim.webhooks.idle();

    const [, shared, offered] = changesOf(target.accepted());
    expect(file.relativePath).toMatch(
      new RegExp(
        `^/v1/AUTH_async-images/le${sim.accountId}/[0-9a-f-]{36}_uuid_[0-9a-f-]{36}_\\d{2}-\\d{2}-\\d{4}_\\d{2}-\\d{2}-\\d{2}-\\d{3}\\.JPG$`,
      ),
    );
    expect(shared).toEqual({
      sequence: file.sequence,
      originatorId: 'ext-consumer-1',
      originatorMetadata: { id: 'ext-consumer-1', role: 'CONSUMER' },
      serverTimestamp: expect.any(Number),
      event: {
        type: 'ContentEvent',
        contentType: 'hosted/file',
        message: { caption: 'my receipt', relativePath: file.relativePath, fileType: 'JPG' },
      },
      dialogId: conversationId,
    });
    expect(shared).not.toHaveProperty('conversationId');
    expect(offered?.event).toEqual({
      type: 'ContentEvent',
      contentType: 'text/plain',
      message: 'Did that help?',
      quickReplies: {
        type: 'quickReplies',
        itemsPerRow: 8,
        replies: ['Yes', 'No'].map((answer, index) => ({
          type: 'button',
          tooltip: answer,
          title: answer,
          click: { actions: [{ type: 'publishText', text: answer }], metadata: [{ type: 'ExternalId', id: `answer-${index + 1}` }] },
        })),
      },
    });
  });

  it('runs a post-conversation survey: state CLOSE with stage OPEN, a survey dialog, its question with quick replies, then the stage closes', async () => {
    const target = await receiver();
    sim.webhooks.subscribe({ url: target.url });
    const { conversationId, say, send } = await connectorConsumer(sim);
    await say('thanks, bye');
    const survey = sim.connector.startSurvey(conversationId, { text: 'Rate us?', answers: ['1', '2'] });
    // The survey dialog counts its own sequence from 0.
    expect(survey.sequence).toBe(0);
    const answer = sim.connector.consumerSays(conversationId, '2', { metadata: [{ type: 'ExternalId', id: 'answer-2' }] });
    // A connector answers in the survey's dialog, by its id, through the Connector API.
    await send('ms.PublishEvent', {
      dialogId: survey.dialogId,
      event: { type: 'ContentEvent', contentType: 'text/plain', message: 'great bot' },
    });
    sim.connector.closeConversation(conversationId);
    await sim.webhooks.idle();

    type Change = Record<string, unknown> & {
      result: { effectiveTTR?: number; conversationDetails: { dialogs: unknown[]; stage?: string } };
    };
    const bodies = target.accepted() as Array<{ type: string; body: { changes: Change[] } }>;
    const conversationChanges = bodies
      .filter((body) => body.type === 'cqm.ExConversationChangeNotification')
      .map((body) => body.body.changes[0]!.result);
    const surveyStarted = conversationChanges.find(
      (result) => result.conversationDetails.dialogs.length === 2 && result.conversationDetails.stage === 'OPEN',
    );
    expect(surveyStarted?.conversationDetails).toMatchObject({
      state: 'CLOSE',
      stage: 'OPEN',
      closeReason: 'AGENT',
      dialogs: [
        { dialogId: conversationId, dialogType: 'MAIN', state: 'CLOSE', closedBy: 'AGENT' },
        { dialogId: survey.dialogId, dialogType: 'POST_SURVEY', state: 'OPEN' },
      ],
      participants: expect.arrayContaining([
        { id: SIMULATED_CONTROLLER_ID, role: 'CONTROLLER' },
        { id: SIMULATED_SURVEY_BOT_ID, role: 'AGENT' },
      ]),
    });
    expect(surveyStarted?.effectiveTTR).toBe(-1);

    const messaging = bodies.filter((body) => body.type === 'ms.MessagingEventNotification').map((body) => body.body.changes[0]!);
    // Survey changes name their conversation as well as their own dialog.
    const inSurvey = (sequence: number) => messaging.find((change) => change.dialogId === survey.dialogId && change.sequence === sequence);
    expect(inSurvey(survey.sequence)).toMatchObject({
      originatorMetadata: { id: SIMULATED_SURVEY_BOT_ID, role: 'AGENT' },
      conversationId,
      dialogId: survey.dialogId,
      event: { type: 'ContentEvent', message: 'Rate us?', quickReplies: { type: 'quickReplies' } },
    });
    expect(inSurvey(answer)).toMatchObject({
      originatorMetadata: { role: 'CONSUMER' },
      conversationId,
      dialogId: survey.dialogId,
      metadata: [{ type: 'ExternalId', id: 'answer-2' }],
      event: { type: 'ContentEvent', message: '2' },
    });
    expect(messaging.find((change) => (change.event as { message?: string }).message === 'great bot')).toMatchObject({
      conversationId,
      dialogId: survey.dialogId,
      sequence: answer + 1,
    });
    expect(conversationChanges.at(-1)?.conversationDetails).toMatchObject({
      state: 'CLOSE',
      stage: 'CLOSE',
      closeReason: 'AGENT',
      dialogs: [{ state: 'CLOSE' }, { dialogType: 'POST_SURVEY', state: 'CLOSE', closedBy: 'AGENT' }],
    });
    expect(() => sim.connector.consumerSays(conversationId, 'late')).toThrow(/CLOSED/);
  });
});

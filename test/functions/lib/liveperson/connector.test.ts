import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerJwsStore } from '#functions/lib/liveperson/consumer-jws.ts';
import { ConnectorClient, isConversationClosedError } from '#functions/lib/liveperson/connector.ts';
import { LivePersonApiError, LivePersonNetworkError } from '#functions/lib/liveperson/errors.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { clientsFor } from '#test/support/platform.ts';

class MemoryJwsStore implements ConsumerJwsStore {
  readonly values = new Map<string, string>();
  readonly forgotten: string[] = [];
  async get(id: string) {
    return this.values.get(id);
  }
  async put(id: string, jws: string) {
    this.values.set(id, jws);
  }
  async forget(id: string, jws: string) {
    this.forgotten.push(jws);
    if (this.values.get(id) === jws) this.values.delete(id);
  }
}

describe('ConnectorClient (LivePerson simulator)', () => {
  let sim: LivePersonSimulator;
  let store: MemoryJwsStore;
  let connector: ConnectorClient;
  let clients: ReturnType<typeof clientsFor>;

  beforeEach(async () => {
    sim = await startLivePersonSimulator();
    store = new MemoryJwsStore();
    clients = clientsFor(sim, { store });
    connector = new ConnectorClient({
      accountId: sim.accountId,
      http: clients.http,
      domains: clients.domains,
      appJwt: clients.appJwt,
      consumerJws: clients.consumerJws,
      forgetConsumerJws: (id, jws) => store.forget(id, jws),
    });
  });
  afterEach(() => sim.close());

  const connectorRequests = () => sim.requests({ service: 'asyncMessagingEnt' });

  it('opens a conversation with the profile first and skill routing, as the consumer', async () => {
    const sdes = [{ type: 'personal', personal: { firstname: 'Ada', lastname: 'Lovelace' } }];
    const conversationId = await connector.openConversation('consumer-1', { routing: { skillId: '42' }, sdes, ttrDefName: 'URGENT' });

    expect(sim.connector.conversations()).toEqual([
      expect.objectContaining({
        conversationId,
        consumerId: 'consumer-1',
        state: 'OPEN',
        skillId: '42',
        ttrDefName: 'URGENT',
        userProfile: { authenticatedData: { lp_sdes: sdes } },
      }),
    ]);
    const [request] = connectorRequests();
    expect(request?.path).toBe(`/api/account/${sim.accountId}/messaging/consumer/conversation`);
    expect(request?.query).toEqual({ v: '3' });
    expect(request?.headers.authorization).not.toMatch(/^Bearer /);
    expect(request?.headers['x-lp-on-behalf']).toBe(store.values.get('consumer-1'));
    expect(JSON.parse(request?.body ?? '')[0]).toMatchObject({ kind: 'req', type: 'userprofile.SetUserProfile' });
  });

  it('routes by campaign and engagement, with an empty profile when no SDEs are given', async () => {
    await connector.openConversation('consumer-2', { routing: { campaignInfo: { campaignId: '99', engagementId: '88' } } });
    expect(sim.connector.conversations()[0]).toMatchObject({ campaignInfo: { campaignId: '99', engagementId: '88' }, userProfile: {} });
  });

  it('publishes text, typing and read receipts, and closes', async () => {
    const conversationId = await connector.openConversation('consumer-3', { routing: { skillId: '-1' } });
    expect(
      await connector.publish('consumer-3', conversationId, { type: 'ContentEvent', contentType: 'text/plain', message: 'hello' }),
    ).toEqual({
      sequence: 0,
    });
    const agentSequence = sim.connector.sendAgentMessage(conversationId, 'hi, how can I help?');
    await connector.publish('consumer-3', conversationId, { type: 'ChatStateEvent', chatState: 'COMPOSING' });
    await connector.publish('consumer-3', conversationId, { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [agentSequence] });
    await connector.closeConversation('consumer-3', conversationId);

    const [conversation] = sim.connector.conversations();
    expect(conversation?.state).toBe('CLOSE');
    expect(conversation?.closedBy).toBe('CONSUMER');
    expect(conversation?.messages.map((m) => m.event)).toEqual([
      { type: 'ContentEvent', contentType: 'text/plain', message: 'hello' },
      { type: 'ContentEvent', contentType: 'text/plain', message: 'hi, how can I help?' },
      { type: 'ChatStateEvent', chatState: 'COMPOSING' },
      { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [agentSequence] },
    ]);
  });

  it('recognises a closed conversation by its CONVERSATION_CLOSED answer, and only that 400', async () => {
    const conversationId = await connector.openConversation('consumer-4', { routing: { skillId: '-1' } });
    sim.connector.closeConversation(conversationId);
    const closed = await connector
      .publish('consumer-4', conversationId, { type: 'ChatStateEvent', chatState: 'ACTIVE' })
      .catch((e: unknown) => e);
    expect(isConversationClosedError(closed)).toBe(true);

    const foreign = await connector
      .publish('consumer-5', conversationId, { type: 'ChatStateEvent', chatState: 'ACTIVE' })
      .catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(LivePersonApiError);
    expect(foreign).toMatchObject({ status: 400, code: 'NOT_CONVERSATION_PARTICIPANT' });
    expect(isConversationClosedError(foreign)).toBe(false);
  });

  it('reads an error entry inside a 200 answer to the open request', async () => {
    sim.fail({
      service: 'asyncMessagingEnt',
      status: 200,
      body: [
        { code: 'OK', body: {}, reqId: '1' },
        { code: 400, reqId: '2', body: { errorCode: 'CONVERSATION_ALREADY_OPEN', message: 'Consumer already has an open conversation' } },
      ],
    });
    await expect(connector.openConversation('consumer-6', { routing: { skillId: '-1' } })).rejects.toMatchObject({
      status: 400,
      code: 'CONVERSATION_ALREADY_OPEN',
      retryable: false,
    });
  });

  it('refreshes an expired AppJWT once (401 40102) and goes on', async () => {
    const conversationId = await connector.openConversation('consumer-7', { routing: { skillId: '-1' } });
    sim.expireAppJwts();
    await connector.publish('consumer-7', conversationId, { type: 'ContentEvent', contentType: 'text/plain', message: 'after expiry' });
    expect(connectorRequests().map((r) => r.status)).toEqual([200, 401, 200]);
    expect(clients.appJwt.fetchCount).toBe(2);
  });

  it('drops a rejected consumer JWS (401 40103) from memory and the store, fetches a new one and retries once', async () => {
    store.values.set('consumer-8', 'not.a-valid.jws');
    const conversationId = await connector.openConversation('consumer-8', { routing: { skillId: '-1' } });

    expect(store.forgotten).toEqual(['not.a-valid.jws']);
    expect(store.values.get('consumer-8')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(store.values.get('consumer-8')).not.toBe('not.a-valid.jws');
    expect(clients.consumerJws.fetchCount).toBe(1);
    expect(connectorRequests().map((r) => r.status)).toEqual([401, 200]);
    expect(sim.connector.conversations()[0]?.conversationId).toBe(conversationId);
  });

  it('does not publish, open or close twice when an attempt times out after LivePerson got it', async () => {
    const waits: number[] = [];
    const impatient = new ConnectorClient({
      accountId: sim.accountId,
      http: new LivePersonHttpClient({ timeoutMs: 150, sleep: async (ms) => void waits.push(ms) }),
      domains: clients.domains,
      appJwt: clients.appJwt,
      consumerJws: clients.consumerJws,
    });
    const conversationId = await impatient.openConversation('consumer-10', { routing: { skillId: '-1' } });
    const slowly = <T>(call: () => Promise<T>) => {
      // LivePerson applies the request, but answers after the attempt's timeout.
      sim.fail({ service: 'asyncMessagingEnt', delayMs: 400 });
      return call().catch((e: unknown) => e);
    };

    const published = await slowly(() =>
      impatient.publish('consumer-10', conversationId, { type: 'ContentEvent', contentType: 'text/plain', message: 'once' }),
    );
    expect(published).toBeInstanceOf(LivePersonNetworkError);
    expect(published).toMatchObject({ timedOut: true, retryable: true });
    expect(await slowly(() => impatient.openConversation('consumer-11', { routing: { skillId: '-1' } }))).toBeInstanceOf(
      LivePersonNetworkError,
    );
    expect(await slowly(() => impatient.closeConversation('consumer-10', conversationId))).toBeInstanceOf(LivePersonNetworkError);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(waits).toEqual([]);
    expect(connectorRequests()).toHaveLength(4);
    const consumerMessages = sim.connector.conversations()[0]?.messages.filter((m) => m.originator === 'CONSUMER');
    expect(consumerMessages?.map((m) => m.event)).toEqual([{ type: 'ContentEvent', contentType: 'text/plain', message: 'once' }]);
    expect(sim.connector.conversations().filter((c) => c.consumerId === 'consumer-11')).toHaveLength(1);
  });

  it('does not retry a rejected request', async () => {
    sim.fail({
      service: 'asyncMessagingEnt',
      status: 400,
      body: { kind: 'resp', code: 400, body: { errorCode: 'INVALID_REQUEST', message: 'bad' } },
    });
    await expect(connector.openConversation('consumer-9', { routing: { skillId: '-1' } })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
    });
    expect(connectorRequests()).toHaveLength(1);
  });
});

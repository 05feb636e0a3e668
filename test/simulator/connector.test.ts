import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATED_AGENT_ID, startLivePersonSimulator } from '#simulator/index.ts';
import type { ConversationChange, LivePersonSimulator, MessagePublished } from '#simulator/index.ts';
import { conversationRequests, fetchAppJwt, fetchConsumerJws, postJson } from './helpers.ts';

let sim: LivePersonSimulator;
let appJwt: string;
let consumerJws: string;

const openUrl = () => `${sim.url}/api/account/${sim.accountId}/messaging/consumer/conversation?v=3`;
const sendUrl = () => `${sim.url}/api/account/${sim.accountId}/messaging/consumer/conversation/send?v=3`;
const auth = (jws = consumerJws) => ({ authorization: appJwt, 'x-lp-on-behalf': jws });

function openRequests(overrides: Record<string, unknown> = {}) {
  return conversationRequests(sim.accountId, {
    profile: { authenticatedData: { lp_sdes: [] } },
    conversation: {
      campaignInfo: { campaignId: 99, engagementId: 88 },
      skillId: '-1',
      ttrDefName: 'NORMAL',
      conversationContext: { type: 'SharkContext', lang: 'en-US' },
      ...overrides,
    },
  });
}

async function openConversation(jws = consumerJws): Promise<string> {
  const response = await postJson(openUrl(), openRequests(), auth(jws));
  expect(response.status).toBe(200);
  const answers = response.body as Array<{ body: { conversationId?: string } }>;
  return answers[1]?.body.conversationId ?? '';
}

function publish(id: string, dialogId: string, event: Record<string, unknown>, jws = consumerJws) {
  return postJson(sendUrl(), { kind: 'req', id, type: 'ms.PublishEvent', body: { dialogId, event } }, auth(jws));
}

function close(id: string, conversationId: string) {
  return postJson(
    sendUrl(),
    {
      kind: 'req',
      id,
      type: 'cm.UpdateConversationField',
      body: { conversationId, conversationField: { field: 'ConversationStateField', conversationState: 'CLOSE' } },
    },
    auth(),
  );
}

beforeEach(async () => {
  sim = await startLivePersonSimulator();
  appJwt = await fetchAppJwt(sim);
  consumerJws = await fetchConsumerJws(sim, appJwt, 'ext-consumer-1');
});
afterEach(async () => {
  await sim.close();
});

describe('Connector API: opening a conversation', () => {
  it('answers both requests and keeps the conversation with its routing', async () => {
    const response = await postJson(openUrl(), openRequests(), auth());
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: '1' },
      { code: 'OK', body: { conversationId: expect.stringMatching(/^[0-9a-f-]{36}$/) }, reqId: '2' },
    ]);
    const conversationId = (response.body as Array<{ body: { conversationId: string } }>)[1]?.body.conversationId;
    expect(sim.connector.conversations()).toEqual([
      expect.objectContaining({
        conversationId,
        consumerId: 'ext-consumer-1',
        state: 'OPEN',
        skillId: '-1',
        campaignInfo: { campaignId: 99, engagementId: 88 },
        userProfile: { authenticatedData: { lp_sdes: [] } },
        messages: [],
      }),
    ]);
  });

  it('refuses a second open conversation for the same consumer, not for another consumer', async () => {
    await openConversation();
    const again = await postJson(openUrl(), openRequests(), auth());
    expect(again.status).toBe(400);
    expect(again.body).toEqual([
      { code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: '1' },
      { code: 400, reqId: '2', body: { errorCode: 'CONVERSATION_ALREADY_OPEN', message: expect.any(String) } },
    ]);
    const otherJws = await fetchConsumerJws(sim, appJwt, 'ext-consumer-2');
    await openConversation(otherJws);
    expect(sim.connector.conversations()).toHaveLength(2);
  });

  it('400 when SetUserProfile is missing or not first, or a request is malformed', async () => {
    const [profile, conversation] = openRequests();
    for (const body of [
      [conversation],
      [conversation, profile],
      [profile],
      { ...profile },
      openRequests({ channelType: 'CHAT' }),
      openRequests({ brandId: '999' }),
      openRequests({ ttrDefName: 'SOON' }),
    ]) {
      const response = await postJson(openUrl(), body, auth());
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toMatchObject({ kind: 'resp', code: 400, body: { errorCode: 'INVALID_REQUEST' } });
    }
    expect((await postJson(openUrl().replace('v=3', 'v=2'), openRequests(), auth())).status).toBe(400);
    expect(sim.connector.conversations()).toEqual([]);
  });
});

describe('Connector API: authentication', () => {
  it('answers 401 with 40104/40102/40105/40103', async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ 'x-lp-on-behalf': consumerJws }, 40104],
      [{ authorization: 'not-a-jwt', 'x-lp-on-behalf': consumerJws }, 40102],
      [{ authorization: `Bearer ${appJwt}`, 'x-lp-on-behalf': consumerJws }, 40102],
      [{ authorization: appJwt }, 40105],
      [{ authorization: appJwt, 'x-lp-on-behalf': appJwt }, 40103],
    ];
    for (const [headers, errorCode] of cases) {
      const response = await postJson(openUrl(), openRequests(), headers);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ kind: 'resp', code: 401, body: { errorCode, message: expect.any(String) } });
    }
  });

  it('answers 40102 to an expired AppJWT', async () => {
    sim.expireAppJwts();
    const response = await postJson(openUrl(), openRequests(), auth());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ body: { errorCode: 40102 } });
  });
});

describe('Connector API: sending', () => {
  it('publishes content, chat-state and accept-status events with increasing sequences', async () => {
    const conversationId = await openConversation();
    const first = await publish('10', conversationId, { type: 'ContentEvent', contentType: 'text/plain', message: 'hello 👋' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ kind: 'resp', reqId: '10', code: 'OK', body: { sequence: 0 } });

    const agentSequence = sim.connector.sendAgentMessage(conversationId, 'How can I help?');
    expect(agentSequence).toBe(1);

    const typing = await publish('11', conversationId, { type: 'ChatStateEvent', chatState: 'COMPOSING' });
    expect(typing.body).toEqual({ kind: 'resp', reqId: '11', code: 'OK', body: { sequence: 2 } });
    const read = await publish('12', conversationId, { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [agentSequence] });
    expect(read.body).toEqual({ kind: 'resp', reqId: '12', code: 'OK', body: { sequence: 3 } });

    const [conversation] = sim.connector.conversations();
    expect(conversation?.messages.map(({ sequence, originator, event }) => ({ sequence, originator, type: event.type }))).toEqual([
      { sequence: 0, originator: 'CONSUMER', type: 'ContentEvent' },
      { sequence: 1, originator: 'AGENT', type: 'ContentEvent' },
      { sequence: 2, originator: 'CONSUMER', type: 'ChatStateEvent' },
      { sequence: 3, originator: 'CONSUMER', type: 'AcceptStatusEvent' },
    ]);
    expect(conversation?.messages[0]?.event).toEqual({ type: 'ContentEvent', contentType: 'text/plain', message: 'hello 👋' });
  });

  it('400 for malformed events', async () => {
    const conversationId = await openConversation();
    for (const event of [
      { type: 'ContentEvent', contentType: 'text/html', message: 'x' },
      { type: 'ContentEvent', contentType: 'text/plain' },
      { type: 'ChatStateEvent', chatState: 'SLEEPING' },
      { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [] },
      { type: 'RichContentEvent', content: {} },
    ]) {
      const response = await publish('20', conversationId, event);
      expect(response.status, JSON.stringify(event)).toBe(400);
      expect(response.body).toMatchObject({ kind: 'resp', code: 400, reqId: '20', body: { errorCode: 'INVALID_REQUEST' } });
    }
    const notJson = await postJson(sendUrl(), '{', auth());
    expect(notJson.status).toBe(400);
  });

  it('closes a conversation; publishing to it, to an unknown one or to another consumer’s is 400', async () => {
    const conversationId = await openConversation();
    const closed = await close('30', conversationId);
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ kind: 'resp', reqId: '30', code: 'OK', body: {} });
    expect(sim.connector.conversations()[0]).toMatchObject({ state: 'CLOSE', closedBy: 'CONSUMER' });

    const text = { type: 'ContentEvent', contentType: 'text/plain', message: 'still there?' };
    expect((await publish('31', conversationId, text)).body).toMatchObject({ code: 400, body: { errorCode: 'CONVERSATION_CLOSED' } });
    expect((await close('32', conversationId)).body).toMatchObject({ code: 400, body: { errorCode: 'CONVERSATION_CLOSED' } });
    expect((await publish('33', 'no-such-conversation', text)).body).toMatchObject({
      code: 400,
      body: { errorCode: 'CONVERSATION_NOT_FOUND' },
    });

    const reopened = await openConversation();
    const strangerJws = await fetchConsumerJws(sim, appJwt, 'ext-consumer-2');
    const foreign = await publish('34', reopened, text, strangerJws);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ code: 400, body: { errorCode: 'NOT_CONVERSATION_PARTICIPANT' } });
  });

  it('lets the agent close a conversation, after which the consumer may open a new one', async () => {
    const conversationId = await openConversation();
    sim.connector.closeConversation(conversationId);
    expect(sim.connector.conversations()[0]).toMatchObject({ state: 'CLOSE', closedBy: 'AGENT' });
    expect(() => sim.connector.closeConversation('unknown')).toThrow(/unknown/);
    expect(() => sim.connector.sendAgentMessage(conversationId, 'late')).toThrow(/CLOSED/);
    expect(await openConversation()).not.toBe(conversationId);
  });

  it('emits conversation and message events for a webhook sender', async () => {
    const changes: ConversationChange[] = [];
    const messages: MessagePublished[] = [];
    sim.events.on('conversation', (change) => changes.push(change));
    sim.events.on('message', (message) => messages.push(message));

    const conversationId = await openConversation();
    await publish('40', conversationId, { type: 'ContentEvent', contentType: 'text/plain', message: 'hi' });
    sim.connector.sendAgentMessage(conversationId, 'hello');
    sim.connector.closeConversation(conversationId);

    expect(changes.map(({ change, conversation }) => [change, conversation.state])).toEqual([
      ['OPENED', 'OPEN'],
      ['CLOSED', 'CLOSE'],
    ]);
    expect(changes[1]?.conversation.messages).toHaveLength(2);
    expect(messages).toEqual([
      {
        conversationId,
        dialogId: conversationId,
        message: {
          sequence: 0,
          dialogId: conversationId,
          originator: 'CONSUMER',
          originatorId: 'ext-consumer-1',
          serverTimestamp: expect.any(Number),
          event: { type: 'ContentEvent', contentType: 'text/plain', message: 'hi' },
        },
      },
      expect.objectContaining({ message: expect.objectContaining({ sequence: 1, originator: 'AGENT', originatorId: SIMULATED_AGENT_ID }) }),
    ]);
  });
});

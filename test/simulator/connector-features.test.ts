// The Connector API beyond text: mid-conversation SDEs, request metadata, Client-Properties (kept,
// compared on every SEND, honoured for quick replies, structured content and the survey), the
// consumer's DialogChange and Stage closes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quickRepliesContent, RICH_CONTENT_FALLBACK, SIMULATED_SURVEY_BOT_ID, startLivePersonSimulator } from '#simulator/index.ts';
import type { LivePersonSimulator, SimulatorOptions } from '#simulator/index.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import type { ConnectorConsumer } from './helpers.ts';
import { connectorConsumer } from './helpers.ts';

let sim: LivePersonSimulator;
const receivers: WebhookReceiver[] = [];

async function start(options: SimulatorOptions = {}): Promise<void> {
  sim = await startLivePersonSimulator(options);
}

const ALL_FEATURES = { type: '.ClientProperties', appId: 'webAsync', features: ['RICH_CONTENT', 'QUICK_REPLIES', 'MULTI_DIALOG'] };
const AUTO_MESSAGES_ONLY = { type: '.ClientProperties', features: ['AUTO_MESSAGES'] };

const closeDialog = (conversationId: string, dialogId: string, closedCause = 'Closed by consumer') => ({
  conversationId,
  conversationField: { field: 'DialogChange', type: 'UPDATE', dialog: { dialogId, state: 'CLOSE', closedCause } },
});

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await sim.close();
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

describe('userprofile.SetUserProfile on SEND (SDEs during the conversation)', () => {
  const sdes = (...items: unknown[]) => ({ authenticatedData: { lp_sdes: items } });

  it('answers as documented and replaces the SDEs of the same type in the open conversation', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const opened = await consumer.open([
      {
        kind: 'req',
        id: '1',
        type: 'userprofile.SetUserProfile',
        body: sdes({ type: 'ctmrinfo', info: { socialId: '1', ctype: 'vip' } }, { type: 'personal', personal: { firstname: 'John' } }),
      },
      { kind: 'req', id: '2', type: 'cm.ConsumerRequestConversation', body: { brandId: sim.accountId } },
    ]);
    expect(opened.status).toBe(200);

    const answer = await consumer.request(
      'userprofile.SetUserProfile',
      sdes({ type: 'ctmrinfo', info: { ctype: 'gold', companyBranch: 'ACME' } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: '100' });
    expect(sim.connector.conversations()[0]?.userProfile).toEqual(
      sdes({ type: 'personal', personal: { firstname: 'John' } }, { type: 'ctmrinfo', info: { ctype: 'gold', companyBranch: 'ACME' } }),
    );
    // An empty body changes nothing.
    expect((await consumer.request('userprofile.SetUserProfile', {})).status).toBe(200);
    expect(sim.connector.conversations()[0]?.userProfile).toMatchObject({ authenticatedData: { lp_sdes: expect.any(Array) } });
  });

  it('400 INVALID_REQUEST for SDE types other than ctmrinfo and personal and for ctmrinfo.customerId, on SEND and CONVERSATION', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const refused = [
      [sdes({ type: 'cart', total: 11.7 }), /cart/],
      [sdes({ type: 'purchase', total: 1 }), /purchase/],
      [sdes({ type: 'ctmrinfo', info: { customerId: 'c-1' } }), /customerId/],
      [sdes({ info: {} }), /type/],
      [{ authenticatedData: { lp_sdes: {} } }, /array/],
    ] as const;
    const profile = (body: unknown) => [
      { kind: 'req', id: '1', type: 'userprofile.SetUserProfile', body },
      { kind: 'req', id: '2', type: 'cm.ConsumerRequestConversation', body: { brandId: sim.accountId } },
    ];
    for (const [body, reason] of refused) {
      const opened = await consumer.open(profile(body));
      expect(opened.status, JSON.stringify(body)).toBe(400);
      expect(opened.body).toMatchObject({
        code: 400,
        reqId: '1',
        body: { errorCode: 'INVALID_REQUEST', message: expect.stringMatching(reason) },
      });
    }
    expect(sim.connector.conversations()).toEqual([]);

    await consumer.openConversation();
    for (const [body, reason] of refused) {
      const answer = await consumer.request('userprofile.SetUserProfile', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ code: 400, body: { errorCode: 'INVALID_REQUEST', message: expect.stringMatching(reason) } });
    }
    expect(sim.connector.conversations()[0]?.userProfile).toEqual({});
  });

  it('400 CONVERSATION_NOT_FOUND when the consumer has no open conversation', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const answer = await consumer.request('userprofile.SetUserProfile', sdes({ type: 'personal', personal: { firstname: 'Jo' } }));
    expect(answer.body).toMatchObject({ code: 400, body: { errorCode: 'CONVERSATION_NOT_FOUND' } });
  });
});

describe('request metadata', () => {
  it('an ACTION click with ExternalId metadata and its publishText reach the webhook change’s metadata', async () => {
    const receiver = await startWebhookReceiver(sim.credentials.clientSecret);
    receivers.push(receiver);
    sim.webhooks.subscribe({ url: receiver.url, events: ['ContentEvent', 'AcceptStatusEvent'] });
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const conversationId = await consumer.openConversation();
    const offered = sim.connector.sendAgentMessage(conversationId, 'Did that help?', {
      quickReplies: quickRepliesContent(['Yes', 'No']),
    });
    const metadata = [{ type: 'ExternalId', id: 'Yes-1234' }];
    const action = await consumer.request(
      'ms.PublishEvent',
      { dialogId: conversationId, event: { type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [offered] } },
      { metadata },
    );
    expect(action.body).toEqual({ kind: 'resp', reqId: '100', code: 'OK', body: { sequence: 1 } });
    const text = await consumer.request(
      'ms.PublishEvent',
      { dialogId: conversationId, event: { type: 'ContentEvent', contentType: 'text/plain', message: 'yep' } },
      { metadata },
    );
    expect(text.status).toBe(200);
    await sim.webhooks.idle();

    const changes = receiver
      .accepted()
      .map((body) => (body as { body: { changes: Array<Record<string, unknown>> } }).body.changes[0]!)
      .filter((change) => (change.originatorMetadata as { role: string }).role === 'CONSUMER');
    expect(changes).toEqual([
      expect.objectContaining({ sequence: 1, event: { type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [offered] }, metadata }),
      expect.objectContaining({ sequence: 2, event: { type: 'ContentEvent', message: 'yep', contentType: 'text/plain' }, metadata }),
    ]);
    expect(sim.connector.conversations()[0]?.messages[1]?.metadata).toEqual(metadata);
  });

  it('400 INVALID_REQUEST for metadata that is not an array of typed objects, or an ExternalId id over 64 characters', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const conversationId = await consumer.openConversation();
    const event = { type: 'ContentEvent', contentType: 'text/plain', message: 'hi' };
    for (const metadata of [
      { type: 'ExternalId', id: 'x' },
      [{ id: 'x' }],
      [{ type: 7 }],
      ['ExternalId'],
      [{ type: 'ExternalId' }],
      [{ type: 'ExternalId', id: 'x'.repeat(65) }],
    ]) {
      const answer = await consumer.request('ms.PublishEvent', { dialogId: conversationId, event }, { metadata });
      expect(answer.status, JSON.stringify(metadata)).toBe(400);
      expect(answer.body).toMatchObject({ code: 400, body: { errorCode: 'INVALID_REQUEST' } });
    }
    const longest = await consumer.request(
      'ms.PublishEvent',
      { dialogId: conversationId, event },
      { metadata: [{ type: 'ExternalId', id: 'x'.repeat(64) }] },
    );
    expect(longest.status).toBe(200);
  });

  it('takes body.conversationId beside the dialog, and refuses one that is not the dialog’s conversation', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const conversationId = await consumer.openConversation();
    const event = { type: 'ChatStateEvent', chatState: 'ACTIVE' };
    expect((await consumer.request('ms.PublishEvent', { dialogId: conversationId, conversationId, event })).status).toBe(200);
    const mismatch = await consumer.request('ms.PublishEvent', { dialogId: conversationId, conversationId: 'another', event });
    expect(mismatch.body).toMatchObject({ code: 400, body: { errorCode: 'INVALID_REQUEST' } });
  });
});

describe('Client-Properties', () => {
  it('keeps the CONVERSATION call’s properties and notes on each SEND whether it carried the same ones', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: ALL_FEATURES });
    const conversationId = await consumer.openConversation();
    expect(sim.connector.conversations()[0]?.clientProperties).toEqual(ALL_FEATURES);
    const event = { type: 'ChatStateEvent', chatState: 'COMPOSING' };
    await consumer.request('ms.PublishEvent', { dialogId: conversationId, event });
    // The same properties in another key order and spacing are the same.
    const reordered = JSON.stringify({ features: ALL_FEATURES.features, appId: 'webAsync', type: '.ClientProperties' }).replaceAll(
      ',',
      ', ',
    );
    await consumer.send({ kind: 'req', id: 'b', type: 'ms.PublishEvent', body: { dialogId: conversationId, event } });
    const bare = await connectorConsumer(sim, 'ext-consumer-1');
    await bare.request('ms.PublishEvent', { dialogId: conversationId, event });
    const other = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: AUTO_MESSAGES_ONLY });
    await other.request('ms.GenerateURLForUploadFile', { fileSize: '10', fileType: 'PNG' });
    const same = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: reordered });
    await same.request('cm.UpdateConversationField', {
      conversationId,
      conversationField: { field: 'ConversationStateField', conversationState: 'CLOSE' },
    });

    expect(sim.connector.conversations()[0]?.sends).toEqual([
      { reqId: '100', type: 'ms.PublishEvent', clientProperties: 'SAME' },
      { reqId: 'b', type: 'ms.PublishEvent', clientProperties: 'SAME' },
      { reqId: '100', type: 'ms.PublishEvent', clientProperties: 'MISSING' },
      { reqId: '100', type: 'ms.GenerateURLForUploadFile', clientProperties: 'DIFFERENT' },
      { reqId: '100', type: 'cm.UpdateConversationField', clientProperties: 'SAME' },
    ]);
  });

  it('without a header: no clientProperties, a SEND without one is SAME and one with one DIFFERENT', async () => {
    const consumer = await connectorConsumer(sim, 'ext-consumer-1');
    const conversationId = await consumer.openConversation();
    const event = { type: 'ChatStateEvent', chatState: 'ACTIVE' };
    await consumer.request('ms.PublishEvent', { dialogId: conversationId, event });
    const withHeader = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: AUTO_MESSAGES_ONLY });
    await withHeader.request('ms.PublishEvent', { dialogId: conversationId, event });
    const [conversation] = sim.connector.conversations();
    expect(conversation).not.toHaveProperty('clientProperties');
    expect(conversation?.sends?.map((send) => send.clientProperties)).toEqual(['SAME', 'DIFFERENT']);
  });

  it('400 INVALID_REQUEST for a header that is not a JSON object or whose features are not strings', async () => {
    for (const header of ['not json', '["AUTO_MESSAGES"]', '{"type":".ClientProperties","features":"AUTO_MESSAGES"}', '{"features":[1]}']) {
      const consumer = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: header });
      const response = await consumer.open();
      expect(response.status, header).toBe(400);
      expect(response.body).toMatchObject({ code: 400, body: { errorCode: 'INVALID_REQUEST' } });
    }
  });

  it('without QUICK_REPLIES the agent’s quick replies are dropped; with it they are sent', async () => {
    const replies = quickRepliesContent(['Yes', 'No']);
    const without = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: AUTO_MESSAGES_ONLY });
    const plain = await without.openConversation();
    const withIt = await connectorConsumer(sim, 'ext-consumer-2', { clientProperties: ALL_FEATURES });
    const rich = await withIt.openConversation();
    sim.connector.sendAgentMessage(plain, 'Did that help?', { quickReplies: replies });
    sim.connector.sendAgentMessage(rich, 'Did that help?', { quickReplies: replies });
    const eventOf = (conversationId: string) =>
      sim.connector.conversations().find((conversation) => conversation.conversationId === conversationId)?.messages[0]?.event;
    expect(eventOf(plain)).toEqual({ type: 'ContentEvent', contentType: 'text/plain', message: 'Did that help?' });
    expect(eventOf(rich)).toEqual({ type: 'ContentEvent', contentType: 'text/plain', message: 'Did that help?', quickReplies: replies });
  });

  it('without RICH_CONTENT structured content becomes text: its text elements, else a fixed text', async () => {
    const card = {
      type: 'vertical',
      elements: [
        { type: 'text', text: 'Product Name' },
        { type: 'image', url: 'https://example.com/p.png' },
        {
          type: 'horizontal',
          elements: [
            { type: 'text', text: 'Only $9' },
            { type: 'button', title: 'Buy', click: { actions: [] } },
          ],
        },
      ],
    };
    const without = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: AUTO_MESSAGES_ONLY });
    const conversationId = await without.openConversation();
    sim.connector.sendAgentRichContent(conversationId, card);
    sim.connector.sendAgentRichContent(conversationId, {
      type: 'vertical',
      elements: [{ type: 'image', url: 'https://example.com/p.png' }],
    });
    expect(sim.connector.conversations()[0]?.messages.map((message) => message.event)).toEqual([
      { type: 'ContentEvent', contentType: 'text/plain', message: 'Product Name\nOnly $9' },
      { type: 'ContentEvent', contentType: 'text/plain', message: RICH_CONTENT_FALLBACK },
    ]);

    const withIt = await connectorConsumer(sim, 'ext-consumer-2', { clientProperties: ALL_FEATURES });
    const richId = await withIt.openConversation();
    sim.connector.sendAgentRichContent(richId, card);
    expect(sim.connector.conversations()[1]?.messages[0]?.event).toEqual({ type: 'RichContentEvent', content: card });
  });

  it('without MULTI_DIALOG startSurvey opens no survey dialog: the conversation simply closes', async () => {
    const without = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: AUTO_MESSAGES_ONLY });
    const conversationId = await without.openConversation();
    expect(sim.connector.startSurvey(conversationId)).toEqual({ dialogId: conversationId, sequence: -1, surveyed: false });
    expect(sim.connector.conversations()[0]).toMatchObject({
      state: 'CLOSE',
      stage: 'CLOSE',
      closedBy: 'AGENT',
      dialogs: [{ dialogType: 'MAIN' }],
    });
    expect(() => sim.connector.startSurvey(conversationId)).toThrow(/CLOSED/);

    const withIt = await connectorConsumer(sim, 'ext-consumer-2', { clientProperties: ALL_FEATURES });
    const surveyed = sim.connector.startSurvey(await withIt.openConversation());
    expect(surveyed).toEqual({ dialogId: expect.any(String), sequence: 0, surveyed: true });
  });
});

describe('closing dialogs from the consumer side', () => {
  async function surveyConversation(consumer: ConnectorConsumer, skillId?: string) {
    const conversationId = await consumer.openConversation(skillId === undefined ? {} : { skillId });
    const closed = await consumer.request('cm.UpdateConversationField', closeDialog(conversationId, conversationId));
    expect(closed.body).toEqual({ kind: 'resp', reqId: expect.any(String), code: 'OK', body: {} });
    return { conversationId, conversation: sim.connector.conversations().find((c) => c.conversationId === conversationId)! };
  }

  it('DialogChange of MAIN starts the configured survey (state CLOSE, stage OPEN); of the survey’s dialog ends it', async () => {
    await sim.close();
    await start({ survey: { text: 'Rate us?', answers: ['1', '2'] } });
    const consumer = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: ALL_FEATURES });
    const { conversationId, conversation } = await surveyConversation(consumer);
    expect(conversation).toMatchObject({
      state: 'CLOSE',
      stage: 'OPEN',
      closedBy: 'CONSUMER',
      dialogs: [
        { dialogId: conversationId, dialogType: 'MAIN', state: 'CLOSE', closedBy: 'CONSUMER', closedCause: 'Closed by consumer' },
        { dialogType: 'POST_SURVEY', state: 'OPEN' },
      ],
    });
    const surveyDialog = conversation.dialogs[1]!.dialogId;
    expect(conversation.messages).toEqual([
      expect.objectContaining({
        sequence: 0,
        dialogId: surveyDialog,
        originatorId: SIMULATED_SURVEY_BOT_ID,
        event: expect.objectContaining({ message: 'Rate us?', quickReplies: quickRepliesContent(['1', '2']) }),
      }),
    ]);

    // The closed main dialog cannot be closed again; an unknown dialog is not found.
    expect((await consumer.request('cm.UpdateConversationField', closeDialog(conversationId, conversationId))).body).toMatchObject({
      body: { errorCode: 'DIALOG_CLOSED' },
    });
    expect((await consumer.request('cm.UpdateConversationField', closeDialog(conversationId, 'nope'))).body).toMatchObject({
      body: { errorCode: 'DIALOG_NOT_FOUND' },
    });

    await consumer.request('cm.UpdateConversationField', closeDialog(conversationId, surveyDialog, 'Skipped'));
    expect(sim.connector.conversations()[0]).toMatchObject({
      state: 'CLOSE',
      stage: 'CLOSE',
      dialogs: [{ closedCause: 'Closed by consumer' }, { state: 'CLOSE', closedBy: 'CONSUMER', closedCause: 'Skipped' }],
    });
    expect((await consumer.request('cm.UpdateConversationField', closeDialog(conversationId, surveyDialog))).body).toMatchObject({
      body: { errorCode: 'CONVERSATION_CLOSED' },
    });
  });

  it('DialogChange of MAIN closes the conversation when no survey applies: none configured, another skill, or no MULTI_DIALOG', async () => {
    const noSurvey = await surveyConversation(await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: ALL_FEATURES }));
    expect(noSurvey.conversation).toMatchObject({ state: 'CLOSE', stage: 'CLOSE', dialogs: [{ closedCause: 'Closed by consumer' }] });

    sim.connector.configureSurvey({ skillId: '42' });
    const otherSkill = await surveyConversation(await connectorConsumer(sim, 'ext-consumer-2', { clientProperties: ALL_FEATURES }), '7');
    expect(otherSkill.conversation).toMatchObject({ stage: 'CLOSE', dialogs: [{ dialogType: 'MAIN' }] });

    const noMultiDialog = await surveyConversation(
      await connectorConsumer(sim, 'ext-consumer-3', { clientProperties: AUTO_MESSAGES_ONLY }),
      '42',
    );
    expect(noMultiDialog.conversation).toMatchObject({ stage: 'CLOSE' });
    expect(noMultiDialog.conversation.dialogs).toHaveLength(1);

    // Its skill, and no header (every feature counts): the survey starts.
    const surveyed = await surveyConversation(await connectorConsumer(sim, 'ext-consumer-4'), '42');
    expect(surveyed.conversation).toMatchObject({ state: 'CLOSE', stage: 'OPEN', dialogs: [{}, { dialogType: 'POST_SURVEY' }] });
    sim.connector.configureSurvey(undefined);
  });

  it('Stage CLOSE closes the conversation and every dialog, with no survey even when one is configured', async () => {
    sim.connector.configureSurvey({});
    const consumer = await connectorConsumer(sim, 'ext-consumer-1', { clientProperties: ALL_FEATURES });
    const conversationId = await consumer.openConversation();
    const stage = { conversationId, conversationField: { field: 'Stage', conversationState: 'CLOSE' } };
    expect((await consumer.request('cm.UpdateConversationField', stage)).body).toEqual({
      kind: 'resp',
      reqId: '100',
      code: 'OK',
      body: {},
    });
    expect(sim.connector.conversations()[0]).toMatchObject({
      state: 'CLOSE',
      stage: 'CLOSE',
      closedBy: 'CONSUMER',
      dialogs: [{ state: 'CLOSE' }],
    });
    expect((await consumer.request('cm.UpdateConversationField', stage)).body).toMatchObject({
      body: { errorCode: 'CONVERSATION_CLOSED' },
    });

    // During a survey, Stage ends it too.
    const surveyed = await connectorConsumer(sim, 'ext-consumer-2', { clientProperties: ALL_FEATURES });
    const second = await surveyed.openConversation();
    const { dialogId } = sim.connector.startSurvey(second);
    await surveyed.request('cm.UpdateConversationField', { ...stage, conversationId: second });
    expect(sim.connector.conversations()[1]).toMatchObject({
      stage: 'CLOSE',
      dialogs: [{ state: 'CLOSE' }, { dialogId, state: 'CLOSE', closedBy: 'CONSUMER' }],
    });
  });
});

// LivePerson's published Connector API examples (test/fixtures/liveperson/connector-api), run against
// the simulator once their placeholders name real ids: each request is accepted and answered in the
// shape LivePerson documents for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLivePersonSimulator } from '#simulator/index.ts';
import type { LivePersonSimulator } from '#simulator/index.ts';
import {
  CONNECTOR_API_FIXTURE_DIR,
  connectorApiFixture,
  connectorApiFixtures,
  withPlaceholders,
} from '#test/support/connector-api-fixtures.ts';
import type { ConnectorConsumer } from './helpers.ts';
import { connectorConsumer, request, shapeOf, signedStorageUrl } from './helpers.ts';

let sim: LivePersonSimulator;
let consumers = 0;

const newConsumer = (clientProperties?: Record<string, unknown>) =>
  connectorConsumer(sim, `ext-consumer-${++consumers}`, clientProperties === undefined ? {} : { clientProperties });
const documented = (name: string) => connectorApiFixture(name).value;
const requestOf = (name: string) => {
  const fixture = connectorApiFixture(name);
  expect(fixture.kind).toBe('request');
  return fixture.value;
};

/** Uploads a small file through the documented flow; returns its relativePath. */
async function uploadFile(consumer: ConnectorConsumer): Promise<string> {
  const answer = await consumer.send(requestOf('upload-url-request.json'));
  expect(answer.status).toBe(200);
  expect((await request(signedStorageUrl(sim, answer.body), { method: 'PUT', body: Buffer.alloc(1000, 1) })).status).toBe(201);
  return (answer.body as { body: { relativePath: string } }).body.relativePath;
}

beforeEach(async () => {
  sim = await startLivePersonSimulator();
});
afterEach(async () => {
  await sim.close();
});

describe('the fixture files', () => {
  it('each names its source (repository, path, 40-hex commit, section, url) and holds one request, response or header; the README lists each', () => {
    const fixtures = connectorApiFixtures();
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    const readme = readFileSync(join(CONNECTOR_API_FIXTURE_DIR, 'README.md'), 'utf8');
    for (const fixture of fixtures) {
      expect(fixture.source, fixture.name).toEqual({
        repository: 'LivePersonInc/developer-center',
        path: expect.stringMatching(/^pages\/Documents\/.+\.md$/),
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        section: expect.any(String),
        url: expect.stringMatching(/^https:\/\/developers\.liveperson\.com\/[a-z0-9-]+\.html$/),
      });
      expect(fixture.note.length, fixture.name).toBeGreaterThan(20);
      expect(readme, fixture.name).toContain(`| \`${fixture.name}\` |`);
    }
  });
});

describe('CONVERSATION examples', () => {
  for (const name of ['conversation-minimal.json', 'conversation-with-sdes.json', 'conversation-company-branch.json']) {
    it(`accepts ${name} and answers like conversation-response.json`, async () => {
      const consumer = await newConsumer();
      const body = withPlaceholders(requestOf(name), { '{accountid}': sim.accountId }) as Array<{
        id: string;
        body: Record<string, unknown>;
      }>;
      const response = await consumer.open(body);
      expect(response.status).toBe(200);
      expect(shapeOf(response.body)).toEqual(shapeOf(documented('conversation-response.json')));
      const [profile, conversation] = response.body as Array<{ code: string; body: Record<string, unknown>; reqId: string }>;
      expect(profile).toEqual({ code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: body[0]!.id });
      expect(conversation).toEqual({ code: 'OK', body: { conversationId: expect.any(String) }, reqId: body[1]!.id });
      expect(sim.connector.conversations()[0]?.userProfile).toEqual(body[0]!.body);
    });
  }
});

describe('Client-Properties header examples', () => {
  for (const name of ['client-properties-auto-messages.json', 'client-properties-multi-dialog.json', 'client-properties-lp-props.json']) {
    it(`accepts ${name} on CONVERSATION and SEND, keeps it and notes each SEND as SAME`, async () => {
      const header = connectorApiFixture(name);
      expect(header.kind).toBe('header');
      const consumer = await newConsumer(header.value as Record<string, unknown>);
      const conversationId = await consumer.openConversation();
      const send = await consumer.send(withPlaceholders(requestOf('publish-accept-status.json'), { '{conversationId}': conversationId }));
      expect(send.status).toBe(200);
      expect(sim.connector.conversations()[0]).toMatchObject({
        clientProperties: header.value,
        sends: [{ reqId: '0', type: 'ms.PublishEvent', clientProperties: 'SAME' }],
      });
    });
  }
});

describe('SEND examples', () => {
  it('publish-accept-status.json: accepted and answered like send-response.json', async () => {
    const consumer = await newConsumer();
    const conversationId = await consumer.openConversation();
    sim.connector.sendAgentMessage(conversationId, 'first');
    sim.connector.sendAgentMessage(conversationId, 'second');
    const response = await consumer.send(withPlaceholders(requestOf('publish-accept-status.json'), { '{conversationId}': conversationId }));
    expect(response.status).toBe(200);
    expect(shapeOf(response.body)).toMatchObject(shapeOf(documented('send-response.json')) as Record<string, unknown>);
    expect(response.body).toMatchObject({ reqId: '0', code: 'OK', body: { sequence: 2 } });
    expect(sim.connector.conversations()[0]?.messages[2]?.event).toEqual({
      type: 'AcceptStatusEvent',
      status: 'ACCEPT',
      sequenceList: [1, 2],
    });
  });

  for (const name of ['upload-url-request.json', 'upload-url-request-numeric-size.json']) {
    it(`${name}: answered like upload-url-response.json, with a URL the storage takes`, async () => {
      const consumer = await newConsumer();
      const response = await consumer.send(requestOf(name));
      expect(response.status).toBe(200);
      expect(shapeOf(response.body)).toEqual(shapeOf(documented('upload-url-response.json')));
      expect(response.body).toMatchObject({
        code: 'OK',
        body: { relativePath: expect.stringMatching(new RegExp(`^/v1/AUTH_async-images/${sim.accountId}/.+\\.PNG$`)) },
        reqId: '3',
      });
      const put = await request(signedStorageUrl(sim, response.body), { method: 'PUT', body: Buffer.alloc(1000) });
      expect(put.status).toBe(201);
    });
  }

  for (const name of ['publish-hosted-file.json', 'publish-hosted-file-bash.json']) {
    it(`${name}: accepted once it names an uploaded file, answered like send-response.json`, async () => {
      const consumer = await newConsumer();
      const conversationId = await consumer.openConversation();
      const relativePath = await uploadFile(consumer);
      const body = withPlaceholders(requestOf(name), {
        '{conversationId}': conversationId,
        __CONVERSATION_ID__: conversationId,
        '{relativePath}': relativePath,
        __relative_path__: relativePath,
        '{imageData}': 'iVBORw0KGgo=',
        '<Base64Image>': 'iVBORw0KGgo=',
      });
      const response = await consumer.send(body);
      expect(response.status).toBe(200);
      expect(shapeOf(response.body)).toMatchObject(shapeOf(documented('send-response.json')) as Record<string, unknown>);
      expect(sim.connector.conversations()[0]?.messages[0]?.event).toEqual((body as { body: { event: unknown } }).body.event);

      // As published, naming no uploaded file, it is refused with the documented message.
      const unreplaced = withPlaceholders(requestOf(name), { '{conversationId}': conversationId, __CONVERSATION_ID__: conversationId });
      expect((await consumer.send(unreplaced)).body).toMatchObject({
        code: 400,
        body: { message: 'Check your file size and that its is not corrupted' },
      });
    });
  }

  it('download-url-request.json: answered like download-url-response.json, with a URL that GETs the file', async () => {
    const consumer = await newConsumer();
    const relativePath = await uploadFile(consumer);
    const response = await consumer.send(withPlaceholders(requestOf('download-url-request.json'), { '{{relativePath}}': relativePath }));
    expect(response.status).toBe(200);
    expect(shapeOf(response.body)).toEqual(shapeOf(documented('download-url-response.json')));
    expect(response.body).toMatchObject({ code: 'OK', body: { relativePath }, reqId: '3' });
    const file = await fetch(signedStorageUrl(sim, response.body));
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBe(1000);
  });
});

describe('post-conversation survey examples', () => {
  it('dialog-change-close-main.json starts the survey; survey-answer-action.json and survey-answer-text.json answer it; dialog-change-close-dialog.json ends it', async () => {
    sim.connector.configureSurvey({ text: 'How would you rate your overall experience?', answers: ['1', '2', '3'] });
    const consumer = await newConsumer(connectorApiFixture('client-properties-multi-dialog.json').value as Record<string, unknown>);
    const conversationId = await consumer.openConversation();
    const ids = { __YOUR_CONVERSATION_ID__: conversationId, 'Conversation ID': conversationId };

    const close = await consumer.send(withPlaceholders(requestOf('dialog-change-close-main.json'), ids));
    expect(close.body).toEqual({ kind: 'resp', reqId: '2', code: 'OK', body: {} });
    const surveyDialog = sim.connector.conversations()[0]!.dialogs.find((dialog) => dialog.dialogType === 'POST_SURVEY');
    expect(surveyDialog).toMatchObject({ state: 'OPEN' });
    const inSurvey = { ...ids, __YOUR_POST_SURVEY_DIALOG_ID__: surveyDialog!.dialogId, 'Dialog ID': surveyDialog!.dialogId };

    const action = await consumer.send(withPlaceholders(requestOf('survey-answer-action.json'), inSurvey));
    expect(action.body).toEqual({ kind: 'resp', reqId: '22', code: 'OK', body: { sequence: 1 } });
    const text = await consumer.send(withPlaceholders(requestOf('survey-answer-text.json'), inSurvey));
    expect(text.body).toEqual({ kind: 'resp', reqId: '3', code: 'OK', body: { sequence: 2 } });
    const answerMetadata = (requestOf('survey-answer-action.json') as { metadata: unknown }).metadata;
    expect(sim.connector.conversations()[0]?.messages.slice(1)).toEqual([
      expect.objectContaining({
        dialogId: surveyDialog!.dialogId,
        originator: 'CONSUMER',
        metadata: answerMetadata,
        event: expect.objectContaining({ status: 'ACTION' }),
      }),
      expect.objectContaining({
        dialogId: surveyDialog!.dialogId,
        originator: 'CONSUMER',
        metadata: answerMetadata,
        event: expect.objectContaining({ message: '1' }),
      }),
    ]);

    const end = await consumer.send(withPlaceholders(requestOf('dialog-change-close-dialog.json'), inSurvey));
    expect(end.body).toEqual({ kind: 'resp', reqId: '2', code: 'OK', body: {} });
    expect(sim.connector.conversations()[0]).toMatchObject({
      state: 'CLOSE',
      stage: 'CLOSE',
      dialogs: [
        { dialogType: 'MAIN', closedBy: 'CONSUMER', closedCause: 'Closed by consumer' },
        { dialogType: 'POST_SURVEY', state: 'CLOSE', closedCause: 'Closed by consumer' },
      ],
    });
  });

  it('stage-close.json closes everything with no survey, although one is configured', async () => {
    sim.connector.configureSurvey({});
    const consumer = await newConsumer(connectorApiFixture('client-properties-multi-dialog.json').value as Record<string, unknown>);
    const conversationId = await consumer.openConversation();
    const response = await consumer.send(withPlaceholders(requestOf('stage-close.json'), { __YOUR_CONVERSATION_ID__: conversationId }));
    expect(response.body).toEqual({ kind: 'resp', reqId: '11', code: 'OK', body: {} });
    expect(sim.connector.conversations()[0]).toMatchObject({ state: 'CLOSE', stage: 'CLOSE' });
    expect(sim.connector.conversations()[0]?.dialogs).toHaveLength(1);
  });
});

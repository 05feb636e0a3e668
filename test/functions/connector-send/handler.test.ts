import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent, SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ConnectorModule from '#functions/connector-send/index.ts';
import { DynamoDbConversationStateStore } from '#functions/lib/aws/conversation-state.ts';
import type { CommandOutcome, ConnectorCommandInput } from '#functions/lib/connector/commands.ts';
import { parseNotification } from '#functions/lib/liveperson/events.ts';
import type { OrderedConversationChange } from '#functions/lib/processing/ports.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureProcessOutput } from '#test/support/log-capture.ts';
import { conversationUpdate } from '#test/support/notifications.ts';
import { sqsEvent, sqsRecord } from '#test/support/sqs-event.ts';
import { ConnectorCommandQueue } from '#functions/lib/aws/command-queue.ts';
import { SIMULATED_AGENT_ID } from '#simulator/index.ts';
import { changeFromConversation, conversationNotification } from '#simulator/notifications.ts';
import { GIF_1X1, PNG_1X1 } from '#test/support/images.ts';

describe('connector-send handler (LivePerson simulator, local DynamoDB and SQS; Secrets Manager and SSM mocked)', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let dynamo: LocalDynamoDb;
  let sqs: LocalSqs;
  let documents: DynamoDBDocumentClient;
  let sim: LivePersonSimulator;
  let connector: typeof ConnectorModule;
  let stateTable: string;
  let idempotencyTable: string;
  let deadLetterUrl: string;
  let outboundUrl: string;
  let run = 0;

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startLocalDynamoDb(), startLocalSqs()]);
    documents = DynamoDBDocumentClient.from(dynamo.client);
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    secrets.restore();
    ssm.restore();
    await Promise.all([dynamo.stop(), sqs.stop()]);
  });

  // A fresh simulator, tables, queues and module per test: nothing leaks between tests.
  beforeEach(async () => {
    run++;
    sim = await startLivePersonSimulator();
    vi.stubEnv('LP_ACCOUNT_ID', sim.accountId);
    vi.stubEnv('LP_CSDS_URL', sim.url);
    // The simulator is plain http on loopback.
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'true');
    stateTable = await dynamo.createTable(`state-${run}`, STATE_TABLE_KEY);
    vi.stubEnv('STATE_TABLE_NAME', stateTable);
    idempotencyTable = await dynamo.createTable(`idempotency-${run}`, IDEMPOTENCY_TABLE_KEY);
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', idempotencyTable);
    deadLetterUrl = await sqs.createQueue(`outbound-dlq-${run}.fifo`);
    outboundUrl = await sqs.createQueue(`outbound-${run}.fifo`);
    vi.stubEnv('OUTBOUND_DEAD_LETTER_QUEUE_URL', deadLetterUrl);
    vi.stubEnv('OUTBOUND_QUEUE_URL', outboundUrl);
    vi.stubEnv('CONNECTOR_DEFAULT_SKILL_ID', '');
    secrets.reset();
    ssm.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(sim.credentials) });
    // Every domain parameter points at the simulator, as the domain-refresh function would store them.
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: sim.url } });
    vi.resetModules();
    connector = await import('#functions/connector-send/index.ts');
  });
  afterEach(() => sim.close());

  const direct = (command: unknown, timeoutMs = 30_000) =>
    connector.handler(command, lambdaContext('connector-send', timeoutMs)) as Promise<CommandOutcome>;
  const fromQueue = (commands: ConnectorCommandInput[], timeoutMs = 30_000) =>
    connector.handler(sqsEvent(...commands.map(record)), lambdaContext('connector-send', timeoutMs)) as Promise<SQSBatchResponse>;
  const record = (command: ConnectorCommandInput | string) =>
    sqsRecord(command, { groupId: typeof command === 'string' ? 'bad' : command.consumerId });
  const texts = (consumerId: string) =>
    sim.connector
      .conversations()
      .filter((c) => c.consumerId === consumerId)
      .map((c) =>
        c.messages
          .filter((m) => m.originator === 'CONSUMER' && m.event.type === 'ContentEvent')
          .map((m) => (m.event as { message: string }).message),
      );
  const connectorStatuses = () => sim.requests({ service: 'asyncMessagingEnt' }).map((r) => r.status);
  const consumerItem = async (consumerId: string) =>
    (await documents.send(new GetCommand({ TableName: stateTable, Key: { conversationId: `consumer#${consumerId}` } }))).Item;
  const processorSaysClosed = (conversationId: string) =>
    new DynamoDbConversationStateStore({ tableName: stateTable, client: dynamo.client }).apply(
      parseNotification(
        JSON.stringify(conversationUpdate(conversationId, 'CLOSE', Date.now())),
        'connector',
      )[0] as OrderedConversationChange,
    );
  const deadLetters = async () => {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    return Messages;
  };
  const sendText = (commandId: string, consumerId: string, text: string): ConnectorCommandInput => ({
    type: 'sendText',
    commandId,
    consumerId,
    text,
  });

  it('opens a conversation with the profile and routing, then sends into it', async () => {
    const sdes = [{ type: 'ctmrinfo' as const, info: { socialId: '1234567890', ctype: 'vip' } }];
    const result = await fromQueue([
      { type: 'openConversation', commandId: 'open-1', consumerId: 'ada', sdes, routing: { skillId: '123' }, ttrDefName: 'URGENT' },
      sendText('text-1', 'ada', 'Hello from the brand'),
    ]);

    expect(result.batchItemFailures).toEqual([]);
    const [conversation] = sim.connector.conversations();
    expect(conversation).toMatchObject({
      consumerId: 'ada',
      skillId: '123',
      ttrDefName: 'URGENT',
      userProfile: { authenticatedData: { lp_sdes: sdes } },
    });
    expect(texts('ada')).toEqual([['Hello from the brand']]);
    expect(await consumerItem('ada')).toMatchObject({
      itemType: 'CONSUMER',
      openConversationId: conversation?.conversationId,
      consumerJws: expect.any(String),
    });
  });

  it('reuses the open conversation, opening the first one with the default routing', async () => {
    vi.stubEnv('CONNECTOR_DEFAULT_SKILL_ID', '777');
    vi.resetModules();
    connector = await import('#functions/connector-send/index.ts');

    const first = await direct(sendText('t-1', 'bob', 'one'));
    const second = await direct(sendText('t-2', 'bob', 'two'));

    expect(first).toMatchObject({ ok: true, openedConversation: true, sequence: 0 });
    expect(second).toMatchObject({
      ok: true,
      openedConversation: false,
      conversationId: (first as { conversationId: string }).conversationId,
      sequence: 1,
    });
    expect(sim.connector.conversations()).toHaveLength(1);
    expect(sim.connector.conversations()[0]?.skillId).toBe('777');
    expect(texts('bob')).toEqual([['one', 'two']]);
    // The consumer JWS came from the IdP once, then from memory.
    expect(sim.requests({ service: 'idp' })).toHaveLength(1);
  });

  it('opens with a first message, and an openConversation for a consumer with an open one keeps it', async () => {
    const opened = await direct({ type: 'openConversation', commandId: 'o-1', consumerId: 'amy', firstMessage: 'I need help' });
    const again = await direct({ type: 'openConversation', commandId: 'o-2', consumerId: 'amy', routing: { skillId: '5' } });

    expect(opened).toMatchObject({ ok: true, openedConversation: true, sequence: 0 });
    expect(again).toMatchObject({ ok: true, openedConversation: false, conversationId: opened.ok ? opened.conversationId : 'none' });
    expect(sim.connector.conversations()).toHaveLength(1);
    expect(sim.connector.conversations()[0]?.skillId).toBe('-1'); // no routing given, no default: any skill
    expect(texts('amy')).toEqual([['I need help']]);
  });

  it('answers a direct call that fails for now with a retryable error, and the same commandId works later', async () => {
    sim.fail({ service: 'asyncMessagingEnt', status: 503 });
    const failed = await direct(sendText('later-1', 'abe', 'hello'), 4_000);
    expect(failed).toMatchObject({
      ok: false,
      commandId: 'later-1',
      error: { code: 'TEMPORARY_FAILURE', retryable: true, message: expect.stringContaining('HTTP 503') },
    });
    // Nobody retries a direct call for the caller: it keeps LivePerson's full policy (5 s first).
    expect(failed.ok ? '' : failed.error.message).toContain('next retry would wait 5000 ms');
    expect(await direct(sendText('later-1', 'abe', 'hello'))).toMatchObject({ ok: true, openedConversation: true });
    expect(texts('abe')).toEqual([['hello']]);
  });

  it("opens a new conversation when the processor's item says the agent closed the last one", async () => {
    const first = await direct(sendText('t-1', 'cy', 'before'));
    const closedId = first.ok ? first.conversationId : undefined;
    sim.connector.closeConversation(closedId ?? '');
    await processorSaysClosed(closedId ?? '');

    const second = await direct(sendText('t-2', 'cy', 'after'));

    expect(second).toMatchObject({ ok: true, openedConversation: true });
    expect(second.ok && second.conversationId).not.toBe(closedId);
    expect(texts('cy')).toEqual([['before'], ['after']]);
    // The closed conversation was never tried: no CONVERSATION_CLOSED answer.
    expect(connectorStatuses()).toEqual([200, 200, 200, 200]);
  });

  it('opens a new conversation and sends once more when LivePerson answers CONVERSATION_CLOSED', async () => {
    const first = await direct(sendText('t-1', 'dan', 'before'));
    const closedId = first.ok ? first.conversationId : undefined;
    sim.connector.closeConversation(closedId ?? ''); // the close notification has not been processed yet

    const second = await direct(sendText('t-2', 'dan', 'after'));

    expect(second).toMatchObject({ ok: true, openedConversation: true, replacedConversationId: closedId, sequence: 0 });
    expect(texts('dan')).toEqual([['before'], ['after']]);
    expect(connectorStatuses()).toEqual([200, 200, 400, 200, 200]);
    expect(await consumerItem('dan')).toMatchObject({ openConversationId: second.ok ? second.conversationId : 'none' });
  });

  it('sends typing and read receipts into the open conversation, and skips them when there is none', async () => {
    expect(await direct({ type: 'sendTyping', commandId: 'typing-0', consumerId: 'eve' })).toMatchObject({
      ok: true,
      skipped: 'no-open-conversation',
    });
    expect(sim.requests({ service: 'asyncMessagingEnt' })).toEqual([]);

    const opened = await direct({ type: 'openConversation', commandId: 'open-1', consumerId: 'eve' });
    const conversationId = opened.ok ? (opened.conversationId ?? '') : '';
    const agentSequence = sim.connector.sendAgentMessage(conversationId, 'How can I help?');
    const result = await fromQueue([
      { type: 'markRead', commandId: 'read-1', consumerId: 'eve', sequenceList: [agentSequence] },
      { type: 'sendTyping', commandId: 'typing-1', consumerId: 'eve' },
      { type: 'sendTyping', commandId: 'typing-2', consumerId: 'eve', chatState: 'PAUSE' },
    ]);

    expect(result.batchItemFailures).toEqual([]);
    expect(
      sim.connector
        .conversations()[0]
        ?.messages.filter((m) => m.originator === 'CONSUMER')
        .map((m) => m.event),
    ).toEqual([
      { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [agentSequence] },
      { type: 'ChatStateEvent', chatState: 'COMPOSING' },
      { type: 'ChatStateEvent', chatState: 'PAUSE' },
    ]);
  });

  it('closes the open conversation, and the next text opens a new one without a failed try', async () => {
    const first = await direct(sendText('t-1', 'fay', 'hello'));
    const closed = await direct({ type: 'closeConversation', commandId: 'close-1', consumerId: 'fay' });

    expect(closed).toMatchObject({ ok: true, conversationId: first.ok ? first.conversationId : 'none' });
    expect(sim.connector.conversations()[0]).toMatchObject({ state: 'CLOSE', closedBy: 'CONSUMER' });
    expect(await consumerItem('fay')).not.toHaveProperty('openConversationId');
    expect(await direct({ type: 'closeConversation', commandId: 'close-2', consumerId: 'fay' })).toMatchObject({
      ok: true,
      skipped: 'no-open-conversation',
    });

    await direct(sendText('t-2', 'fay', 'again'));
    expect(texts('fay')).toEqual([['hello'], ['again']]);
    expect(connectorStatuses()).not.toContain(400);
  });

  it('refreshes an expired AppJWT (401 40102) once and sends', async () => {
    await direct(sendText('t-1', 'gus', 'one'));
    sim.expireAppJwts();
    expect(await direct(sendText('t-2', 'gus', 'two'))).toMatchObject({ ok: true });
    expect(texts('gus')).toEqual([['one', 'two']]);
    expect(connectorStatuses()).toEqual([200, 200, 401, 200]);
    expect(sim.requests({ service: 'sentinel' })).toHaveLength(2);
  });

  it('replaces a consumer JWS LivePerson rejects (401 40103), in the state table too', async () => {
    await documents.send(
      new PutCommand({
        TableName: stateTable,
        Item: {
          conversationId: 'consumer#hal',
          itemType: 'CONSUMER',
          extConsumerId: 'hal',
          consumerJws: 'stale.consumer.jws',
          updatedAt: '2026-01-01T00:00:00Z',
        },
      }),
    );
    expect(await direct(sendText('t-1', 'hal', 'hello'))).toMatchObject({ ok: true });
    expect(connectorStatuses()).toEqual([401, 200, 200]);
    const item = await consumerItem('hal');
    expect(item?.consumerJws).not.toBe('stale.consumer.jws');
    expect(item?.consumerJws).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("keeps a consumer's order when one command fails: its later commands wait, other consumers go on", async () => {
    // The first Connector API call (ivy's) and its one quick retry answer 503: the command fails
    // and SQS will deliver it again.
    sim.fail({ service: 'asyncMessagingEnt', status: 503, times: 2 });
    const ivy = [sendText('i-1', 'ivy', 'i1'), sendText('i-2', 'ivy', 'i2'), sendText('i-3', 'ivy', 'i3')];
    const jon = [sendText('j-1', 'jon', 'j1'), sendText('j-2', 'jon', 'j2')];
    const records = [ivy[0], jon[0], ivy[1], jon[1], ivy[2]].map((command) => record(command as ConnectorCommandInput));

    const first = (await connector.handler(sqsEvent(...records), lambdaContext('connector-send', 4_000))) as SQSBatchResponse;

    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[0], records[2], records[4]].map((r) => r?.messageId));
    expect(texts('jon')).toEqual([['j1', 'j2']]);
    expect(texts('ivy')).toEqual([]);

    // SQS delivers ivy's commands again, in order.
    const again = [records[0], records[2], records[4]].filter((r) => r !== undefined);
    const second = (await connector.handler(sqsEvent(...again), lambdaContext('connector-send', 4_000))) as SQSBatchResponse;
    expect(second.batchItemFailures).toEqual([]);
    expect(texts('ivy')).toEqual([['i1', 'i2', 'i3']]);
    expect(await deadLetters()).toEqual([]);
  });

  it("gives a queued command one quick retry on a 5xx, then leaves the back-off to SQS: the batch's other consumers do not wait", async () => {
    sim.fail({ service: 'asyncMessagingEnt', status: 503, times: 100 });
    const started = Date.now();
    const pending = connector.handler(
      sqsEvent(record(sendText('q-1', 'ora', 'o1')), record(sendText('q-2', 'pat', 'p1'))),
      lambdaContext('connector-send', 30_000),
    );
    const result = (await pending) as SQSBatchResponse;
    const elapsedMs = Date.now() - started;

    expect(result.batchItemFailures).toHaveLength(2);
    // Open conversation, once and once more a second later, for each consumer: no 5, 10 and 15 s waits.
    expect(connectorStatuses()).toEqual([503, 503, 503, 503]);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('sends a command once, however often it arrives, and answers a repeated direct call with the first result', async () => {
    const command = sendText('dup-1', 'kim', 'only once');
    await fromQueue([command]);
    expect((await fromQueue([command])).batchItemFailures).toEqual([]);
    const replay = await direct(command);
    expect(texts('kim')).toEqual([['only once']]);
    expect(replay).toMatchObject({ ok: true, commandId: 'dup-1', sequence: 0, duplicate: true });

    const firstCall = await direct(sendText('dup-2', 'kim', 'direct'));
    const secondCall = await direct(sendText('dup-2', 'kim', 'direct'));
    expect(secondCall).toEqual({ ...firstCall, duplicate: true });
    expect(texts('kim')).toEqual([['only once', 'direct']]);

    // The same commandId for another command is a mistake the brand must fix, not a duplicate.
    expect(await direct(sendText('dup-2', 'kim', 'something else'))).toMatchObject({
      ok: false,
      error: { code: 'COMMAND_ID_REUSED', retryable: false },
    });
    expect(texts('kim')).toEqual([['only once', 'direct']]);
    // Keys carry this function's name: the table is shared with the processor.
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: idempotencyTable }));
    expect(Items.map((item) => String(item.id))).toEqual(Array(2).fill(expect.stringMatching(/^connector-send\.command#/)));
  });

  it('never logs the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: it holds message text and consumer ids', async () => {
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.resetModules();
    connector = await import('#functions/connector-send/index.ts');
    const capture = captureProcessOutput();
    try {
      await direct(sendText('log-1', 'secret-consumer-4155550100', 'a private message'));
    } finally {
      capture.restore();
      vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'false');
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    }
    const lines = capture.lines().map(({ line }) => line);
    expect(lines.some((line) => line.includes('command applied'))).toBe(true);
    expect(lines.filter((line) => line.includes('a private message') || line.includes('4155550100'))).toEqual([]);
  });

  it('answers a bad direct command with a structured error and calls nobody', async () => {
    const outcome = await direct({ type: 'sendText', commandId: 'bad-1', text: 'hi' });
    expect(outcome).toEqual({
      ok: false,
      commandId: 'bad-1',
      type: 'sendText',
      error: {
        code: 'INVALID_COMMAND',
        message: 'invalid command: consumerId: consumerId is required',
        retryable: false,
        issues: ['consumerId: consumerId is required'],
      },
    });
    expect(sim.requests()).toEqual([]);
  });

  it('reports a commandId reused for another command sent through the queue helper: dead-lettered as COMMAND_ID_REUSED, not dropped by SQS', async () => {
    const outbound = new ConnectorCommandQueue({ queueUrl: outboundUrl, client: sqs.client });
    await outbound.send(sendText('reused-1', 'noa', 'first'));
    await outbound.send(sendText('reused-1', 'noa', 'first')); // a true resend: SQS drops it
    await outbound.send(sendText('reused-1', 'noa', 'a different command'));
    // One consumer's group hands out one message at a time: take each out as Lambda would.
    const Messages: Message[] = [];
    for (;;) {
      const { Messages: received = [] } = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: outboundUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId'] }),
      );
      if (received.length === 0) break;
      Messages.push(...received);
      for (const message of received)
        await sqs.client.send(new DeleteMessageCommand({ QueueUrl: outboundUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    expect(Messages.map((message) => (JSON.parse(message.Body ?? '') as { text: string }).text)).toEqual(['first', 'a different command']);

    const result = (await connector.handler(
      sqsEvent(
        ...Messages.map((message) => sqsRecord(JSON.parse(message.Body ?? ''), { groupId: message.Attributes?.MessageGroupId ?? '' })),
      ),
      lambdaContext('connector-send'),
    )) as SQSBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(texts('noa')).toEqual([['first']]);
    const [parked] = await deadLetters();
    expect(parked?.MessageAttributes?.errorCode?.StringValue).toBe('COMMAND_ID_REUSED');
    expect(JSON.parse(parked?.Body ?? '')).toMatchObject({ commandId: 'reused-1', text: 'a different command' });
  });

  it('moves a bad queued command to the dead-letter queue with its reason, and the consumer goes on', async () => {
    const bad = sqsRecord({ type: 'sendText', commandId: 'bad-2', consumerId: 'lou' }, { groupId: 'lou' });
    const next = record(sendText('good-1', 'lou', 'still delivered'));
    const result = (await connector.handler(sqsEvent(bad, next), lambdaContext('connector-send'))) as SQSBatchResponse;

    expect(result.batchItemFailures).toEqual([]);
    expect(texts('lou')).toEqual([['still delivered']]);
    const [parked] = await deadLetters();
    expect(parked?.Body).toBe(bad.body);
    expect(parked?.Attributes?.MessageGroupId).toBe('lou');
    expect(parked?.MessageAttributes?.deadLetterReason?.StringValue).toBe('invalid command: text: text must be a string');
    expect(parked?.MessageAttributes?.errorCode?.StringValue).toBe('INVALID_COMMAND');
    expect(parked?.MessageAttributes?.commandId?.StringValue).toBe('bad-2');
  });

  it('moves a command LivePerson refuses (HTTP 400) to the dead-letter queue at once', async () => {
    sim.fail({
      service: 'asyncMessagingEnt',
      status: 400,
      body: { kind: 'resp', code: 400, body: { errorCode: 'INVALID_REQUEST', message: 'skill 999 does not exist' } },
    });
    const result = await fromQueue([{ type: 'openConversation', commandId: 'open-x', consumerId: 'max', routing: { skillId: '999' } }]);

    expect(result.batchItemFailures).toEqual([]);
    expect(sim.requests({ service: 'asyncMessagingEnt' })).toHaveLength(1);
    const [parked] = await deadLetters();
    expect(parked?.MessageAttributes?.errorCode?.StringValue).toBe('REJECTED_BY_LIVEPERSON');
    expect(parked?.MessageAttributes?.deadLetterReason?.StringValue).toBe(
      'Connector API open conversation: HTTP 400 (LivePerson error INVALID_REQUEST): skill 999 does not exist',
    );
  });

  it('forwards a command from an EventBridge event to the outbound queue, grouped by consumer', async () => {
    const event = (id: string, detail: unknown): EventBridgeEvent<string, unknown> => ({
      version: '0',
      id,
      'detail-type': 'LivePerson Connector Command',
      source: 'brand.crm',
      account: '123456789012',
      time: '2026-11-23T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail,
    });
    expect(await connector.handler(event('e-1', sendText('eb-1', 'ned', 'from a rule')), lambdaContext('connector-send'))).toMatchObject({
      ok: true,
      forwarded: true,
      commandId: 'eb-1',
    });
    expect(await connector.handler(event('e-2', { type: 'sendText', commandId: 'eb-2' }), lambdaContext('connector-send'))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' },
    });

    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: outboundUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    expect(Messages.map((m) => m.Attributes)).toEqual([
      { MessageGroupId: 'ned', MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(JSON.parse(Messages[0]?.Body ?? '')).toMatchObject({ type: 'sendText', consumerId: 'ned', text: 'from a rule' });
    const [parked] = await deadLetters();
    expect(parked?.MessageAttributes?.eventSource?.StringValue).toBe('brand.crm');
    expect(parked?.MessageAttributes?.deadLetterReason?.StringValue).toContain('consumerId: consumerId is required');
    expect(sim.requests()).toEqual([]);
  });

  describe('a real channel: files, taps, profile updates, surveys, client properties', () => {
    const opened = async (consumerId: string) => {
      const result = await direct({ type: 'openConversation', commandId: `open-${consumerId}`, consumerId });
      if (!result.ok || result.conversationId === undefined) throw new Error(`could not open: ${JSON.stringify(result)}`);
      return result.conversationId;
    };
    const consumerEvents = (conversationId: string) =>
      sim.connector
        .conversations()
        .find((c) => c.conversationId === conversationId)
        ?.messages.filter((m) => m.originator === 'CONSUMER')
        .map(({ event, metadata, dialogId }) => ({ event, dialogId, ...(metadata === undefined ? {} : { metadata }) }));

    it('sendFile uploads the image to LivePerson storage and publishes it, declaring the client properties on every call', async () => {
      const result = await direct({
        type: 'sendFile',
        commandId: 'f-1',
        consumerId: 'fay',
        file: { base64: PNG_1X1.toString('base64') },
        caption: 'box',
      });
      expect(result).toMatchObject({
        ok: true,
        openedConversation: true,
        relativePath: expect.stringMatching(/^\/v1\/AUTH_async-images\/.+\.PNG$/),
      });
      if (!result.ok) return;
      expect(sim.connector.storedFile(result.relativePath ?? '')?.bytes.equals(PNG_1X1)).toBe(true);
      expect(consumerEvents(result.conversationId ?? '')).toEqual([
        {
          dialogId: result.conversationId,
          event: {
            type: 'ContentEvent',
            contentType: 'hosted/file',
            message: {
              relativePath: result.relativePath,
              fileType: 'PNG',
              caption: 'box',
              preview: `data:image/png;base64,${PNG_1X1.toString('base64')}`,
            },
          },
        },
      ]);
      const [conversation] = sim.connector.conversations();
      expect(conversation?.clientProperties).toMatchObject({
        type: '.ClientProperties',
        features: ['RICH_CONTENT', 'QUICK_REPLIES', 'MULTI_DIALOG', 'PHOTO_SHARING'],
      });
      expect(conversation?.sends?.map((send) => send.clientProperties)).toEqual(['SAME', 'SAME']);
    });

    it('sendFile asks for a new upload URL when storage says the first expired, and fails for now when storage is down', async () => {
      const conversationId = await opened('gil');
      sim.fail({ service: 'swift', status: 401, times: 1 });
      const retried = await direct({ type: 'sendFile', commandId: 'f-2', consumerId: 'gil', file: { base64: GIF_1X1.toString('base64') } });
      expect(retried).toMatchObject({ ok: true, conversationId, relativePath: expect.stringMatching(/\.GIF$/) });
      expect(sim.requests({ service: 'swift' }).map((r) => r.status)).toEqual([401, 201]);

      sim.fail({ service: 'swift', status: 503, times: 10 });
      const down = await fromQueue([
        { type: 'sendFile', commandId: 'f-3', consumerId: 'gil', file: { base64: GIF_1X1.toString('base64') } },
      ]);
      expect(down.batchItemFailures).toHaveLength(1);
      expect(consumerEvents(conversationId)).toHaveLength(1);
    });

    it('sendFile redelivered by SQS publishes the file once', async () => {
      const command: ConnectorCommandInput = {
        type: 'sendFile',
        commandId: 'f-4',
        consumerId: 'hal',
        file: { base64: PNG_1X1.toString('base64') },
      };
      expect((await fromQueue([command])).batchItemFailures).toEqual([]);
      expect((await fromQueue([command])).batchItemFailures).toEqual([]);
      const [conversation] = sim.connector.conversations();
      expect(consumerEvents(conversation?.conversationId ?? '')).toHaveLength(1);
      expect(sim.requests({ service: 'swift' })).toHaveLength(1);
    });

    it('getFileUrl answers a signed URL that downloads the agent’s file, until it expires', async () => {
      const conversationId = await opened('ida');
      const { relativePath } = sim.connector.sendAgentFile(conversationId, { caption: 'label', fileType: 'PNG', bytes: PNG_1X1 });
      const result = await direct({ type: 'getFileUrl', commandId: 'g-1', consumerId: 'ida', relativePath });
      expect(result).toMatchObject({
        ok: true,
        file: { url: expect.stringContaining(`${relativePath}?temp_url_sig=`), expiresAt: expect.any(String) },
      });
      const url = result.ok ? (result.file?.url ?? '') : '';
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(PNG_1X1)).toBe(true);
      sim.connector.expireFileUrls();
      expect((await fetch(url)).status).toBe(401);
      // A read, not recorded as applied: the same commandId asks again and gets a fresh URL.
      const again = await direct({ type: 'getFileUrl', commandId: 'g-1', consumerId: 'ida', relativePath });
      expect(again).toMatchObject({ ok: true });
      expect(again).not.toHaveProperty('duplicate');
      expect((await fetch(again.ok ? (again.file?.url ?? '') : '')).status).toBe(200);
    });

    it('sendClick reports a tap on the agent’s quick reply as LivePerson asks: ACTION with its metadata, then its text', async () => {
      const conversationId = await opened('jo');
      const quickReplies = {
        type: 'quickReplies',
        itemsPerRow: 8,
        replies: [
          {
            type: 'button',
            title: 'Yes',
            click: { actions: [{ type: 'publishText', text: 'yep' }], metadata: [{ type: 'ExternalId', id: 'Yes-1234' }] },
          },
        ],
      };
      const sequence = sim.connector.sendAgentMessage(conversationId, 'Did it arrive?', { quickReplies });
      // The agent's quick replies reach a client that declared QUICK_REPLIES (the default).
      const agentMessage = sim.connector.conversations()[0]?.messages.find((m) => m.sequence === sequence && m.originator !== 'CONSUMER');
      expect(agentMessage?.event).toMatchObject({ quickReplies });
      const result = await direct({
        type: 'sendClick',
        commandId: 'q-1',
        consumerId: 'jo',
        sequence,
        click: quickReplies.replies[0]?.click,
      });
      expect(result).toMatchObject({ ok: true, conversationId });
      const metadata = [{ type: 'ExternalId', id: 'Yes-1234' }];
      expect(consumerEvents(conversationId)).toEqual([
        { dialogId: conversationId, event: { type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [sequence] }, metadata },
        { dialogId: conversationId, event: { type: 'ContentEvent', contentType: 'text/plain', message: 'yep' }, metadata },
      ]);
    });

    it('getFileUrl put on the queue by hand goes to the dead-letter queue: its URL would reach nobody', async () => {
      const result = await fromQueue([
        { type: 'getFileUrl', commandId: 'g-q', consumerId: 'ida', relativePath: '/v1/AUTH_async-images/1/x.PNG' },
      ]);
      expect(result.batchItemFailures).toEqual([]);
      const [parked] = await deadLetters();
      expect(parked?.MessageAttributes?.errorCode?.StringValue).toBe('INVALID_COMMAND');
      expect(parked?.MessageAttributes?.deadLetterReason?.StringValue).toContain('getFileUrl is answered only to a direct invocation');
      expect(sim.requests()).toEqual([]);
    });

    it('updateProfile sets Customer Info and Personal Info SDEs during the conversation', async () => {
      await opened('kai');
      const sdes = [{ type: 'personal' as const, personal: { firstname: 'Kai', language: 'en-GB' } }];
      expect(await direct({ type: 'updateProfile', commandId: 'p-1', consumerId: 'kai', sdes })).toMatchObject({ ok: true });
      expect(sim.connector.conversations()[0]?.userProfile).toMatchObject({ authenticatedData: { lp_sdes: sdes } });
    });

    it('during a post-conversation survey, the answer goes into the survey’s dialog, and a close ends it', async () => {
      const conversationId = await opened('lee');
      const survey = sim.connector.startSurvey(conversationId, { text: 'How did we do?', answers: ['Great', 'Poor'] });
      expect(survey.surveyed).toBe(true);
      // The processor records the survey from the simulator's own conversation notification.
      const snapshot = sim.connector.conversations().find((c) => c.conversationId === conversationId);
      const notification = conversationNotification(
        changeFromConversation(snapshot!, { brandId: sim.accountId, agentId: SIMULATED_AGENT_ID }),
      );
      await new DynamoDbConversationStateStore({ tableName: stateTable, client: dynamo.client }).apply(
        parseNotification(JSON.stringify(notification), 'connector')[0] as OrderedConversationChange,
      );
      const question = sim.connector
        .conversations()[0]
        ?.messages.find((m) => m.dialogId === survey.dialogId && m.sequence === survey.sequence);
      const click = (question?.event as { quickReplies?: { replies: Array<{ click: unknown }> } }).quickReplies?.replies[0]?.click;
      const answered = await direct({ type: 'sendClick', commandId: 's-1', consumerId: 'lee', sequence: survey.sequence, click });
      expect(answered).toMatchObject({ ok: true, conversationId, dialogId: survey.dialogId });
      expect(consumerEvents(conversationId)?.every((event) => event.dialogId === survey.dialogId)).toBe(true);
      expect(await direct({ type: 'sendTyping', commandId: 's-2', consumerId: 'lee' })).toMatchObject({ skipped: 'in-survey' });
      expect(await direct({ type: 'closeConversation', commandId: 's-3', consumerId: 'lee' })).toMatchObject({ ok: true, conversationId });
      expect(sim.connector.conversations()[0]).toMatchObject({ state: 'CLOSE', stage: 'CLOSE' });
    });
  });
});

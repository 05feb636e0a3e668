import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as HandlersModule from '#functions/event-processor/handlers.ts';
import type * as ProcessorModule from '#functions/event-processor/index.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureProcessOutput } from '#test/support/log-capture.ts';
import { chatStateNotification, contentNotification, conversationUpdate } from '#test/support/notifications.ts';
import { sqsEvent, sqsRecord } from '#test/support/sqs-event.ts';

type Module = typeof ProcessorModule;

describe('event-processor handler (local DynamoDB and SQS, EventBridge mocked)', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let dynamo: LocalDynamoDb;
  let sqs: LocalSqs;
  let deadLetterUrl: string;
  let processor: Module;
  let handlers: typeof HandlersModule;
  let published: Array<{ detailType: string; detail: Record<string, unknown> }>;
  let tables = 0;

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startLocalDynamoDb(), startLocalSqs()]);
    deadLetterUrl = await sqs.createQueue('events-dlq.fifo');
    vi.stubEnv('LP_ACCOUNT_ID', '12345678');
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('EVENT_BUS_NAME', 'lp-bus');
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', deadLetterUrl);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    eventBridge.restore();
    await Promise.all([dynamo.stop(), sqs.stop()]);
  });

  // Fresh tables and a fresh module per test: no state leaks between tests.
  beforeEach(async () => {
    tables++;
    vi.stubEnv('STATE_TABLE_NAME', await dynamo.createTable(`state-${tables}`, STATE_TABLE_KEY));
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', await dynamo.createTable(`idempotency-${tables}`, IDEMPOTENCY_TABLE_KEY));
    published = [];
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: Array<{ DetailType: string; Detail: string }> }) => {
      for (const entry of input.Entries) published.push({ detailType: entry.DetailType, detail: JSON.parse(entry.Detail) });
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
    vi.resetModules();
    processor = await import('#functions/event-processor/index.ts');
    handlers = await import('#functions/event-processor/handlers.ts');
  });

  const run = (...records: Parameters<typeof sqsEvent>) =>
    processor.handler(sqsEvent(...records), lambdaContext('event-processor', 60_000)) as Promise<SQSBatchResponse>;
  const messages = (p: typeof published) => p.map((e) => `${e.detail.conversationId}:${e.detail.message ?? e.detailType}`);
  // Conversations are handled side by side: order is only promised within each.
  const byConversation = (p: typeof published) => {
    const result: Record<string, unknown[]> = {};
    for (const e of p) (result[String(e.detail.conversationId)] ??= []).push(e.detail.message ?? e.detailType);
    return result;
  };

  it('publishes each event, in order, with the conversation id in the detail', async () => {
    const result = await run(
      sqsRecord(contentNotification('conv-a', 'a1', 1), { groupId: 'conv-a' }),
      sqsRecord(contentNotification('conv-a', 'a2', 2), { groupId: 'conv-a' }),
      sqsRecord(chatStateNotification('conv-b'), { groupId: 'conv-b' }),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(byConversation(published)).toEqual({ 'conv-a': ['a1', 'a2'], 'conv-b': ['ChatStateEvent'] });
    expect(published.find((e) => e.detail.message === 'a1')?.detail).toMatchObject({
      accountId: '12345678',
      sequence: 1,
      originatorRole: 'CONSUMER',
      eventId: 'ContentEvent:conv-a:1',
    });
  });

  it('publishes a genuine repeat of a chat state that has neither sequence nor timestamp', async () => {
    const result = await run(
      sqsRecord(chatStateNotification('conv-t', 'COMPOSING'), { groupId: 'conv-t' }),
      sqsRecord(chatStateNotification('conv-t', 'ACTIVE'), { groupId: 'conv-t' }),
      sqsRecord(chatStateNotification('conv-t', 'COMPOSING'), { groupId: 'conv-t' }),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(published.map((e) => e.detail.chatState)).toEqual(['COMPOSING', 'ACTIVE', 'COMPOSING']);
    expect(published[0]?.detail).not.toHaveProperty('eventId');
  });

  it('keeps order within a conversation when one record fails, and lets other conversations go on', async () => {
    let failOnce = true;
    handlers.registry.on('ContentEvent', (event) => {
      if (event.message === 'a2' && failOnce) {
        failOnce = false;
        throw new Error('downstream unavailable');
      }
    });
    const a1 = sqsRecord(contentNotification('conv-a', 'a1', 1), { groupId: 'conv-a' });
    const a2 = sqsRecord(contentNotification('conv-a', 'a2', 2), { groupId: 'conv-a' });
    const a3 = sqsRecord(contentNotification('conv-a', 'a3', 3), { groupId: 'conv-a' });
    const b1 = sqsRecord(contentNotification('conv-b', 'b1', 1), { groupId: 'conv-b' });
    const first = await run(a1, a2, a3, b1);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([a2.messageId, a3.messageId]);
    expect(byConversation(published)).toEqual({ 'conv-a': ['a1'], 'conv-b': ['b1'] });

    // SQS redelivers the failed records in order; the ones already handled are not handled again.
    const second = await run(a2, a3);
    expect(second.batchItemFailures).toEqual([]);
    expect(byConversation(published)).toEqual({ 'conv-a': ['a1', 'a2', 'a3'], 'conv-b': ['b1'] });
  });

  it('skips a duplicate delivery', async () => {
    const body = contentNotification('conv-d', 'once', 5);
    await run(sqsRecord(body, { groupId: 'conv-d' }));
    const again = await run(sqsRecord(body, { groupId: 'conv-d' }));
    expect(again.batchItemFailures).toEqual([]);
    expect(messages(published)).toEqual(['conv-d:once']);
  });

  it('moves a schema violation to the dead-letter queue at once, with the reason, and goes on', async () => {
    const broken = sqsRecord(
      { kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [{ event: { type: 'ContentEvent' } }] } },
      { groupId: 'conv-x' },
    );
    const next = sqsRecord(contentNotification('conv-x', 'after', 2), { groupId: 'conv-x' });
    const result = await run(broken, next);
    expect(result.batchItemFailures).toEqual([]);
    expect(messages(published)).toEqual(['conv-x:after']);
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]?.Body).toBe(broken.body);
    expect(Messages[0]?.Attributes?.MessageGroupId).toBe('conv-x');
    expect(Messages[0]?.MessageAttributes?.deadLetterReason?.StringValue).toContain('body.changes.0: names no conversation');
  });

  it.each([
    ['a metaDataLastUpdateTs beyond a safe integer', 2 ** 60],
    ['a metaDataLastUpdateTs beyond what a date can hold', 9e15],
    ['a fractional metaDataLastUpdateTs', 1.5],
  ])('dead-letters %s at once with its reason, before DynamoDB sees it, and the batch goes on', async (_name, lastUpdateTs) => {
    const broken = sqsRecord(conversationUpdate('conv-big', 'OPEN', lastUpdateTs), { groupId: 'conv-big' });
    const other = sqsRecord(contentNotification('conv-ok', 'fine', 1), { groupId: 'conv-ok' });
    const result = await run(broken, other);
    expect(result.batchItemFailures).toEqual([]);
    expect(messages(published)).toEqual(['conv-ok:fine']);
    // The dead-letter queue is shared by the tests: take everything out, so later tests see only theirs.
    const drained: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) break;
      drained.push(...Messages);
      for (const message of Messages)
        await sqs.client.send(new DeleteMessageCommand({ QueueUrl: deadLetterUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    const parked = drained.find((message) => message.Body === broken.body);
    expect(parked?.MessageAttributes?.deadLetterReason?.StringValue).toContain(
      'body.changes.0.result.conversationDetails.metaDataLastUpdateTs',
    );
  });

  it('ignores a conversation update older than the stored one', async () => {
    await run(sqsRecord(conversationUpdate('conv-s', 'CLOSE', 200), { groupId: 'conv-s' }));
    await run(sqsRecord(conversationUpdate('conv-s', 'OPEN', 100), { groupId: 'conv-s' }));
    const { DynamoDbConversationStateStore } = await import('#functions/lib/aws/conversation-state.ts');
    const store = new DynamoDbConversationStateStore({ tableName: process.env.STATE_TABLE_NAME ?? '', client: dynamo.client });
    expect(await store.get('conv-s')).toMatchObject({ state: 'CLOSE', lastUpdateTs: 200 });
    // Subscribers never see the conversation go back to OPEN.
    expect(published.map((e) => e.detail.state)).toEqual(['CLOSE']);
  });

  it('handles a conversation update retried after a handler failed, though its state is already stored', async () => {
    let failOnce = true;
    handlers.registry.on('ExConversationChangeNotification', () => {
      if (failOnce) {
        failOnce = false;
        throw new Error('downstream unavailable');
      }
    });
    const update = sqsRecord(conversationUpdate('conv-r', 'CLOSE', 300), { groupId: 'conv-r' });
    await expect(run(update)).rejects.toThrow('All records failed processing');
    expect((await run(update)).batchItemFailures).toEqual([]);
    expect(published.map((e) => `${e.detail.conversationId}:${e.detail.state}`)).toEqual(['conv-r:CLOSE']);
  });

  it('moves a notification whose event is too large for EventBridge to the dead-letter queue at once', async () => {
    // No dialogId: the event repeats the conversation id as its dialog and in its eventId.
    const body = contentNotification('c'.repeat(90_000), 'big', 1) as { body: { changes: Array<Record<string, unknown>> } };
    delete body.body.changes[0]!.dialogId;
    const result = await run(sqsRecord(body, { groupId: 'conv-big' }));
    expect(result.batchItemFailures).toEqual([]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    const parked = Messages.find((m) => m.Attributes?.MessageGroupId === 'conv-big');
    expect(parked?.MessageAttributes?.deadLetterReason?.StringValue).toContain('EventBridge accepts at most');
  });

  it('passes on a change of a type it does not know, counts it in UnknownEvents and warns with its types, never its content', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'WARN');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const capture = captureProcessOutput();
    try {
      vi.resetModules();
      processor = await import('#functions/event-processor/index.ts');
      const future = {
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: {
          changes: [
            { sequence: 4, serverTimestamp: 1, dialogId: 'conv-u', event: { type: 'ReactionEvent', reaction: 'secret-reaction-text' } },
          ],
        },
      };
      const result = await run(sqsRecord(future, { groupId: 'conv-u' }));
      expect(result.batchItemFailures).toEqual([]);
      expect(published).toEqual([
        expect.objectContaining({
          detailType: 'UnknownEvent',
          detail: expect.objectContaining({ changeType: 'ReactionEvent', conversationId: 'conv-u', route: 'connector' }),
        }),
      ]);
      // Each write is one JSON document (pretty-printed in POWERTOOLS_DEV mode).
      const documents = capture.writes.flatMap(({ text }) => {
        try {
          return [JSON.parse(text) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      expect(
        documents.find((entry) => entry.message === 'change of a type this version does not know: passed on as UnknownEvent'),
      ).toMatchObject({
        level: 'WARN',
        notificationType: 'ms.MessagingEventNotification',
        changeType: 'ReactionEvent',
        conversationId: 'conv-u',
      });
      expect(documents.find((entry) => entry.UnknownEvents !== undefined)?.UnknownEvents).toBe(1);
      expect(capture.writes.filter(({ text }) => text.includes('secret-reaction-text'))).toEqual([]);
    } finally {
      capture.restore();
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    }
  });

  it('never logs the records, even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const capture = captureProcessOutput();
    try {
      vi.resetModules();
      processor = await import('#functions/event-processor/index.ts');
      await run(sqsRecord(contentNotification('conv-l', 'private words', 1), { groupId: 'conv-l' }));
      const logged = capture.lines().map((l) => l.line);
      expect(logged.some((line) => line.includes('event handled'))).toBe(true);
      expect(logged.filter((line) => line.includes('private words'))).toEqual([]);
    } finally {
      capture.restore();
      vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', undefined);
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    }
  });

  it('retries the entries PutEvents refuses, and fails the record when they stay refused', async () => {
    eventBridge.reset();
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ok' }] });
    expect((await run(sqsRecord(contentNotification('conv-p', 'p1', 1), { groupId: 'conv-p' }))).batchItemFailures).toEqual([]);

    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'down' }] });
    const refused = sqsRecord(contentNotification('conv-p', 'p2', 2), { groupId: 'conv-p' });
    // With every record of the batch failed, Powertools fails the invocation: SQS retries them all.
    await expect(run(refused)).rejects.toThrow('All records failed processing');
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ok' }] });
    expect((await run(refused)).batchItemFailures).toEqual([]);
  });
});

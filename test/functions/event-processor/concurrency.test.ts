// The processor with the conversations of a batch side by side (CONVERSATION_CONCURRENCY): each
// conversation still in order, a failure holding back only its own conversation, every event handled
// once (a notification delivered twice in two groups included), the cap honoured, and every log line
// with its own message's keys. Real handler, local DynamoDB, EventBridge mocked.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as HandlersModule from '#functions/event-processor/handlers.ts';
import type * as ProcessorModule from '#functions/event-processor/index.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureProcessOutput } from '#test/support/log-capture.ts';
import { contentNotification } from '#test/support/notifications.ts';
import { sqsEvent, sqsRecord } from '#test/support/sqs-event.ts';

/** Resolves once `count` callers wait on it: proof that they ran at the same time. */
function latch(count: number) {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    if (++arrived >= count) open();
    await opened;
  };
}

describe('event-processor with conversations side by side', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let dynamo: LocalDynamoDb;
  let processor: typeof ProcessorModule;
  let handlers: typeof HandlersModule;
  let published: Array<{ conversationId: string; message: string }>;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    vi.stubEnv('LP_ACCOUNT_ID', '12345678');
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('EVENT_BUS_NAME', 'lp-bus');
    // Nothing here is dead-lettered: nothing listens there.
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', 'http://127.0.0.1:1/000000000000/unused.fifo');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    eventBridge.restore();
    await dynamo.stop();
  });

  /** A cold start with `concurrency` (unset: the default) on fresh tables. */
  async function coldStart(concurrency?: number) {
    vi.stubEnv('CONVERSATION_CONCURRENCY', concurrency === undefined ? undefined : String(concurrency));
    vi.resetModules();
    processor = await import('#functions/event-processor/index.ts');
    handlers = await import('#functions/event-processor/handlers.ts');
  }

  beforeEach(async () => {
    tables++;
    vi.stubEnv('STATE_TABLE_NAME', await dynamo.createTable(`state-${tables}`, STATE_TABLE_KEY));
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', await dynamo.createTable(`idempotency-${tables}`, IDEMPOTENCY_TABLE_KEY));
    published = [];
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: Array<{ Detail: string }> }) => {
      for (const entry of input.Entries) {
        const detail = JSON.parse(entry.Detail) as { conversationId: string; message: string };
        published.push({ conversationId: detail.conversationId, message: detail.message });
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
    await coldStart();
  });

  const run = (records: SQSRecord[]) =>
    processor.handler(sqsEvent(...records), lambdaContext('event-processor', 60_000)) as Promise<SQSBatchResponse>;
  const content = (conversationId: string, sequence: number) =>
    sqsRecord(contentNotification(conversationId, `${conversationId}/${sequence}`, sequence), { groupId: conversationId });
  /** Three records of each conversation, interleaved as SQS hands them over. */
  const interleaved = (conversations: readonly string[], perConversation = 3) =>
    Array.from({ length: perConversation }, (_, i) => conversations.map((c) => content(c, i + 1))).flat();
  const publishedOf = (conversationId: string) => published.filter((p) => p.conversationId === conversationId).map((p) => p.message);

  it('handles the conversations at once, each strictly in order, whatever each event takes', async () => {
    const conversations = ['conv-a', 'conv-b', 'conv-c'];
    const handledOrder: string[] = [];
    const allFirstsAtOnce = latch(conversations.length);
    let delay = 0;
    handlers.registry.on('ContentEvent', async (event) => {
      // The first event of every conversation waits for the others': only concurrency gets past this.
      if (event.sequence === 1) await allFirstsAtOnce();
      await sleep((delay = (delay + 7) % 11));
      handledOrder.push(String(event.message));
    });

    const response = await run(interleaved(conversations));

    expect(response.batchItemFailures).toEqual([]);
    for (const c of conversations) {
      expect(handledOrder.filter((m) => m.startsWith(`${c}/`))).toEqual([`${c}/1`, `${c}/2`, `${c}/3`]);
      expect(publishedOf(c)).toEqual([`${c}/1`, `${c}/2`, `${c}/3`]);
    }
  });

  it('fails only the rest of the failing conversation; the retry completes it, and nothing is handled twice', async () => {
    const attempts = new Map<string, number>();
    handlers.registry.on('ContentEvent', async (event) => {
      const message = String(event.message);
      attempts.set(message, (attempts.get(message) ?? 0) + 1);
      await sleep(message.length % 3);
      if (message === 'conv-b/2' && attempts.get(message) === 1) throw new Error('CRM down');
    });
    const records = interleaved(['conv-a', 'conv-b', 'conv-c']);
    const failing = records.filter((r) => r.attributes.MessageGroupId === 'conv-b').slice(1);

    const first = await run(records);

    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(failing.map((r) => r.messageId));
    expect(publishedOf('conv-a')).toEqual(['conv-a/1', 'conv-a/2', 'conv-a/3']);
    expect(publishedOf('conv-c')).toEqual(['conv-c/1', 'conv-c/2', 'conv-c/3']);
    expect(publishedOf('conv-b')).toEqual(['conv-b/1']);
    expect(attempts.has('conv-b/3')).toBe(false);

    // SQS hands the failed records back, in order; with them, a record already handled (redelivered).
    const second = await run([records[0]!, ...failing]);
    expect(second.batchItemFailures).toEqual([]);
    expect(publishedOf('conv-b')).toEqual(['conv-b/1', 'conv-b/2', 'conv-b/3']);
    expect(published).toHaveLength(9);
    expect([...attempts.entries()].filter(([, n]) => n > 1)).toEqual([['conv-b/2', 2]]);
  });

  it('handles a notification delivered twice, in two groups of one batch, once', async () => {
    let handled = 0;
    handlers.registry.on('ContentEvent', async (event) => {
      if (event.message !== 'twice') return;
      handled++;
      // Long enough for the other delivery's claim to meet this one's.
      await sleep(50);
    });
    const body = contentNotification('conv-d', 'twice', 7);
    let pending = [
      sqsRecord(body, { groupId: 'conv-d' }),
      content('conv-e', 1),
      sqsRecord(body, { groupId: 'conv-d-again' }),
      content('conv-f', 1),
    ];
    // The delivery that met the other's claim fails (in progress elsewhere) and comes back as a duplicate.
    for (let round = 0; round < 3 && pending.length > 0; round++) {
      const failed = new Set((await run(pending)).batchItemFailures.map((f) => f.itemIdentifier));
      pending = pending.filter((r) => failed.has(r.messageId));
    }
    expect(pending).toEqual([]);
    expect(handled).toBe(1);
    expect(published.filter((p) => p.message === 'twice')).toHaveLength(1);
    expect(publishedOf('conv-e')).toEqual(['conv-e/1']);
    expect(publishedOf('conv-f')).toEqual(['conv-f/1']);
  });

  it('has no more conversations in flight than CONVERSATION_CONCURRENCY, and that many', async () => {
    await coldStart(3);
    let inFlight = 0;
    let maxInFlight = 0;
    const threeAtOnce = latch(3);
    handlers.registry.on('ContentEvent', async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await threeAtOnce();
      await sleep(3);
      inFlight--;
    });
    const response = await run(Array.from({ length: 8 }, (_, i) => content(`conv-${i}`, 1)));
    expect(response.batchItemFailures).toEqual([]);
    expect(maxInFlight).toBe(3);
    expect(published).toHaveLength(8);
  });

  it('handles the batch record by record, in batch order, with CONVERSATION_CONCURRENCY=1', async () => {
    await coldStart(1);
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    handlers.registry.on('ContentEvent', async (event) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(event.sequence === 1 ? 5 : 0);
      order.push(String(event.message));
      inFlight--;
    });
    const records = interleaved(['conv-a', 'conv-b'], 2);
    expect((await run(records)).batchItemFailures).toEqual([]);
    expect(order).toEqual(['conv-a/1', 'conv-b/1', 'conv-a/2', 'conv-b/2']);
    expect(maxInFlight).toBe(1);
  });

  it("puts each message's own keys on its log lines, though the messages are handled at once", async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const capture = captureProcessOutput();
    try {
      await coldStart();
      handlers.registry.on('ContentEvent', async (event) => {
        await sleep((event.sequence ?? 0) % 2 === 0 ? 4 : 1);
        if (event.message === 'conv-b/2') throw new Error('CRM down');
      });
      const records = interleaved(['conv-a', 'conv-b', 'conv-c'], 2);
      await run(records);
      const conversationOf = new Map(records.map((r) => [r.messageId, r.attributes.MessageGroupId]));
      const lines = capture.writes.flatMap(({ text }) => {
        try {
          return [JSON.parse(text) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      const about = lines.filter((line) => typeof line.messageId === 'string');
      expect(about.map((line) => line.message).sort()).toEqual([
        ...Array<string>(5).fill('event handled'),
        'notification failed; it will be retried',
      ]);
      for (const line of about) expect(line.conversationId).toBe(conversationOf.get(String(line.messageId)));
      // Nothing is left on the logger for the next invocation's lines.
      expect(lines.filter((line) => line.messageId === undefined && line.conversationId !== undefined)).toEqual([]);
    } finally {
      capture.restore();
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    }
  });
});

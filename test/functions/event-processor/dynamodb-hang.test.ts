// DynamoDB that accepts a call and never answers it must cost the processor one record, not the
// whole invocation: the handler, in front of local DynamoDB through a proxy that swallows the calls
// a test picks (they are read and never answered), must still return its batch response, with
// only the record whose call hung in it. Both DynamoDB clients of the processor: the conversation
// state store and Powertools' idempotency layer.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createHash } from 'node:crypto';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { contentNotification, conversationUpdate } from '#test/support/notifications.ts';
import { startSwallowingProxy, type SwallowingProxy } from '#test/support/silent-endpoint.ts';
import { sqsEvent, sqsRecord } from '#test/support/sqs-event.ts';

type Swallow = Parameters<typeof startSwallowingProxy>[1];

describe('event-processor when a DynamoDB call never answers', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let dynamo: LocalDynamoDb;
  let sqs: LocalSqs;
  let proxy: SwallowingProxy | undefined;
  let published: string[];
  let tables = 0;

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startLocalDynamoDb(), startLocalSqs()]);
    vi.stubEnv('LP_ACCOUNT_ID', '12345678');
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('EVENT_BUS_NAME', 'lp-bus');
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', await sqs.createQueue('events-dlq.fifo'));
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    eventBridge.restore();
    await Promise.all([dynamo.stop(), sqs.stop()]);
  });
  beforeEach(async () => {
    tables++;
    vi.stubEnv('STATE_TABLE_NAME', await dynamo.createTable(`state-${tables}`, STATE_TABLE_KEY));
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', await dynamo.createTable(`idempotency-${tables}`, IDEMPOTENCY_TABLE_KEY));
    published = [];
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: Array<{ DetailType: string; Detail: string }> }) => {
      for (const entry of input.Entries) {
        const detail = JSON.parse(entry.Detail) as { conversationId?: string };
        published.push(`${detail.conversationId}:${entry.DetailType}`);
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** A cold start of the processor whose DynamoDB calls pass through a proxy that swallows what `swallow` picks. */
  async function processorBehind(swallow: Swallow) {
    proxy = await startSwallowingProxy(dynamo.endpoint, swallow);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', proxy.url);
    vi.resetModules();
    const { handler } = await import('#functions/event-processor/index.ts');
    return (...records: Parameters<typeof sqsEvent>) =>
      handler(sqsEvent(...records), lambdaContext('event-processor', 30_000)) as Promise<SQSBatchResponse>;
  }

  const operation = (headers: Record<string, unknown>) =>
    String(headers['x-amz-target'] ?? '')
      .split('.')
      .pop();

  it('conversation state: the hung update fails its record; the other conversation is handled', { timeout: 20_000 }, async () => {
    const run = await processorBehind(({ headers, body }) => operation(headers) === 'UpdateItem' && body.includes('"conv-hung"'));
    const hung = sqsRecord(conversationUpdate('conv-hung', 'OPEN', 100), { groupId: 'conv-hung' });
    const fine = sqsRecord(contentNotification('conv-fine', 'still handled', 1), { groupId: 'conv-fine' });

    const result = await run(hung, fine);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: hung.messageId }]);
    expect(published).toEqual(['conv-fine:ContentEvent']);
    expect(proxy?.swallowed()).toBeGreaterThan(0);
  });

  it('idempotency (Powertools): the hung claim fails its record; the other record is handled', { timeout: 20_000 }, async () => {
    // Every claim of the first record's event hangs. Powertools' key ends with the MD5 (base64) of the
    // identity's JSON; the records run side by side, so which call comes first tells nothing.
    const hungKey = `#${createHash('md5').update(JSON.stringify('ContentEvent:conv-a:1')).digest('base64')}`;
    const run = await processorBehind(({ headers, body }) => {
      if (operation(headers) !== 'PutItem') return false;
      return (JSON.parse(body) as { Item?: { id?: { S?: string } } }).Item?.id?.S?.endsWith(hungKey) === true;
    });
    const hung = sqsRecord(contentNotification('conv-a', 'claim hangs', 1), { groupId: 'conv-a' });
    const fine = sqsRecord(contentNotification('conv-b', 'still handled', 1), { groupId: 'conv-b' });

    const result = await run(hung, fine);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: hung.messageId }]);
    expect(published).toEqual(['conv-b:ContentEvent']);
    expect(proxy?.swallowed()).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConversationStateStore } from '#functions/lib/aws/conversation-state.ts';
import { parseNotification } from '#functions/lib/liveperson/events.ts';
import type { OrderedConversationChange } from '#functions/lib/processing/ports.ts';
import { startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { conversationUpdate } from '#test/support/notifications.ts';

const change = (convId: string, state: 'OPEN' | 'CLOSE', ts: number) =>
  parseNotification(JSON.stringify(conversationUpdate(convId, state, ts)), 'connector')[0] as OrderedConversationChange;

describe('DynamoDbConversationStateStore (local DynamoDB)', () => {
  let dynamo: LocalDynamoDb;
  let store: DynamoDbConversationStateStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    store = new DynamoDbConversationStateStore({ tableName: await dynamo.createTable('state', STATE_TABLE_KEY), client: dynamo.client });
  });
  afterAll(() => dynamo.stop());

  it('stores a new conversation with its consumer', async () => {
    expect(await store.apply(change('conv-1', 'OPEN', 100))).toBe('applied');
    expect(await store.get('conv-1')).toMatchObject({
      conversationId: 'conv-1',
      state: 'OPEN',
      consumerId: 'consumer-1',
      lastUpdateTs: 100,
    });
  });

  it('applies newer updates and ignores older ones', async () => {
    await store.apply(change('conv-2', 'OPEN', 100));
    expect(await store.apply(change('conv-2', 'CLOSE', 200))).toBe('applied');
    expect(await store.apply(change('conv-2', 'OPEN', 150))).toBe('stale');
    expect(await store.get('conv-2')).toMatchObject({ state: 'CLOSE', lastUpdateTs: 200 });
  });

  it('applies an update as old as the stored one again (a retried record), so it is not counted stale', async () => {
    await store.apply(change('conv-3', 'OPEN', 100));
    expect(await store.apply(change('conv-3', 'OPEN', 100))).toBe('applied');
    expect(await store.get('conv-3')).toMatchObject({ state: 'OPEN', lastUpdateTs: 100 });
  });

  it('answers undefined for an unknown conversation', async () => {
    expect(await store.get('nope')).toBeUndefined();
  });
});

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerItemKey, DynamoDbConsumerStore } from '#functions/lib/aws/consumer-store.ts';
import { DynamoDbConversationStateStore } from '#functions/lib/aws/conversation-state.ts';
import { parseNotification } from '#functions/lib/liveperson/events.ts';
import type { OrderedConversationChange } from '#functions/lib/processing/ports.ts';
import { startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { notificationFixtures } from '#test/support/fixtures.ts';
import { conversationUpdate } from '#test/support/notifications.ts';

const change = (convId: string, state: 'OPEN' | 'CLOSE', ts: number) =>
  parseNotification(JSON.stringify(conversationUpdate(convId, state, ts)), 'connector')[0] as OrderedConversationChange;

describe('DynamoDbConsumerStore (local DynamoDB, the conversation state table)', () => {
  let dynamo: LocalDynamoDb;
  let tableName: string;
  let store: DynamoDbConsumerStore;
  let documents: DynamoDBDocumentClient;
  const item = async (consumerId: string) =>
    (await documents.send(new GetCommand({ TableName: tableName, Key: { conversationId: consumerItemKey(consumerId) } }))).Item;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    tableName = await dynamo.createTable('state', STATE_TABLE_KEY);
    store = new DynamoDbConsumerStore({ tableName, client: dynamo.client, retentionDays: 30 });
    documents = DynamoDBDocumentClient.from(dynamo.client);
  });
  afterAll(() => dynamo.stop());

  it('keeps one CONSUMER item per consumer under "consumer#<id>", with the JWS and a TTL', async () => {
    expect(await store.get('ada')).toBeUndefined();
    await store.put('ada', 'jws-1');
    expect(await store.get('ada')).toBe('jws-1');
    const stored = await item('ada');
    expect(stored).toMatchObject({ conversationId: 'consumer#ada', itemType: 'CONSUMER', extConsumerId: 'ada', consumerJws: 'jws-1' });
    const inThirtyDays = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
    expect(stored?.expiresAt).toBeGreaterThan(inThirtyDays - 60);
    expect(stored?.expiresAt).toBeLessThanOrEqual(inThirtyDays + 1);
  });

  it('drops a JWS only while it is still the stored one', async () => {
    await store.put('bob', 'old');
    await store.put('bob', 'new'); // another container replaced it
    await store.dropJws('bob', 'old');
    expect(await store.get('bob')).toBe('new');
    await store.dropJws('bob', 'new');
    expect(await store.get('bob')).toBeUndefined();
    await store.dropJws('nobody', 'x'); // nothing to drop: no error, no item
    expect(await item('nobody')).toBeUndefined();
  });

  it('remembers the open conversation beside the JWS, and forgets it only if it is still the one', async () => {
    await store.put('cy', 'jws');
    await store.rememberOpenConversation('cy', 'conv-1');
    expect(await store.openConversationId('cy')).toBe('conv-1');
    expect(await store.get('cy')).toBe('jws');
    await store.rememberOpenConversation('cy', 'conv-2');
    await store.forgetOpenConversation('cy', 'conv-1');
    expect(await store.openConversationId('cy')).toBe('conv-2');
    await store.forgetOpenConversation('cy', 'conv-2');
    expect(await store.openConversationId('cy')).toBeUndefined();
    expect(await item('cy')).not.toHaveProperty('conversationOpenedAt');
  });

  it("reads a conversation's state from the processor's item, and nothing when there is none yet", async () => {
    const processor = new DynamoDbConversationStateStore({ tableName, client: dynamo.client });
    expect(await store.conversationState('conv-9')).toBeUndefined();
    await processor.apply(change('conv-9', 'OPEN', 100));
    expect(await store.conversationState('conv-9')).toEqual({ state: 'OPEN' });
    await processor.apply(change('conv-9', 'CLOSE', 200));
    expect(await store.conversationState('conv-9')).toEqual({ state: 'CLOSE' });
  });

  it("names the open post-conversation survey's dialog (LivePerson's survey example), and none once the survey is over", async () => {
    const processor = new DynamoDbConversationStateStore({ tableName, client: dynamo.client });
    const fixture = (name: string) => notificationFixtures().find((candidate) => candidate.name === name)!.notification;
    const [open] = parseNotification(JSON.stringify(fixture('conversation-change-post-survey-dialog-open.json')), 'connector');
    const survey = (open as OrderedConversationChange).dialogs.find((dialog) => dialog.dialogType === 'POST_SURVEY');
    expect(survey?.state).toBe('OPEN');
    await processor.apply(open as OrderedConversationChange);
    const conversationId = (open as OrderedConversationChange).conversationId;
    expect(await store.conversationState(conversationId)).toEqual({ state: 'CLOSE', surveyDialogId: survey?.dialogId });
    const [done] = parseNotification(JSON.stringify(fixture('conversation-change-post-survey-completed-closed.json')), 'connector');
    await processor.apply(done as OrderedConversationChange);
    expect(await store.conversationState((done as OrderedConversationChange).conversationId)).toEqual({ state: 'CLOSE' });
  });

  it('refuses malformed items with a message that names the table and the field, never the consumer', async () => {
    await documents.send(
      new PutCommand({ TableName: tableName, Item: { conversationId: 'consumer#+14155550100', itemType: 'SOMETHING' } }),
    );
    const error = await store.get('+14155550100').catch((e: unknown) => e);
    expect(String(error)).toContain('a consumer item in state is malformed: itemType');
    expect(String(error)).not.toContain('4155550100');
    await documents.send(new PutCommand({ TableName: tableName, Item: { conversationId: 'conv-bad', state: 'PAUSED' } }));
    await expect(store.conversationState('conv-bad')).rejects.toThrow('conversation conv-bad in state has no valid state');
  });
});

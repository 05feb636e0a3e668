// The funnel's watermark in DynamoDB (local DynamoDB): read, claimed only from the value a run read.
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNNEL_TABLE } from '#contract/resources.ts';
import { DynamoDbFunnelWatermark, funnelWatermarkKey } from '#functions/lib/aws/funnel-watermark.ts';
import { startLocalDynamoDb, type LocalDynamoDb } from '#local/dynamodb.ts';

describe('DynamoDbFunnelWatermark (local DynamoDB)', () => {
  let dynamo: LocalDynamoDb;
  let tableName: string;
  const watermark = (accountId: string) => new DynamoDbFunnelWatermark({ tableName, accountId, client: dynamo.client });

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    tableName = await dynamo.createTable('funnel', FUNNEL_TABLE.partitionKey);
  });
  afterAll(() => dynamo.stop());

  it('has none before the first claim, then moves only from the value read', async () => {
    const store = watermark('111');
    expect(await store.read()).toBeUndefined();
    expect(await store.claim(undefined, 1_000)).toBe(true);
    // A second first run lost the race.
    expect(await store.claim(undefined, 2_000)).toBe(false);
    expect(await store.read()).toBe(1_000);
    expect(await store.claim(500, 2_000)).toBe(false);
    expect(await store.claim(1_000, 2_000)).toBe(true);
    expect(await store.read()).toBe(2_000);
  });

  it('lets exactly one of many concurrent claims from the same value win', async () => {
    const store = watermark('222');
    await store.claim(undefined, 10);
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => store.claim(10, 20 + index)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps one item per account', async () => {
    await watermark('333').claim(undefined, 7);
    expect(await watermark('444').read()).toBeUndefined();
    expect(await watermark('333').read()).toBe(7);
  });

  it('refuses a malformed item rather than start counting again', async () => {
    await DynamoDBDocumentClient.from(dynamo.client).send(
      new PutCommand({ TableName: tableName, Item: { id: funnelWatermarkKey('555'), countedUntil: 'yesterday' } }),
    );
    await expect(watermark('555').read()).rejects.toThrow(`the C2M funnel watermark in ${tableName} is malformed`);
  });
});

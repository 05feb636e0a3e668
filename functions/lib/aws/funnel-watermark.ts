/**
 * The C2M funnel's watermark in DynamoDB: one item per account (`c2m-funnel#<accountId>`) holding
 * `countedUntil`, moved only by a conditional write from the value a run read, so of two overlapping
 * runs exactly one claims a window (functions/lib/ivr/funnel.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '#contract/zod.ts';
import { FUNNEL_TABLE } from '#contract/resources.ts';
import type { FunnelWatermark } from '../ivr/funnel.ts';
import { documentClient } from './dynamodb.ts';

const watermarkItemSchema = z.object({
  countedUntil: z.number().check(z.int(), z.nonnegative()),
});

export function funnelWatermarkKey(accountId: string): string {
  return `c2m-funnel#${accountId}`;
}

export class DynamoDbFunnelWatermark implements FunnelWatermark {
  readonly #tableName: string;
  readonly #key: Record<string, string>;
  readonly #client: DynamoDBDocumentClient;

  constructor(options: { tableName: string; accountId: string; client?: DynamoDBClient }) {
    this.#tableName = options.tableName;
    this.#key = { [FUNNEL_TABLE.partitionKey]: funnelWatermarkKey(options.accountId) };
    this.#client = documentClient(options.client);
  }

  async read(): Promise<number | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: this.#key, ConsistentRead: true }));
    if (Item === undefined) return undefined;
    const parsed = watermarkItemSchema.safeParse(Item);
    // Refused rather than restarted: counting from scratch would count the past day again.
    if (!parsed.success) throw new Error(`the C2M funnel watermark in ${this.#tableName} is malformed: countedUntil is no epoch-ms time`);
    return parsed.data.countedUntil;
  }

  async claim(previous: number | undefined, next: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: this.#key,
          UpdateExpression: 'SET countedUntil = :next, updatedAt = :now',
          ConditionExpression: previous === undefined ? 'attribute_not_exists(countedUntil)' : 'countedUntil = :previous',
          ExpressionAttributeValues: {
            ':next': next,
            ':now': new Date().toISOString(),
            ...(previous === undefined ? {} : { ':previous': previous }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

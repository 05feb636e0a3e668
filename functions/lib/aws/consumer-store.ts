/**
 * The connector's consumers, kept in the conversation state table beside the processor's conversation
 * items: one CONSUMER item per consumer under `conversationId = "consumer#<ext_consumer_id>"`, holding
 * the consumer JWS (it never expires: the durable ConsumerJwsStore behind the memory cache) and the
 * conversation the connector last opened for the consumer and has not yet seen closed.
 *
 * Whether that conversation is still open is read from its own item, which the processor writes from
 * LivePerson's conversation notifications; the prefix keeps consumer keys apart from conversation ids.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '#contract/zod.ts';
import type { ConsumerConversations, ConversationView } from '../connector/ports.ts';
import type { ConsumerJwsStore } from '../liveperson/consumer-jws.ts';
import { documentClient, SECONDS_PER_DAY } from './dynamodb.ts';
import { STATE_TABLE } from '#contract/resources.ts';

export const CONSUMER_KEY_PREFIX = 'consumer#';
export const CONSUMER_ITEM_TYPE = 'CONSUMER';

/** The state table key of a consumer's item. */
export function consumerItemKey(extConsumerId: string): string {
  return `${CONSUMER_KEY_PREFIX}${extConsumerId}`;
}

const consumerItemSchema = z.object({
  conversationId: z.string().check(z.startsWith(CONSUMER_KEY_PREFIX)),
  itemType: z.literal(CONSUMER_ITEM_TYPE),
  extConsumerId: z.string().check(z.minLength(1)),
  consumerJws: z.optional(z.string().check(z.minLength(1))),
  openConversationId: z.optional(z.string().check(z.minLength(1))),
  conversationOpenedAt: z.optional(z.string()),
  updatedAt: z.string(),
  expiresAt: z.optional(z.number()),
});
export type ConsumerItem = z.infer<typeof consumerItemSchema>;

// Only the state and dialogs of the processor's conversation item are read (projected); the processor owns the rest.
const conversationStateSchema = z.object({
  state: z.enum(['OPEN', 'CLOSE']),
  dialogs: z.optional(z.array(z.looseObject({ dialogId: z.string(), dialogType: z.optional(z.string()), state: z.optional(z.string()) }))),
});

export class DynamoDbConsumerStore implements ConsumerJwsStore, ConsumerConversations {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #retentionSeconds: number;

  constructor(options: { tableName: string; client?: DynamoDBClient; retentionDays?: number }) {
    this.#tableName = options.tableName;
    this.#client = documentClient(options.client);
    this.#retentionSeconds = (options.retentionDays ?? 90) * SECONDS_PER_DAY;
  }

  /** The consumer's item, validated; undefined when the connector never served the consumer. */
  async getConsumer(extConsumerId: string): Promise<ConsumerItem | undefined> {
    const key = consumerItemKey(extConsumerId);
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { [STATE_TABLE.partitionKey]: key }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const parsed = consumerItemSchema.safeParse(Item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // No key in the message: it holds the consumer id (often a phone number), and callers log the message.
      throw new Error(`a consumer item in ${this.#tableName} is malformed: ${issue?.path.join('.')} ${issue?.message}`);
    }
    return parsed.data;
  }

  // ConsumerJwsStore ---------------------------------------------------------------------------

  async get(extConsumerId: string): Promise<string | undefined> {
    return (await this.getConsumer(extConsumerId))?.consumerJws;
  }

  async put(extConsumerId: string, jws: string): Promise<void> {
    await this.#update(extConsumerId, { set: { consumerJws: jws } });
  }

  /** Drops a JWS LivePerson rejected, unless another container already replaced it. */
  async dropJws(extConsumerId: string, jws: string): Promise<void> {
    await this.#update(extConsumerId, { remove: ['consumerJws'], onlyIf: { consumerJws: jws } });
  }

  // ConsumerConversations ----------------------------------------------------------------------

  async openConversationId(extConsumerId: string): Promise<string | undefined> {
    return (await this.getConsumer(extConsumerId))?.openConversationId;
  }

  async conversationState(conversationId: string): Promise<ConversationView | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { [STATE_TABLE.partitionKey]: conversationId },
        ConsistentRead: true,
        ProjectionExpression: '#state, dialogs',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    if (Item === undefined) return undefined;
    const parsed = conversationStateSchema.safeParse(Item);
    if (!parsed.success) throw new Error(`conversation ${conversationId} in ${this.#tableName} has no valid state (OPEN or CLOSE)`);
    const survey = parsed.data.dialogs?.find((dialog) => dialog.dialogType === 'POST_SURVEY' && dialog.state === 'OPEN');
    return { state: parsed.data.state, ...(survey ? { surveyDialogId: survey.dialogId } : {}) };
  }

  async rememberOpenConversation(extConsumerId: string, conversationId: string): Promise<void> {
    await this.#update(extConsumerId, { set: { openConversationId: conversationId, conversationOpenedAt: new Date().toISOString() } });
  }

  async forgetOpenConversation(extConsumerId: string, conversationId: string): Promise<void> {
    await this.#update(extConsumerId, {
      remove: ['openConversationId', 'conversationOpenedAt'],
      onlyIf: { openConversationId: conversationId },
    });
  }

  /**
   * One UpdateItem that creates the item when needed and keeps its identity and TTL current. With
   * `onlyIf`, nothing changes unless the attributes still hold those values (a lost race is no error).
   */
  async #update(
    extConsumerId: string,
    change: { set?: Record<string, string>; remove?: readonly string[]; onlyIf?: Record<string, string> },
  ): Promise<void> {
    const now = new Date();
    const set: Record<string, string | number> = {
      itemType: CONSUMER_ITEM_TYPE,
      extConsumerId,
      ...change.set,
      updatedAt: now.toISOString(),
      // DynamoDB TTL forgets consumers nobody served for the retention period (each write extends it).
      [STATE_TABLE.timeToLiveAttribute]: Math.floor(now.getTime() / 1000) + this.#retentionSeconds,
    };
    const names: Record<string, string> = {};
    const values: Record<string, string | number> = {};
    const setParts = Object.entries(set).map(([name, value]) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      return `#${name} = :${name}`;
    });
    const removeParts = (change.remove ?? []).map((name) => {
      names[`#${name}`] = name;
      return `#${name}`;
    });
    const conditions = Object.entries(change.onlyIf ?? {}).map(([name, value]) => {
      names[`#${name}`] = name;
      values[`:expected_${name}`] = value;
      return `#${name} = :expected_${name}`;
    });
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [STATE_TABLE.partitionKey]: consumerItemKey(extConsumerId) },
          UpdateExpression: `SET ${setParts.join(', ')}${removeParts.length > 0 ? ` REMOVE ${removeParts.join(', ')}` : ''}`,
          ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (conditions.length > 0 && error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
      throw error;
    }
  }
}

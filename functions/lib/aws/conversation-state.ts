/**
 * The conversation state table: the latest known state of each conversation, kept from
 * LivePerson's conversation notifications. An update older than the stored one is ignored, so
 * reordered notifications never roll a conversation back; one as old as the stored one (a
 * retried record) is applied again, which changes nothing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '#contract/zod.ts';
import type { ConversationState, ConversationStateStore, OrderedConversationChange, StateUpdateResult } from '../processing/ports.ts';
import { documentClient, SECONDS_PER_DAY } from './dynamodb.ts';
import { STATE_TABLE } from '#contract/resources.ts';

const conversationStateSchema = z.object({
  conversationId: z.string(),
  /** `OPEN` or `CLOSE`. */
  state: z.string(),
  /** `UPSERT` or `DELETE`. */
  changeType: z.string(),
  participants: z.array(z.object({ id: z.string(), role: z.string() })),
  /** The conversation's dialogs: the main one and, after it, a post-conversation survey's. */
  dialogs: z.optional(z.array(z.object({ dialogId: z.string(), dialogType: z.optional(z.string()), state: z.optional(z.string()) }))),
  /** The first participant with role CONSUMER. */
  consumerId: z.optional(z.string()),
  skillId: z.optional(z.string()),
  startTs: z.optional(z.number()),
  lastUpdateTs: z.number(),
  closeReason: z.optional(z.string()),
  updatedAt: z.string(),
}) satisfies z.ZodMiniType<ConversationState>;

export class DynamoDbConversationStateStore implements ConversationStateStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #retentionSeconds: number;

  constructor(options: { tableName: string; client?: DynamoDBClient; retentionDays?: number }) {
    this.#tableName = options.tableName;
    this.#client = documentClient(options.client);
    this.#retentionSeconds = (options.retentionDays ?? 90) * SECONDS_PER_DAY;
  }

  async apply(event: OrderedConversationChange): Promise<StateUpdateResult> {
    const now = new Date();
    const values = {
      state: event.state,
      changeType: event.changeType,
      participants: event.participants.map(({ id, role }) => ({ id, role })),
      // DynamoDB's document client refuses undefined inside a list item: only the fields present.
      dialogs: event.dialogs.map(({ dialogId, dialogType, state }) => ({
        dialogId,
        ...(dialogType === undefined ? {} : { dialogType }),
        ...(state === undefined ? {} : { state }),
      })),
      consumerId: event.participants.find((p) => p.role === 'CONSUMER')?.id,
      skillId: event.skillId,
      brandId: event.brandId,
      startTs: event.startTs,
      lastUpdateTs: event.lastUpdateTs,
      closeReason: event.closeReason,
      updatedAt: now.toISOString(),
      // DynamoDB TTL removes conversations nobody has touched for the retention period.
      [STATE_TABLE.timeToLiveAttribute]: Math.floor(now.getTime() / 1000) + this.#retentionSeconds,
    };
    const present = Object.entries(values).filter(([, value]) => value !== undefined);
    const absent = Object.entries(values).filter(([, value]) => value === undefined);
    const set = present.map(([name]) => `#${name} = :${name}`).join(', ');
    const remove = absent.length > 0 ? ` REMOVE ${absent.map(([name]) => `#${name}`).join(', ')}` : '';
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [STATE_TABLE.partitionKey]: event.conversationId },
          UpdateExpression: `SET ${set}${remove}`,
          // `<=`: a retried record (same metaDataLastUpdateTs) is not stale and must still reach the handlers.
          ConditionExpression: `attribute_not_exists(${STATE_TABLE.partitionKey}) OR lastUpdateTs <= :lastUpdateTs`,
          ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: Object.fromEntries(present.map(([name, value]) => [`:${name}`, value])),
        }),
      );
      return 'applied';
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'stale';
      throw error;
    }
  }

  async get(conversationId: string): Promise<ConversationState | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { [STATE_TABLE.partitionKey]: conversationId }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const parsed = conversationStateSchema.safeParse(Item);
    if (!parsed.success)
      throw new Error(`conversation ${conversationId} in ${this.#tableName} is malformed: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }
}

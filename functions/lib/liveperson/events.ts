/**
 * Typed LivePerson events: the zod schemas of Connector API notifications and their split into
 * one event per change.
 *
 * The schemas accept every form LivePerson's published examples show
 * (https://developers.liveperson.com/connector-api-webhooks-webhooks-examples.html and the
 * fixtures under test/fixtures/liveperson): a messaging change names its conversation by
 * `conversationId` or only by `dialogId`; a ContentEvent's message is text or an object (files,
 * forms); conversation details carry dialogs, handler, campaign and TTR. A change or notification
 * type this code does not know is passed on as an `UnknownEvent`, never refused: LivePerson adds
 * types, and a refused genuine notification is lost. Only a change of a known type that breaks
 * its schema (a sequence that is not a non-negative integer, a conversation change without state)
 * is a SchemaViolation: no retry can make it processable.
 * LivePerson facts behind this: docs/liveperson.md#notification-envelopes.
 */
import { createHash } from 'node:crypto';
import * as z from '#contract/zod.ts';
import { IntegrationError } from '../errors.ts';
import { readMessageContent, contentMessageSchema, type MessageContent } from './message-content.ts';
import {
  CONVERSATION_NOTIFICATION,
  conversationOf,
  envelopeFieldsSchema,
  hasDeliveryIdentity,
  MESSAGING_NOTIFICATION,
  routeMessagingNotification,
} from './notification-envelope.ts';
import { isRecord, jsonObject, nonEmpty } from './values.ts';

/** The latest time a JavaScript Date can hold (ms since the epoch): a timestamp beyond it is not one. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;
const epochMillisSchema = z
  .number()
  .check(z.int('a timestamp must be an integer (ms)'))
  .check(z.gte(0, 'a timestamp cannot be negative'))
  .check(z.lte(MAX_EPOCH_MS, 'timestamp out of range'));
const sequenceSchema = z
  .number()
  .check(z.int('a sequence must be an integer'))
  .check(z.gte(0, 'a sequence cannot be negative'))
  .check(z.lte(Number.MAX_SAFE_INTEGER, 'sequence out of range'));
// LivePerson sends `effectiveTTR: -1` for a conversation with no response time due.
const effectiveTtrSchema = z.number().check(z.int()).check(z.gte(-1)).check(z.lte(MAX_EPOCH_MS));
// Skill and campaign ids are strings in some examples, numbers in others: the same id either way.
const idSchema = z.union([z.string(), z.pipe(z.number(), z.transform(String))]);
const recordSchema = z.record(z.string(), z.unknown());

const participantSchema = z.looseObject({ id: z.string(), role: z.string() });
const originatorMetadataSchema = z.looseObject({ id: z.optional(z.string()), role: z.optional(z.string()) });

/** The fields every messaging change may carry, whatever its event. */
const messagingChangeSchema = z.looseObject({
  sequence: z.optional(sequenceSchema),
  originatorId: z.optional(z.string()),
  originatorMetadata: z.optional(originatorMetadataSchema),
  serverTimestamp: z.optional(epochMillisSchema),
  conversationId: z.optional(z.string()),
  dialogId: z.optional(z.string()),
  messageAudience: z.optional(z.string()),
  // `null` in LivePerson's survey examples: withoutNulls has removed it before this schema reads.
  metadata: z.optional(z.array(recordSchema)),
  event: z.looseObject({ type: z.string() }),
});

const contentEventSchema = z.looseObject({
  type: z.literal('ContentEvent'),
  message: contentMessageSchema,
  contentType: z._default(z.string(), 'text/plain'),
  quickReplies: z.optional(recordSchema),
});
// Structured content is an object in notifications; LivePerson's history pages show it JSON-encoded.
const structuredContentSchema = z.union([
  recordSchema,
  z.pipe(
    z.string(),
    z.transform((text, context) => {
      const value = jsonObject(text);
      if (value === undefined) context.issues.push({ code: 'custom', message: 'structured content must be a JSON object', input: text });
      return value ?? {};
    }),
  ),
]);
const richContentEventSchema = z.looseObject({
  type: z.literal('RichContentEvent'),
  content: structuredContentSchema,
  quickReplies: z.optional(recordSchema),
});
const acceptStatusEventSchema = z.looseObject({
  type: z.literal('AcceptStatusEvent'),
  status: z.string(),
  sequenceList: z.array(sequenceSchema),
});
const chatStateEventSchema = z.looseObject({
  type: z.literal('ChatStateEvent'),
  chatState: z.string(),
});
const KNOWN_MESSAGING_EVENTS = {
  ContentEvent: contentEventSchema,
  RichContentEvent: richContentEventSchema,
  AcceptStatusEvent: acceptStatusEventSchema,
  ChatStateEvent: chatStateEventSchema,
} as const;

const dialogSchema = z.looseObject({
  dialogId: z.string(),
  dialogType: z.optional(z.string()),
  channelType: z.optional(z.string()),
  state: z.optional(z.string()),
  creationTs: z.optional(epochMillisSchema),
  endTs: z.optional(epochMillisSchema),
  metaDataLastUpdateTs: z.optional(epochMillisSchema),
  closedBy: z.optional(z.string()),
  closedCause: z.optional(z.string()),
});
const campaignSchema = z.looseObject({ campaignId: z.optional(idSchema), engagementId: z.optional(idSchema) });

export const conversationChangeSchema = z.looseObject({
  type: z.string().check(z.minLength(1)),
  result: z.looseObject({
    // The key of the conversation state table: DynamoDB allows 2048 bytes; LivePerson's ids are UUIDs.
    convId: z.string().check(z.minLength(1)).check(z.maxLength(512, 'a conversation id is at most 512 characters')),
    effectiveTTR: z.optional(effectiveTtrSchema),
    // Messaging Window API examples carry `lastUpdateTime` here instead of metaDataLastUpdateTs.
    lastUpdateTime: z.optional(epochMillisSchema),
    conversationDetails: z.optional(
      z.looseObject({
        participants: z.optional(z.array(participantSchema)),
        // The consumer-side form of participants: role → ids.
        participantsPId: z.optional(z.record(z.string(), z.array(z.string()))),
        dialogs: z.optional(z.array(dialogSchema)),
        brandId: z.optional(z.string()),
        skillId: z.optional(idSchema),
        state: z.optional(z.string().check(z.minLength(1))),
        stage: z.optional(z.string()),
        startTs: z.optional(epochMillisSchema),
        endTs: z.optional(epochMillisSchema),
        metaDataLastUpdateTs: z.optional(epochMillisSchema),
        closeReason: z.optional(z.string()),
        ttr: z.optional(z.looseObject({ ttrType: z.optional(z.string()), value: z.optional(z.number()) })),
        conversationHandlerDetails: z.optional(z.looseObject({ accountId: z.optional(z.string()), skillId: z.optional(idSchema) })),
        campaignInfo: z.optional(campaignSchema),
      }),
    ),
  }),
});

interface EventBase {
  /**
   * Stable identity for duplicate detection: dialog, sequence and type, else a digest of the
   * change. Undefined for a messaging change with neither sequence nor server timestamp (chat
   * states): a genuine repeat is identical to the first, so such an event is never deduplicated.
   */
  readonly identity: string | undefined;
  readonly conversationId: string;
}

interface MessagingEventBase extends EventBase {
  /** The dialog: the conversation's id for its main dialog, another id for a survey dialog. */
  readonly dialogId: string;
  readonly sequence: number | undefined;
  readonly serverTimestamp: number | undefined;
  readonly originatorId: string | undefined;
  readonly originatorRole: string | undefined;
  /** Who may see it: `ALL`, or `AGENTS_AND_MANAGERS` for a private note. */
  readonly messageAudience: string | undefined;
  /** The change's `metadata` (e.g. an `ExternalId`, a clicked button's metadata), as sent. */
  readonly metadata: ReadonlyArray<Record<string, unknown>> | undefined;
}

export interface ContentEvent extends MessagingEventBase {
  readonly type: 'ContentEvent';
  /** As sent: a string for text, an object for files and forms (see `content`). */
  readonly message: string | Record<string, unknown>;
  readonly contentType: string;
  /** The typed reading of `message`: switch on `content.kind`. */
  readonly content: MessageContent;
  /** Quick replies an agent or bot offers with the message (structured content), as sent. */
  readonly quickReplies: Record<string, unknown> | undefined;
}
export interface RichContentEvent extends MessagingEventBase {
  readonly type: 'RichContentEvent';
  /** Structured content (cards, carousels, buttons, images, maps), as sent. */
  readonly content: Record<string, unknown>;
  readonly quickReplies: Record<string, unknown> | undefined;
}
export interface AcceptStatusEvent extends MessagingEventBase {
  readonly type: 'AcceptStatusEvent';
  readonly status: string;
  readonly sequenceList: readonly number[];
}
export interface ChatStateEvent extends MessagingEventBase {
  readonly type: 'ChatStateEvent';
  readonly chatState: string;
}

export interface ConversationDialog {
  readonly dialogId: string;
  /** `MAIN`, `POST_SURVEY`, ... */
  readonly dialogType: string | undefined;
  readonly state: string | undefined;
  readonly channelType: string | undefined;
}

export interface ConversationChangeEvent extends EventBase {
  /** A digest of the change: it carries the whole conversation state. */
  readonly identity: string;
  readonly type: 'ExConversationChangeNotification';
  /** `UPSERT` or `DELETE`. */
  readonly changeType: string;
  /** `OPEN` or `CLOSE`; undefined only for a DELETE that came with the conversation's id alone. */
  readonly state: string | undefined;
  readonly stage: string | undefined;
  readonly participants: ReadonlyArray<{ readonly id: string; readonly role: string }>;
  readonly dialogs: readonly ConversationDialog[];
  readonly skillId: string | undefined;
  readonly brandId: string | undefined;
  /** The account and skill handling the conversation now (after a transfer, the new skill). */
  readonly handler: { readonly accountId: string | undefined; readonly skillId: string | undefined } | undefined;
  readonly campaign: { readonly campaignId: string | undefined; readonly engagementId: string | undefined } | undefined;
  readonly ttr: { readonly ttrType: string | undefined; readonly value: number | undefined } | undefined;
  /** When the agent's answer is due (ms since the epoch), -1 when none is. */
  readonly effectiveTTR: number | undefined;
  readonly startTs: number | undefined;
  /**
   * `metaDataLastUpdateTs` (else the result's `lastUpdateTime`): orders updates of one
   * conversation. Without it the update cannot be ordered, so the state table is left alone.
   */
  readonly lastUpdateTs: number | undefined;
  readonly closeReason: string | undefined;
}

/**
 * Whatever came by the messaging route (Messaging REST API subscriptions): LivePerson documents no
 * schema for it and signs nothing, so it stays raw, whatever shape it has.
 */
export interface MessagingSubscriptionEvent extends Omit<EventBase, 'conversationId'> {
  /** A digest of the body. */
  readonly identity: string;
  readonly type: 'MessagingSubscriptionEvent';
  readonly conversationId: string | undefined;
  readonly body: Record<string, unknown>;
}

/**
 * A change (or a whole notification) of a type this code does not know yet, passed on as it came
 * so that nothing LivePerson sends is lost: subscribers can act on it before the project types it.
 */
export interface UnknownEvent extends Omit<EventBase, 'conversationId'> {
  readonly type: 'UnknownEvent';
  /** The notification's `type`, e.g. `ms.MessagingEventNotification`, when it has one. */
  readonly notificationType: string | undefined;
  /** The change's own type: its `event.type` in a messaging notification, else its `type`. */
  readonly changeType: string | undefined;
  /** The conversation, when the change names one (`conversationId`, `result.convId`, `dialogId`). */
  readonly conversationId: string | undefined;
  /** The raw change, or the whole body when it has no `body.changes`. */
  readonly change: unknown;
}

export type LivePersonEvent =
  | ContentEvent
  | RichContentEvent
  | AcceptStatusEvent
  | ChatStateEvent
  | ConversationChangeEvent
  | MessagingSubscriptionEvent
  | UnknownEvent;
export type LivePersonEventType = LivePersonEvent['type'];
export const LIVEPERSON_EVENT_TYPES: readonly LivePersonEventType[] = [
  'ContentEvent',
  'RichContentEvent',
  'AcceptStatusEvent',
  'ChatStateEvent',
  'ExConversationChangeNotification',
  'MessagingSubscriptionEvent',
  'UnknownEvent',
];

/** A notification that can never be processed: retrying changes nothing. */
export class SchemaViolation extends IntegrationError {
  // Permanent: the same body breaks the schema every time.
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SchemaViolation';
  }
}

function participantsOf(details: {
  participants?: ReadonlyArray<{ id: string; role: string }> | undefined;
  participantsPId?: Record<string, string[]> | undefined;
}): Array<{ id: string; role: string }> {
  if (details.participants !== undefined) return details.participants.map(({ id, role }) => ({ id, role }));
  return Object.entries(details.participantsPId ?? {}).flatMap(([role, ids]) => ids.map((id) => ({ id, role })));
}

/**
 * Splits a queued webhook body into typed events, one per change, in order.
 * `route` is the webhook route it came in on.
 */
export function parseNotification(rawBody: string, route: 'connector' | 'messaging'): LivePersonEvent[] {
  try {
    return parseJsonNotification(rawBody, route);
  } catch (error) {
    // JSON nested deeper than the engine's stack (a valid, signed body can be): no retry helps.
    if (error instanceof RangeError) throw new SchemaViolation(`notification cannot be processed: ${error.message}`);
    throw error;
  }
}

function parseJsonNotification(rawBody: string, route: 'connector' | 'messaging'): LivePersonEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new SchemaViolation('body is not JSON');
  }
  // The messaging route is guarded only by a URL token, not signed: whatever comes by it stays one
  // raw event of its own kind, even when it looks like a Connector notification, so it can never
  // pass for a signed event, share its identity (suppressing it as a duplicate) or move a
  // conversation's state.
  if (route === 'messaging') {
    if (!isRecord(json)) throw new SchemaViolation('a messaging route body must be a JSON object');
    return [subscriptionEvent(json, rawBody)];
  }
  const envelope = envelopeFieldsSchema.safeParse(json);
  const type = envelope.success ? envelope.data.type : undefined;
  const changes = envelope.success ? envelope.data.body?.changes : undefined;
  if (changes === undefined) return [unknownEvent(type, json)];
  // LivePerson sends notifications with no change at all (a subscription's first answer): nothing to handle.
  return changes.map((change, index) => {
    const at = `body.changes.${index}`;
    if (type === MESSAGING_NOTIFICATION) return messagingEvent(change, at);
    if (type === CONVERSATION_NOTIFICATION) return conversationEvent(change, at);
    return unknownEvent(type, change);
  });
}

/**
 * A copy without the object properties whose value is null: LivePerson sends `null` for an absent
 * value (`"metadata": null` in its survey examples), which zod's optional() would refuse. The raw
 * change is what an UnknownEvent keeps; this copy is only what the typed schemas read.
 */
function withoutNulls(value: unknown): unknown {
  // Most changes hold no null: no copy then (this runs for every event).
  if (!containsNull(value)) return value;
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}

function containsNull(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(containsNull);
  return isRecord(value) && Object.values(value).some(containsNull);
}

/**
 * Which schema a change is for: its `type` and its `event.type`, when they are strings. A plain
 * read, not a zod parse: it only picks the schema that then validates the whole change.
 */
function typesOf(change: unknown): { changeType: string | undefined; eventType: string | undefined } {
  if (!isRecord(change)) return { changeType: undefined, eventType: undefined };
  const { type, event } = change;
  const eventType = isRecord(event) && typeof event.type === 'string' ? event.type : undefined;
  return { changeType: typeof type === 'string' ? type : undefined, eventType };
}

function messagingEvent(rawChange: unknown, at: string): LivePersonEvent {
  const eventType = typesOf(rawChange).eventType;
  if (eventType === undefined || !Object.hasOwn(KNOWN_MESSAGING_EVENTS, eventType)) return unknownEvent(MESSAGING_NOTIFICATION, rawChange);
  const change = parseOrThrow(messagingChangeSchema, withoutNulls(rawChange), at);
  // The main dialog's id is the conversation's: LivePerson's examples often send only `dialogId`.
  const conversationId = nonEmpty(change.conversationId) ?? nonEmpty(change.dialogId);
  if (conversationId === undefined)
    throw new SchemaViolation(`notification breaks the schema: ${at}: names no conversation (neither conversationId nor dialogId)`);
  const dialogId = nonEmpty(change.dialogId) ?? conversationId;
  const base = {
    conversationId,
    dialogId,
    sequence: change.sequence,
    serverTimestamp: change.serverTimestamp,
    originatorId: change.originatorId ?? change.originatorMetadata?.id,
    originatorRole: change.originatorMetadata?.role,
    messageAudience: change.messageAudience,
    metadata: change.metadata,
    identity: messagingIdentity(change, eventType, dialogId),
  };
  const eventAt = `${at}.event`;
  switch (eventType) {
    case 'ContentEvent': {
      const event = parseOrThrow(contentEventSchema, change.event, eventAt);
      return {
        ...base,
        type: 'ContentEvent',
        message: event.message,
        contentType: event.contentType,
        content: readMessageContent(event.contentType, event.message),
        quickReplies: event.quickReplies,
      };
    }
    case 'RichContentEvent': {
      const event = parseOrThrow(richContentEventSchema, change.event, eventAt);
      return { ...base, type: 'RichContentEvent', content: event.content, quickReplies: event.quickReplies };
    }
    case 'AcceptStatusEvent': {
      const event = parseOrThrow(acceptStatusEventSchema, change.event, eventAt);
      return { ...base, type: 'AcceptStatusEvent', status: event.status, sequenceList: event.sequenceList };
    }
    default: {
      const event = parseOrThrow(chatStateEventSchema, change.event, eventAt);
      return { ...base, type: 'ChatStateEvent', chatState: event.chatState };
    }
  }
}

function messagingIdentity(change: z.infer<typeof messagingChangeSchema>, eventType: string, dialogId: string): string | undefined {
  if (!hasDeliveryIdentity(change)) return undefined;
  if (change.sequence === undefined) return `${eventType}:${digest(change)}`;
  return `${eventType}:${dialogId}:${change.sequence}`;
}

/** The conversation change types this code types; another is passed on as an UnknownEvent. */
const CONVERSATION_CHANGE_TYPES: ReadonlySet<string> = new Set(['UPSERT', 'DELETE']);

function conversationEvent(rawChange: unknown, at: string): LivePersonEvent {
  const changeType = typesOf(rawChange).changeType;
  if (changeType === undefined || !CONVERSATION_CHANGE_TYPES.has(changeType)) return unknownEvent(CONVERSATION_NOTIFICATION, rawChange);
  const change = parseOrThrow(conversationChangeSchema, withoutNulls(rawChange), at);
  const { result } = change;
  // A DELETE (the conversation left the subscription's scope) may come with its id alone; an
  // UPSERT carries the whole state, so one without a state cannot be told apart from anything.
  const details = result.conversationDetails ?? {};
  if (change.type === 'UPSERT' && details.state === undefined) {
    throw new SchemaViolation(
      `notification breaks the schema: ${at}.result.conversationDetails.state: an UPSERT must carry the conversation's state`,
    );
  }
  const handler = details.conversationHandlerDetails;
  const campaign = details.campaignInfo;
  return {
    type: 'ExConversationChangeNotification',
    // The whole state comes with every update: its identity is the update's digest.
    identity: `ExConversationChangeNotification:${digest(change)}`,
    conversationId: result.convId,
    changeType: change.type,
    state: details.state,
    stage: details.stage,
    participants: participantsOf(details),
    dialogs: (details.dialogs ?? []).map(({ dialogId, dialogType, state, channelType }) => ({ dialogId, dialogType, state, channelType })),
    skillId: details.skillId,
    brandId: details.brandId,
    handler: handler === undefined ? undefined : { accountId: handler.accountId, skillId: handler.skillId },
    campaign: campaign === undefined ? undefined : { campaignId: campaign.campaignId, engagementId: campaign.engagementId },
    ttr: details.ttr === undefined ? undefined : { ttrType: details.ttr.ttrType, value: details.ttr.value },
    effectiveTTR: result.effectiveTTR,
    startTs: details.startTs,
    lastUpdateTs: details.metaDataLastUpdateTs ?? result.lastUpdateTime,
    closeReason: details.closeReason,
  };
}

function unknownEvent(notificationType: string | undefined, change: unknown): UnknownEvent {
  const types = typesOf(change);
  const changeType = types.eventType ?? types.changeType;
  // A messaging change without sequence or timestamp may be a genuine repeat, as a chat state is.
  const repeatable = notificationType === MESSAGING_NOTIFICATION && isRecord(change) && !hasDeliveryIdentity(change);
  return {
    type: 'UnknownEvent',
    identity: repeatable ? undefined : `UnknownEvent:${digest({ notificationType, change })}`,
    notificationType,
    changeType,
    conversationId: conversationOf(change),
    change,
  };
}

function subscriptionEvent(body: Record<string, unknown>, rawBody: string): MessagingSubscriptionEvent {
  return {
    type: 'MessagingSubscriptionEvent',
    // Its own namespace: no Connector event's identity starts like this.
    identity: `MessagingSubscriptionEvent:${createHash('sha256').update(rawBody).digest('hex')}`,
    // The receiver grouped it by the same rule: the event names the conversation it was ordered in.
    conversationId: routeMessagingNotification(body).conversationId,
    body,
  };
}

function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, at: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((issue) => `${[at, ...issue.path].join('.')}: ${issue.message}`);
    throw new SchemaViolation(`notification breaks the schema: ${issues.join('; ')}`);
  }
  return result.data;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

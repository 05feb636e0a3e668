/**
 * Typed LivePerson events: the zod schemas of every Connector API notification and their split
 * into one event per change (LIVEPERSON.md §5). A notification breaking these schemas can never
 * be processed, whatever the retries, so it is reported as a SchemaViolation.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CONVERSATION_NOTIFICATION, conversationOf, hasDeliveryIdentity, MESSAGING_NOTIFICATION } from './notification-envelope.ts';

const participantSchema = z.looseObject({ id: z.string(), role: z.string() });

const originatorMetadataSchema = z.looseObject({ id: z.string().optional(), role: z.string().optional() });

const messagingChangeBase = {
  sequence: z.number().int().nonnegative().optional(),
  originatorId: z.string().optional(),
  originatorMetadata: originatorMetadataSchema.optional(),
  serverTimestamp: z.number().optional(),
  conversationId: z.string().min(1),
  dialogId: z.string().min(1).optional(),
  messageAudience: z.string().optional(),
};

export const contentEventSchema = z.looseObject({
  type: z.literal('ContentEvent'),
  message: z.string(),
  contentType: z.string(),
});
export const richContentEventSchema = z.looseObject({
  type: z.literal('RichContentEvent'),
  content: z.record(z.string(), z.unknown()),
});
export const acceptStatusEventSchema = z.looseObject({
  type: z.literal('AcceptStatusEvent'),
  status: z.string(),
  sequenceList: z.array(z.number().int()),
});
export const chatStateEventSchema = z.looseObject({
  type: z.literal('ChatStateEvent'),
  chatState: z.string(),
});

export const messagingChangeSchema = z.looseObject({
  ...messagingChangeBase,
  event: z.discriminatedUnion('type', [contentEventSchema, richContentEventSchema, acceptStatusEventSchema, chatStateEventSchema]),
});

export const conversationChangeSchema = z.looseObject({
  type: z.enum(['UPSERT', 'DELETE']),
  result: z.looseObject({
    convId: z.string().min(1),
    effectiveTTR: z.number().optional(),
    conversationDetails: z.looseObject({
      participants: z.array(participantSchema).default([]),
      brandId: z.string().optional(),
      state: z.enum(['OPEN', 'CLOSE']),
      startTs: z.number().optional(),
      metaDataLastUpdateTs: z.number(),
      closeReason: z.string().optional(),
      skillId: z.union([z.string(), z.number()]).transform(String).optional(),
    }),
  }),
});

const messagingNotificationSchema = z.object({
  kind: z.literal('notification'),
  type: z.literal(MESSAGING_NOTIFICATION),
  body: z.object({ changes: z.array(messagingChangeSchema).min(1) }),
});
const conversationNotificationSchema = z.object({
  kind: z.literal('notification'),
  type: z.literal(CONVERSATION_NOTIFICATION),
  body: z.object({ changes: z.array(conversationChangeSchema).min(1) }),
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
  readonly dialogId: string;
  readonly sequence: number | undefined;
  readonly serverTimestamp: number | undefined;
  readonly originatorId: string | undefined;
  readonly originatorRole: string | undefined;
}

export interface ContentEvent extends MessagingEventBase {
  readonly type: 'ContentEvent';
  readonly message: string;
  readonly contentType: string;
}
export interface RichContentEvent extends MessagingEventBase {
  readonly type: 'RichContentEvent';
  readonly content: Record<string, unknown>;
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
export interface ConversationChangeEvent extends EventBase {
  /** A digest of the change: it carries the whole conversation state. */
  readonly identity: string;
  readonly type: 'ExConversationChangeNotification';
  readonly changeType: 'UPSERT' | 'DELETE';
  readonly state: 'OPEN' | 'CLOSE';
  readonly participants: ReadonlyArray<{ readonly id: string; readonly role: string }>;
  readonly skillId: string | undefined;
  readonly brandId: string | undefined;
  readonly startTs: number | undefined;
  /** `metaDataLastUpdateTs`: orders updates of one conversation. */
  readonly lastUpdateTs: number;
  readonly closeReason: string | undefined;
}
/** A Messaging REST API subscription event: LivePerson documents no schema, so it stays raw. */
export interface MessagingSubscriptionEvent extends Omit<EventBase, 'conversationId'> {
  /** A digest of the body. */
  readonly identity: string;
  readonly type: 'MessagingSubscriptionEvent';
  readonly conversationId: string | undefined;
  readonly body: Record<string, unknown>;
}

export type LivePersonEvent =
  | ContentEvent
  | RichContentEvent
  | AcceptStatusEvent
  | ChatStateEvent
  | ConversationChangeEvent
  | MessagingSubscriptionEvent;
export type LivePersonEventType = LivePersonEvent['type'];
export const LIVEPERSON_EVENT_TYPES: readonly LivePersonEventType[] = [
  'ContentEvent',
  'RichContentEvent',
  'AcceptStatusEvent',
  'ChatStateEvent',
  'ExConversationChangeNotification',
  'MessagingSubscriptionEvent',
];

/** A notification that can never be processed: retrying changes nothing. */
export class SchemaViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaViolation';
  }
}

/**
 * Splits a queued webhook body into typed events, one per change, in order.
 * `route` is the webhook route it came in on.
 */
export function parseNotification(rawBody: string, route: 'connector' | 'messaging'): LivePersonEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new SchemaViolation('body is not JSON');
  }
  const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
  if (type === MESSAGING_NOTIFICATION) return messagingEvents(parseOrThrow(messagingNotificationSchema, json));
  if (type === CONVERSATION_NOTIFICATION) return conversationEvents(parseOrThrow(conversationNotificationSchema, json));
  if (route === 'messaging' && typeof json === 'object' && json !== null && !Array.isArray(json)) {
    return [subscriptionEvent(json as Record<string, unknown>, rawBody)];
  }
  throw new SchemaViolation(`unknown notification type ${JSON.stringify(type)}`);
}

function messagingEvents(notification: z.infer<typeof messagingNotificationSchema>): LivePersonEvent[] {
  return notification.body.changes.map((change) => {
    const base = {
      conversationId: change.conversationId,
      dialogId: change.dialogId ?? change.conversationId,
      sequence: change.sequence,
      serverTimestamp: change.serverTimestamp,
      originatorId: change.originatorId ?? change.originatorMetadata?.id,
      originatorRole: change.originatorMetadata?.role,
    };
    const identity = messagingIdentity(change, base.dialogId);
    const event = change.event;
    switch (event.type) {
      case 'ContentEvent':
        return { ...base, identity, type: event.type, message: event.message, contentType: event.contentType };
      case 'RichContentEvent':
        return { ...base, identity, type: event.type, content: event.content };
      case 'AcceptStatusEvent':
        return { ...base, identity, type: event.type, status: event.status, sequenceList: event.sequenceList };
      case 'ChatStateEvent':
        return { ...base, identity, type: event.type, chatState: event.chatState };
    }
  });
}

function messagingIdentity(change: z.infer<typeof messagingChangeSchema>, dialogId: string): string | undefined {
  if (!hasDeliveryIdentity(change)) return undefined;
  if (change.sequence === undefined) return `${change.event.type}:${digest(change)}`;
  return `${change.event.type}:${dialogId}:${change.sequence}`;
}

function conversationEvents(notification: z.infer<typeof conversationNotificationSchema>): ConversationChangeEvent[] {
  return notification.body.changes.map((change) => {
    const details = change.result.conversationDetails;
    return {
      type: 'ExConversationChangeNotification',
      // The whole state comes with every update: its identity is the update's digest.
      identity: `ExConversationChangeNotification:${digest(change)}`,
      conversationId: change.result.convId,
      changeType: change.type,
      state: details.state,
      participants: details.participants.map(({ id, role }) => ({ id, role })),
      skillId: details.skillId,
      brandId: details.brandId,
      startTs: details.startTs,
      lastUpdateTs: details.metaDataLastUpdateTs,
      closeReason: details.closeReason,
    };
  });
}

function subscriptionEvent(body: Record<string, unknown>, rawBody: string): MessagingSubscriptionEvent {
  return {
    type: 'MessagingSubscriptionEvent',
    identity: `MessagingSubscriptionEvent:${createHash('sha256').update(rawBody).digest('hex')}`,
    // The receiver grouped it by the same rule: the event names the conversation it was ordered in.
    conversationId: conversationOf(body),
    body,
  };
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new SchemaViolation(`notification breaks the schema: ${issues.join('; ')}`);
  }
  return result.data;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

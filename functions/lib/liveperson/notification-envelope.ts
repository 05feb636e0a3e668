/**
 * The outer shape of what LivePerson POSTs to a webhook, and what the receiver needs from it:
 * which conversation it belongs to (to keep order per conversation) and what kind of event it is.
 * The full typed event schemas are the processor's business; the receiver only routes.
 * LivePerson facts behind this: docs/liveperson.md#notification-envelopes (and #surveys for dialog-only changes).
 */
import * as z from 'zod';
import { isRecord, nonEmpty } from './values.ts';

export const MESSAGING_NOTIFICATION = 'ms.MessagingEventNotification';
export const CONVERSATION_NOTIFICATION = 'cqm.ExConversationChangeNotification';

/** Connector API webhook body: `{kind: "notification", type, body: {changes: [...]}}`. */
export const connectorEnvelopeSchema = z.looseObject({
  kind: z.literal('notification', { error: 'kind must be "notification"' }),
  type: z.string({ error: 'type must be a string' }).min(1, 'type is empty'),
  body: z.looseObject(
    {
      changes: z
        .array(z.record(z.string(), z.unknown()), { error: 'body.changes must be an array of objects' })
        .min(1, 'body.changes is empty'),
    },
    { error: 'body must be an object with changes' },
  ),
});
export type ConnectorEnvelope = z.infer<typeof connectorEnvelopeSchema>;

const conversationFieldsSchema = z.looseObject({
  conversationId: z.string().optional().catch(undefined),
  result: z
    .looseObject({ convId: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  dialogId: z.string().optional().catch(undefined),
  convId: z.string().optional().catch(undefined),
});

/**
 * The conversation an object (a notification change or a subscription body) belongs to:
 * `conversationId`, else `result.convId`, else `dialogId`, else `convId`. The conversation comes
 * before the dialog because a post-conversation survey has a dialog of its own: grouped by
 * dialog, its messages would not be ordered against the conversation's state changes.
 * The receiver (FIFO group) and the processor (subscription events) both route with this.
 */
export function conversationOf(value: unknown): string | undefined {
  const fields = conversationFieldsSchema.safeParse(value);
  if (!fields.success) return undefined;
  const { conversationId, result, dialogId, convId } = fields.data;
  return nonEmpty(conversationId) ?? nonEmpty(result?.convId) ?? nonEmpty(dialogId) ?? nonEmpty(convId);
}

/**
 * Whether a messaging change carries what makes it unique: a `sequence` or a `serverTimestamp`.
 * Chat-state changes carry neither in LivePerson's webhook examples: a genuine second COMPOSING is then
 * byte-identical to the first, so it must not be deduplicated by its content.
 */
export function hasDeliveryIdentity(change: { readonly sequence?: unknown; readonly serverTimestamp?: unknown }): boolean {
  return change.sequence != null || change.serverTimestamp != null;
}

const eventFieldsSchema = z.looseObject({
  event: z
    .looseObject({ type: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

export interface NotificationRouting {
  /** e.g. `ms.MessagingEventNotification.ContentEvent` or `cqm.ExConversationChangeNotification`. */
  readonly eventType: string;
  /** The conversation of the first change, when the notification names one. */
  readonly conversationId: string | undefined;
  /**
   * False when a redelivery cannot be told from a genuine repeat by the body: a messaging
   * notification none of whose changes has a sequence or a server timestamp.
   */
  readonly deduplicateByBody: boolean;
}

/** The envelope's type and changes when they have those shapes, whatever else the body holds. */
export const envelopeFieldsSchema = z.looseObject({
  type: z.string().optional().catch(undefined),
  body: z
    .looseObject({ changes: z.array(z.unknown()).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

/** The `eventType` attribute of a body that names no type of its own. */
export const UNTYPED_NOTIFICATION = 'unknown';

/**
 * Routing of a Connector notification by the conversation of its first change (see
 * `conversationOf`). A body with several changes is routed by its first one; the processor splits
 * it. Any JSON is routed: a genuine notification of a shape or type not known here is still
 * queued (by the conversation it names, if any), because LivePerson holds back every event of the
 * app installation while one notification is refused.
 */
export function routeConnectorNotification(body: unknown): NotificationRouting {
  const envelope = envelopeFieldsSchema.safeParse(body);
  const type = envelope.success ? nonEmpty(envelope.data.type) : undefined;
  const changes = envelope.success ? envelope.data.body?.changes : undefined;
  const first = changes?.[0];
  const eventName = eventFieldsSchema.safeParse(first).data?.event?.type;
  const messaging = type === MESSAGING_NOTIFICATION;
  return {
    eventType: messaging && eventName ? `${type}.${eventName}` : (type ?? UNTYPED_NOTIFICATION),
    conversationId: conversationOf(changes === undefined ? body : first),
    deduplicateByBody: !messaging || changes === undefined || changes.some((change) => !isRecord(change) || hasDeliveryIdentity(change)),
  };
}

const messagingSubscriptionSchema = z.looseObject({
  type: z.string().optional().catch(undefined),
});

/**
 * Routing of a Messaging REST API subscription event. LivePerson documents no body schema for it,
 * so any JSON object is accepted; it is routed like a Connector notification when it has that
 * shape, else by the conversation fields it carries at its top level.
 */
export function routeMessagingNotification(body: Record<string, unknown>): NotificationRouting {
  if (connectorEnvelopeSchema.safeParse(body).success) return routeConnectorNotification(body);
  return {
    eventType: nonEmpty(messagingSubscriptionSchema.parse(body).type) ?? 'messaging.subscription',
    conversationId: conversationOf(body),
    deduplicateByBody: true,
  };
}

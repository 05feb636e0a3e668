/**
 * The outer shape of what LivePerson POSTs to a webhook, and what the receiver needs from it:
 * which conversation it belongs to (to keep order per conversation) and what kind of event it is.
 * The full typed event schemas are the processor's business; the receiver only routes.
 * LivePerson facts behind this: docs/liveperson.md#notification-envelopes (and #surveys for dialog-only changes).
 */
import * as z from '#contract/zod.ts';
import { isRecord, nonEmpty } from './values.ts';

export const MESSAGING_NOTIFICATION = 'ms.MessagingEventNotification';
export const CONVERSATION_NOTIFICATION = 'cqm.ExConversationChangeNotification';

/** Connector API webhook body: `{kind: "notification", type, body: {changes: [...]}}`. */
export const connectorEnvelopeSchema = z.looseObject({
  kind: z.literal('notification', { error: 'kind must be "notification"' }),
  type: z.string({ error: 'type must be a string' }).check(z.minLength(1, 'type is empty')),
  body: z.looseObject(
    {
      changes: z
        .array(z.record(z.string(), z.unknown()), { error: 'body.changes must be an array of objects' })
        .check(z.minLength(1, 'body.changes is empty')),
    },
    { error: 'body must be an object with changes' },
  ),
});
export type ConnectorEnvelope = z.infer<typeof connectorEnvelopeSchema>;

/**
 * The conversation an object (a notification change or a subscription body) belongs to:
 * `conversationId`, else `result.convId`, else `dialogId`, else `convId`, each taken only when it
 * is a string that is not blank. The conversation comes before the dialog because a
 * post-conversation survey has a dialog of its own: grouped by dialog, its messages would not be
 * ordered against the conversation's state changes.
 * The receiver (FIFO group) and the processor (subscription events) both route with this.
 */
export function conversationOf(value: unknown): string | undefined {
  // Plain reads rather than a schema: this runs for every webhook, and a schema copies what it reads.
  if (!isRecord(value)) return undefined;
  const { result } = value;
  return (
    nonEmpty(stringOrUndefined(value.conversationId)) ??
    nonEmpty(isRecord(result) ? stringOrUndefined(result.convId) : undefined) ??
    nonEmpty(stringOrUndefined(value.dialogId)) ??
    nonEmpty(stringOrUndefined(value.convId))
  );
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether a messaging change carries what makes it unique: a `sequence` or a `serverTimestamp`.
 * Chat-state changes carry neither in LivePerson's webhook examples: a genuine second COMPOSING is then
 * byte-identical to the first, so it must not be deduplicated by its content.
 */
export function hasDeliveryIdentity(change: { readonly sequence?: unknown; readonly serverTimestamp?: unknown }): boolean {
  return change.sequence != null || change.serverTimestamp != null;
}

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

/** The envelope's type and changes when they have those shapes, whatever else the body holds (routeConnectorNotification reads the same). */
export const envelopeFieldsSchema = z.looseObject({
  type: z.catch(z.optional(z.string()), undefined),
  body: z.catch(z.optional(z.looseObject({ changes: z.catch(z.optional(z.array(z.unknown())), undefined) })), undefined),
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
  // What envelopeFieldsSchema reads, read in place: the receiver routes every webhook with this.
  const envelope = isRecord(body) ? body : undefined;
  const type = nonEmpty(stringOrUndefined(envelope?.type));
  const inner = envelope?.body;
  const changes: readonly unknown[] | undefined = isRecord(inner) && Array.isArray(inner.changes) ? inner.changes : undefined;
  const first = changes?.[0];
  const event = isRecord(first) ? first.event : undefined;
  const eventName = isRecord(event) ? stringOrUndefined(event.type) : undefined;
  const messaging = type === MESSAGING_NOTIFICATION;
  return {
    eventType: messaging && eventName ? `${type}.${eventName}` : (type ?? UNTYPED_NOTIFICATION),
    conversationId: conversationOf(changes === undefined ? body : first),
    deduplicateByBody: !messaging || changes === undefined || changes.some((change) => !isRecord(change) || hasDeliveryIdentity(change)),
  };
}

/**
 * Routing of a Messaging REST API subscription event. LivePerson documents no body schema for it,
 * so any JSON object is accepted; it is routed like a Connector notification when it has that
 * shape, else by the conversation fields it carries at its top level.
 */
export function routeMessagingNotification(body: Record<string, unknown>): NotificationRouting {
  if (connectorEnvelopeSchema.safeParse(body).success) return routeConnectorNotification(body);
  return {
    eventType: nonEmpty(stringOrUndefined(body.type)) ?? 'messaging.subscription',
    conversationId: conversationOf(body),
    deduplicateByBody: true,
  };
}

/**
 * The outer shape of what LivePerson POSTs to a webhook, and what the receiver needs from it:
 * which conversation it belongs to (to keep order per conversation) and what kind of event it is.
 * The full typed event schemas are the processor's business; the receiver only routes.
 */
import { z } from 'zod';

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

const routingFieldsSchema = z.looseObject({
  dialogId: z.string().optional().catch(undefined),
  conversationId: z.string().optional().catch(undefined),
  convId: z.string().optional().catch(undefined),
  event: z.looseObject({ type: z.string().optional().catch(undefined) }).optional().catch(undefined),
  result: z.looseObject({ convId: z.string().optional().catch(undefined) }).optional().catch(undefined),
});

export interface NotificationRouting {
  /** e.g. `ms.MessagingEventNotification.ContentEvent` or `cqm.ExConversationChangeNotification`. */
  readonly eventType: string;
  /** The conversation of the first change, when the notification names one. */
  readonly conversationId: string | undefined;
}

/**
 * Routing of a Connector notification: messaging changes name the conversation in `dialogId`
 * (or `conversationId`), conversation changes in `result.convId`. A body with several changes is
 * routed by its first one; the processor splits it.
 */
export function routeConnectorNotification(envelope: ConnectorEnvelope): NotificationRouting {
  const first = routingFieldsSchema.parse(envelope.body.changes[0] ?? {});
  const eventName = first.event?.type;
  const eventType = envelope.type === MESSAGING_NOTIFICATION && eventName ? `${envelope.type}.${eventName}` : envelope.type;
  const conversationId = nonEmpty(first.dialogId) ?? nonEmpty(first.conversationId) ?? nonEmpty(first.result?.convId) ?? nonEmpty(first.convId);
  return { eventType, conversationId };
}

const messagingSubscriptionSchema = z.looseObject({
  type: z.string().optional().catch(undefined),
  conversationId: z.string().optional().catch(undefined),
  dialogId: z.string().optional().catch(undefined),
  convId: z.string().optional().catch(undefined),
  body: z.looseObject({ changes: z.array(z.unknown()).optional().catch(undefined) }).optional().catch(undefined),
});

/**
 * Routing of a Messaging REST API subscription event. LivePerson documents no body schema for it,
 * so any JSON object is accepted; it is routed like a Connector notification when it has that
 * shape, else by the conversation fields it carries at its top level.
 */
export function routeMessagingNotification(body: Record<string, unknown>): NotificationRouting {
  const envelope = connectorEnvelopeSchema.safeParse(body);
  if (envelope.success) return routeConnectorNotification(envelope.data);
  const fields = messagingSubscriptionSchema.parse(body);
  return {
    eventType: nonEmpty(fields.type) ?? 'messaging.subscription',
    conversationId: nonEmpty(fields.dialogId) ?? nonEmpty(fields.conversationId) ?? nonEmpty(fields.convId),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

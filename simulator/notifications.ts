// The bodies LivePerson POSTs to Connector API webhooks (LIVEPERSON.md §5), as plain builders, and
// the adapters that turn the conversation store's events into them.
//
// Documented: the envelope {kind, type, body: {changes}}, the messaging change fields (sequence,
// originatorId, originatorMetadata {id, role}, serverTimestamp, event, conversationId, dialogId,
// messageAudience), chat-state changes without sequence and serverTimestamp, and the conversation
// change {type: UPSERT|DELETE, result: {convId, conversationDetails: {participants, brandId, state,
// startTs, metaDataLastUpdateTs, closeReason?}}} carrying the whole state.
// Simulator-defined: closeReason values (CONSUMER or AGENT, whoever closed), effectiveTTR (startTs +
// SIMULATED_TTR_SECONDS of the conversation's ttrDefName, open conversations only) and the key order
// (the documented examples' order).
import type { ConversationSnapshot, MessagePublished, MessagingEvent, Originator } from './types.ts';

export const MESSAGING_EVENT_NOTIFICATION = 'ms.MessagingEventNotification';
export const EX_CONVERSATION_CHANGE_NOTIFICATION = 'cqm.ExConversationChangeNotification';

/** The event types a Connector app subscribes to (each `ms.MessagingEventNotification.<type>`, and the conversation one). */
export const WEBHOOK_EVENT_TYPES = [
  'ContentEvent',
  'RichContentEvent',
  'AcceptStatusEvent',
  'ChatStateEvent',
  'ExConversationChangeNotification',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export type ParticipantRole = 'CONSUMER' | 'ASSIGNED_AGENT' | 'AGENT' | 'MANAGER' | 'READER' | 'CONTROLLER';

export interface Participant {
  id: string;
  role: ParticipantRole;
}

export type ChatState = Extract<MessagingEvent, { type: 'ChatStateEvent' }>['chatState'];
export type AcceptStatus = Extract<MessagingEvent, { type: 'AcceptStatusEvent' }>['status'];

export type NotificationEvent =
  | { type: 'ContentEvent'; message: string; contentType: string }
  | { type: 'RichContentEvent'; content: Record<string, unknown> }
  | { type: 'AcceptStatusEvent'; status: AcceptStatus; sequenceList: number[] }
  | { type: 'ChatStateEvent'; chatState: ChatState };

export interface MessagingEventChange {
  /** Absent on ChatStateEvent changes. */
  sequence?: number;
  originatorId: string;
  originatorMetadata: Participant;
  /** Absent on ChatStateEvent changes. */
  serverTimestamp?: number;
  event: NotificationEvent;
  conversationId: string;
  dialogId: string;
  messageAudience: 'ALL';
}

export interface MessagingEventNotification {
  kind: 'notification';
  type: typeof MESSAGING_EVENT_NOTIFICATION;
  body: { changes: MessagingEventChange[] };
}

export interface ConversationDetails {
  skillId?: string;
  participants: Participant[];
  brandId: string;
  state: 'OPEN' | 'CLOSE';
  closeReason?: string;
  startTs: number;
  metaDataLastUpdateTs: number;
}

export interface ExConversationChange {
  type: 'UPSERT' | 'DELETE';
  result: {
    convId: string;
    effectiveTTR?: number;
    conversationDetails: ConversationDetails;
  };
}

export interface ExConversationChangeNotification {
  kind: 'notification';
  type: typeof EX_CONVERSATION_CHANGE_NOTIFICATION;
  body: { changes: ExConversationChange[] };
}

export type WebhookNotification = MessagingEventNotification | ExConversationChangeNotification;

/** Who sent a messaging event; dialogId defaults to the conversation id (LivePerson's main dialog). */
export interface OriginatorInput {
  conversationId: string;
  dialogId?: string;
  originatorId: string;
  role: ParticipantRole;
}

interface SequencedInput extends OriginatorInput {
  sequence: number;
  serverTimestamp: number;
}

// One place fixes the documented key order, so every messaging change serialises alike.
function messagingChange(
  input: OriginatorInput,
  event: NotificationEvent,
  stamp?: { sequence: number; serverTimestamp: number },
): MessagingEventChange {
  return {
    ...(stamp === undefined ? {} : { sequence: stamp.sequence }),
    originatorId: input.originatorId,
    originatorMetadata: { id: input.originatorId, role: input.role },
    ...(stamp === undefined ? {} : { serverTimestamp: stamp.serverTimestamp }),
    event,
    conversationId: input.conversationId,
    dialogId: input.dialogId ?? input.conversationId,
    messageAudience: 'ALL',
  };
}

export function contentEventChange(input: SequencedInput & { message: string; contentType?: string }): MessagingEventChange {
  return messagingChange(input, { type: 'ContentEvent', message: input.message, contentType: input.contentType ?? 'text/plain' }, input);
}

export function richContentEventChange(input: SequencedInput & { content: Record<string, unknown> }): MessagingEventChange {
  return messagingChange(input, { type: 'RichContentEvent', content: structuredClone(input.content) }, input);
}

export function acceptStatusEventChange(input: SequencedInput & { status: AcceptStatus; sequenceList: number[] }): MessagingEventChange {
  return messagingChange(input, { type: 'AcceptStatusEvent', status: input.status, sequenceList: [...input.sequenceList] }, input);
}

/** Chat state is not part of the transcript: no sequence, no serverTimestamp. */
export function chatStateEventChange(input: OriginatorInput & { chatState: ChatState }): MessagingEventChange {
  return messagingChange(input, { type: 'ChatStateEvent', chatState: input.chatState });
}

export function messagingNotification(...changes: MessagingEventChange[]): MessagingEventNotification {
  if (changes.length === 0) throw new Error('A notification needs at least one change');
  return { kind: 'notification', type: MESSAGING_EVENT_NOTIFICATION, body: { changes } };
}

export interface ConversationChangeInput extends ConversationDetails {
  /** Default UPSERT. */
  type?: 'UPSERT' | 'DELETE';
  convId: string;
  effectiveTTR?: number;
}

export function conversationChange(input: ConversationChangeInput): ExConversationChange {
  return {
    type: input.type ?? 'UPSERT',
    result: {
      convId: input.convId,
      ...(input.effectiveTTR === undefined ? {} : { effectiveTTR: input.effectiveTTR }),
      conversationDetails: {
        ...(input.skillId === undefined ? {} : { skillId: input.skillId }),
        participants: input.participants.map(({ id, role }) => ({ id, role })),
        brandId: input.brandId,
        state: input.state,
        ...(input.closeReason === undefined ? {} : { closeReason: input.closeReason }),
        startTs: input.startTs,
        metaDataLastUpdateTs: input.metaDataLastUpdateTs,
      },
    },
  };
}

export function conversationNotification(...changes: ExConversationChange[]): ExConversationChangeNotification {
  if (changes.length === 0) throw new Error('A notification needs at least one change');
  return { kind: 'notification', type: EX_CONVERSATION_CHANGE_NOTIFICATION, body: { changes } };
}

// ---- From the conversation store ----

/** Simulator-defined response-time targets behind effectiveTTR (LivePerson's are per account). */
export const SIMULATED_TTR_SECONDS: Readonly<Record<string, number>> = { NORMAL: 3600, URGENT: 600, PRIORITIZED: 300 };

export function roleOf(originator: Originator): ParticipantRole {
  // The simulated agent is the conversation's assigned agent.
  return originator === 'CONSUMER' ? 'CONSUMER' : 'ASSIGNED_AGENT';
}

/** The messaging change for an event the store published, with the store's sequence and timestamp. */
export function changeFromMessage(published: MessagePublished): MessagingEventChange {
  const { message } = published;
  const input = {
    conversationId: published.conversationId,
    dialogId: published.dialogId,
    originatorId: message.originatorId,
    role: roleOf(message.originator),
    sequence: message.sequence,
    serverTimestamp: message.serverTimestamp,
  };
  const { event } = message;
  switch (event.type) {
    case 'ContentEvent':
      return contentEventChange({ ...input, message: event.message, contentType: event.contentType });
    case 'AcceptStatusEvent':
      return acceptStatusEventChange({ ...input, status: event.status, sequenceList: event.sequenceList });
    case 'ChatStateEvent':
      return chatStateEventChange({ ...input, chatState: event.chatState });
  }
}

/** True once the simulated agent takes part: it has published, or it closed the conversation. */
export function agentTookPart(conversation: ConversationSnapshot): boolean {
  return conversation.closedBy === 'AGENT' || conversation.messages.some((message) => message.originator === 'AGENT');
}

/** The whole state of a stored conversation as one UPSERT (or DELETE) change. */
export function changeFromConversation(
  conversation: ConversationSnapshot,
  context: { brandId: string; agentId: string; metaDataLastUpdateTs?: number; type?: 'UPSERT' | 'DELETE' },
): ExConversationChange {
  const participants: Participant[] = [{ id: conversation.consumerId, role: 'CONSUMER' }];
  if (agentTookPart(conversation)) participants.push({ id: context.agentId, role: 'ASSIGNED_AGENT' });
  const ttrSeconds = SIMULATED_TTR_SECONDS[conversation.ttrDefName ?? 'NORMAL'] ?? 3600;
  return conversationChange({
    ...(context.type === undefined ? {} : { type: context.type }),
    convId: conversation.conversationId,
    ...(conversation.state === 'OPEN' ? { effectiveTTR: conversation.startTs + ttrSeconds * 1000 } : {}),
    ...(conversation.skillId === undefined ? {} : { skillId: conversation.skillId }),
    participants,
    brandId: context.brandId,
    state: conversation.state,
    ...(conversation.closedBy === undefined ? {} : { closeReason: conversation.closedBy }),
    startTs: conversation.startTs,
    metaDataLastUpdateTs: context.metaDataLastUpdateTs ?? conversation.closeTs ?? conversation.startTs,
  });
}

/** Which subscribable event type a body is, and which conversation it belongs to (from its first change). */
export function describeNotification(body: unknown): { eventType: WebhookEventType | 'unknown'; conversationId?: string } {
  const notification = body as { type?: unknown; body?: { changes?: unknown } } | null;
  const changes = notification?.body?.changes;
  const first = (Array.isArray(changes) ? changes[0] : undefined) as
    | { dialogId?: unknown; conversationId?: unknown; event?: { type?: unknown }; result?: { convId?: unknown } }
    | undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const conversationId = text(first?.dialogId) ?? text(first?.conversationId) ?? text(first?.result?.convId);
  let eventType: WebhookEventType | 'unknown' = 'unknown';
  if (notification?.type === EX_CONVERSATION_CHANGE_NOTIFICATION) eventType = 'ExConversationChangeNotification';
  else if (notification?.type === MESSAGING_EVENT_NOTIFICATION) {
    const type = first?.event?.type;
    const messagingTypes: readonly unknown[] = ['ContentEvent', 'RichContentEvent', 'AcceptStatusEvent', 'ChatStateEvent'];
    if (messagingTypes.includes(type)) eventType = type as WebhookEventType;
  }
  return conversationId === undefined ? { eventType } : { eventType, conversationId };
}

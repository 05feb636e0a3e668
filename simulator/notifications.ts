// The bodies LivePerson POSTs to Connector API webhooks (https://developers.liveperson.com/connector-api-webhooks-webhooks-examples.html
// and the fixtures under test/fixtures/liveperson), as plain builders, and
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

export type NotificationEvent = MessagingEvent;

export interface MessagingEventChange {
  /** Absent on ChatStateEvent changes. */
  sequence?: number;
  originatorId: string;
  originatorMetadata: Participant;
  /** Absent on ChatStateEvent changes. */
  serverTimestamp?: number;
  event: NotificationEvent;
  /**
   * Absent in LivePerson's "Webhooks examples", which name the conversation by its main dialog's
   * id only; present (with messageAudience) in the change its protocol page shows.
   */
  conversationId?: string;
  dialogId: string;
  messageAudience?: 'ALL';
  /** E.g. the metadata of the button a consumer clicked. */
  metadata?: Array<Record<string, unknown>>;
}

export interface MessagingEventNotification {
  kind: 'notification';
  type: typeof MESSAGING_EVENT_NOTIFICATION;
  body: { changes: MessagingEventChange[] };
}

export interface ConversationDialogDetails {
  dialogId: string;
  participantsDetails: Array<{ id: string; role: ParticipantRole; state: 'ACTIVE' | 'SUGGESTED' }>;
  dialogType: 'MAIN' | 'POST_SURVEY';
  channelType: 'MESSAGING';
  state: 'OPEN' | 'CLOSE';
  creationTs: number;
  endTs?: number;
  metaDataLastUpdateTs: number;
  closedBy?: 'CONSUMER' | 'AGENT';
  closedCause?: string;
}

export interface ConversationDetails {
  skillId?: string;
  participants: Participant[];
  dialogs?: ConversationDialogDetails[];
  brandId: string;
  state: 'OPEN' | 'CLOSE';
  stage?: 'OPEN' | 'CLOSE';
  closeReason?: string;
  startTs: number;
  metaDataLastUpdateTs: number;
  ttr?: { ttrType: string; value: number };
  conversationHandlerDetails?: { accountId: string; skillId: string };
  campaignInfo?: { campaignId: string | number; engagementId: string | number };
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

/**
 * Who sent a messaging event, and where. With `conversationId` the change carries it, the dialog
 * (default: the conversation's main dialog, of the same id) and `messageAudience`; with `dialogId`
 * alone it has the shape of LivePerson's webhook examples, naming the dialog only.
 */
export type OriginatorInput = ({ conversationId: string; dialogId?: string } | { conversationId?: undefined; dialogId: string }) & {
  originatorId: string;
  role: ParticipantRole;
  metadata?: Array<Record<string, unknown>>;
};

type SequencedInput = OriginatorInput & {
  sequence: number;
  serverTimestamp: number;
};

// One place fixes the documented key order, so every messaging change serialises alike.
function messagingChange(
  input: OriginatorInput,
  event: NotificationEvent,
  stamp?: { sequence: number; serverTimestamp: number },
): MessagingEventChange {
  const withConversation = input.conversationId !== undefined;
  return {
    ...(stamp === undefined ? {} : { sequence: stamp.sequence }),
    originatorId: input.originatorId,
    originatorMetadata: { id: input.originatorId, role: input.role },
    ...(stamp === undefined ? {} : { serverTimestamp: stamp.serverTimestamp }),
    event,
    ...(withConversation ? { conversationId: input.conversationId } : {}),
    dialogId: input.dialogId ?? input.conversationId ?? '',
    ...(withConversation ? { messageAudience: 'ALL' as const } : {}),
    ...(input.metadata === undefined ? {} : { metadata: structuredClone(input.metadata) }),
  };
}

export function contentEventChange(
  input: SequencedInput & { message: string | Record<string, unknown>; contentType?: string; quickReplies?: Record<string, unknown> },
): MessagingEventChange {
  const event: NotificationEvent = {
    type: 'ContentEvent',
    message: structuredClone(input.message),
    contentType: input.contentType ?? 'text/plain',
    ...(input.quickReplies === undefined ? {} : { quickReplies: structuredClone(input.quickReplies) }),
  };
  return messagingChange(input, event, input);
}

export function richContentEventChange(
  input: SequencedInput & { content: Record<string, unknown>; quickReplies?: Record<string, unknown> },
): MessagingEventChange {
  const event: NotificationEvent = {
    type: 'RichContentEvent',
    content: structuredClone(input.content),
    ...(input.quickReplies === undefined ? {} : { quickReplies: structuredClone(input.quickReplies) }),
  };
  return messagingChange(input, event, input);
}

export function acceptStatusEventChange(input: SequencedInput & { status: AcceptStatus; sequenceList: number[] }): MessagingEventChange {
  return messagingChange(input, { type: 'AcceptStatusEvent', status: input.status, sequenceList: [...input.sequenceList] }, input);
}

/** Chat state is not part of the transcript: no sequence, no serverTimestamp. */
export function chatStateEventChange(input: OriginatorInput & { chatState: ChatState }): MessagingEventChange {
  return messagingChange(input, { type: 'ChatStateEvent', chatState: input.chatState });
}

/**
 * Quick replies as LivePerson's structured content: one button per answer, publishing its text when
 * tapped, with an ExternalId in its click metadata.
 */
export function quickRepliesContent(answers: readonly string[]): Record<string, unknown> {
  return {
    type: 'quickReplies',
    itemsPerRow: 8,
    replies: answers.map((answer, index) => ({
      type: 'button',
      tooltip: answer,
      title: answer,
      click: {
        actions: [{ type: 'publishText', text: answer }],
        metadata: [{ type: 'ExternalId', id: `answer-${index + 1}` }],
      },
    })),
  };
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
  const optional = <K extends keyof ConversationDetails>(key: K) =>
    input[key] === undefined ? {} : { [key]: structuredClone(input[key]) };
  return {
    type: input.type ?? 'UPSERT',
    result: {
      convId: input.convId,
      ...(input.effectiveTTR === undefined ? {} : { effectiveTTR: input.effectiveTTR }),
      // The key order of LivePerson's full example (its connector demo app's test notification).
      conversationDetails: {
        ...optional('skillId'),
        participants: input.participants.map(({ id, role }) => ({ id, role })),
        ...optional('dialogs'),
        brandId: input.brandId,
        state: input.state,
        ...optional('stage'),
        ...optional('closeReason'),
        startTs: input.startTs,
        metaDataLastUpdateTs: input.metaDataLastUpdateTs,
        ...optional('ttr'),
        ...optional('conversationHandlerDetails'),
        ...optional('campaignInfo'),
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
  // The simulated agent is the conversation's assigned agent; the survey bot controls the survey dialog.
  if (originator === 'SURVEY_BOT') return 'AGENT';
  return originator === 'CONSUMER' ? 'CONSUMER' : 'ASSIGNED_AGENT';
}

/**
 * The messaging change for an event the store published, with the store's sequence and timestamp.
 * A main-dialog change names its dialog only, as LivePerson's webhook examples do; a change of
 * another dialog (a survey) names the conversation too.
 */
export function changeFromMessage(published: MessagePublished): MessagingEventChange {
  const { message } = published;
  const where =
    published.dialogId === published.conversationId
      ? { dialogId: published.dialogId }
      : { conversationId: published.conversationId, dialogId: published.dialogId };
  const input = {
    ...where,
    originatorId: message.originatorId,
    role: roleOf(message.originator),
    sequence: message.sequence,
    serverTimestamp: message.serverTimestamp,
    ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
  };
  const { event } = message;
  switch (event.type) {
    case 'ContentEvent':
      return contentEventChange({ ...input, ...event });
    case 'RichContentEvent':
      return richContentEventChange({ ...input, ...event });
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

/** The simulated post-conversation survey bot: the AGENT of the survey dialog. */
export const SIMULATED_SURVEY_BOT_ID = 'sim-survey-bot';
/** The CONTROLLER participant LivePerson adds to a conversation that moves to its survey. */
export const SIMULATED_CONTROLLER_ID = 'sim-controller';

/** The whole state of a stored conversation as one UPSERT (or DELETE) change. */
export function changeFromConversation(
  conversation: ConversationSnapshot,
  context: { brandId: string; agentId: string; metaDataLastUpdateTs?: number; type?: 'UPSERT' | 'DELETE' },
): ExConversationChange {
  const participants: Participant[] = [{ id: conversation.consumerId, role: 'CONSUMER' }];
  if (agentTookPart(conversation)) participants.push({ id: context.agentId, role: 'ASSIGNED_AGENT' });
  const surveying = conversation.dialogs.some((dialog) => dialog.dialogType === 'POST_SURVEY');
  if (surveying) participants.push({ id: SIMULATED_CONTROLLER_ID, role: 'CONTROLLER' }, { id: SIMULATED_SURVEY_BOT_ID, role: 'AGENT' });
  const ttrDefName = conversation.ttrDefName ?? 'NORMAL';
  const ttrSeconds = SIMULATED_TTR_SECONDS[ttrDefName] ?? 3600;
  const metaDataLastUpdateTs = context.metaDataLastUpdateTs ?? conversation.metaDataLastUpdateTs;
  const dialogs: ConversationDialogDetails[] = conversation.dialogs.map((dialog) => ({
    dialogId: dialog.dialogId,
    // The main dialog's people and its controller; the survey's consumer and bot.
    participantsDetails: participants
      .filter((participant) =>
        dialog.dialogType === 'MAIN'
          ? participant.id !== SIMULATED_SURVEY_BOT_ID
          : participant.role === 'CONSUMER' || participant.id === SIMULATED_SURVEY_BOT_ID,
      )
      .map(({ id, role }) => ({ id, role, state: 'ACTIVE' as const })),
    dialogType: dialog.dialogType,
    channelType: 'MESSAGING',
    state: dialog.state,
    creationTs: dialog.creationTs,
    ...(dialog.endTs === undefined ? {} : { endTs: dialog.endTs }),
    metaDataLastUpdateTs: dialog.endTs ?? dialog.creationTs,
    ...(dialog.closedBy === undefined ? {} : { closedBy: dialog.closedBy }),
    ...(dialog.closedCause === undefined ? {} : { closedCause: dialog.closedCause }),
  }));
  const skillId = conversation.skillId ?? '-1';
  return conversationChange({
    ...(context.type === undefined ? {} : { type: context.type }),
    convId: conversation.conversationId,
    // -1 once nothing is due, as LivePerson sends it.
    effectiveTTR: conversation.state === 'OPEN' ? conversation.startTs + ttrSeconds * 1000 : -1,
    ...(conversation.skillId === undefined ? {} : { skillId: conversation.skillId }),
    participants,
    dialogs,
    brandId: context.brandId,
    state: conversation.state,
    stage: conversation.stage,
    ...(conversation.closedBy === undefined ? {} : { closeReason: conversation.closedBy }),
    startTs: conversation.startTs,
    metaDataLastUpdateTs,
    ttr: { ttrType: ttrDefName, value: ttrSeconds },
    conversationHandlerDetails: { accountId: context.brandId, skillId },
    ...(conversation.campaignInfo === undefined ? {} : { campaignInfo: structuredClone(conversation.campaignInfo) }),
  });
}

/** Which subscribable event type a body is, and which conversation it belongs to (from its first change). */
export function describeNotification(body: unknown): { eventType: WebhookEventType | 'unknown'; conversationId?: string } {
  const notification = body as { type?: unknown; body?: { changes?: unknown } } | null;
  const changes = notification?.body?.changes;
  const first = (Array.isArray(changes) ? changes[0] : undefined) as
    { dialogId?: unknown; conversationId?: unknown; event?: { type?: unknown }; result?: { convId?: unknown } } | undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  // The conversation before the dialog: a survey dialog's changes are ordered with their conversation's.
  const conversationId = text(first?.conversationId) ?? text(first?.dialogId) ?? text(first?.result?.convId);
  let eventType: WebhookEventType | 'unknown' = 'unknown';
  if (notification?.type === EX_CONVERSATION_CHANGE_NOTIFICATION) eventType = 'ExConversationChangeNotification';
  else if (notification?.type === MESSAGING_EVENT_NOTIFICATION) {
    const type = first?.event?.type;
    const messagingTypes: readonly unknown[] = ['ContentEvent', 'RichContentEvent', 'AcceptStatusEvent', 'ChatStateEvent'];
    if (messagingTypes.includes(type)) eventType = type as WebhookEventType;
  }
  return conversationId === undefined ? { eventType } : { eventType, conversationId };
}

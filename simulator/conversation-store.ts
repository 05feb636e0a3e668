// In-memory state of Connector API conversations, apart from HTTP routing. Every change is
// emitted on `events` ('conversation' and 'message'), which is what a webhook sender subscribes to.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type {
  CampaignInfo,
  ConversationMessage,
  ConversationSend,
  ConversationSnapshot,
  MessagingEvent,
  Originator,
  SimulatorEvents,
} from './types.ts';

/** The id of the one simulated agent that answers and closes conversations. */
export const SIMULATED_AGENT_ID = 'sim-agent';

export interface OpenConversationInput {
  consumerId: string;
  skillId?: string;
  campaignInfo?: CampaignInfo;
  userProfile?: Record<string, unknown>;
  ttrDefName?: string;
  conversationContext?: Record<string, unknown>;
  /** The CONVERSATION call's Client-Properties header, parsed. */
  clientProperties?: Record<string, unknown>;
}

export type OpenResult = { ok: true; conversation: ConversationSnapshot } | { ok: false; openConversationId: string };

export type PublishResult = { ok: true; message: ConversationMessage } | { ok: false; reason: 'NOT_FOUND' | 'CLOSED' };

export type CloseResult = { ok: true } | { ok: false; reason: 'NOT_FOUND' | 'CLOSED' };

interface Conversation extends ConversationSnapshot {
  /** Per dialog: a survey's dialog counts from 0 again, as LivePerson's examples show. */
  nextSequence: Map<string, number>;
}

export class ConversationStore {
  readonly #events: EventEmitter<SimulatorEvents>;
  readonly #conversations = new Map<string, Conversation>();

  constructor(events: EventEmitter<SimulatorEvents>) {
    this.#events = events;
  }

  /** Opens a conversation unless the consumer already has an open one (one open conversation per consumer). */
  open(input: OpenConversationInput): OpenResult {
    const existing = this.openConversationOf(input.consumerId);
    if (existing !== undefined) return { ok: false, openConversationId: existing.conversationId };
    const conversationId = randomUUID();
    const startTs = Date.now();
    const conversation: Conversation = {
      ...structuredClone(input),
      conversationId,
      dialogs: [{ dialogId: conversationId, dialogType: 'MAIN', state: 'OPEN', creationTs: startTs }],
      metaDataLastUpdateTs: startTs,
      state: 'OPEN',
      stage: 'OPEN',
      startTs,
      messages: [],
      sends: [],
      nextSequence: new Map(),
    };
    this.#conversations.set(conversation.conversationId, conversation);
    this.#events.emit('conversation', { change: 'OPENED', conversation: snapshot(conversation) });
    return { ok: true, conversation: snapshot(conversation) };
  }

  get(conversationId: string): ConversationSnapshot | undefined {
    const conversation = this.#conversations.get(conversationId);
    return conversation === undefined ? undefined : snapshot(conversation);
  }

  /** The conversation a dialog belongs to (a survey's dialog has an id of its own). */
  conversationOfDialog(dialogId: string): ConversationSnapshot | undefined {
    for (const conversation of this.#conversations.values()) {
      if (conversation.dialogs.some((dialog) => dialog.dialogId === dialogId)) return snapshot(conversation);
    }
    return undefined;
  }

  openConversationOf(consumerId: string): ConversationSnapshot | undefined {
    for (const conversation of this.#conversations.values()) {
      if (conversation.consumerId === consumerId && conversation.state === 'OPEN') return snapshot(conversation);
    }
    return undefined;
  }

  /** The consumer's conversation whose stage is open: the open one, or one whose survey still runs. */
  activeConversationOf(consumerId: string): ConversationSnapshot | undefined {
    const open = this.openConversationOf(consumerId);
    if (open !== undefined) return open;
    for (const conversation of this.#conversations.values()) {
      if (conversation.consumerId === consumerId && conversation.stage === 'OPEN') return snapshot(conversation);
    }
    return undefined;
  }

  list(): ConversationSnapshot[] {
    return [...this.#conversations.values()].map(snapshot);
  }

  /** Notes a SEND request addressed to the conversation (see ConversationSnapshot.sends). */
  recordSend(conversationId: string, send: ConversationSend): void {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return;
    (conversation.sends ??= []).push({ ...send });
  }

  /**
   * A mid-conversation userprofile.SetUserProfile: its SDEs replace those of the same type (ctmrinfo and
   * personal are "replace" types, LivePerson says), other fields of the body replace the earlier ones.
   */
  updateUserProfile(conversationId: string, body: Record<string, unknown>): boolean {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return false;
    const earlier = conversation.userProfile ?? {};
    const sdesOf = (profile: Record<string, unknown>): Array<Record<string, unknown>> => {
      const sdes = (profile.authenticatedData as { lp_sdes?: unknown } | undefined)?.lp_sdes;
      return Array.isArray(sdes) ? (sdes as Array<Record<string, unknown>>) : [];
    };
    const incoming = sdesOf(body);
    const replaced = new Set(incoming.map((sde) => sde.type));
    const earlierData = (earlier.authenticatedData as Record<string, unknown> | undefined) ?? {};
    const bodyData = (body.authenticatedData as Record<string, unknown> | undefined) ?? {};
    const merged: Record<string, unknown> = { ...earlier, ...structuredClone(body) };
    if (earlier.authenticatedData !== undefined || body.authenticatedData !== undefined) {
      merged.authenticatedData = {
        ...earlierData,
        ...structuredClone(bodyData),
        lp_sdes: [...sdesOf(earlier).filter((sde) => !replaced.has(sde.type)), ...structuredClone(incoming)],
      };
    }
    conversation.userProfile = merged;
    return true;
  }

  /**
   * Appends an event with its dialog's next sequence number (0, 1, 2 ... as LivePerson counts)
   * to a dialog: the open one by default (the main dialog, or the survey once it has started).
   */
  publish(
    conversationId: string,
    input: {
      originator: Originator;
      originatorId: string;
      event: MessagingEvent;
      metadata?: Array<Record<string, unknown>>;
      dialogId?: string;
    },
  ): PublishResult {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return { ok: false, reason: 'NOT_FOUND' };
    if (conversation.stage !== 'OPEN') return { ok: false, reason: 'CLOSED' };
    const dialog =
      input.dialogId === undefined
        ? conversation.dialogs.find((candidate) => candidate.state === 'OPEN')
        : conversation.dialogs.find((candidate) => candidate.dialogId === input.dialogId);
    if (dialog === undefined) return { ok: false, reason: 'NOT_FOUND' };
    if (dialog.state !== 'OPEN') return { ok: false, reason: 'CLOSED' };
    const sequence = conversation.nextSequence.get(dialog.dialogId) ?? 0;
    const message: ConversationMessage = {
      sequence,
      dialogId: dialog.dialogId,
      event: structuredClone(input.event),
      ...(input.metadata === undefined ? {} : { metadata: structuredClone(input.metadata) }),
      originator: input.originator,
      originatorId: input.originatorId,
      serverTimestamp: Date.now(),
    };
    conversation.nextSequence.set(dialog.dialogId, sequence + 1);
    conversation.messages.push(message);
    this.#events.emit('message', { conversationId, dialogId: dialog.dialogId, message: structuredClone(message) });
    return { ok: true, message: structuredClone(message) };
  }

  /**
   * The agent ends the main dialog and the post-conversation survey starts in a dialog of its own
   * (type POST_SURVEY). As LivePerson reports it, the conversation's state is CLOSE from then on and
   * its stage stays OPEN until the survey ends with `close`.
   */
  startSurvey(
    conversationId: string,
    closer: { closedBy: 'CONSUMER' | 'AGENT'; closedCause?: string } = { closedBy: 'AGENT' },
  ): { ok: true; dialogId: string } | { ok: false; reason: 'NOT_FOUND' | 'CLOSED' } {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return { ok: false, reason: 'NOT_FOUND' };
    const main = conversation.dialogs[0];
    if (conversation.state !== 'OPEN' || main === undefined || main.state !== 'OPEN') return { ok: false, reason: 'CLOSED' };
    const now = Date.now();
    Object.assign(main, {
      state: 'CLOSE',
      endTs: now,
      closedBy: closer.closedBy,
      ...(closer.closedCause === undefined ? {} : { closedCause: closer.closedCause }),
    });
    const dialogId = randomUUID();
    conversation.dialogs.push({ dialogId, dialogType: 'POST_SURVEY', state: 'OPEN', creationTs: now });
    Object.assign(conversation, { state: 'CLOSE', closeTs: now, closedBy: closer.closedBy, metaDataLastUpdateTs: now });
    this.#events.emit('conversation', { change: 'SURVEY_STARTED', conversation: snapshot(conversation) });
    return { ok: true, dialogId };
  }

  /** Ends the conversation: every open dialog (a running survey's too) closes, and the stage with them. */
  close(conversationId: string, closedBy: Originator, closedCause?: string): CloseResult {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return { ok: false, reason: 'NOT_FOUND' };
    if (conversation.stage !== 'OPEN') return { ok: false, reason: 'CLOSED' };
    const now = Date.now();
    const closer = closedBy === 'CONSUMER' ? 'CONSUMER' : 'AGENT';
    for (const dialog of conversation.dialogs) {
      if (dialog.state === 'OPEN') {
        Object.assign(dialog, { state: 'CLOSE', endTs: now, closedBy: closer, ...(closedCause === undefined ? {} : { closedCause }) });
      }
    }
    // A survey's end leaves who closed the main dialog as the conversation's close reason.
    if (conversation.state === 'OPEN') Object.assign(conversation, { state: 'CLOSE', closeTs: now, closedBy: closer });
    Object.assign(conversation, { stage: 'CLOSE', metaDataLastUpdateTs: now });
    this.#events.emit('conversation', { change: 'CLOSED', conversation: snapshot(conversation) });
    return { ok: true };
  }
}

/** A deep copy without internal bookkeeping, so callers can never alter the store. */
function snapshot(conversation: Conversation): ConversationSnapshot {
  const { nextSequence: _nextSequence, ...rest } = conversation;
  return structuredClone(rest);
}

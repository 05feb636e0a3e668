// In-memory state of Connector API conversations, apart from HTTP routing. Every change is
// emitted on `events` ('conversation' and 'message'), which is what a webhook sender subscribes to.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type {
  CampaignInfo,
  ConversationMessage,
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
}

export type OpenResult = { ok: true; conversation: ConversationSnapshot } | { ok: false; openConversationId: string };

export type PublishResult =
  | { ok: true; message: ConversationMessage }
  | { ok: false; reason: 'NOT_FOUND' | 'CLOSED' };

export type CloseResult = { ok: true } | { ok: false; reason: 'NOT_FOUND' | 'CLOSED' };

interface Conversation extends ConversationSnapshot {
  nextSequence: number;
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
    const conversation: Conversation = {
      ...structuredClone(input),
      conversationId: randomUUID(),
      state: 'OPEN',
      startTs: Date.now(),
      messages: [],
      nextSequence: 0,
    };
    this.#conversations.set(conversation.conversationId, conversation);
    this.#events.emit('conversation', { change: 'OPENED', conversation: snapshot(conversation) });
    return { ok: true, conversation: snapshot(conversation) };
  }

  get(conversationId: string): ConversationSnapshot | undefined {
    const conversation = this.#conversations.get(conversationId);
    return conversation === undefined ? undefined : snapshot(conversation);
  }

  openConversationOf(consumerId: string): ConversationSnapshot | undefined {
    for (const conversation of this.#conversations.values()) {
      if (conversation.consumerId === consumerId && conversation.state === 'OPEN') return snapshot(conversation);
    }
    return undefined;
  }

  list(): ConversationSnapshot[] {
    return [...this.#conversations.values()].map(snapshot);
  }

  /** Appends an event with the conversation's next sequence number (0, 1, 2 ... as LivePerson counts). */
  publish(conversationId: string, input: { originator: Originator; originatorId: string; event: MessagingEvent }): PublishResult {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return { ok: false, reason: 'NOT_FOUND' };
    if (conversation.state !== 'OPEN') return { ok: false, reason: 'CLOSED' };
    const message: ConversationMessage = {
      sequence: conversation.nextSequence,
      event: structuredClone(input.event),
      originator: input.originator,
      originatorId: input.originatorId,
      serverTimestamp: Date.now(),
    };
    conversation.nextSequence += 1;
    conversation.messages.push(message);
    this.#events.emit('message', { conversationId, dialogId: conversationId, message: structuredClone(message) });
    return { ok: true, message: structuredClone(message) };
  }

  close(conversationId: string, closedBy: Originator): CloseResult {
    const conversation = this.#conversations.get(conversationId);
    if (conversation === undefined) return { ok: false, reason: 'NOT_FOUND' };
    if (conversation.state !== 'OPEN') return { ok: false, reason: 'CLOSED' };
    conversation.state = 'CLOSE';
    conversation.closeTs = Date.now();
    conversation.closedBy = closedBy;
    this.#events.emit('conversation', { change: 'CLOSED', conversation: snapshot(conversation) });
    return { ok: true };
  }
}

/** A deep copy without internal bookkeeping, so callers can never alter the store. */
function snapshot(conversation: Conversation): ConversationSnapshot {
  const { nextSequence: _nextSequence, ...rest } = conversation;
  return structuredClone(rest);
}

/**
 * What the event processor needs from the outside world: the event bus, the conversation state
 * table, the idempotency ledger and the dead-letter queue. The AWS adapters (../aws) implement these;
 * unit tests pass fakes.
 */
import { IntegrationError } from '../errors.ts';
import { SchemaViolation, type ConversationChangeEvent } from '../liveperson/events.ts';

/** One event for the bus. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

export interface EventPublisher {
  /** Throws EntryTooLargeError, before sending anything, when one entry can never be accepted. */
  publish(entries: readonly BusEntry[]): Promise<void>;
}

/**
 * An entry larger than the bus accepts: it is refused every time, so it is a schema problem
 * (dead-lettered at once), not a failure to retry.
 */
export class EntryTooLargeError extends SchemaViolation {
  constructor(detailType: string, bytes: number, maxBytes: number) {
    super(`the EventBridge entry of a ${detailType} is ${bytes} bytes; EventBridge accepts at most ${maxBytes}`);
    this.name = 'EntryTooLargeError';
  }
}

/** A conversation update that can be ordered against the stored state. */
export type OrderedConversationChange = ConversationChangeEvent & { readonly lastUpdateTs: number; readonly state: string };

/** `stale`: older than the stored state, which is left as it was. */
export type StateUpdateResult = 'applied' | 'stale';

/** The latest known state of a conversation, as stored. */
export interface ConversationState {
  readonly conversationId: string;
  /** `OPEN` or `CLOSE`. */
  readonly state: string;
  /** `UPSERT` or `DELETE`. */
  readonly changeType: string;
  readonly participants: ReadonlyArray<{ readonly id: string; readonly role: string }>;
  /** The conversation's dialogs: the main one and, after it, a post-conversation survey's. */
  readonly dialogs?:
    ReadonlyArray<{ readonly dialogId: string; readonly dialogType?: string | undefined; readonly state?: string | undefined }> | undefined;
  /** The first participant with role CONSUMER. */
  readonly consumerId?: string | undefined;
  readonly skillId?: string | undefined;
  readonly startTs?: number | undefined;
  readonly lastUpdateTs: number;
  readonly closeReason?: string | undefined;
  readonly updatedAt: string;
}

export interface ConversationStateStore {
  /** Stores the update unless it is older than the stored state. */
  apply(event: OrderedConversationChange): Promise<StateUpdateResult>;
  get(conversationId: string): Promise<ConversationState | undefined>;
}

export type ClaimResult = 'claimed' | 'already-done';

/** What the processor needs from an idempotency store. */
export interface EventLedger {
  /** Throws EventInProgressError when another invocation holds the claim. */
  claim(identity: string, remainingTimeMs: number): Promise<ClaimResult>;
  complete(identity: string): Promise<void>;
  release(identity: string): Promise<void>;
}

/** Another invocation is handling this event right now: retry later. */
export class EventInProgressError extends IntegrationError {
  readonly retryable = true;
  constructor(identity: string) {
    super(`event ${identity} is being handled by another invocation`);
    this.name = 'EventInProgressError';
  }
}

/** A queued message, as the processor gets it (no SQS or Lambda types). */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  /** The String message attributes, by name. */
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

/** A message parked on the dead-letter queue: the original, with only the attributes chosen. */
export type DeadLetterRecord = QueuedMessage;

export interface DeadLetterSink {
  /** Parks the record with the reason it can never succeed. */
  send(record: DeadLetterRecord, reason: string): Promise<void>;
}

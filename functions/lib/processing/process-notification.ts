/**
 * Handles one queued LivePerson notification: splits it into typed events, skips the ones
 * already handled, keeps the conversation state table current, runs the brand's handlers and
 * publishes their outbox. Either every new event of the notification is handled and published,
 * or none is marked done and the whole notification is tried again.
 */
import type { BusEntry, EventPublisher } from '../aws/event-bus.ts';
import type { ConversationStateStore } from '../aws/conversation-state.ts';
import { parseNotification, type LivePersonEvent } from '../liveperson/events.ts';
import type { EventLedger } from './idempotency.ts';
import type { EventHandlerRegistry } from './registry.ts';

export interface QueuedNotification {
  readonly body: string;
  readonly route: 'connector' | 'messaging';
  readonly receivedAt: string | undefined;
}

export interface ProcessingDependencies {
  readonly accountId: string;
  readonly ledger: EventLedger;
  readonly state: ConversationStateStore;
  readonly registry: EventHandlerRegistry;
  readonly publisher: EventPublisher;
  /** Time left in this invocation: an in-progress claim expires after it, should we crash. */
  readonly remainingTimeMs: () => number;
  readonly observer?: ProcessingObserver;
}

/** Told what happened to each event, for logs and metrics. */
export interface ProcessingObserver {
  handled?(event: LivePersonEvent): void;
  duplicate?(event: LivePersonEvent): void;
  staleState?(event: LivePersonEvent): void;
}

export interface NotificationResult {
  readonly handled: readonly LivePersonEvent[];
  readonly duplicates: readonly LivePersonEvent[];
}

/** Throws SchemaViolation (never retry), EventInProgressError or any handler/AWS error (retry). */
export async function processNotification(notification: QueuedNotification, deps: ProcessingDependencies): Promise<NotificationResult> {
  const events = parseNotification(notification.body, notification.route);
  const claimed: LivePersonEvent[] = [];
  const duplicates: LivePersonEvent[] = [];
  try {
    for (const event of events) {
      if ((await deps.ledger.claim(event.identity, deps.remainingTimeMs())) === 'already-done') {
        duplicates.push(event);
        deps.observer?.duplicate?.(event);
        continue;
      }
      claimed.push(event);
    }

    const outbox: BusEntry[] = [];
    const context = { accountId: deps.accountId, receivedAt: notification.receivedAt, publish: (entry: BusEntry) => void outbox.push(entry) };
    for (const event of claimed) {
      if (event.type === 'ExConversationChangeNotification' && (await deps.state.apply(event)) === 'stale') {
        deps.observer?.staleState?.(event);
      }
      await deps.registry.dispatch(event, context);
    }
    if (outbox.length > 0) await deps.publisher.publish(outbox);
  } catch (error) {
    // Let the retry handle these events again. A release that fails leaves the claim to expire.
    await Promise.allSettled(claimed.map((event) => deps.ledger.release(event.identity)));
    throw error;
  }
  await Promise.all(claimed.map((event) => deps.ledger.complete(event.identity)));
  for (const event of claimed) deps.observer?.handled?.(event);
  return { handled: claimed, duplicates };
}

/**
 * Handles one queued LivePerson notification: splits it into typed events, skips the ones
 * already handled, keeps the conversation state table current, runs the brand's handlers and
 * publishes their outbox. No event of the notification is marked done unless every handler
 * succeeded and EventBridge accepted every entry; otherwise the whole notification is tried
 * again. Publishing is not atomic: entries sent before a failure are sent again by the retry,
 * so the bus is at-least-once and subscribers drop repeats by the detail's `eventId`.
 */
import { parseNotification, type ConversationChangeEvent, type LivePersonEvent, type UnknownEvent } from '../liveperson/events.ts';
import type { BusEntry, ConversationStateStore, EventLedger, EventPublisher, OrderedConversationChange } from './ports.ts';
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
  /** The clock (ms since the epoch), for tests. */
  readonly now?: () => number;
}

/** Told what happened to each event, for logs and metrics. */
export interface ProcessingObserver {
  handled?(event: LivePersonEvent): void;
  duplicate?(event: LivePersonEvent): void;
  /** A conversation update older than the stored state: marked done, not handed to the handlers. */
  staleState?(event: LivePersonEvent): void;
  /** A change of a type this code does not know, handed to the handlers as an UnknownEvent. */
  unknown?(event: UnknownEvent): void;
}

export interface NotificationResult {
  /** The events handed to the handlers. */
  readonly handled: readonly LivePersonEvent[];
  readonly duplicates: readonly LivePersonEvent[];
  /** Conversation updates older than the stored state. */
  readonly stale: readonly LivePersonEvent[];
}

/** Throws SchemaViolation (never retry), EventInProgressError or any handler/AWS error (retry). */
export async function processNotification(notification: QueuedNotification, deps: ProcessingDependencies): Promise<NotificationResult> {
  const events = parseNotification(notification.body, notification.route);
  const nowMs = (deps.now ?? Date.now)();
  /** New events, in order: claimed, or without identity (never deduplicated, never claimed). */
  const fresh: LivePersonEvent[] = [];
  const claimed = new Set<string>();
  const duplicates: LivePersonEvent[] = [];
  const stale: LivePersonEvent[] = [];
  const handled: LivePersonEvent[] = [];
  // The same change twice in one notification is claimed once: claiming it again would meet our
  // own in-progress claim and retry forever. Its repeats are duplicates.
  const firsts: LivePersonEvent[] = [];
  const identities = new Set<string>();
  for (const event of events) {
    if (event.identity !== undefined && identities.has(event.identity)) continue;
    if (event.identity !== undefined) identities.add(event.identity);
    firsts.push(event);
  }
  try {
    // Every claim and the state updates at once: one round trip before the handlers rather than
    // one per event. A state update is applied even when its event turns out handled already or
    // held elsewhere: it is conditional and idempotent (the same update twice stores the same state,
    // an older one is refused), so the stored state is what it would have been.
    const [claims, states] = await Promise.all([
      Promise.allSettled(
        firsts.map(async ({ identity }) => {
          if (identity === undefined) return 'claimed';
          const result = await deps.ledger.claim(identity, deps.remainingTimeMs());
          if (result === 'claimed') claimed.add(identity);
          return result;
        }),
      ),
      applyInOrder(firsts, deps.state, nowMs),
    ]);
    const outcome = new Map(firsts.map((event, i) => [event, claims[i]]));
    for (const event of events) {
      const claim = outcome.get(event);
      if (claim?.status === 'rejected') throw claim.reason;
      if (claim?.value !== 'claimed') {
        duplicates.push(event);
        deps.observer?.duplicate?.(event);
        continue;
      }
      fresh.push(event);
    }
    if (states.failure) throw states.failure.error;

    const outbox: BusEntry[] = [];
    const context = {
      accountId: deps.accountId,
      route: notification.route,
      receivedAt: notification.receivedAt,
      publish: (entry: BusEntry) => void outbox.push(entry),
    };
    for (const event of fresh) {
      // An update older than the stored state would show subscribers the conversation going back.
      if (states.stale.has(event)) {
        stale.push(event);
        continue;
      }
      await deps.registry.dispatch(event, context);
      handled.push(event);
    }
    if (outbox.length > 0) await deps.publisher.publish(outbox);
  } catch (error) {
    // Let the retry handle these events again. A release that fails leaves the claim to expire.
    await Promise.allSettled([...claimed].map((identity) => deps.ledger.release(identity)));
    throw error;
  }
  await Promise.all([...claimed].map((identity) => deps.ledger.complete(identity)));
  for (const event of stale) deps.observer?.staleState?.(event);
  for (const event of handled) {
    deps.observer?.handled?.(event);
    if (event.type === 'UnknownEvent') deps.observer?.unknown?.(event);
  }
  return { handled, duplicates, stale };
}

/**
 * Stores the notification's conversation updates one after another, in order, and tells which were
 * stale; the first failure stops it (returned, not thrown, so the claims are settled first). One
 * without a usable timestamp cannot be ordered: it is handled, and the stored state left alone.
 */
async function applyInOrder(
  events: readonly LivePersonEvent[],
  state: ConversationStateStore,
  nowMs: number,
): Promise<{ readonly stale: ReadonlySet<LivePersonEvent>; readonly failure?: { readonly error: unknown } }> {
  const stale = new Set<LivePersonEvent>();
  try {
    for (const event of events) {
      if (event.type === 'ExConversationChangeNotification' && isOrdered(event, nowMs) && (await state.apply(event)) === 'stale')
        stale.add(event);
    }
    return { stale };
  } catch (error) {
    return { stale, failure: { error } };
  }
}

/**
 * How far ahead of this clock an update's timestamp may be and still order updates (an update
 * without state, a DELETE of its id alone, never changes the stored state either). Beyond it the
 * timestamp is not trusted: stored, it would make every later genuine update look stale.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

function isOrdered(event: ConversationChangeEvent, nowMs: number): event is OrderedConversationChange {
  return event.state !== undefined && event.lastUpdateTs !== undefined && event.lastUpdateTs <= nowMs + MAX_CLOCK_SKEW_MS;
}

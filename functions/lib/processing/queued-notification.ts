/**
 * One queued notification, start to end: processed, retried, or parked. A notification that can never
 * be processed (it breaks the event schema, or an event is too large for the bus) goes to the
 * dead-letter queue at once, with its reason, so the conversation goes on; any other failure is
 * thrown, and the queue retries the record and holds back the rest of its conversation.
 *
 * Only the notification's own faults are parked at once: an error a brand's handler throws is always
 * retried (SQS's redrive is its backstop), whatever its `retryable` says, because the handlers'
 * contract is "throw and the notification comes again" (a 401 during a secret rotation must not
 * park the conversation's events).
 */
import { messageOf } from '../errors.ts';
import { SchemaViolation } from '../liveperson/events.ts';
import { EntryTooLargeError, type DeadLetterSink, type QueuedMessage } from './ports.ts';
import { processNotification, type ProcessingDependencies, type ProcessingObserver } from './process-notification.ts';

/** The message attributes the receiver sets, kept on a dead-lettered message. */
export const QUEUED_ATTRIBUTES = ['route', 'eventType', 'receivedAt', 'accountId'] as const;

export interface QueuedNotificationDependencies extends Omit<ProcessingDependencies, 'observer'> {
  readonly deadLetters: DeadLetterSink;
  readonly observer?: QueuedNotificationObserver;
}

/**
 * Told what happened to the message and to each of its events, for logs and metrics: one observer
 * per message, since messages of different conversations are handled at the same time.
 */
export interface QueuedNotificationObserver extends ProcessingObserver {
  /** Parked on the dead-letter queue; `reason` is the failure's short code (metric dimension). */
  deadLettered?(error: unknown, reason: string): void;
  /** Failed, to be retried; `reason` is the failure's short code (metric dimension). */
  failed?(error: unknown, reason: string): void;
}

export async function handleQueuedNotification(message: QueuedMessage, deps: QueuedNotificationDependencies): Promise<void> {
  const { attributes } = message;
  try {
    await processNotification(
      { body: message.body, route: attributes.route === 'messaging' ? 'messaging' : 'connector', receivedAt: attributes.receivedAt },
      deps,
    );
  } catch (error) {
    if (isPermanentNotificationFault(error)) {
      await deps.deadLetters.send(
        { ...message, attributes: Object.fromEntries(QUEUED_ATTRIBUTES.map((name) => [name, attributes[name]])) },
        messageOf(error),
      );
      deps.observer?.deadLettered?.(error, failureReason(error));
      return;
    }
    deps.observer?.failed?.(error, failureReason(error));
    throw error;
  }
}

/** The notification itself cannot be processed, now or later (SchemaViolation, EntryTooLargeError among them). */
function isPermanentNotificationFault(error: unknown): boolean {
  return error instanceof SchemaViolation && !error.retryable;
}

/** The failure's short code: the kind of a permanent failure, the error's name otherwise. */
export function failureReason(error: unknown): string {
  if (error instanceof EntryTooLargeError) return 'entry-too-large';
  if (error instanceof SchemaViolation) return 'schema-violation';
  return error instanceof Error ? error.name : 'unknown';
}

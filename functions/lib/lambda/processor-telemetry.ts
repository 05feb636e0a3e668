/**
 * The event processor's log lines and metrics. Every log line about a message carries its
 * correlation keys; group ids and event types come from the body (a conversation id may be
 * anything, a phone number too), so they are masked.
 */
import type { LivePersonEvent } from '../liveperson/events.ts';
import { logSafeError, logSafeId, logSafeReason, logSafeText } from '../log-mask.ts';
import type { QueuedMessage } from '../processing/ports.ts';
import type { QueuedNotificationObserver } from '../processing/queued-notification.ts';
import type { Telemetry } from './telemetry.ts';

/** The observer of one message: `processorTelemetry(telemetry)(message)`. */
export type MessageObserverFactory = (message: QueuedMessage) => QueuedNotificationObserver;

export function processorTelemetry(telemetry: Telemetry<'event-processor'>): MessageObserverFactory {
  const { logger } = telemetry;
  const failure = (reason: string) => {
    // Alarms and the dashboard need the total at the service level (a fixed dimension set); the breakdown is its own metric.
    telemetry.count('failed');
    telemetry.countWith('failedByReason', { reason });
  };
  return (message) => {
    // On each line rather than appended to the logger: messages of other conversations are handled
    // at the same time, and would put their keys on this one's lines.
    const keys = {
      conversationId: logSafeId(message.groupId),
      eventType: logSafeText(message.attributes.eventType),
      messageId: message.messageId,
    };
    const about = (event: LivePersonEvent) => ({ ...keys, eventType: event.type, conversationId: logSafeId(event.conversationId) });
    return {
      handled: (event) => {
        logger.info('event handled', about(event));
        telemetry.count('processed');
      },
      duplicate: (event) => {
        logger.info('duplicate event skipped', about(event));
        telemetry.count('duplicatesSkipped');
      },
      unknown: (event) => {
        // Passed on, not lost: the count tells when LivePerson sends something this version cannot type yet.
        logger.warn('change of a type this version does not know: passed on as UnknownEvent', {
          ...keys,
          notificationType: logSafeText(event.notificationType),
          changeType: logSafeText(event.changeType),
          conversationId: logSafeId(event.conversationId),
        });
        telemetry.count('unknownEvents');
      },
      staleState: (event) => {
        logger.info('conversation update older than the stored state: not handled', about(event));
        telemetry.count('staleConversationUpdates');
      },
      deadLettered: (error, reason) => {
        logger.error('notification moved to the dead-letter queue', { ...keys, reason: logSafeReason(error) });
        failure(reason);
      },
      failed: (error, reason) => {
        logger.error('notification failed; it will be retried', {
          ...keys,
          ...logSafeError(error),
        });
        failure(reason);
      },
    };
  };
}

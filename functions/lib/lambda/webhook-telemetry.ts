/**
 * The webhook receiver's log lines and metrics. Every field from the request is masked or bounded:
 * group ids and event types come from the body (a conversation id may be anything, a phone number too).
 */
import { messageOf } from '../errors.ts';
import { logSafeId, logSafeText } from '../log-mask.ts';
import type { QueuedEvent, WebhookRoute } from '../webhooks/ports.ts';
import type { WebhookRejection } from '../webhooks/receive-webhook.ts';
import type { Telemetry } from './telemetry.ts';

/** What the receiver reports, for logs and metrics. */
export interface WebhookObserver {
  /** The cold-start read of the secret failed (each request tries again). */
  credentialsNotPrefetched(error: unknown): void;
  credentialsUnavailable(route: WebhookRoute, error: unknown): void;
  credentialsRefreshed(): void;
  accepted(route: WebhookRoute, event: QueuedEvent): void;
  rejected(route: WebhookRoute, rejection: WebhookRejection): void;
}

export function webhookTelemetry(telemetry: Telemetry<'webhook-receiver'>): WebhookObserver {
  const { logger } = telemetry;
  // Masking reads every character (it normalises Unicode first): ~10 µs for an event type, the
  // largest share of an accepted webhook's own work. Event types are a handful of names and a busy
  // conversation sends many events, so the masked forms are remembered (a bounded number of them).
  const safeEventType = memoized((eventType: string) => logSafeText(eventType) ?? '', 64);
  const safeGroupId = memoized((groupId: string) => logSafeId(groupId) ?? '', 1_024);
  return {
    credentialsNotPrefetched: (error) => logger.error('credentials not loaded at cold start', { reason: logSafeText(messageOf(error)) }),
    credentialsUnavailable: (route, error) => {
      logger.error('webhook not accepted: credentials unavailable', { route, reason: logSafeText(messageOf(error)) });
      telemetry.count('credentialsUnavailable');
    },
    credentialsRefreshed: () => logger.info('credentials re-read after a webhook failed its check'),
    accepted: (route, event) => {
      // The request's closing lines: this one and the metrics flushed after the handler, in one write.
      telemetry.writeTogether();
      logger.info('webhook accepted', {
        route,
        eventType: safeEventType(event.attributes.eventType),
        groupId: safeGroupId(event.groupId),
        deduplicationId: event.deduplicationId,
      });
      telemetry.count('accepted');
    },
    rejected: (route, rejection) => {
      telemetry.writeTogether();
      const log = rejection.reason === 'queue-unavailable' ? logger.error.bind(logger) : logger.warn.bind(logger);
      log('webhook rejected', {
        route,
        reason: rejection.reason,
        status: rejection.status,
        detail: logSafeText(rejection.detail ?? rejection.message),
      });
      // Alarms need the total at the service level (a fixed dimension set); the breakdown is its own metric.
      telemetry.count('rejected');
      telemetry.countWith('rejectedByReason', { route, reason: rejection.reason });
    },
  };
}

/** `mask` remembering its last `size` answers (the oldest forgotten first): for pure functions only. */
function memoized(mask: (value: string) => string, size: number): (value: string) => string {
  const answers = new Map<string, string>();
  return (value) => {
    let answer = answers.get(value);
    if (answer === undefined) {
      answer = mask(value);
      if (answers.size >= size) answers.delete(answers.keys().next().value as string);
      answers.set(value, answer);
    }
    return answer;
  };
}

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
  return {
    credentialsNotPrefetched: (error) => logger.error('credentials not loaded at cold start', { reason: logSafeText(messageOf(error)) }),
    credentialsUnavailable: (route, error) => {
      logger.error('webhook not accepted: credentials unavailable', { route, reason: logSafeText(messageOf(error)) });
      telemetry.count('credentialsUnavailable');
    },
    credentialsRefreshed: () => logger.info('credentials re-read after a webhook failed its check'),
    accepted: (route, event) => {
      logger.info('webhook accepted', {
        route,
        eventType: logSafeText(event.attributes.eventType),
        groupId: logSafeId(event.groupId),
        deduplicationId: event.deduplicationId,
      });
      telemetry.count('accepted');
    },
    rejected: (route, rejection) => {
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

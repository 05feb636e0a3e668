/**
 * What the webhook receiver needs from the outside world: the event queue it writes to and the
 * credentials it checks webhooks with. The AWS adapters (../aws) implement these; tests pass fakes.
 */
import type { WebhookRouteName } from '#contract/constants.ts';

/** The webhook route a request came by (the keys of the contract's WEBHOOK_ROUTES). */
export type WebhookRoute = WebhookRouteName;

/** One event as it goes on the FIFO queue. */
export interface QueuedEvent {
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  readonly attributes: {
    readonly route: WebhookRoute;
    readonly eventType: string;
    readonly receivedAt: string;
    readonly accountId: string;
  };
}

export interface EventQueue {
  /** Resolves once the queue has confirmed the write. */
  send(event: QueuedEvent): Promise<void>;
}

export interface WebhookCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookToken?: string | undefined;
}

/** Where the credentials come from: a cached read, and a re-read for when they seem out of date. */
export interface WebhookCredentialsSource {
  get(): Promise<WebhookCredentials>;
  /** Re-reads bypassing any cache; undefined when that is not allowed right now (rate limit). */
  refresh(): Promise<WebhookCredentials | undefined>;
}

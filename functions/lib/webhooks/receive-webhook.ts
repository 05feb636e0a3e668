/**
 * The webhook receiver's decision: check that a POST is genuine and well-formed, then write it,
 * unchanged, to the event queue. Nothing is written unless every check passes, and success is
 * only reported once the queue has confirmed the write, so an accepted event is never lost.
 */
import { createHash } from 'node:crypto';
import {
  connectorEnvelopeSchema,
  routeConnectorNotification,
  routeMessagingNotification,
  type NotificationRouting,
} from '../liveperson/notification-envelope.ts';
import { constantTimeEquals, verifyWebhookSignature } from '../liveperson/webhook-signature.ts';

export type WebhookRoute = 'connector' | 'messaging';

export interface WebhookRequest {
  readonly route: WebhookRoute;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received. */
  readonly rawBody: Buffer;
  /** The `{token}` of `/webhooks/messaging/{token}`. */
  readonly pathToken?: string | undefined;
  readonly receivedAt: number;
}

export interface WebhookCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookToken?: string | undefined;
}

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
  send(event: QueuedEvent): Promise<void>;
}

export type RejectionReason =
  | 'body-too-large'
  | 'unsupported-media-type'
  | 'missing-signature'
  | 'invalid-signature'
  | 'wrong-account'
  | 'wrong-client'
  | 'invalid-token'
  | 'token-not-configured'
  | 'not-json'
  | 'not-a-notification';

export type WebhookOutcome =
  | { readonly accepted: true; readonly status: 200; readonly event: QueuedEvent }
  | { readonly accepted: false; readonly status: number; readonly reason: RejectionReason | 'queue-unavailable'; readonly message: string };

export interface ReceiveWebhookOptions {
  readonly accountId: string;
  readonly credentials: WebhookCredentials;
  readonly queue: EventQueue;
  /** Largest body accepted (bytes); the SQS message limit less room for the attributes. */
  readonly maxBodyBytes: number;
}

/** SQS allows 256 KiB per message, attributes included: keep 2 KiB for them. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 - 2 * 1024;

/** Events that name no conversation share one group, so they keep their relative order too. */
export const NO_CONVERSATION_GROUP = 'no-conversation';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;
// SQS refuses these code points in a message body even though JSON may carry them raw.
const SQS_FORBIDDEN_CHARACTERS = /[\uFFFE\uFFFF]/;
// MessageGroupId: at most 128 characters of ASCII letters, digits and punctuation.
const SQS_GROUP_ID = /^[\x21-\x7E]{1,128}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function receiveWebhook(request: WebhookRequest, options: ReceiveWebhookOptions): Promise<WebhookOutcome> {
  const { headers, rawBody } = request;
  if (rawBody.length > options.maxBodyBytes) {
    return reject(413, 'body-too-large', `body is ${rawBody.length} bytes; at most ${options.maxBodyBytes} are accepted`);
  }
  const mediaType = headers['content-type']?.split(';')[0]?.trim() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    return reject(415, 'unsupported-media-type', `content-type must be application/json, got ${mediaType === '' ? 'none' : `"${mediaType}"`}`);
  }

  const authFailure = request.route === 'connector' ? checkConnectorAuth(request, options) : checkMessagingToken(request, options);
  if (authFailure) return authFailure;

  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(rawBody);
    parsed = JSON.parse(text);
  } catch {
    return reject(400, 'not-json', 'body is not valid UTF-8 JSON');
  }
  if (SQS_FORBIDDEN_CHARACTERS.test(text)) return reject(400, 'not-json', 'body contains U+FFFE or U+FFFF, which cannot be queued');

  let routing: NotificationRouting;
  if (request.route === 'connector') {
    const envelope = connectorEnvelopeSchema.safeParse(parsed);
    if (!envelope.success) {
      return reject(400, 'not-a-notification', `not a LivePerson notification: ${envelope.error.issues.map(describeIssue).join('; ')}`);
    }
    routing = routeConnectorNotification(envelope.data);
  } else {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return reject(400, 'not-a-notification', 'not a LivePerson notification: body must be a JSON object');
    }
    routing = routeMessagingNotification(parsed as Record<string, unknown>);
  }

  const event: QueuedEvent = {
    body: text,
    groupId: messageGroupId(routing.conversationId),
    // LivePerson redelivers the same body: SQS drops the copy within its 5-minute window, the processor after that.
    deduplicationId: createHash('sha256').update(rawBody).digest('hex'),
    attributes: {
      route: request.route,
      eventType: routing.eventType,
      receivedAt: new Date(request.receivedAt).toISOString(),
      accountId: options.accountId,
    },
  };
  try {
    await options.queue.send(event);
  } catch (error) {
    // Not 200, so LivePerson delivers the event again later: nothing is lost.
    return {
      accepted: false,
      status: 503,
      reason: 'queue-unavailable',
      message: `event queue did not confirm the write: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    };
  }
  return { accepted: true, status: 200, event };
}

function checkConnectorAuth(request: WebhookRequest, options: ReceiveWebhookOptions): WebhookOutcome | undefined {
  const { headers } = request;
  const check = verifyWebhookSignature(request.rawBody, headers['x-liveperson-signature'], options.credentials.clientSecret);
  if (!check.valid) {
    return check.reason === 'missing'
      ? reject(401, 'missing-signature', 'x-liveperson-signature header is missing')
      : reject(401, 'invalid-signature', `x-liveperson-signature does not match the body (${check.reason})`);
  }
  const account = headers['x-liveperson-account-id'];
  if (account !== options.accountId) {
    return reject(403, 'wrong-account', `x-liveperson-account-id is ${account === undefined ? 'missing' : `"${account}"`}, expected "${options.accountId}"`);
  }
  if (headers['x-liveperson-client-id'] !== options.credentials.clientId) {
    return reject(403, 'wrong-client', 'x-liveperson-client-id is not the configured client id');
  }
  return undefined;
}

function checkMessagingToken(request: WebhookRequest, options: ReceiveWebhookOptions): WebhookOutcome | undefined {
  const expected = options.credentials.webhookToken;
  if (expected === undefined) {
    return reject(401, 'token-not-configured', 'the messaging route is closed: the credentials secret has no webhookToken');
  }
  if (request.pathToken === undefined || !constantTimeEquals(request.pathToken, expected)) {
    return reject(401, 'invalid-token', 'the URL token is wrong');
  }
  return undefined;
}

/** The conversation id when SQS accepts it as a group id, else a digest of it (same conversation, same group). */
export function messageGroupId(conversationId: string | undefined): string {
  if (conversationId === undefined) return NO_CONVERSATION_GROUP;
  return SQS_GROUP_ID.test(conversationId) ? conversationId : createHash('sha256').update(conversationId).digest('hex');
}

function reject(status: number, reason: RejectionReason, message: string): WebhookOutcome {
  return { accepted: false, status, reason, message };
}

function describeIssue(issue: { path: readonly PropertyKey[]; message: string }): string {
  return issue.message;
}

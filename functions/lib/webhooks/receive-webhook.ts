/**
 * The webhook receiver's decision: check that a POST is genuine and well-formed, then write it,
 * unchanged, to the event queue. Nothing is written unless every check passes, and success is
 * only reported once the queue has confirmed the write, so an accepted event is never lost.
 * LivePerson facts behind this: docs/liveperson.md#webhooks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { routeConnectorNotification, routeMessagingNotification, type NotificationRouting } from '../liveperson/notification-envelope.ts';
import { constantTimeEquals, verifyWebhookSignature } from '../liveperson/webhook-signature.ts';
import type { EventQueue, QueuedEvent, WebhookCredentials, WebhookRoute } from './ports.ts';

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
  | {
      readonly accepted: false;
      readonly status: number;
      readonly reason: RejectionReason | 'queue-unavailable';
      /** For the caller: never a secret, nor an AWS error (it names accounts, roles and queues). */
      readonly message: string;
      /** For the log only. */
      readonly detail?: string;
    };

export type WebhookRejection = Extract<WebhookOutcome, { accepted: false }>;
type Rejection = WebhookRejection;

export interface ReceiveWebhookOptions {
  readonly accountId: string;
  readonly credentials: WebhookCredentials;
  /**
   * Re-reads the credentials bypassing any cache, or answers undefined when that is not allowed
   * right now (rate limit). Called once when a signature or URL token does not match: the
   * secret may have been rotated since it was cached.
   */
  readonly refreshCredentials?: () => Promise<WebhookCredentials | undefined>;
  readonly queue: EventQueue;
  /** Largest body accepted (bytes); the SQS message limit less room for the attributes. */
  readonly maxBodyBytes: number;
}

/** SQS allows 256 KiB per message, attributes included: keep 2 KiB for them. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 - 2 * 1024;

/** Longest `eventType` attribute (code points): it comes from the body, and the body already takes the message's room. */
export const MAX_EVENT_TYPE_LENGTH = 256;

/** Events that name no conversation share one group, so they keep their relative order too. */
export const NO_CONVERSATION_GROUP = 'no-conversation';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;
// SQS refuses these code points in a message body even though JSON may carry them raw.
const SQS_FORBIDDEN_CHARACTERS = /[\uFFFE\uFFFF]/g;
// Every code point SQS refuses in a message attribute (a JSON string may carry any of them escaped).
const SQS_ATTRIBUTE_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Rejections a rotated secret explains: the cached credentials may be out of date.
const STALE_CREDENTIALS_REASONS: ReadonlySet<Rejection['reason']> = new Set(['invalid-signature', 'invalid-token', 'token-not-configured']);
// MessageGroupId: at most 128 characters of ASCII letters, digits and punctuation.
const SQS_GROUP_ID = /^[\x21-\x7E]{1,128}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function receiveWebhook(request: WebhookRequest, options: ReceiveWebhookOptions): Promise<WebhookOutcome> {
  const { headers, rawBody } = request;
  if (rawBody.length > options.maxBodyBytes) {
    return reject(413, 'body-too-large', `body is ${rawBody.length} bytes; at most ${options.maxBodyBytes} are accepted`);
  }
  // The signed route is judged by its signature, not its label: a genuine notification is never
  // refused for its content type. The unsigned route has only its token, so it keeps the check.
  const mediaType = headers['content-type']?.split(';')[0]?.trim() ?? '';
  if (request.route === 'messaging' && !JSON_MEDIA_TYPE.test(mediaType)) {
    return reject(
      415,
      'unsupported-media-type',
      `content-type must be application/json, got ${mediaType === '' ? 'none' : `"${mediaType}"`}`,
    );
  }

  const authFailure = await checkAuth(request, options);
  if (authFailure) return authFailure;

  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(rawBody);
    parsed = JSON.parse(text);
  } catch {
    return reject(400, 'not-json', 'body is not valid UTF-8 JSON');
  }
  // SQS refuses U+FFFE and U+FFFF in a body. In JSON that parsed they can only stand inside strings,
  // where their escapes mean the same: the queued body is then equivalent, not byte-identical.
  text = text.replace(SQS_FORBIDDEN_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16)}`);

  let routing: NotificationRouting;
  if (request.route === 'connector') {
    // Signed by LivePerson, so genuine: queued whatever its envelope (the processor passes on
    // what it does not know). Refusing it would hold back every event of the app installation.
    routing = routeConnectorNotification(parsed);
  } else {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return reject(400, 'not-a-notification', 'not a LivePerson notification: body must be a JSON object');
    }
    routing = routeMessagingNotification(parsed as Record<string, unknown>);
  }

  const event: QueuedEvent = {
    body: text,
    groupId: messageGroupId(routing.conversationId),
    // LivePerson redelivers the same body: SQS drops the copy within its 5-minute window, the
    // processor after that. A body without sequence or timestamp may be a genuine repeat (a second
    // COMPOSING): it gets an id of its own, so SQS keeps it.
    deduplicationId: routing.deduplicateByBody ? createHash('sha256').update(rawBody).digest('hex') : randomBytes(32).toString('hex'),
    attributes: {
      route: request.route,
      eventType: sqsAttributeValue(routing.eventType, MAX_EVENT_TYPE_LENGTH),
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
      message: 'the event queue did not confirm the write; try again later',
      detail: `event queue did not confirm the write: ${describeError(error)}`,
    };
  }
  return { accepted: true, status: 200, event };
}

/** The route's check; failing it for a reason a rotated secret explains, once more with the credentials re-read. */
async function checkAuth(request: WebhookRequest, options: ReceiveWebhookOptions): Promise<Rejection | undefined> {
  const check = (credentials: WebhookCredentials) =>
    request.route === 'connector' ? checkConnectorAuth(request, options.accountId, credentials) : checkMessagingToken(request, credentials);
  const failure = check(options.credentials);
  if (!failure || !STALE_CREDENTIALS_REASONS.has(failure.reason) || !options.refreshCredentials) return failure;
  let fresh: WebhookCredentials | undefined;
  try {
    fresh = await options.refreshCredentials();
  } catch (error) {
    // The cached credentials are all we have: keep their answer (LivePerson retries a 401 too).
    return { ...failure, detail: `${failure.message}; re-reading the credentials failed: ${describeError(error)}` };
  }
  // Unchanged credentials give the same answer again; checking costs one HMAC.
  return fresh === undefined ? failure : check(fresh);
}

function checkConnectorAuth(request: WebhookRequest, accountId: string, credentials: WebhookCredentials): Rejection | undefined {
  const { headers } = request;
  const check = verifyWebhookSignature(request.rawBody, headers['x-liveperson-signature'], credentials.clientSecret);
  if (!check.valid) {
    return check.reason === 'missing'
      ? reject(401, 'missing-signature', 'x-liveperson-signature header is missing')
      : reject(401, 'invalid-signature', `x-liveperson-signature does not match the body (${check.reason})`);
  }
  const account = headers['x-liveperson-account-id'];
  if (account !== accountId) {
    return reject(
      403,
      'wrong-account',
      `x-liveperson-account-id is ${account === undefined ? 'missing' : `"${account}"`}, expected "${accountId}"`,
    );
  }
  if (headers['x-liveperson-client-id'] !== credentials.clientId) {
    return reject(403, 'wrong-client', 'x-liveperson-client-id is not the configured client id');
  }
  return undefined;
}

function checkMessagingToken(request: WebhookRequest, credentials: WebhookCredentials): Rejection | undefined {
  const expected = credentials.webhookToken;
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

/** At most `maxLength` code points, each one SQS accepts in an attribute (others become U+FFFD). */
export function sqsAttributeValue(value: string, maxLength: number): string {
  const accepted = value.replace(SQS_ATTRIBUTE_FORBIDDEN, '\uFFFD');
  // No more UTF-16 units than allowed means no more code points either: nothing to cut (the usual case).
  return accepted.length <= maxLength ? accepted : Array.from(accepted).slice(0, maxLength).join('');
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function reject(status: number, reason: RejectionReason, message: string): Rejection {
  return { accepted: false, status, reason, message };
}

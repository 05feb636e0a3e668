/**
 * The receiver behind API Gateway: the proxy event becomes a WebhookRequest (lower-case headers, the
 * body's bytes as sent), receiveWebhook decides, and its outcome becomes the JSON answer.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { EventQueue, WebhookCredentials, WebhookCredentialsSource } from '../webhooks/ports.ts';
import { DEFAULT_MAX_BODY_BYTES, receiveWebhook } from '../webhooks/receive-webhook.ts';
import { webhookRouteOf } from '../webhooks/routes.ts';
import type { WebhookObserver } from './webhook-telemetry.ts';

export interface ApiGatewayWebhookDependencies {
  readonly accountId: string;
  readonly credentials: WebhookCredentialsSource;
  readonly queue: EventQueue;
  readonly observer: WebhookObserver;
  /** @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

export async function receiveApiGatewayWebhook(
  event: APIGatewayProxyEvent,
  deps: ApiGatewayWebhookDependencies,
): Promise<APIGatewayProxyResult> {
  const receivedAt = Date.now();
  const route = webhookRouteOf(event.resource);
  if (route === undefined) return answer(404, { error: 'not-found', message: `no webhook route ${event.resource}` });

  let credentials: WebhookCredentials;
  try {
    credentials = await deps.credentials.get();
  } catch (error) {
    deps.observer.credentialsUnavailable(route, error);
    return answer(503, { error: 'credentials-unavailable', message: 'the receiver cannot read its credentials; try again later' });
  }

  const outcome = await receiveWebhook(
    {
      route,
      headers: lowerCaseHeaders(event.headers),
      rawBody: event.body == null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
      pathToken: event.pathParameters?.token,
      receivedAt,
    },
    {
      accountId: deps.accountId,
      credentials,
      refreshCredentials: () => refreshCredentials(deps),
      queue: deps.queue,
      maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    },
  );
  if (outcome.accepted) {
    deps.observer.accepted(route, outcome.event);
    return answer(200, { status: 'accepted' });
  }
  deps.observer.rejected(route, outcome);
  return answer(outcome.status, { error: outcome.reason, message: outcome.message });
}

/** A signature or URL token did not match: the secret may have been rotated since it was cached. */
async function refreshCredentials(deps: ApiGatewayWebhookDependencies): Promise<WebhookCredentials | undefined> {
  const fresh = await deps.credentials.refresh();
  if (fresh) deps.observer.credentialsRefreshed();
  return fresh;
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null): Record<string, string | undefined> {
  const lower: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) lower[name.toLowerCase()] = value;
  return lower;
}

function answer(statusCode: number, body: Record<string, string>): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

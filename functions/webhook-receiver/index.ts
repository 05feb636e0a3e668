/**
 * API Gateway → here → SQS FIFO. Checks that a LivePerson webhook is genuine and well-formed,
 * queues its raw body and answers; all the work on the event happens later, in the processor.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { CredentialsSource, readRuntimeEnvironment } from '../lib/aws/config.ts';
import { SqsEventQueue } from '../lib/aws/event-queue.ts';
import { DEFAULT_MAX_BODY_BYTES, receiveWebhook, type WebhookRoute } from '../lib/webhooks/receive-webhook.ts';
import { logSafeId, logSafeText } from '../lib/log-mask.ts';

const logger = new Logger({ serviceName: 'webhook-receiver' });
const metrics = new Metrics({ serviceName: 'webhook-receiver' });
const environment = readRuntimeEnvironment();
const queueUrl = z.url({ error: 'EVENT_QUEUE_URL must be the URL of the event queue' }).parse(process.env.EVENT_QUEUE_URL);
const credentials = new CredentialsSource({ secretId: environment.secretId, maxAgeSeconds: environment.configCacheSeconds });
const queue = new SqsEventQueue({ queueUrl });

// Load the secret during the cold start, not on the first webhook. A failure here is only
// logged: each request tries again and answers 503 while the secret stays unreadable.
void credentials.get().catch((error: unknown) => logger.error('credentials not loaded at cold start', { reason: logSafeText(messageOf(error)) }));

const ROUTES: Readonly<Record<string, WebhookRoute>> = {
  '/webhooks/connector': 'connector',
  '/webhooks/messaging/{token}': 'messaging',
};

async function receive(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const receivedAt = Date.now();
  const route = ROUTES[event.resource];
  if (route === undefined) return answer(404, { error: 'not-found', message: `no webhook route ${event.resource}` });

  let secret;
  try {
    secret = await credentials.get();
  } catch (error) {
    logger.error('webhook not accepted: credentials unavailable', { route, reason: logSafeText(messageOf(error)) });
    metrics.addMetric('WebhookCredentialsUnavailable', MetricUnit.Count, 1);
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
    { accountId: environment.accountId, credentials: secret, refreshCredentials, queue, maxBodyBytes: DEFAULT_MAX_BODY_BYTES },
  );

  if (outcome.accepted) {
    const { eventType } = outcome.event.attributes;
    logger.info('webhook accepted', { route, eventType: logSafeText(eventType), groupId: logSafeId(outcome.event.groupId), deduplicationId: outcome.event.deduplicationId });
    metrics.addMetric('WebhookAccepted', MetricUnit.Count, 1);
    return answer(200, { status: 'accepted' });
  }
  const log = outcome.reason === 'queue-unavailable' ? logger.error.bind(logger) : logger.warn.bind(logger);
  log('webhook rejected', { route, reason: outcome.reason, status: outcome.status, detail: logSafeText(outcome.detail ?? outcome.message) });
  // Alarms need the total at the service level (a fixed dimension set); the breakdown is its own metric.
  metrics.addMetric('WebhookRejected', MetricUnit.Count, 1);
  const byReason = metrics.singleMetric();
  byReason.addDimension('Route', route);
  byReason.addDimension('Reason', outcome.reason);
  byReason.addMetric('WebhookRejectedByReason', MetricUnit.Count, 1);
  return answer(outcome.status, { error: outcome.reason, message: outcome.message });
}

/** A signature or URL token did not match: the secret may have been rotated since it was cached. */
async function refreshCredentials() {
  const fresh = await credentials.refresh();
  if (fresh) logger.info('credentials re-read after a webhook failed its check');
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: it holds the signature, the URL token and the body.
export const handler = middy(receive)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));

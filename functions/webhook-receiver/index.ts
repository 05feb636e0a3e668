/**
 * API Gateway → here → SQS FIFO. Checks that a LivePerson webhook is genuine and well-formed,
 * queues its raw body and answers; all the work on the event happens later, in the processor.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CredentialsSource, readFunctionEnvironment, readRuntimeEnvironment } from '../lib/aws/config.ts';
import { SqsEventQueue } from '../lib/aws/event-queue.ts';
import { createTelemetry, lambdaHandler } from '../lib/lambda/telemetry.ts';
import { receiveApiGatewayWebhook } from '../lib/lambda/webhook-http.ts';
import { webhookTelemetry } from '../lib/lambda/webhook-telemetry.ts';

const telemetry = createTelemetry('webhook-receiver');
const environment = readRuntimeEnvironment();
const { EVENT_QUEUE_URL } = readFunctionEnvironment('webhook-receiver');
const credentials = new CredentialsSource({ secretId: environment.secretId, maxAgeSeconds: environment.configCacheSeconds });
const observer = webhookTelemetry(telemetry);
const dependencies = { accountId: environment.accountId, credentials, queue: new SqsEventQueue({ queueUrl: EVENT_QUEUE_URL }), observer };

// Load the secret during the cold start, not on the first webhook. A failure here is only
// logged: each request tries again and answers 503 while the secret stays unreadable.
void credentials.get().catch((error: unknown) => observer.credentialsNotPrefetched(error));

// The event is never logged: it holds the signature, the URL token and the body.
export const handler = lambdaHandler(telemetry, (event: APIGatewayProxyEvent) => receiveApiGatewayWebhook(event, dependencies));

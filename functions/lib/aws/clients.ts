/**
 * Every AWS SDK client the functions use is built here, so none goes without timeouts that really
 * fail the call: a silent endpoint costs one call its budget (the record it serves fails and is
 * retried by SQS), never the whole invocation.
 *
 * What the installed @smithy/node-http-handler (4.14.2, dist-cjs/index.js) does with its options:
 * - `connectionTimeout`: destroys the request and rejects with a TimeoutError when the socket has
 *   not connected in time (registered at once below 2000 ms, else checked 1 s later).
 * - `requestTimeout`: a timer from the start of the attempt to the response headers. WITHOUT
 *   `throwOnRequestTimeout: true` it only logs "[WARN] a request has exceeded the configured ... ms
 *   requestTimeout" and the request goes on waiting; with it, it destroys the request and rejects
 *   with a TimeoutError (code ETIMEDOUT). The timer is cleared at the headers.
 * - `socketTimeout`: an idle timer on the socket that stays armed through the response body (armed
 *   at once below 6000 ms, else after 3 s); it rejects with a TimeoutError. Without it (and without
 *   AWS_ENABLE_DEFAULT_SOCKET_TIMEOUT_2026=true, which @aws-sdk/core 3.981 reads) a body that stops
 *   half way waits forever, since the request timer is already cleared.
 * The SDK's retry strategy counts a TimeoutError as transient: each attempt gets the per-attempt
 * budget, so a call's worst case is about maxAttempts × requestTimeoutMs plus the back-off (tens to
 * hundreds of ms). maxAttempts is set here because the defaults differ (DynamoDB 4, the others 3).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { traced } from './tracing.ts';

/** How long one AWS call may take. */
export interface AwsCallBudget {
  /** TCP connect of one attempt (ms). */
  readonly connectionTimeoutMs: number;
  /** One attempt, up to the response headers; also the longest the socket may stay silent after them (ms). */
  readonly requestTimeoutMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

/**
 * The budgets: these APIs answer in milliseconds to tens of milliseconds in-region, so one second to
 * connect and one or two to answer is a wide margin, and a retry on a fresh connection gets past the
 * usual cause of a hang (a dead kept-alive socket).
 */
export const AWS_CALL_BUDGETS = {
  /** Idempotency records, conversation state, consumers: ~6 s worst case, a fraction of the 30 s function timeout. */
  dynamoDb: { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3 },
  /** Dead-letter moves and the outbound command queue. */
  sqs: { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3 },
  /** The webhook receiver's SendMessage, also cut off at 2 s as a whole (see event-queue.ts). */
  sqsIngest: { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 3 },
  /** PutEvents from the processor. */
  eventBridge: { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3 },
  /** The credentials secret: ~2 s worst case, inside the secret read's own 2.5 s budget (config.ts). */
  secretsManager: { connectionTimeoutMs: 1_000, requestTimeoutMs: 1_000, maxAttempts: 2 },
  /** Domain parameters on a request's path (C2M, Connector API): ~2 s, then CSDS is asked instead. */
  ssm: { connectionTimeoutMs: 1_000, requestTimeoutMs: 1_000, maxAttempts: 2 },
  /** domain-refresh (60 s, nobody waiting): more attempts for SSM's throttling of a deploy-time run of writes. */
  ssmDomainRefresh: { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 4 },
} as const satisfies Record<string, AwsCallBudget>;

/** The NodeHttpHandler options of a budget: every timeout set, and every one of them an error. */
export function requestHandlerOptions(budget: AwsCallBudget) {
  return {
    connectionTimeout: budget.connectionTimeoutMs,
    requestTimeout: budget.requestTimeoutMs,
    throwOnRequestTimeout: true,
    socketTimeout: budget.requestTimeoutMs,
  } as const;
}

function clientConfig(budget: AwsCallBudget) {
  return { maxAttempts: budget.maxAttempts, requestHandler: requestHandlerOptions(budget) };
}

export function dynamoDbClient(budget: AwsCallBudget = AWS_CALL_BUDGETS.dynamoDb): DynamoDBClient {
  return traced(new DynamoDBClient(clientConfig(budget)));
}

export function sqsClient(budget: AwsCallBudget = AWS_CALL_BUDGETS.sqs): SQSClient {
  return traced(new SQSClient(clientConfig(budget)));
}

export function eventBridgeClient(budget: AwsCallBudget = AWS_CALL_BUDGETS.eventBridge): EventBridgeClient {
  return traced(new EventBridgeClient(clientConfig(budget)));
}

export function secretsManagerClient(budget: AwsCallBudget = AWS_CALL_BUDGETS.secretsManager): SecretsManagerClient {
  return traced(new SecretsManagerClient(clientConfig(budget)));
}

export function ssmClient(budget: AwsCallBudget = AWS_CALL_BUDGETS.ssm): SSMClient {
  return traced(new SSMClient(clientConfig(budget)));
}

/**
 * SQS FIFO → here: turns queued LivePerson notifications into typed events, in order per
 * conversation, each handled once. The conversations of a batch are handled side by side (up to
 * CONVERSATION_CONCURRENCY at once). A failed record fails the rest of its conversation's records
 * in the batch (order is kept) while other conversations go on; a record that can never succeed
 * goes to the dead-letter queue at once.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { readFunctionEnvironment, readRuntimeEnvironment } from '../lib/aws/config.ts';
import { DynamoDbConversationStateStore } from '../lib/aws/conversation-state.ts';
import { SqsDeadLetterSink } from '../lib/aws/dead-letter.ts';
import { EventBridgePublisher } from '../lib/aws/event-bus.ts';
import { dynamoDbEventLedger } from '../lib/aws/event-ledger.ts';
import { processorTelemetry } from '../lib/lambda/processor-telemetry.ts';
import { processFifoBatch } from '../lib/lambda/sqs-fifo.ts';
import { createTelemetry, lambdaHandler } from '../lib/lambda/telemetry.ts';
import { handleQueuedNotification } from '../lib/processing/queued-notification.ts';
import { registry } from './handlers.ts';

const telemetry = createTelemetry('event-processor');
const { accountId } = readRuntimeEnvironment();
const settings = readFunctionEnvironment('event-processor');
const dependencies = {
  accountId,
  registry,
  ledger: dynamoDbEventLedger({ tableName: settings.IDEMPOTENCY_TABLE_NAME, expiresAfterSeconds: settings.IDEMPOTENCY_TTL_SECONDS }),
  state: new DynamoDbConversationStateStore({ tableName: settings.STATE_TABLE_NAME, retentionDays: settings.CONVERSATION_RETENTION_DAYS }),
  publisher: new EventBridgePublisher({ busName: settings.EVENT_BUS_NAME }),
  deadLetters: new SqsDeadLetterSink({ queueUrl: settings.DEAD_LETTER_QUEUE_URL }),
};
const observe = processorTelemetry(telemetry);

async function processBatch(event: SQSEvent, context: Context) {
  // An in-progress claim expires with the invocation, should it crash.
  const remainingTimeMs = () => context.getRemainingTimeInMillis();
  return processFifoBatch(
    event,
    context,
    (record) => handleQueuedNotification(record, { ...dependencies, remainingTimeMs, observer: observe(record) }),
    { concurrency: settings.CONVERSATION_CONCURRENCY },
  );
}

// The records are never logged: they hold the bodies.
export const handler = lambdaHandler(telemetry, processBatch);

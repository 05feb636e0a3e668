/**
 * SQS FIFO → here: turns queued LivePerson notifications into typed events, in order per
 * conversation, each handled once. A failed record fails the rest of its conversation's records
 * in the batch (order is kept) while other conversations go on; a record that can never succeed
 * goes to the dead-letter queue at once.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDbClient } from '../lib/aws/clients.ts';
import { readRuntimeEnvironment } from '../lib/aws/config.ts';
import { DynamoDbConversationStateStore } from '../lib/aws/conversation-state.ts';
import { SqsDeadLetterSink } from '../lib/aws/dead-letter.ts';
import { EntryTooLargeError, EventBridgePublisher } from '../lib/aws/event-bus.ts';
import { SchemaViolation } from '../lib/liveperson/events.ts';
import { PowertoolsEventLedger } from '../lib/processing/idempotency.ts';
import { processNotification } from '../lib/processing/process-notification.ts';
import { logSafeId, logSafeReason, logSafeText } from '../lib/log-mask.ts';
import { registry } from './handlers.ts';

const logger = new Logger({ serviceName: 'event-processor' });
const metrics = new Metrics({ serviceName: 'event-processor' });
const environment = readRuntimeEnvironment();
const settings = z
  .object({
    EVENT_BUS_NAME: z.string({ error: 'EVENT_BUS_NAME is not set' }).min(1, 'EVENT_BUS_NAME is empty'),
    STATE_TABLE_NAME: z.string({ error: 'STATE_TABLE_NAME is not set' }).min(1, 'STATE_TABLE_NAME is empty'),
    IDEMPOTENCY_TABLE_NAME: z.string({ error: 'IDEMPOTENCY_TABLE_NAME is not set' }).min(1, 'IDEMPOTENCY_TABLE_NAME is empty'),
    DEAD_LETTER_QUEUE_URL: z.url({ error: 'DEAD_LETTER_QUEUE_URL must be the URL of the dead-letter queue' }),
    IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().positive().default(4 * 24 * 60 * 60),
    CONVERSATION_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  })
  .parse(process.env);

const ledger = new PowertoolsEventLedger({
  persistence: new DynamoDBPersistenceLayer({ tableName: settings.IDEMPOTENCY_TABLE_NAME, awsSdkV3Client: dynamoDbClient() }),
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'event-processor',
  expiresAfterSeconds: settings.IDEMPOTENCY_TTL_SECONDS,
});
const state = new DynamoDbConversationStateStore({ tableName: settings.STATE_TABLE_NAME, retentionDays: settings.CONVERSATION_RETENTION_DAYS });
const publisher = new EventBridgePublisher({ busName: settings.EVENT_BUS_NAME });
const deadLetters = new SqsDeadLetterSink({ queueUrl: settings.DEAD_LETTER_QUEUE_URL });
const processor = new SqsFifoPartialProcessorAsync();

let remainingTimeMs = () => 60_000;

const observer = {
  handled: (event: { type: string; conversationId: string | undefined }) => {
    logger.info('event handled', { eventType: event.type, conversationId: logSafeId(event.conversationId) });
    metrics.addMetric('EventsProcessed', MetricUnit.Count, 1);
  },
  duplicate: (event: { type: string; conversationId: string | undefined }) => {
    logger.info('duplicate event skipped', { eventType: event.type, conversationId: logSafeId(event.conversationId) });
    metrics.addMetric('DuplicatesSkipped', MetricUnit.Count, 1);
  },
  unknown: (event: { notificationType: string | undefined; changeType: string | undefined; conversationId: string | undefined }) => {
    // Passed on, not lost: the count tells when LivePerson sends something this version cannot type yet.
    logger.warn('change of a type this version does not know: passed on as UnknownEvent', {
      notificationType: logSafeText(event.notificationType),
      changeType: logSafeText(event.changeType),
      conversationId: logSafeId(event.conversationId),
    });
    metrics.addMetric('UnknownEvents', MetricUnit.Count, 1);
  },
  staleState: (event: { type: string; conversationId: string | undefined }) => {
    logger.info('conversation update older than the stored state: not handled', { eventType: event.type, conversationId: logSafeId(event.conversationId) });
    metrics.addMetric('StaleConversationUpdates', MetricUnit.Count, 1);
  },
};

async function handleRecord(rawRecord: SQSRecord): Promise<void> {
  const record = SqsRecordSchema.parse(rawRecord);
  const attribute = (name: string) => record.messageAttributes[name]?.stringValue ?? undefined;
  const attributes = {
    route: attribute('route'),
    eventType: attribute('eventType'),
    receivedAt: attribute('receivedAt'),
    accountId: attribute('accountId'),
  };
  // Group ids and event types come from the body: a conversation id may be anything, a phone number too.
  const correlation = { conversationId: logSafeId(record.attributes.MessageGroupId), eventType: logSafeText(attributes.eventType), messageId: record.messageId };
  logger.appendKeys(correlation);
  try {
    await processNotification(
      { body: record.body, route: attributes.route === 'messaging' ? 'messaging' : 'connector', receivedAt: attributes.receivedAt },
      { accountId: environment.accountId, ledger, state, registry, publisher, remainingTimeMs, observer },
    );
  } catch (error) {
    if (error instanceof SchemaViolation) {
      // Retrying cannot help (a broken notification, an event too large for EventBridge): park it
      // with the reason and let the conversation go on.
      await deadLetters.send(
        {
          messageId: record.messageId,
          body: record.body,
          groupId: record.attributes.MessageGroupId,
          deduplicationId: record.attributes.MessageDeduplicationId,
          attributes,
        },
        error.message,
      );
      logger.error('notification moved to the dead-letter queue', { reason: logSafeReason(error) });
      failure(error instanceof EntryTooLargeError ? 'entry-too-large' : 'schema-violation');
      return;
    }
    logger.error('notification failed; it will be retried', { errorName: error instanceof Error ? error.name : 'unknown', reason: logSafeReason(error), stack: error instanceof Error ? logSafeText(error.stack) : undefined });
    failure(error instanceof Error ? error.name : 'unknown');
    throw error;
  } finally {
    logger.removeKeys(Object.keys(correlation));
  }
}

function failure(reason: string): void {
  // Alarms and the dashboard need the total at the service level (a fixed dimension set); the breakdown is its own metric.
  metrics.addMetric('EventsFailed', MetricUnit.Count, 1);
  const byReason = metrics.singleMetric();
  byReason.addDimension('Reason', reason);
  byReason.addMetric('EventsFailedByReason', MetricUnit.Count, 1);
}

async function processBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  remainingTimeMs = () => context.getRemainingTimeInMillis();
  return processPartialResponse(event, handleRecord, processor, { context, skipGroupOnError: true });
}

// Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: the records hold the bodies.
export const handler = middy(processBatch)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));

/**
 * Sends consumer messages into LivePerson through the Connector API: in order per consumer, each
 * command once. Triggers: the outbound FIFO queue (partial batch response; a failed command holds
 * back its consumer's later ones, other consumers go on; a command that can never succeed goes to
 * the dead-letter queue at once), a direct invocation (answers with the result), and an EventBridge
 * rule (forwards the event's command to the queue, grouped by consumer).
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import middy from '@middy/core';
import type { Context, SQSRecord } from 'aws-lambda';
import { dynamoDbClient, sqsClient } from '../lib/aws/clients.ts';
import { ConfigurationError } from '../lib/aws/config.ts';
import { DynamoDbConsumerStore } from '../lib/aws/consumer-store.ts';
import { SqsDeadLetterSink } from '../lib/aws/dead-letter.ts';
import { describeRawCommand, InvalidCommandError, type CommandOutcome, type ConnectorCommandInput } from '../lib/connector/commands.ts';
import { ConnectorCommandQueue, messageGroupIdFor } from '../lib/connector/enqueue.ts';
import { CommandRunner } from '../lib/connector/runner.ts';
import { readConnectorSettings } from '../lib/connector/settings.ts';
import { classifyInvocation, type BridgedEvent } from '../lib/connector/triggers.ts';
import { ConnectorClient } from '../lib/liveperson/connector.ts';
import { QUICK_RETRY_POLICY } from '../lib/liveperson/http.ts';
import { createLivePersonPlatform } from '../lib/platform.ts';
import { logSafeId, logSafeText } from '../lib/log-mask.ts';

const logger = new Logger({ serviceName: 'connector-send' });
const metrics = new Metrics({ serviceName: 'connector-send' });
const settings = readConnectorSettings();
const consumers = new DynamoDbConsumerStore({ tableName: settings.stateTableName, retentionDays: settings.consumerRetentionDays });
const platform = createLivePersonPlatform({
  logger: { warn: (message, extra = {}) => logger.warn(message, extra) },
  consumerJwsStore: consumers,
});
const connector = new ConnectorClient({
  accountId: platform.environment.accountId,
  http: platform.http,
  domains: platform.domains,
  appJwt: platform.appJwt,
  consumerJws: platform.consumerJws,
  forgetConsumerJws: (consumerId, jws) => consumers.dropJws(consumerId, jws),
});
const runner = new CommandRunner({
  execution: {
    connector,
    conversations: consumers,
    routingDefaults: settings.routingDefaults,
    observer: {
      conversationOpened: ({ consumerId, conversationId, replacedConversationId }) => {
        logger.info(replacedConversationId ? 'closed conversation replaced by a new one' : 'conversation opened', {
          consumerId: logSafeId(consumerId),
          conversationId: logSafeId(conversationId),
          replacedConversationId: logSafeId(replacedConversationId),
        });
        metrics.addMetric(replacedConversationId ? 'ConversationsReopened' : 'ConversationsOpened', MetricUnit.Count, 1);
      },
    },
  },
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: settings.idempotencyTableName, awsSdkV3Client: dynamoDbClient() }),
  // The idempotency table is shared with the processor: keys carry this function's name.
  keyPrefix: `${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'connector-send'}.command`,
  expiresAfterSeconds: settings.idempotencyTtlSeconds,
});
const deadLetters = new SqsDeadLetterSink({ queueUrl: settings.deadLetterQueueUrl });
const outbound = settings.outboundQueueUrl === undefined ? undefined : new ConnectorCommandQueue({ queueUrl: settings.outboundQueueUrl, client: sqsClient() });
const processor = new SqsFifoPartialProcessorAsync();

/** Time kept after the last LivePerson attempt to record the outcome; no retry wait may eat into it. */
const FINISH_MARGIN_MS = 1_500;
let deadline = () => Date.now() + 10_000;

async function handle(event: unknown, context: Context) {
  deadline = () => Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS;
  runner.registerLambdaContext(context);
  const invocation = classifyInvocation(event);
  switch (invocation.kind) {
    case 'queue':
      // Even when every record failed, answer with the list rather than an error: SQS retries exactly those.
      return processPartialResponse(invocation.event, handleRecord, processor, { context, skipGroupOnError: true, throwOnFullBatchFailure: false });
    case 'event-bridge':
      return forwardToQueue(invocation.event);
    case 'direct': {
      const outcome = await runner.run(invocation.input, { deadline: deadline() });
      report(outcome, 'direct');
      return outcome;
    }
  }
}

async function handleRecord(rawRecord: SQSRecord): Promise<void> {
  const record = SqsRecordSchema.parse(rawRecord);
  // The FIFO processor runs records one after another: LivePerson's 5-10-15 s waits would hold every
  // other consumer of the batch (and bill the sleep). One quick retry here; SQS's visibility timeout
  // and redrive are the slow outer retry. Direct invocations keep the full policy: nobody retries them.
  const outcome = await runner.run(record.body, { deadline: deadline(), retry: QUICK_RETRY_POLICY });
  report(outcome, 'queue');
  if (outcome.ok) return;
  if (outcome.error.retryable) throw new Error(outcome.error.message);
  // Retrying cannot help: park it with the reason, and let the consumer's next commands go on.
  await deadLetters.send(
    {
      messageId: record.messageId,
      body: record.body,
      groupId: record.attributes.MessageGroupId,
      deduplicationId: record.attributes.MessageDeduplicationId,
      attributes: { commandId: outcome.commandId, commandType: outcome.type, errorCode: outcome.error.code },
    },
    outcome.error.message,
  );
}

/** A brand's EventBridge event: its detail is a command, queued under its consumer's group. */
async function forwardToQueue(event: BridgedEvent): Promise<CommandOutcome | { ok: true; forwarded: true; commandId: string; messageId: string }> {
  if (outbound === undefined) {
    throw new ConfigurationError('OUTBOUND_QUEUE_URL is not set: the EventBridge route forwards commands to the outbound queue');
  }
  try {
    // Validated inside send(): the cast only satisfies the typed signature brands use.
    const queued = await outbound.send(event.detail as ConnectorCommandInput);
    logger.info('command forwarded to the outbound queue', {
      eventId: logSafeId(event.id),
      commandId: logSafeId(queued.commandId),
      messageGroupId: logSafeId(queued.messageGroupId),
    });
    metrics.addMetric('CommandsForwarded', MetricUnit.Count, 1);
    return { ok: true, forwarded: true, commandId: queued.commandId, messageId: queued.messageId };
  } catch (error) {
    // Anything else (SQS unavailable) throws: Lambda retries the event, then its on-failure destination keeps it.
    if (!(error instanceof InvalidCommandError)) throw error;
    const described = describeRawCommand(event.detail);
    const outcome: CommandOutcome = {
      ok: false,
      ...described,
      error: { code: 'INVALID_COMMAND', message: error.message, retryable: false, issues: error.issues },
    };
    report(outcome, 'event-bridge');
    await deadLetters.send(
      {
        messageId: event.id,
        body: JSON.stringify(event.detail ?? null),
        groupId: described.consumerId === undefined ? 'event-bridge' : messageGroupIdFor(described.consumerId),
        deduplicationId: event.id,
        attributes: { commandId: described.commandId, commandType: described.type, errorCode: 'INVALID_COMMAND', eventSource: event.source, detailType: event['detail-type'] },
      },
      error.message,
    );
    return outcome;
  }
}

/** One log line and metric per command: ids, type and outcome, never the text. */
function report(outcome: CommandOutcome, trigger: string): void {
  if (outcome.ok) {
    const { commandId, type, consumerId, conversationId, openedConversation, sequence, skipped, duplicate } = outcome;
    const details = {
      trigger,
      commandId: logSafeId(commandId),
      commandType: logSafeText(type),
      consumerId: logSafeId(consumerId),
      conversationId: logSafeId(conversationId),
      openedConversation,
      sequence,
      skipped,
    };
    if (duplicate) {
      logger.info('command already applied; not sent again', details);
      metrics.addMetric('CommandsDuplicate', MetricUnit.Count, 1);
    } else {
      logger.info(skipped ? 'command needed no call' : 'command applied', details);
      metrics.addMetric('CommandsApplied', MetricUnit.Count, 1);
    }
    return;
  }
  const { commandId, type, consumerId, error } = outcome;
  // Ids and the type are the brand's, the reason may quote LivePerson: all of them masked (log-mask.ts).
  const details = {
    trigger,
    commandId: logSafeId(commandId),
    commandType: logSafeText(type),
    consumerId: logSafeId(consumerId),
    errorCode: error.code,
    reason: logSafeText(error.message),
  };
  if (error.retryable) logger.warn('command failed; it may be retried', details);
  else logger.error(trigger === 'direct' ? 'command rejected' : 'command rejected; moved to the dead-letter queue', details);
  // Rejected: never retried (alarm on it); failed: SQS or the caller retries. The log line names the code.
  metrics.addMetric(error.retryable ? 'CommandsFailed' : 'CommandsRejected', MetricUnit.Count, 1);
}

// logEvent stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: commands hold message text and consumer ids.
export const handler = middy(handle).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics));

/**
 * Sends consumer messages into LivePerson through the Connector API: in order per consumer, each
 * command once. Triggers: the outbound FIFO queue (partial batch response; a failed command holds
 * back its consumer's later ones, other consumers go on; a command that can never succeed goes to
 * the dead-letter queue at once), a direct invocation (answers with the result), and an EventBridge
 * rule (forwards the event's command to the queue, grouped by consumer).
 */
import type { Context } from 'aws-lambda';
import { dynamoDbCommandLedger } from '../lib/aws/command-ledger.ts';
import { ConnectorCommandQueue } from '../lib/aws/command-queue.ts';
import { readFunctionEnvironment, readRuntimeEnvironment } from '../lib/aws/config.ts';
import { DynamoDbConsumerStore } from '../lib/aws/consumer-store.ts';
import { SqsDeadLetterSink } from '../lib/aws/dead-letter.ts';
import { PresignedUrlFileSource } from '../lib/aws/presigned-file.ts';
import {
  forwardCommandEvent,
  handleDirectCommand,
  handleQueuedCommand,
  type CommandHandlingDependencies,
} from '../lib/connector/handle-command.ts';
import { CommandRunner } from '../lib/connector/runner.ts';
import { routingDefaultsOf } from '../lib/connector/settings.ts';
import { connectorTelemetry } from '../lib/lambda/connector-telemetry.ts';
import { classifyInvocation, invocationTime } from '../lib/lambda/connector-triggers.ts';
import { processFifoBatch } from '../lib/lambda/sqs-fifo.ts';
import { createTelemetry, lambdaHandler } from '../lib/lambda/telemetry.ts';
import { connectorClientsOf, createLivePersonPlatform } from '../lib/platform.ts';

const telemetry = createTelemetry('connector-send');
const observer = connectorTelemetry(telemetry);
const settings = readFunctionEnvironment('connector-send');
const consumers = new DynamoDbConsumerStore({ tableName: settings.STATE_TABLE_NAME, retentionDays: settings.CONSUMER_RETENTION_DAYS });
const platform = createLivePersonPlatform({ environment: readRuntimeEnvironment(), logger: telemetry.logger, consumerJwsStore: consumers });
const { connector, files } = connectorClientsOf(platform, {
  clientProperties: settings.CONNECTOR_CLIENT_PROPERTIES,
  forgetConsumerJws: (consumerId, jws) => consumers.dropJws(consumerId, jws),
});
const fileSource = new PresignedUrlFileSource();
const commands: CommandHandlingDependencies = {
  runner: new CommandRunner({
    execution: { connector, files, fileSource, conversations: consumers, routingDefaults: routingDefaultsOf(settings), observer },
    ledger: dynamoDbCommandLedger({ tableName: settings.IDEMPOTENCY_TABLE_NAME, expiresAfterSeconds: settings.IDEMPOTENCY_TTL_SECONDS }),
  }),
  deadLetters: new SqsDeadLetterSink({ queueUrl: settings.OUTBOUND_DEAD_LETTER_QUEUE_URL }),
  outbound: settings.OUTBOUND_QUEUE_URL === undefined ? undefined : new ConnectorCommandQueue({ queueUrl: settings.OUTBOUND_QUEUE_URL }),
  observer,
};

async function handle(event: unknown, context: Context) {
  const time = invocationTime(context);
  const invocation = classifyInvocation(event);
  switch (invocation.kind) {
    case 'queue':
      // Even when every record failed, answer with the list rather than an error: SQS retries exactly those.
      return processFifoBatch(invocation.event, context, (record) => handleQueuedCommand(record, commands, time), {
        answerFullBatchFailure: true,
      });
    case 'event-bridge':
      return forwardCommandEvent(invocation.event, commands);
    case 'direct':
      return handleDirectCommand(invocation.input, commands, time);
  }
}

// Commands hold message text and consumer ids: the event is never logged.
export const handler = lambdaHandler(telemetry, handle);

// Outbound connector: the brand's commands (open a conversation, send text, typing, read, close) go on
// an SQS FIFO queue grouped by consumer, or straight to the function; it calls LivePerson's Connector
// API on behalf of each consumer, in order, once per commandId. An optional EventBridge rule forwards
// a brand's own events to the queue.
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type EventPattern, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONNECTOR_COMMAND_DETAIL_TYPE } from '#contract/constants.ts';
import type { FunctionVariables } from '#contract/environment.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import { LivePersonFunction } from './lambda-function.ts';
import { idempotencyTableStatement } from './processing.ts';
import { connectorSettingsSchema, type ConnectorSettingsInput } from './settings/connector.ts';
import { VISIBILITY_TIMEOUT_FACTOR } from './settings/fields.ts';
import { resolveSettings } from './settings/resolve.ts';

/** Routing of conversations a command opens without naming one. */
export interface ConnectorRoutingDefaults {
  /** CONNECTOR_DEFAULT_SKILL_ID. @default none: any skill ("-1") */
  readonly skillId?: string;
  /** CONNECTOR_DEFAULT_CAMPAIGN_ID; together with engagementId. @default none */
  readonly campaignId?: string;
  /** CONNECTOR_DEFAULT_ENGAGEMENT_ID; together with campaignId. @default none */
  readonly engagementId?: string;
}

/**
 * Routes a brand's own events to the outbound queue. A classic EventBridge rule can give an SQS FIFO
 * target only a fixed MessageGroupId (and needs content-based deduplication), which would put every
 * consumer in one group: one failing command would hold up everyone. So the rule targets the connector
 * function instead, which validates the event's detail as a command and queues it with
 * MessageGroupId = consumer and MessageDeduplicationId = commandId, exactly as the enqueue helper does.
 * EventBridge itself does not keep order: events of one consumer published close together may be queued
 * in another order. Send with the helper (or SQS directly) when that order matters.
 */
export interface ConnectorEventRouteProps {
  /** The bus the brand's events arrive on. @default none (required) */
  readonly eventBus: IEventBus;
  /** Which events carry a command in their `detail`. @default detail-type "LivePerson Connector Command" */
  readonly eventPattern?: EventPattern;
}

/**
 * Ranges and defaults: connectorSettingsSchema (lib/settings/connector.ts), also the config's `connector` block. The props extend its
 * input type, so they cannot drift from the schema.
 */
export interface LivePersonConnectorProps extends ConnectorSettingsInput {
  /** LivePerson account (site) id: LP_ACCOUNT_ID. @default none (required) */
  readonly accountId: string;
  /** Read for the Connector API credentials. @default none (required) */
  readonly credentials: CredentialsSecretRef;
  /** LP_CSDS_URL. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /** Retention of the sender's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** The processing construct's conversation state table: the connector keeps its consumer items there. @default none (required) */
  readonly stateTable: ITable;
  /** The processing construct's idempotency table (keys are prefixed with the function's name). @default none (required) */
  readonly idempotencyTable: ITable;
  /** Routing of the conversations a command opens without naming one. @default none: any skill */
  readonly defaultRouting?: ConnectorRoutingDefaults;
  /** Commands per invocation, 1 to 10 (the most a FIFO event source takes). @default 10 */
  readonly batchSize?: number;
  /** Concurrent invocations at most, 2 to 1000. @default none: as many as the queue's consumer groups allow */
  readonly maxConcurrency?: number;
  /** Sender timeout, 5 to 900 seconds; the outbound queue's visibility timeout is 6 times it. @default 30 */
  readonly timeoutSeconds?: number;
  /** Receives of a command that keeps failing for a passing reason before it moves to the dead-letter queue, 1 to 1000. @default 5 */
  readonly maxReceiveCount?: number;
  /** How long a command may wait in the outbound queue, 1 to 14 days. @default 4 */
  readonly queueRetentionDays?: number;
  /** How long a commandId is remembered; must cover queueRetentionDays. @default 96 */
  readonly idempotencyTtlHours?: number;
  /** A consumer not served for this many days leaves the state table (DynamoDB TTL). @default 90 */
  readonly consumerRetentionDays?: number;
  /** Forward command events of a bus to the outbound queue. @default none: no EventBridge route */
  readonly eventRoute?: ConnectorEventRouteProps;
}

/** Failed commands are kept as long as SQS allows: they are their last copy. */
const DEAD_LETTER_RETENTION = Duration.days(14);

export class LivePersonConnector extends Construct {
  readonly sender: LivePersonFunction<'connector-send'>;
  /** Where brands put commands (MessageGroupId = consumer id, MessageDeduplicationId = commandId). */
  readonly outboundQueue: Queue;
  /** Commands that can never succeed (moved at once, with the reason) or kept failing maxReceiveCount times. */
  readonly deadLetterQueue: Queue;
  readonly eventRule: Rule | undefined;
  /** Events the route could not deliver to the function, or whose forwarding kept failing. */
  readonly eventRouteDeadLetterQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: LivePersonConnectorProps) {
    super(scope, id);
    const settings = resolveSettings(this, 'LivePersonConnector', connectorSettingsSchema, props);
    const routing = settings.defaultRouting ?? {};

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true, // a FIFO queue's dead-letter queue must be FIFO too
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.outboundQueue = new Queue(this, 'OutboundQueue', {
      fifo: true,
      // Senders give MessageDeduplicationId = commandId. Off, SQS refuses a message without one instead
      // of deduplicating it by a rule of its own.
      contentBasedDeduplication: false,
      // High-throughput FIFO: ordering and deduplication per consumer (message group), quota per group.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(settings.queueRetentionDays),
      // AWS guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(settings.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

    const environment: FunctionVariables<'connector-send'> = {
      STATE_TABLE_NAME: props.stateTable.tableName,
      IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
      OUTBOUND_QUEUE_URL: this.outboundQueue.queueUrl,
      OUTBOUND_DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      IDEMPOTENCY_TTL_SECONDS: String(settings.idempotencyTtlHours * 3600),
      CONSUMER_RETENTION_DAYS: String(settings.consumerRetentionDays),
      CONNECTOR_DEFAULT_SKILL_ID: routing.skillId,
      CONNECTOR_DEFAULT_CAMPAIGN_ID: routing.campaignId,
      CONNECTOR_DEFAULT_ENGAGEMENT_ID: routing.engagementId,
      CONNECTOR_CLIENT_PROPERTIES: settings.clientProperties === undefined ? undefined : JSON.stringify(settings.clientProperties),
    };
    this.sender = new LivePersonFunction(this, 'Sender', {
      name: 'connector-send',
      accountId: props.accountId,
      credentials: props.credentials,
      credentialsAccess: 'read',
      domainParameterAccess: 'read',
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      memorySize: 512,
      timeout: Duration.seconds(settings.timeoutSeconds),
      environment,
      description: `Sends consumer messages into LivePerson account ${props.accountId} (Connector API), in order per consumer`,
    });

    const role = this.sender.role;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ConsumerState',
        // Reads consumer and conversation items; writes consumer items (JWS, open conversation) by UpdateItem only.
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.stateTable.tableArn],
      }),
    );
    role.addToPrincipalPolicy(idempotencyTableStatement(props.idempotencyTable));
    // Tables encrypted with a customer managed key need it granted too (the processing construct's are AWS-owned).
    props.stateTable.encryptionKey?.grantEncryptDecrypt(role);
    props.idempotencyTable.encryptionKey?.grantEncryptDecrypt(role);
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ParkRejectedCommands', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );

    this.sender.fn.addEventSource(
      new SqsEventSource(this.outboundQueue, {
        batchSize: settings.batchSize,
        reportBatchItemFailures: true,
        ...(settings.maxConcurrency === undefined ? {} : { maxConcurrency: settings.maxConcurrency }),
      }),
    );

    if (props.eventRoute) {
      // EventBridge dead-letter queues and Lambda's on-failure destinations take standard queues only.
      const routeDeadLetters = new Queue(this, 'EventRouteDeadLetterQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: DEAD_LETTER_RETENTION,
      });
      Validations.of(routeDeadLetters).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself a dead-letter queue: of the EventBridge rule target and of the function's " +
          'asynchronous invocations; cdk-nag only recognises queues used in an SQS redrive policy.',
      });
      this.eventRouteDeadLetterQueue = routeDeadLetters;
      this.eventRule = new Rule(this, 'CommandEvents', {
        eventBus: props.eventRoute.eventBus,
        eventPattern: props.eventRoute.eventPattern ?? { detailType: [CONNECTOR_COMMAND_DETAIL_TYPE] },
        description: 'Forwards connector commands (event detail) to the outbound queue, grouped by consumer',
        targets: [
          new LambdaFunction(this.sender.fn, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: routeDeadLetters }),
        ],
      });
      // Forwarding that keeps failing after Lambda's own retries (SQS unavailable) ends up there as well.
      this.sender.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(routeDeadLetters) });
      role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'ForwardCommandEvents', actions: ['sqs:SendMessage'], resources: [this.outboundQueue.queueArn] }),
      );
    } else {
      this.eventRule = undefined;
      this.eventRouteDeadLetterQueue = undefined;
    }
  }
}

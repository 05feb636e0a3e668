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
import { CONNECTOR_DEFAULTS } from './config.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import { LivePersonFunction } from './lambda-function.ts';
import { idempotencyTableStatement } from './processing.ts';

/** detail-type the EventBridge route matches by default (the function's COMMAND_EVENT_DETAIL_TYPE). */
export const CONNECTOR_COMMAND_DETAIL_TYPE = 'LivePerson Connector Command';

// In config.ts with the other blocks' defaults (config.ts cannot import this file: it would be an import cycle).
export { CONNECTOR_DEFAULTS };

/** Routing of conversations a command opens without naming one; unset = any skill ("-1"). */
export interface ConnectorRoutingDefaults {
  readonly skillId?: string;
  /** Together with engagementId. */
  readonly campaignId?: string;
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
  /** The bus the brand's events arrive on. */
  readonly eventBus: IEventBus;
  /** Which events carry a command in their `detail`. @default detail-type "LivePerson Connector Command" */
  readonly eventPattern?: EventPattern;
}

export interface LivePersonConnectorProps {
  readonly accountId: string;
  readonly credentials: CredentialsSecretRef;
  readonly csdsUrl?: string;
  readonly logRetention?: RetentionDays;
  /** The processing construct's conversation state table: the connector keeps its consumer items there. */
  readonly stateTable: ITable;
  /** The processing construct's idempotency table (keys are prefixed with the function's name). */
  readonly idempotencyTable: ITable;
  readonly defaultRouting?: ConnectorRoutingDefaults;
  readonly batchSize?: number;
  readonly maxConcurrency?: number;
  readonly timeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  readonly queueRetentionDays?: number;
  readonly idempotencyTtlHours?: number;
  readonly consumerRetentionDays?: number;
  /** Off unless given. */
  readonly eventRoute?: ConnectorEventRouteProps;
}

/** Failed commands are kept as long as SQS allows: they are their last copy. */
const DEAD_LETTER_RETENTION = Duration.days(14);

export class LivePersonConnector extends Construct {
  readonly sender: LivePersonFunction;
  /** Where brands put commands (MessageGroupId = consumer id, MessageDeduplicationId = commandId). */
  readonly outboundQueue: Queue;
  /** Commands that can never succeed (moved at once, with the reason) or kept failing maxReceiveCount times. */
  readonly deadLetterQueue: Queue;
  readonly eventRule: Rule | undefined;
  /** Events the route could not deliver to the function, or whose forwarding kept failing. */
  readonly eventRouteDeadLetterQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: LivePersonConnectorProps) {
    super(scope, id);
    const settings = { ...CONNECTOR_DEFAULTS, ...definedOnly(props) };
    const routing = props.defaultRouting ?? {};
    const problems = [
      !(Number.isInteger(settings.batchSize) && settings.batchSize >= 1 && settings.batchSize <= 10) &&
        'batchSize must be a whole number from 1 to 10 (the FIFO event source limit)',
      settings.maxConcurrency !== undefined &&
        !(Number.isInteger(settings.maxConcurrency) && settings.maxConcurrency >= 2 && settings.maxConcurrency <= 1000) &&
        'maxConcurrency must be a whole number from 2 to 1000',
      !(Number.isInteger(settings.timeoutSeconds) && settings.timeoutSeconds >= 5 && settings.timeoutSeconds <= 900) &&
        'timeoutSeconds must be a whole number from 5 to 900',
      !(Number.isInteger(settings.maxReceiveCount) && settings.maxReceiveCount >= 1 && settings.maxReceiveCount <= 1000) &&
        'maxReceiveCount must be a whole number from 1 to 1000',
      !(Number.isInteger(settings.queueRetentionDays) && settings.queueRetentionDays >= 1 && settings.queueRetentionDays <= 14) &&
        'queueRetentionDays must be a whole number from 1 to 14 (the SQS limit)',
      !(settings.idempotencyTtlHours >= settings.queueRetentionDays * 24) &&
        'idempotencyTtlHours must cover queueRetentionDays, or a late redelivery could be sent twice',
      !(Number.isInteger(settings.consumerRetentionDays) && settings.consumerRetentionDays >= 1) && 'consumerRetentionDays must be at least 1',
      (routing.campaignId === undefined) !== (routing.engagementId === undefined) &&
        'defaultRouting needs campaignId and engagementId together',
    ].filter((problem): problem is string => typeof problem === 'string');
    if (problems.length > 0) throw new Error(`LivePersonConnector: ${problems.join('; ')}`);

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
      visibilityTimeout: Duration.seconds(settings.timeoutSeconds * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

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
      environment: {
        STATE_TABLE_NAME: props.stateTable.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        OUTBOUND_QUEUE_URL: this.outboundQueue.queueUrl,
        OUTBOUND_DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        IDEMPOTENCY_TTL_SECONDS: String(settings.idempotencyTtlHours * 3600),
        CONSUMER_RETENTION_DAYS: String(settings.consumerRetentionDays),
        ...(routing.skillId === undefined ? {} : { CONNECTOR_DEFAULT_SKILL_ID: routing.skillId }),
        ...(routing.campaignId === undefined ? {} : { CONNECTOR_DEFAULT_CAMPAIGN_ID: routing.campaignId }),
        ...(routing.engagementId === undefined ? {} : { CONNECTOR_DEFAULT_ENGAGEMENT_ID: routing.engagementId }),
      },
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
          'This queue is itself a dead-letter queue: of the EventBridge rule target and of the function\'s ' +
          'asynchronous invocations; cdk-nag only recognises queues used in an SQS redrive policy.',
      });
      this.eventRouteDeadLetterQueue = routeDeadLetters;
      this.eventRule = new Rule(this, 'CommandEvents', {
        eventBus: props.eventRoute.eventBus,
        eventPattern: props.eventRoute.eventPattern ?? { detailType: [CONNECTOR_COMMAND_DETAIL_TYPE] },
        description: 'Forwards connector commands (event detail) to the outbound queue, grouped by consumer',
        targets: [new LambdaFunction(this.sender.fn, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: routeDeadLetters })],
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

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

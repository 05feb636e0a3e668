// Event processing: the event queue drives the processor, which keeps the conversation state table,
// skips duplicates through the idempotency table and publishes typed events to the EventBridge bus,
// whose archive keeps them for replay.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionVariables } from '#contract/environment.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import { LivePersonFunction } from './lambda-function.ts';
import { LivePersonEventSchemas } from './event-schemas.ts';
import { eventArchiveName, processingSettingsSchema, type ProcessingSettingsInput } from './settings/processing.ts';
import { resolveSettings } from './settings/resolve.ts';
import { eventBusName, IDEMPOTENCY_TABLE, STATE_TABLE } from '#contract/resources.ts';
import { EVENT_SOURCE } from '#contract/constants.ts';

/** What Powertools' DynamoDB persistence layer does on an idempotency table (claim, complete, release, read). */
export function idempotencyTableStatement(table: ITable): PolicyStatement {
  return new PolicyStatement({
    sid: 'Idempotency',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: [table.tableArn],
  });
}

/**
 * Ranges and defaults: processingSettingsSchema (lib/settings/processing.ts), also the config's `processing` block. The props extend its
 * input type, so they cannot drift from the schema.
 */
export interface LivePersonProcessingProps extends ProcessingSettingsInput {
  /** LivePerson account (site) id: names the event bus and sets LP_ACCOUNT_ID. @default none (required) */
  readonly accountId: string;
  /** Only names the secret in LP_SECRET_ID: the default handlers never call LivePerson, so no read access is granted. @default none (required) */
  readonly credentials: CredentialsSecretRef;
  /** LP_CSDS_URL. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /** Retention of the processor's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** The ingestion construct's FIFO event queue. @default none (required) */
  readonly eventQueue: IQueue;
  /** Where records that can never succeed are moved at once (the event queue's own DLQ). @default none (required) */
  readonly deadLetterQueue: IQueue;
  /** Records per invocation, 1 to 10 (the most a FIFO event source takes). @default 10 */
  readonly batchSize?: number;
  /** Concurrent invocations at most, 2 to 1000. @default none: as many as the queue's message groups allow */
  readonly maxConcurrency?: number;
  /** Processor timeout, 5 to 900 seconds; the event queue's visibility timeout must be at least 6 times it. @default 30 */
  readonly timeoutSeconds?: number;
  /** How long a handled event is remembered (LivePerson redelivers for up to 3 days). @default 96 */
  readonly idempotencyTtlHours?: number;
  /** A conversation nobody touched for this many days leaves the state table (DynamoDB TTL). @default 90 */
  readonly conversationRetentionDays?: number;
  /**
   * Conversations (message groups) of one batch the processor handles at once, 1 to 10 (CONVERSATION_CONCURRENCY);
   * each conversation's records stay strictly in order, and 1 handles the batch record by record. @default 10
   */
  readonly concurrentConversations?: number;
  /**
   * Days the bus's archive (named `liveperson-<accountId>`) keeps each published event, 1 to 3650, for
   * `liveperson-aws events replay`; false: no archive (turning it off deletes the archived events).
   * @default 30
   */
  readonly archiveRetentionDays?: number | false;
  /**
   * An EventBridge schema registry named after the bus, with one JSON Schema per published detail-type
   * (schemas/events/), for subscribers' code bindings. @default true
   */
  readonly eventSchemas?: boolean;
}

export class LivePersonProcessing extends Construct {
  readonly processor: LivePersonFunction<'event-processor'>;
  readonly stateTable: Table;
  readonly idempotencyTable: Table;
  readonly eventBus: EventBus;
  /** The bus's archive of the events the processor publishes; undefined when archiveRetentionDays is false. */
  readonly archive: Archive | undefined;
  /** The schema registry of the published events; undefined when eventSchemas is false. */
  readonly schemas: LivePersonEventSchemas | undefined;

  constructor(scope: Construct, id: string, props: LivePersonProcessingProps) {
    super(scope, id);
    const settings = resolveSettings(this, 'LivePersonProcessing', processingSettingsSchema, props);

    const tableDefaults = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    };
    this.stateTable = new Table(this, 'ConversationState', {
      ...tableDefaults,
      partitionKey: { name: STATE_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE.timeToLiveAttribute,
      // The state of live conversations: the connector reads it, so keep it if the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.idempotencyTable = new Table(this, 'Idempotency', {
      ...tableDefaults,
      // Attribute names of Powertools' DynamoDB persistence layer.
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE.timeToLiveAttribute,
      // Only remembers what was handled for a few days: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName: eventBusName(props.accountId),
      description: `Typed LivePerson events of account ${props.accountId} (source "liveperson", detail-type = event type)`,
    });
    const retentionDays = settings.archiveRetentionDays;
    // The processor's events only (source "liveperson"): a replay must not resend others' events, such as connector commands.
    this.archive =
      retentionDays === false
        ? undefined
        : new Archive(this, 'Archive', {
            sourceEventBus: this.eventBus,
            // A fixed name, so the CLI finds it from the account id alone.
            archiveName: eventArchiveName(props.accountId),
            description: `LivePerson events of account ${props.accountId} (source "${EVENT_SOURCE}"), kept ${retentionDays} days for replay`,
            eventPattern: { source: [EVENT_SOURCE] },
            retention: Duration.days(retentionDays),
          });
    this.schemas = settings.eventSchemas ? new LivePersonEventSchemas(this, 'EventSchemas', { accountId: props.accountId }) : undefined;

    const environment: FunctionVariables<'event-processor'> = {
      EVENT_BUS_NAME: this.eventBus.eventBusName,
      STATE_TABLE_NAME: this.stateTable.tableName,
      IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
      DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
      IDEMPOTENCY_TTL_SECONDS: String(settings.idempotencyTtlHours * 3600),
      CONVERSATION_RETENTION_DAYS: String(settings.conversationRetentionDays),
      CONVERSATION_CONCURRENCY: String(settings.concurrentConversations),
    };
    this.processor = new LivePersonFunction(this, 'Processor', {
      name: 'event-processor',
      accountId: props.accountId,
      credentials: props.credentials,
      // The default handlers never call LivePerson; grant these when your own handlers do.
      credentialsAccess: 'none',
      domainParameterAccess: 'none',
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      memorySize: 512,
      timeout: Duration.seconds(settings.timeoutSeconds),
      environment,
      description: `Processes LivePerson events of account ${props.accountId} in order, once`,
    });

    const role = this.processor.role;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ConversationState',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [this.stateTable.tableArn],
      }),
    );
    role.addToPrincipalPolicy(idempotencyTableStatement(this.idempotencyTable));
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'PublishEvents', actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ParkUnprocessableEvents', actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
    );

    this.processor.fn.addEventSource(
      new SqsEventSource(props.eventQueue, {
        batchSize: settings.batchSize,
        reportBatchItemFailures: true,
        // FIFO event sources take no batching window (Lambda refuses it), so none is offered.
        ...(settings.maxConcurrency === undefined ? {} : { maxConcurrency: settings.maxConcurrency }),
      }),
    );
  }
}

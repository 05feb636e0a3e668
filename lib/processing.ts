// Event processing: the event queue drives the processor, which keeps the conversation state table,
// skips duplicates through the idempotency table and publishes typed events to the EventBridge bus.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROCESSING_DEFAULTS } from './config.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import { LivePersonFunction } from './lambda-function.ts';

/** Key attributes: the handler and the local stack (local/dynamodb.ts) use the same ones. */
export const STATE_TABLE_PARTITION_KEY = 'conversationId';
export const IDEMPOTENCY_TABLE_PARTITION_KEY = 'id';

/** What Powertools' DynamoDB persistence layer does on an idempotency table (claim, complete, release, read). */
export function idempotencyTableStatement(table: ITable): PolicyStatement {
  return new PolicyStatement({
    sid: 'Idempotency',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: [table.tableArn],
  });
}

// In config.ts with the other blocks' defaults (config.ts cannot import this file: it would be an import cycle).
export { PROCESSING_DEFAULTS };

export interface LivePersonProcessingProps {
  readonly accountId: string;
  readonly credentials: CredentialsSecretRef;
  readonly csdsUrl?: string;
  readonly logRetention?: RetentionDays;
  /** The ingestion construct's FIFO event queue. */
  readonly eventQueue: IQueue;
  /** Where records that can never succeed are moved at once (the event queue's own DLQ). */
  readonly deadLetterQueue: IQueue;
  readonly batchSize?: number;
  readonly maxConcurrency?: number;
  readonly timeoutSeconds?: number;
  readonly idempotencyTtlHours?: number;
  readonly conversationRetentionDays?: number;
}

export class LivePersonProcessing extends Construct {
  readonly processor: LivePersonFunction;
  readonly stateTable: Table;
  readonly idempotencyTable: Table;
  readonly eventBus: EventBus;

  constructor(scope: Construct, id: string, props: LivePersonProcessingProps) {
    super(scope, id);
    const settings = { ...PROCESSING_DEFAULTS, ...definedOnly(props) };
    const problems = [
      !(Number.isInteger(settings.batchSize) && settings.batchSize >= 1 && settings.batchSize <= 10) &&
        'batchSize must be a whole number from 1 to 10 (the FIFO event source limit)',
      settings.maxConcurrency !== undefined &&
        !(Number.isInteger(settings.maxConcurrency) && settings.maxConcurrency >= 2 && settings.maxConcurrency <= 1000) &&
        'maxConcurrency must be a whole number from 2 to 1000',
      !(settings.timeoutSeconds >= 5 && settings.timeoutSeconds <= 900) && 'timeoutSeconds must be from 5 to 900',
      !(settings.idempotencyTtlHours >= 1) && 'idempotencyTtlHours must be at least 1',
      !(settings.conversationRetentionDays >= 1) && 'conversationRetentionDays must be at least 1',
    ].filter((problem): problem is string => typeof problem === 'string');
    if (problems.length > 0) throw new Error(`LivePersonProcessing: ${problems.join('; ')}`);

    const tableDefaults = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    };
    this.stateTable = new Table(this, 'ConversationState', {
      ...tableDefaults,
      partitionKey: { name: STATE_TABLE_PARTITION_KEY, type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      // The state of live conversations: the connector reads it, so keep it if the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.idempotencyTable = new Table(this, 'Idempotency', {
      ...tableDefaults,
      // Attribute names of Powertools' DynamoDB persistence layer.
      partitionKey: { name: IDEMPOTENCY_TABLE_PARTITION_KEY, type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      // Only remembers what was handled for a few days: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName: `liveperson-${props.accountId}`,
      description: `Typed LivePerson events of account ${props.accountId} (source "liveperson", detail-type = event type)`,
    });

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
      environment: {
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        STATE_TABLE_NAME: this.stateTable.tableName,
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        IDEMPOTENCY_TTL_SECONDS: String(settings.idempotencyTtlHours * 3600),
        CONVERSATION_RETENTION_DAYS: String(settings.conversationRetentionDays),
      },
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
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'PublishEvents', actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
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

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

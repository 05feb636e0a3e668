// Webhook ingestion: API Gateway → receiver Lambda → SQS FIFO. The receiver verifies each call and
// queues the raw event; the processing construct drains the queue in order per conversation. An
// optional AWS WAF web ACL rate-limits the stage per source IP.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { INGESTION_DEFAULTS, INGESTION_WAF_DEFAULTS, WAF_RATE_LIMIT_RANGE } from './config.ts';
import { WEBHOOK_TOKEN_KEY } from './credentials.ts';
import { LivePersonFunction } from './lambda-function.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';

/** The webhook routes, a fixed contract (the receiver maps `event.resource` to these). */
export const CONNECTOR_WEBHOOK_PATH = '/webhooks/connector';
export const MESSAGING_WEBHOOK_PATH = '/webhooks/messaging/{token}';

/** Stands in for the URL token in the published messaging URL: the token itself never leaves the secret. */
export const MESSAGING_TOKEN_PLACEHOLDER = `<${WEBHOOK_TOKEN_KEY} from the secret>`;

export const DEFAULT_STAGE_NAME = 'live';

/** Name and metric name of the web ACL's rate-based rule (the Rule dimension of its AWS/WAFV2 metrics). */
export const WAF_RATE_RULE_NAME = 'RateLimitPerIp';

/**
 * Largest message the event queue takes (256 KiB, the receiver's limit plus room for attributes). Pinned
 * below the SQS maximum so a processor batch of 10 stays under Lambda's 6 MB invocation payload.
 */
export const EVENT_QUEUE_MAX_MESSAGE_BYTES = 256 * 1024;

/** The dead-letter queue keeps failed events as long as SQS allows: it is their last copy. */
const DEAD_LETTER_RETENTION = Duration.days(14);

export interface LivePersonIngestionProps {
  readonly accountId: string;
  /** The receiver reads it to verify signatures (clientSecret) and the messaging URL token (webhookToken). */
  readonly credentials: CredentialsSecretRef;
  /** Only sets LP_CSDS_URL (the shared contract): the receiver never calls LivePerson. */
  readonly csdsUrl?: string;
  /** Receiver, access and execution log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default 'live' */
  readonly stageName?: string;
  /** Steady-state requests per second the stage accepts (API Gateway answers 429 above it). @default 100 */
  readonly throttlingRateLimit?: number;
  /** @default 200 */
  readonly throttlingBurstLimit?: number;
  /** Receives before an event moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** Long enough to outlast a processor outage of days. @default 14 */
  readonly queueRetentionDays?: number;
  /**
   * Must be at least 6x the timeout of the function consuming the queue (AWS guidance for Lambda
   * event source mappings); the deployment config checks it against processing.timeoutSeconds.
   * @default 300
   */
  readonly queueVisibilityTimeoutSeconds?: number;
  /** An AWS WAF web ACL on the stage, blocking a source IP above a request rate. @default off */
  readonly waf?: LivePersonIngestionWafProps;
  /**
   * Create the regional API Gateway account setting (AWS::ApiGateway::Account) with a role that lets
   * API Gateway write execution logs. Set false only when the AWS account already has that role set:
   * without it the stage's execution logging fails to deploy.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

export interface LivePersonIngestionWafProps {
  /** @default false */
  readonly enabled?: boolean;
  /**
   * Requests one source IP may send in any 5 minutes; above it AWS WAF blocks that IP until its rate falls.
   * LivePerson sends every webhook of the account from a few addresses: keep this above its peak rate.
   * @default 2000
   */
  readonly rateLimitPer5Minutes?: number;
}

export class LivePersonIngestion extends Construct {
  readonly eventQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly receiver: LivePersonFunction;
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;
  readonly executionLogGroup: LogGroup;
  /** The web ACL on the stage, when `waf.enabled`. */
  readonly webAcl: CfnWebACL | undefined;
  /** Full https URL of `POST /webhooks/connector`. */
  readonly connectorWebhookUrl: string;
  /** URL of `POST /webhooks/messaging/{token}` ending in MESSAGING_TOKEN_PLACEHOLDER, never the token. */
  readonly messagingWebhookUrlTemplate: string;

  constructor(scope: Construct, id: string, props: LivePersonIngestionProps) {
    super(scope, id);
    const settings = {
      throttlingRateLimit: props.throttlingRateLimit ?? INGESTION_DEFAULTS.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit ?? INGESTION_DEFAULTS.throttlingBurstLimit,
      maxReceiveCount: props.maxReceiveCount ?? INGESTION_DEFAULTS.maxReceiveCount,
      queueRetentionDays: props.queueRetentionDays ?? INGESTION_DEFAULTS.queueRetentionDays,
      queueVisibilityTimeoutSeconds: props.queueVisibilityTimeoutSeconds ?? INGESTION_DEFAULTS.queueVisibilityTimeoutSeconds,
    };
    validateSettings(settings);
    const waf = {
      enabled: props.waf?.enabled ?? INGESTION_WAF_DEFAULTS.enabled,
      rateLimitPer5Minutes: props.waf?.rateLimitPer5Minutes ?? INGESTION_WAF_DEFAULTS.rateLimitPer5Minutes,
    };
    const { min, max } = WAF_RATE_LIMIT_RANGE;
    if (!(Number.isInteger(waf.rateLimitPer5Minutes) && waf.rateLimitPer5Minutes >= min && waf.rateLimitPer5Minutes <= max)) {
      throw new Error(`LivePersonIngestion: waf.rateLimitPer5Minutes must be a whole number from ${min} to ${max}, got ${waf.rateLimitPer5Minutes}`);
    }
    const stageName = props.stageName ?? DEFAULT_STAGE_NAME;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true, // a FIFO queue's dead-letter queue must be FIFO too
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      maxMessageSizeBytes: EVENT_QUEUE_MAX_MESSAGE_BYTES,
    });

    this.eventQueue = new Queue(this, 'EventQueue', {
      fifo: true,
      // The receiver sets MessageDeduplicationId itself. Off, SQS refuses a message sent without one instead
      // of deduplicating it by a rule of its own, so the sender's rule is the only one.
      contentBasedDeduplication: false,
      // High-throughput FIFO: ordering and deduplication per conversation (message group), with the
      // throughput quota per group rather than for the whole queue.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED, // no KMS key to manage or grant; messages are encrypted at rest
      enforceSSL: true,
      retentionPeriod: Duration.days(settings.queueRetentionDays),
      visibilityTimeout: Duration.seconds(settings.queueVisibilityTimeoutSeconds),
      maxMessageSizeBytes: EVENT_QUEUE_MAX_MESSAGE_BYTES,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

    // 512 MB: arm64 CPU scales with memory, and CPU is what the HMAC check and the SQS call need for a low p99.
    // 10 s: LivePerson gives up after 5 s (its read timeout) and retries, so a longer run would help no one.
    this.receiver = new LivePersonFunction(this, 'Receiver', {
      name: 'webhook-receiver',
      accountId: props.accountId,
      credentials: props.credentials,
      credentialsAccess: 'read',
      domainParameterAccess: 'none', // it never calls LivePerson, so it needs no service domain
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      logRetention,
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: { EVENT_QUEUE_URL: this.eventQueue.queueUrl },
      description: `Receives LivePerson webhooks for account ${props.accountId} and queues them`,
    });
    // SendMessage only (it also covers SendMessageBatch): grantSendMessages would add GetQueueAttributes/GetQueueUrl.
    this.receiver.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'SendLivePersonEvents', actions: ['sqs:SendMessage'], resources: [this.eventQueue.queueArn] }),
    );

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });

    // No request body size limit here: REST APIs have a fixed 10 MB payload limit and no setting to lower it
    // (a request validator checks a JSON schema, not a size; AWS WAF sees at most the first 64 KB of a body,
    // below what the queue takes). The receiver answers 413 to a body over what the event queue takes.
    this.api = new RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-webhooks`,
      description: `LivePerson webhooks of account ${props.accountId}: POST ${CONNECTOR_WEBHOOK_PATH} and POST ${MESSAGING_WEBHOOK_PATH}`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: props.cloudWatchRole ?? true,
      deployOptions: {
        stageName,
        throttlingRateLimit: settings.throttlingRateLimit,
        throttlingBurstLimit: settings.throttlingBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        // resourcePath (the route template), never path: the messaging path carries the URL token.
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            requestTime: AccessLogField.contextRequestTime(),
            httpMethod: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            errorType: AccessLogField.contextErrorResponseType(), // e.g. THROTTLED, INTEGRATION_FAILURE
          }),
        ),
        // ERROR only and no data trace: INFO logs print the request path (the token) and data trace
        // would log the bodies and the signature headers.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });
    // The construct's own Endpoint output names the bare stage URL, which serves nothing; the stack
    // outputs the two webhook URLs instead.
    this.api.node.tryRemoveChild('Endpoint');

    // API Gateway would create this group itself on the first error, without retention: create it first.
    this.executionLogGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);

    // Proxy integration: the receiver sees the raw body and headers it needs for the signature check.
    // No test-invoke permission: the receiver is invoked from the deployed stage only.
    const integration = new LambdaIntegration(this.receiver.fn, { proxy: true, allowTestInvoke: false });
    const webhooks = this.api.root.addResource('webhooks');
    const connector = webhooks.addResource('connector').addMethod('POST', integration);
    const messaging = webhooks.addResource('messaging').addResource('{token}').addMethod('POST', integration);

    this.connectorWebhookUrl = this.api.urlForPath(CONNECTOR_WEBHOOK_PATH);
    this.messagingWebhookUrlTemplate = `${this.api.urlForPath('/webhooks/messaging')}/${MESSAGING_TOKEN_PLACEHOLDER}`;

    this.webAcl = waf.enabled ? this.protectStage(waf.rateLimitPer5Minutes) : undefined;
    this.acknowledgeFindings([connector, messaging]);
  }

  /** Web ACL with one rate-based rule per source IP, associated with the stage. */
  private protectStage(rateLimitPer5Minutes: number): CfnWebACL {
    // Named (stack names are unique per region): its CloudWatch metrics carry the name as their WebACL dimension.
    const name = `${Stack.of(this).stackName}-webhooks`;
    const webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'REGIONAL',
      description: 'Rate limit per source IP on the LivePerson webhook stage',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
      rules: [
        {
          name: WAF_RATE_RULE_NAME,
          priority: 0,
          // No managed rule groups: their body-size and content rules would block genuine webhooks, which the receiver checks itself.
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: rateLimitPer5Minutes, evaluationWindowSec: 300 } },
          action: { block: {} },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: WAF_RATE_RULE_NAME, sampledRequestsEnabled: true },
        },
      ],
    });
    // The stage ARN refers to the stage resource, so CloudFormation associates only once the stage exists.
    new CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
    return webAcl;
  }

  private acknowledgeFindings(methods: readonly Method[]): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The receiver validates signature, media type, body size and notification envelope itself and answers ' +
        'the specific 4xx LivePerson needs; an API Gateway validator could only add a generic 400 before it.',
    });
    if (!this.webAcl) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'AWS WAF is optional (ingestion.waf.enabled) and off by default: it is billed per web ACL and request, the stage ' +
          'throttles, and the receiver rejects unauthenticated calls before queueing anything.',
      });
    }
    for (const method of methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'LivePerson cannot send IAM or Cognito credentials. The connector route is authenticated by the HMAC ' +
          'signature of the body, the messaging route by a secret URL token; the receiver verifies both.',
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'LivePerson cannot obtain Cognito tokens; the receiver authenticates each call by HMAC signature ' +
          '(connector route) or secret URL token (messaging route).',
      });
    }
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The role API Gateway itself uses to write execution logs; this AWS managed policy is the one AWS ' +
          'documents for that account setting and it grants CloudWatch Logs actions only.',
      });
    }
  }
}

interface IngestionSettings {
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly maxReceiveCount: number;
  readonly queueRetentionDays: number;
  readonly queueVisibilityTimeoutSeconds: number;
}

// The same ranges as the deployment config, for a brand using the construct in its own app.
function validateSettings(settings: IngestionSettings): void {
  const problems: string[] = [];
  const check = (ok: boolean, field: keyof IngestionSettings, rule: string) => {
    if (!ok) problems.push(`${field} must be ${rule}, got ${settings[field]}`);
  };
  const { throttlingRateLimit, throttlingBurstLimit, maxReceiveCount, queueRetentionDays, queueVisibilityTimeoutSeconds } = settings;
  check(Number.isFinite(throttlingRateLimit) && throttlingRateLimit > 0, 'throttlingRateLimit', 'greater than 0');
  check(Number.isInteger(throttlingBurstLimit) && throttlingBurstLimit >= 1, 'throttlingBurstLimit', 'a whole number of at least 1');
  check(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000, 'maxReceiveCount', 'a whole number from 1 to 1000');
  check(Number.isInteger(queueRetentionDays) && queueRetentionDays >= 1 && queueRetentionDays <= 14, 'queueRetentionDays', 'a whole number from 1 to 14');
  check(
    Number.isInteger(queueVisibilityTimeoutSeconds) && queueVisibilityTimeoutSeconds >= 0 && queueVisibilityTimeoutSeconds <= 43_200,
    'queueVisibilityTimeoutSeconds',
    'a whole number from 0 to 43200',
  );
  if (problems.length > 0) throw new Error(`LivePersonIngestion: ${problems.join('; ')}`);
}

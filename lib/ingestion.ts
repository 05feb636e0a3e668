// Webhook ingestion: API Gateway → receiver Lambda → SQS FIFO. The receiver verifies each call and
// queues the raw event; the processing construct drains the queue in order per conversation. The API
// takes a TLS 1.3 security policy, each route its own throttling budget, and optionally a custom domain
// (with mutual TLS) and an AWS WAF web ACL rate-limiting the stage per source IP.
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointAccessMode,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import type { CfnRestApi, DomainName, Method, MethodDeploymentOptions } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { WEBHOOK_ROUTES } from '#contract/constants.ts';
import type { FunctionVariables } from '#contract/environment.ts';
import { WEBHOOK_TOKEN_KEY } from './credentials.ts';
import { LivePersonFunction } from './lambda-function.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import { ingestionSettingsSchema, MESSAGING_ROUTE_THROTTLING_SHARE, TRUSTSTORE_URI } from './settings/ingestion.ts';
import type { IngestionSecurityPolicy, IngestionSettings, IngestionSettingsInput } from './settings/ingestion.ts';
import { resolveSettings } from './settings/resolve.ts';

/** Stands in for the URL token in the published messaging URL: the token itself never leaves the secret. */
export const MESSAGING_TOKEN_PLACEHOLDER = `<${WEBHOOK_TOKEN_KEY} from the secret>`;

export const DEFAULT_STAGE_NAME = 'live';

/** An enhanced security policy needs an endpoint access mode: STRICT, the one AWS recommends for production (BASIC is for migrations). */
const ENDPOINT_ACCESS_MODE = EndpointAccessMode.STRICT;

/** The custom domain's policy for each of the API's: the same enhanced policy (aws-cdk-lib's enum, same strings). */
const DOMAIN_SECURITY_POLICY: Record<IngestionSecurityPolicy, SecurityPolicy> = {
  SecurityPolicy_TLS13_1_3_2025_09: SecurityPolicy.TLS13_1_3_2025_09,
  SecurityPolicy_TLS13_1_3_FIPS_2025_09: SecurityPolicy.TLS13_1_3_FIPS_2025_09,
  SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09: SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
  SecurityPolicy_TLS13_1_2_PQ_2025_09: SecurityPolicy.TLS13_1_2_PQ_2025_09,
};

/** Name and metric name of the web ACL's rate-based rule (the Rule dimension of its AWS/WAFV2 metrics). */
export const WAF_RATE_RULE_NAME = 'RateLimitPerIp';

/**
 * Largest message the event queue takes (256 KiB, the receiver's limit plus room for attributes). Pinned
 * below the SQS maximum so a processor batch of 10 stays under Lambda's 6 MB invocation payload.
 */
export const EVENT_QUEUE_MAX_MESSAGE_BYTES = 256 * 1024;

/** The dead-letter queue keeps failed events as long as SQS allows: it is their last copy. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Ranges and defaults: ingestionSettingsSchema (lib/settings/ingestion.ts), also the config's `ingestion` block. The props extend its
 * input type, so they cannot drift from the schema.
 */
export interface LivePersonIngestionProps extends IngestionSettingsInput {
  /** LivePerson account (site) id: LP_ACCOUNT_ID. @default none (required) */
  readonly accountId: string;
  /** The receiver reads it to verify signatures (clientSecret) and the messaging URL token (webhookToken). @default none (required) */
  readonly credentials: CredentialsSecretRef;
  /** Only sets LP_CSDS_URL (the shared contract): the receiver never calls LivePerson. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /** Receiver, access and execution log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default 'live' */
  readonly stageName?: string;
  /**
   * Stage default: steady-state requests per second a method accepts (API Gateway answers 429 above it); also the
   * connector route's limit and the base of the messaging route's, unless `routeThrottling` sets them. @default 100
   */
  readonly throttlingRateLimit?: number;
  /** Stage default: requests in a burst (whole number). @default 200 */
  readonly throttlingBurstLimit?: number;
  /**
   * Each route its own throttling budget (per-method settings of the stage), so a flood on one route is answered
   * 429 there without taking the other's. @default connector: the stage limits; messaging: half of them
   */
  readonly routeThrottling?: {
    /** @default the stage limits */
    readonly connector?: LivePersonRouteThrottlingProps;
    /** @default half the stage limits */
    readonly messaging?: LivePersonRouteThrottlingProps;
  };
  /**
   * TLS security policy of the API (its execute-api endpoint) and of the custom domain without mutual TLS,
   * with endpoint access mode STRICT. @default 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' (TLS 1.3, and TLS 1.2 with forward secrecy)
   */
  readonly securityPolicy?: IngestionSecurityPolicy;
  /** A custom domain name for the webhook URLs, optionally with mutual TLS. @default none: the execute-api URL */
  readonly customDomain?: LivePersonIngestionCustomDomainProps;
  /** Receives before an event moves to the dead-letter queue, 1 to 1000. @default 5 */
  readonly maxReceiveCount?: number;
  /** Days an event may wait in the queue, 1 to 14: long enough to outlast a processor outage of days. @default 14 */
  readonly queueRetentionDays?: number;
  /**
   * Must be at least 6x the timeout of the function consuming the queue (AWS guidance for Lambda
   * event source mappings); the deployment config checks it against processing.timeoutSeconds.
   * @default 300
   */
  readonly queueVisibilityTimeoutSeconds?: number;
  /** An AWS WAF web ACL on the stage, blocking a source IP above a request rate. @default none: no web ACL */
  readonly waf?: LivePersonIngestionWafProps;
  /**
   * Create the regional API Gateway account setting (AWS::ApiGateway::Account) with a role that lets
   * API Gateway write execution logs. Set false only when the AWS account already has that role set:
   * without it the stage's execution logging fails to deploy.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

export interface LivePersonRouteThrottlingProps {
  /** Steady-state requests per second. @default the stage's (connector) or half of it (messaging) */
  readonly rateLimit?: number;
  /** Requests in a burst (whole number). @default the stage's (connector) or half of it (messaging) */
  readonly burstLimit?: number;
}

export interface LivePersonIngestionCustomDomainProps {
  /** Lower case, e.g. "webhooks.example.com"; point a DNS CNAME or alias at the CustomDomainTarget output. @default none (required) */
  readonly domainName: string;
  /** An ACM certificate for the name, in the stack's region (a Regional domain). @default none (required) */
  readonly certificateArn: string;
  /**
   * Mutual TLS: API Gateway asks every caller for a client certificate signed by a CA in the truststore. The
   * execute-api endpoint is then disabled (a caller could skip the certificate through it), and the domain takes
   * the TLS_1_2 policy (TLS 1.2 and 1.3): API Gateway allows no enhanced policy on a domain with mutual TLS.
   * @default none: no client certificate asked
   */
  readonly mtls?: {
    /** `s3://<bucket>/<key>` of the PEM truststore, in a bucket of the stack's region the deployer can read. @default none (required) */
    readonly truststoreUri: string;
    /** S3 object version to use (the bucket must be versioned). @default the latest */
    readonly truststoreVersion?: string;
  };
}

export interface LivePersonIngestionWafProps {
  /** @default false */
  readonly enabled?: boolean;
  /**
   * Requests one source IP may send in any 5 minutes (10 to 2000000000); above it AWS WAF blocks that IP until
   * its rate falls. LivePerson sends every webhook of the account from a few addresses: keep this above its peak rate.
   * @default 2000
   */
  readonly rateLimitPer5Minutes?: number;
}

export class LivePersonIngestion extends Construct {
  readonly eventQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly receiver: LivePersonFunction<'webhook-receiver'>;
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;
  readonly executionLogGroup: LogGroup;
  /** The web ACL on the stage, when `waf.enabled`. */
  readonly webAcl: CfnWebACL | undefined;
  /** The custom domain mapped to the stage, when `customDomain` is set. */
  readonly customDomain: DomainName | undefined;
  /** Full https URL of `POST /webhooks/connector`. */
  readonly connectorWebhookUrl: string;
  /** URL of `POST /webhooks/messaging/{token}` ending in MESSAGING_TOKEN_PLACEHOLDER, never the token. */
  readonly messagingWebhookUrlTemplate: string;

  constructor(scope: Construct, id: string, props: LivePersonIngestionProps) {
    super(scope, id);
    const settings = resolveSettings(this, 'LivePersonIngestion', ingestionSettingsSchema, props);
    const routes = routeLimits(settings);
    const { securityPolicy, customDomain, waf } = settings;
    const mtls = customDomain?.mtls !== undefined;
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
    const environment: FunctionVariables<'webhook-receiver'> = { EVENT_QUEUE_URL: this.eventQueue.queueUrl };
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
      environment,
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
      description: `LivePerson webhooks of account ${props.accountId}: POST ${WEBHOOK_ROUTES.connector} and POST ${WEBHOOK_ROUTES.messaging}`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // With mutual TLS the custom domain must be the only way in: the execute-api endpoint asks for no client certificate.
      ...(mtls ? { disableExecuteApiEndpoint: true } : {}),
      cloudWatchRole: props.cloudWatchRole ?? true,
      deployOptions: {
        stageName,
        tracingEnabled: settings.stageTracing,
        // The stage default, for any method without its own settings below.
        throttlingRateLimit: settings.throttlingRateLimit,
        throttlingBurstLimit: settings.throttlingBurstLimit,
        // One budget per route: a flood on the messaging route (a URL token, no signature) is answered 429 there
        // and cannot use up the connector route's. Logging and metrics repeat the stage's (a method setting replaces them).
        methodOptions: {
          [`${WEBHOOK_ROUTES.connector}/POST`]: routeOptions(routes.connector),
          [`${WEBHOOK_ROUTES.messaging}/POST`]: routeOptions(routes.messaging),
        },
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
    // The execute-api endpoint's TLS policy. RestApi (aws-cdk-lib 2.276) has no prop for it, CfnRestApi has:
    // an enhanced policy needs an endpoint access mode too.
    const cfnApi = this.api.node.defaultChild as CfnRestApi;
    cfnApi.securityPolicy = securityPolicy;
    cfnApi.endpointAccessMode = ENDPOINT_ACCESS_MODE;

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
    const connector = this.api.root.resourceForPath(WEBHOOK_ROUTES.connector).addMethod('POST', integration);
    const messaging = this.api.root.resourceForPath(WEBHOOK_ROUTES.messaging).addMethod('POST', integration);

    this.customDomain = customDomain ? this.addCustomDomain(customDomain, securityPolicy) : undefined;
    const urlForPath = (path: string) => (customDomain ? `https://${customDomain.domainName}${path}` : this.api.urlForPath(path));
    this.connectorWebhookUrl = urlForPath(WEBHOOK_ROUTES.connector);
    // The route without its {token} segment, then the placeholder.
    this.messagingWebhookUrlTemplate = `${urlForPath(WEBHOOK_ROUTES.messaging.slice(0, WEBHOOK_ROUTES.messaging.lastIndexOf('/')))}/${MESSAGING_TOKEN_PLACEHOLDER}`;

    this.webAcl = waf?.enabled ? this.protectStage(waf.rateLimitPer5Minutes) : undefined;
    this.acknowledgeFindings([connector, messaging]);
  }

  /**
   * Regional custom domain mapped to the stage at its root. Without mutual TLS it takes the API's enhanced policy
   * (TLS 1.3 by default); with it the legacy TLS_1_2 policy (TLS 1.2 and 1.3), the only kind API Gateway allows there.
   */
  private addCustomDomain(domain: NonNullable<IngestionSettings['customDomain']>, securityPolicy: IngestionSecurityPolicy): DomainName {
    const certificate = Certificate.fromCertificateArn(this, 'CustomDomainCertificate', domain.certificateArn);
    const truststore = domain.mtls ? TRUSTSTORE_URI.exec(domain.mtls.truststoreUri) : null;
    const tls = domain.mtls
      ? {
          securityPolicy: SecurityPolicy.TLS_1_2,
          mtls: {
            bucket: Bucket.fromBucketName(this, 'TruststoreBucket', truststore?.[1] ?? ''),
            key: truststore?.[2] ?? '',
            ...(domain.mtls.truststoreVersion === undefined ? {} : { version: domain.mtls.truststoreVersion }),
          },
        }
      : { securityPolicy: DOMAIN_SECURITY_POLICY[securityPolicy], endpointAccessMode: ENDPOINT_ACCESS_MODE };
    const domainName = this.api.addDomainName('CustomDomain', {
      domainName: domain.domainName,
      certificate,
      endpointType: EndpointType.REGIONAL,
      ...tls,
    });
    new CfnOutput(this, 'CustomDomainTarget', {
      // A literal: CloudFormation takes no intrinsic function in an output's description.
      description: `Regional API Gateway name to point ${domain.domainName} at (DNS CNAME, or a Route 53 alias record)`,
      value: domainName.domainNameAliasDomainName,
    });
    return domainName;
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
          'AWS WAF is optional (ingestion.waf.enabled) and off by default: it is billed per web ACL and request. Without it ' +
          'nothing limits a single source IP: each route has its own API Gateway rate and burst, so a flood on one route is ' +
          "answered 429 there (LivePerson's calls on that route included) without taking the other route's budget, and " +
          'the receiver rejects unsigned or wrong-token calls before queueing anything.',
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

interface RouteLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Connector: its own limits, else the stage's; messaging: its own, else MESSAGING_ROUTE_THROTTLING_SHARE of the stage's. */
function routeLimits(settings: IngestionSettings): { connector: RouteLimits; messaging: RouteLimits } {
  const routes = settings.routeThrottling;
  return {
    connector: {
      rateLimit: routes?.connector?.rateLimit ?? settings.throttlingRateLimit,
      burstLimit: routes?.connector?.burstLimit ?? settings.throttlingBurstLimit,
    },
    messaging: {
      rateLimit: routes?.messaging?.rateLimit ?? settings.throttlingRateLimit * MESSAGING_ROUTE_THROTTLING_SHARE,
      burstLimit:
        routes?.messaging?.burstLimit ?? Math.max(1, Math.floor(settings.throttlingBurstLimit * MESSAGING_ROUTE_THROTTLING_SHARE)),
    },
  };
}

function routeOptions(limits: RouteLimits): MethodDeploymentOptions {
  return {
    throttlingRateLimit: limits.rateLimit,
    throttlingBurstLimit: limits.burstLimit,
    loggingLevel: MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
    metricsEnabled: true,
  };
}

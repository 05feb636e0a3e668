// Deployment config: one object in CDK context key `liveperson`, validated before any construct is built,
// so a typo fails `cdk synth` with a message naming the field instead of a broken deployment.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { DEFAULT_ALLOWED_HOST_SUFFIXES, hostPolicyRefusal, hostSuffixProblem } from '../contract/host-policy.ts';

/** CDK context key holding the deployment config (object in cdk.json, or JSON string from `-c liveperson='{...}'`). */
export const CONFIG_CONTEXT_KEY = 'liveperson';

export const DEFAULT_CSDS_URL = 'https://api.liveperson.net';

/** Retention values CloudWatch Logs accepts (RetentionDays without INFINITE: every log group here expires). */
export const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number' && value !== RetentionDays.INFINITE,
);

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CONNECT_INSTANCE_ARN = new RegExp(`^arn:aws[-a-z]*:connect:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12}):instance/${UUID}$`);
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

const ACCOUNT_ID_HINT = 'the LivePerson account (site) id, digits only, e.g. "12345678"';
// JSON passed on the command line may carry the account id as a number; accept it as its digits.
const accountIdSchema = z.preprocess(
  (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value),
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${ACCOUNT_ID_HINT}` : `must be ${ACCOUNT_ID_HINT}`) })
    .regex(/^\d{1,20}$/, `must be ${ACCOUNT_ID_HINT}`),
);

const capabilitiesSchema = z
  .strictObject({
    ingestion: z.boolean({ error: 'must be true or false' }).default(true),
    processing: z.boolean({ error: 'must be true or false' }).default(true),
    ivrDeflection: z.boolean({ error: 'must be true or false' }).default(true),
    connector: z.boolean({ error: 'must be true or false' }).default(true),
  })
  // prefault (not default): the empty object is parsed, so every capability gets its own default.
  .prefault({});

const CONNECT_QUEUE_ARN = new RegExp(`^(arn:aws[-a-z]*:connect:[a-z]{2}(?:-[a-z]+)+-\\d:\\d{12}:instance/${UUID})/queue/${UUID}$`);

/** C2M's own region codes: only a fallback when C2M's domain cannot be looked up (SSM, then CSDS). */
export const C2M_REGIONS = ['va', 'lo', 'sy'] as const;

/** Defaults of the `c2m` block, shared with LivePersonIvrDeflection so both read the same numbers. */
export const C2M_DEFAULTS = {
  /** Below Connect's 8 s limit for a Lambda block, with room for a cold start. */
  timeoutSeconds: 7,
  /** Keeps the brand under C2M's 30 requests/s (see the README's rate-limit arithmetic). */
  reservedConcurrency: 3,
  createContactFlow: false,
} as const;

const RESERVED_CONCURRENCY_HINT = 'must be a whole number from 1 to 1000, or false for no reserved concurrency';

const c2mSchema = z.strictObject({
  defaultSkill: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    // UTF-16 units, as C2M's limits are checked at run time (zod's max() counts code points).
    .refine((value) => value.length <= 255, "must be at most 255 characters (C2M's limit)")
    .optional(),
  defaultHandoffId: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .refine((value) => value.length <= 16, 'must be at most 16 characters (C2M handoff ids are short)')
    .optional(),
  region: z
    .enum(C2M_REGIONS, { error: 'must be "va" (North America), "lo" (EMEA) or "sy" (APAC): the C2M region of the LivePerson account' })
    .optional(),
  timeoutSeconds: z
    .int({ error: 'must be a whole number of seconds' })
    .min(2, 'must be at least 2 seconds')
    .max(7, 'must be at most 7 seconds: Amazon Connect waits at most 8 s for a Lambda function, cold start included')
    .default(C2M_DEFAULTS.timeoutSeconds),
  reservedConcurrency: z
    .union([z.int({ error: RESERVED_CONCURRENCY_HINT }).min(1, RESERVED_CONCURRENCY_HINT).max(1000, RESERVED_CONCURRENCY_HINT), z.literal(false)], {
      error: RESERVED_CONCURRENCY_HINT,
    })
    .default(C2M_DEFAULTS.reservedConcurrency),
  createContactFlow: z.boolean({ error: 'must be true or false' }).default(C2M_DEFAULTS.createContactFlow),
  contactFlowName: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(127, 'must be at most 127 characters (the Amazon Connect limit)')
    .optional(),
  fallbackQueueArn: z
    .string({ error: 'must be a string' })
    .regex(CONNECT_QUEUE_ARN, 'must be an Amazon Connect queue ARN: arn:aws:connect:<region>:<account>:instance/<uuid>/queue/<uuid>')
    .optional(),
});

/** Defaults of the `ingestion` block, shared with LivePersonIngestion so both read the same numbers. */
export const INGESTION_DEFAULTS = {
  throttlingRateLimit: 100,
  throttlingBurstLimit: 200,
  maxReceiveCount: 5,
  queueRetentionDays: 14,
  queueVisibilityTimeoutSeconds: 300,
  /**
   * TLS 1.3 with TLS 1.2 (forward-secret suites only) as a fallback: LivePerson asks webhook
   * endpoints to support TLS 1.3, and a sender still on TLS 1.2 must not be refused (a refused
   * delivery holds back every event of the app installation). `SecurityPolicy_TLS13_1_3_2025_09`
   * is TLS 1.3 only; see INGESTION_SECURITY_POLICIES.
   */
  securityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
} as const;

/**
 * API Gateway's enhanced security policies for a Regional REST API and its custom domain (aws-cdk-lib's
 * SecurityPolicy values for non-edge endpoints): TLS 1.3 only, its FIPS variant, or TLS 1.3 with TLS 1.2
 * (post-quantum key exchange; PFS_PQ also drops the TLS 1.2 suites without forward secrecy).
 */
export const INGESTION_SECURITY_POLICIES = [
  'SecurityPolicy_TLS13_1_3_2025_09',
  'SecurityPolicy_TLS13_1_3_FIPS_2025_09',
  'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
  'SecurityPolicy_TLS13_1_2_PQ_2025_09',
] as const;
export type IngestionSecurityPolicy = (typeof INGESTION_SECURITY_POLICIES)[number];

/** Without its own limits in `ingestion.routeThrottling.messaging`, the messaging route gets this share of the stage's. */
export const MESSAGING_ROUTE_THROTTLING_SHARE = 0.5;

/** A custom domain API Gateway accepts: lower case (it refuses upper case), no wildcard. */
export const CUSTOM_DOMAIN_NAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** An ACM certificate ARN; group 1 is its region (a Regional custom domain takes a certificate of its own region). */
export const ACM_CERTIFICATE_ARN = new RegExp(`^arn:aws[-a-z]*:acm:([a-z]{2}(?:-[a-z]+)+-\\d):\\d{12}:certificate/${UUID}$`);
/** `s3://<bucket>/<key>` of a mutual TLS truststore (a PEM bundle of the CA certificates to trust). */
export const TRUSTSTORE_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(\S+)$/;

const routeThrottlingSchema = z.strictObject({
  rateLimit: z.number({ error: 'must be a number of requests per second' }).positive('must be greater than 0 requests per second').optional(),
  burstLimit: z.int({ error: 'must be a whole number of requests' }).min(1, 'must be at least 1 request').optional(),
});

const customDomainSchema = z.strictObject({
  domainName: z
    .string({ error: 'must be a string' })
    .regex(CUSTOM_DOMAIN_NAME, 'must be a lower-case domain name such as "webhooks.example.com" (no wildcard)'),
  certificateArn: z
    .string({ error: 'must be a string' })
    .regex(ACM_CERTIFICATE_ARN, 'must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<uuid>'),
  mtls: z
    .strictObject({
      truststoreUri: z
        .string({ error: 'must be a string' })
        .regex(TRUSTSTORE_URI, 'must be the S3 URI of the truststore, "s3://<bucket>/<key>" (a PEM file of the CA certificates to trust)'),
      truststoreVersion: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').optional(),
    })
    .optional(),
});

/** Defaults of `ingestion.waf`, shared with LivePersonIngestion. */
export const INGESTION_WAF_DEFAULTS = {
  enabled: false,
  /** Requests per source IP in any 5 minutes before AWS WAF blocks that IP (until its rate falls below). */
  rateLimitPer5Minutes: 2000,
} as const;

/** AWS WAF's bounds for a rate-based rule's limit. */
export const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

const wafSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(INGESTION_WAF_DEFAULTS.enabled),
  rateLimitPer5Minutes: z
    .int({ error: 'must be a whole number of requests' })
    .min(WAF_RATE_LIMIT_RANGE.min, `must be at least ${WAF_RATE_LIMIT_RANGE.min} requests (the AWS WAF minimum)`)
    .max(WAF_RATE_LIMIT_RANGE.max, `must be at most ${WAF_RATE_LIMIT_RANGE.max} requests (the AWS WAF maximum)`)
    .default(INGESTION_WAF_DEFAULTS.rateLimitPer5Minutes),
});

const ingestionSchema = z.strictObject({
  throttlingRateLimit: z
    .number({ error: 'must be a number of requests per second' })
    .positive('must be greater than 0 requests per second')
    .default(INGESTION_DEFAULTS.throttlingRateLimit),
  throttlingBurstLimit: z
    .int({ error: 'must be a whole number of requests' })
    .min(1, 'must be at least 1 request')
    .default(INGESTION_DEFAULTS.throttlingBurstLimit),
  maxReceiveCount: z
    .int({ error: 'must be a whole number of receives' })
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000 (the SQS limit)')
    .default(INGESTION_DEFAULTS.maxReceiveCount),
  queueRetentionDays: z
    .int({ error: 'must be a whole number of days' })
    .min(1, 'must be at least 1 day')
    .max(14, 'must be at most 14 days (the SQS limit)')
    .default(INGESTION_DEFAULTS.queueRetentionDays),
  queueVisibilityTimeoutSeconds: z
    .int({ error: 'must be a whole number of seconds' })
    .min(0, 'must be at least 0 seconds')
    .max(43_200, 'must be at most 43200 seconds (12 hours, the SQS limit)')
    .default(INGESTION_DEFAULTS.queueVisibilityTimeoutSeconds),
  waf: wafSchema.optional(),
  /** Each route its own budget; unset, connector takes the stage limits above and messaging a share of them. */
  routeThrottling: z.strictObject({ connector: routeThrottlingSchema.optional(), messaging: routeThrottlingSchema.optional() }).optional(),
  securityPolicy: z
    .enum(INGESTION_SECURITY_POLICIES, { error: `must be one of ${INGESTION_SECURITY_POLICIES.join(', ')}` })
    .default(INGESTION_DEFAULTS.securityPolicy),
  customDomain: customDomainSchema.optional(),
});

/** Defaults of the `processing` block, shared with LivePersonProcessing so both read the same numbers. */
export const PROCESSING_DEFAULTS = {
  /** Records per invocation; 10 is the most a FIFO event source allows. */
  batchSize: 10,
  /** Concurrent invocations at most (Lambda's SQS scaling control, 2..1000); unset = as many as the queue's groups allow. */
  maxConcurrency: undefined as number | undefined,
  timeoutSeconds: 30,
  /** LivePerson redelivers for up to 3 days: remember handled events a little longer. */
  idempotencyTtlHours: 96,
  /** A conversation nobody touched for this long leaves the state table (DynamoDB TTL). */
  conversationRetentionDays: 90,
} as const;

/** AWS guidance for a queue driving a Lambda function: visibility timeout at least this many times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

const batchSizeSchema = z
  .int({ error: 'must be a whole number of records' })
  .min(1, 'must be at least 1 record')
  .max(10, 'must be at most 10 records (the most a FIFO event source takes)');
const maxConcurrencySchema = z
  .int({ error: 'must be a whole number of concurrent invocations' })
  .min(2, 'must be at least 2 (the Lambda minimum for an SQS event source)')
  .max(1000, 'must be at most 1000 (the Lambda maximum for an SQS event source)');
const functionTimeoutSchema = z
  .int({ error: 'must be a whole number of seconds' })
  .min(5, 'must be at least 5 seconds')
  .max(900, 'must be at most 900 seconds (the Lambda limit)');
const hoursSchema = z.int({ error: 'must be a whole number of hours' }).min(1, 'must be at least 1 hour');
const daysSchema = z.int({ error: 'must be a whole number of days' }).min(1, 'must be at least 1 day');

const processingSchema = z.strictObject({
  batchSize: batchSizeSchema.default(PROCESSING_DEFAULTS.batchSize),
  maxConcurrency: maxConcurrencySchema.optional(),
  timeoutSeconds: functionTimeoutSchema.default(PROCESSING_DEFAULTS.timeoutSeconds),
  idempotencyTtlHours: hoursSchema.default(PROCESSING_DEFAULTS.idempotencyTtlHours),
  conversationRetentionDays: daysSchema.default(PROCESSING_DEFAULTS.conversationRetentionDays),
});

/** Defaults of the `connector` block, shared with LivePersonConnector so both read the same numbers. */
export const CONNECTOR_DEFAULTS = {
  /** Records per invocation; 10 is the most a FIFO event source allows. */
  batchSize: 10,
  /** Concurrent invocations at most (2..1000); unset = as many as the queue's consumer groups allow. */
  maxConcurrency: undefined as number | undefined,
  timeoutSeconds: 30,
  /** Receives of a command that keeps failing for a passing reason before SQS moves it to the dead-letter queue. */
  maxReceiveCount: 5,
  /** How long a command may wait in the outbound queue. */
  queueRetentionDays: 4,
  /** How long a commandId is remembered; at least as long as a command can wait in the queue. */
  idempotencyTtlHours: 96,
  /** A consumer the connector has not served for this long leaves the state table (DynamoDB TTL). */
  consumerRetentionDays: 90,
} as const;

// Ids LivePerson gives as numbers in its console: accept a JSON number as its digits, like accountId.
const routingIdSchema = (what: string) =>
  z.preprocess(
    (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value),
    z
      .string({ error: `must be the LivePerson ${what} id, e.g. "1234567890"` })
      .trim()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters'),
  );

const queueRetentionDaysSchema = daysSchema.max(14, 'must be at most 14 days (the SQS limit)');

const connectorSchema = z
  .strictObject({
    defaultRouting: z
      .strictObject({
        skillId: routingIdSchema('skill').optional(),
        campaignId: routingIdSchema('campaign').optional(),
        engagementId: routingIdSchema('engagement').optional(),
      })
      .refine((routing) => (routing.campaignId === undefined) === (routing.engagementId === undefined), {
        error: 'needs campaignId and engagementId together (a conversation opens on one engagement of one campaign)',
      })
      .optional(),
    batchSize: batchSizeSchema.default(CONNECTOR_DEFAULTS.batchSize),
    maxConcurrency: maxConcurrencySchema.optional(),
    timeoutSeconds: functionTimeoutSchema.default(CONNECTOR_DEFAULTS.timeoutSeconds),
    maxReceiveCount: z
      .int({ error: 'must be a whole number of receives' })
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000 (the SQS limit)')
      .default(CONNECTOR_DEFAULTS.maxReceiveCount),
    queueRetentionDays: queueRetentionDaysSchema.default(CONNECTOR_DEFAULTS.queueRetentionDays),
    idempotencyTtlHours: hoursSchema.default(CONNECTOR_DEFAULTS.idempotencyTtlHours),
    consumerRetentionDays: daysSchema.default(CONNECTOR_DEFAULTS.consumerRetentionDays),
    /** Route command events from the processing construct's event bus to the connector. */
    eventRoute: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .superRefine((connector, ctx) => {
    // Only values that passed their own checks: one message per mistake.
    const comparable = queueRetentionDaysSchema.safeParse(connector.queueRetentionDays).success && hoursSchema.safeParse(connector.idempotencyTtlHours).success;
    if (comparable && connector.idempotencyTtlHours < connector.queueRetentionDays * 24) {
      ctx.addIssue({
        code: 'custom',
        path: ['idempotencyTtlHours'],
        message:
          `is ${connector.idempotencyTtlHours} h but must cover connector.queueRetentionDays (${connector.queueRetentionDays * 24} h): ` +
          'a command redelivered after its id was forgotten would be sent twice',
      });
    }
  });

/** Defaults of the `monitoring` block, shared with LivePersonMonitoring so both read the same numbers. */
export const MONITORING_DEFAULTS = {
  enabled: true,
  /** Oldest event waiting this long in the event queue means processing has stalled. */
  eventQueueMaxAgeSeconds: 300,
  /** Oldest command waiting this long in the outbound queue means sending has stalled. */
  outboundQueueMaxAgeSeconds: 300,
  /** API Gateway 4xx answers of the webhook stage in 5 minutes above which to alarm (bad signatures, a rotated secret, probing). */
  webhookClientErrorsPer5Minutes: 50,
  /** 5xx answers in 5 minutes above which to alarm: 0 = any. */
  webhookServerErrorsPer5Minutes: 0,
  /** Errors of one function in 5 minutes above which to alarm: 0 = any. */
  functionErrorsPer5Minutes: 0,
  /** Throttles of one function in 5 minutes above which to alarm: 0 = any. */
  functionThrottlesPer5Minutes: 0,
  /** Share of C2M requests answered ERROR over 5 minutes above which to alarm. */
  c2mErrorRatePercent: 20,
  /** The error rate alarms only over at least this many C2M requests in 5 minutes (a few calls prove nothing). */
  c2mMinimumRequests: 10,
  /** p99 duration of c2m-invite above which to alarm; Amazon Connect gives up at 8 s. Lowered to 1 s under the function timeout when that is shorter. */
  c2mP99DurationMs: 6000,
} as const;

const countSchema = z.int({ error: 'must be a whole number' }).min(0, 'must be at least 0 (0 alarms on any)');
const queueAgeSchema = z
  .int({ error: 'must be a whole number of seconds' })
  .min(60, 'must be at least 60 seconds (SQS reports the age once a minute)')
  .max(1_209_600, 'must be at most 1209600 seconds (14 days, the longest SQS keeps a message)');

const monitoringSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(MONITORING_DEFAULTS.enabled),
  alarmEmail: z.email({ error: 'must be an email address (it receives the alarm notifications)' }).optional(),
  eventQueueMaxAgeSeconds: queueAgeSchema.default(MONITORING_DEFAULTS.eventQueueMaxAgeSeconds),
  outboundQueueMaxAgeSeconds: queueAgeSchema.default(MONITORING_DEFAULTS.outboundQueueMaxAgeSeconds),
  webhookClientErrorsPer5Minutes: countSchema.default(MONITORING_DEFAULTS.webhookClientErrorsPer5Minutes),
  webhookServerErrorsPer5Minutes: countSchema.default(MONITORING_DEFAULTS.webhookServerErrorsPer5Minutes),
  functionErrorsPer5Minutes: countSchema.default(MONITORING_DEFAULTS.functionErrorsPer5Minutes),
  functionThrottlesPer5Minutes: countSchema.default(MONITORING_DEFAULTS.functionThrottlesPer5Minutes),
  c2mErrorRatePercent: z
    .number({ error: 'must be a percentage' })
    .gt(0, 'must be greater than 0 percent')
    .max(100, 'must be at most 100 percent')
    .default(MONITORING_DEFAULTS.c2mErrorRatePercent),
  c2mMinimumRequests: z.int({ error: 'must be a whole number of requests' }).min(1, 'must be at least 1 request').default(MONITORING_DEFAULTS.c2mMinimumRequests),
  // No schema default: the construct lowers it under a shorter C2M timeout; a value set here is checked against c2m.timeoutSeconds below.
  c2mP99DurationMs: z.int({ error: 'must be a whole number of milliseconds' }).min(100, 'must be at least 100 ms').optional(),
});

// Deployed functions only call https hosts under allowedHostSuffixes (the CSDS URL is checked against them below);
// the simulator's plain-http URL is for the local stack and tests, which opt in through an environment no deployment sets.
const csdsUrlSchema = z
  .url({ protocol: /^https$/, error: 'must be an https URL, e.g. "https://api.liveperson.net"' })
  .transform((url) => url.replace(/\/+$/, ''));

const allowedHostSuffixesSchema = z
  .array(
    z
      .string({ error: 'must be a domain such as "liveperson.net"' })
      .trim()
      .toLowerCase()
      .superRefine((suffix, ctx) => {
        const problem = hostSuffixProblem(suffix);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `must be a domain: ${problem}` });
      }),
    { error: 'must be a list of domains, e.g. ["liveperson.net"]' },
  )
  .min(1, 'must name at least one domain (the functions call no host outside them)')
  .max(20, 'must name at most 20 domains')
  .transform((suffixes) => [...new Set(suffixes)]);

export const deploymentConfigSchema = z
  .strictObject({
    accountId: accountIdSchema,
    stackName: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name: a letter, then letters, digits or "-", at most 128')
      .optional(),
    awsAccount: z.string({ error: 'must be a string' }).regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    region: z.string({ error: 'must be a string' }).regex(REGION, 'must be an AWS region such as "us-east-1"').optional(),
    secretName: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)')
      .optional(),
    createSecret: z.boolean({ error: 'must be true or false' }).default(true),
    csdsUrl: csdsUrlSchema.default(DEFAULT_CSDS_URL),
    /** LP_ALLOWED_HOST_SUFFIXES: the domains whose hosts the functions may call (brands on other LivePerson clouds add theirs). */
    allowedHostSuffixes: allowedHostSuffixesSchema.default([...DEFAULT_ALLOWED_HOST_SUFFIXES]),
    domainRefreshHours: z
      .int({ error: 'must be a whole number of hours' })
      .min(1, 'must be at least 1 hour')
      .max(24, 'must be at most 24 hours: CSDS answers may be cached for a day at most')
      .default(12),
    logRetentionDays: z
      .number({ error: 'must be a number of days' })
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        error: `must be one of the values CloudWatch Logs allows: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    capabilities: capabilitiesSchema,
    connectInstanceArn: z
      .string({ error: 'must be a string' })
      .regex(CONNECT_INSTANCE_ARN, 'must be an Amazon Connect instance ARN: arn:aws:connect:<region>:<account>:instance/<uuid>')
      .optional(),
    c2m: c2mSchema.optional(),
    ingestion: ingestionSchema.optional(),
    processing: processingSchema.optional(),
    connector: connectorSchema.optional(),
    monitoring: monitoringSchema.optional(),
    logsKmsKey: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .superRefine((config, ctx) => {
    // Amazon Connect only invokes Lambda functions in its own region: catch a mismatch at synth, not in a call.
    const arnRegion = config.connectInstanceArn ? CONNECT_INSTANCE_ARN.exec(config.connectInstanceArn)?.[1] : undefined;
    if (arnRegion && config.region && arnRegion !== config.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['connectInstanceArn'],
        message: `is in region ${arnRegion} but the stack deploys to ${config.region}; Amazon Connect invokes Lambda functions in its own region only`,
      });
    }
    // A Regional custom domain takes an ACM certificate of its own region (only an edge-optimized one takes us-east-1's).
    const certificateArn = config.ingestion?.customDomain?.certificateArn;
    const certificateRegion = certificateArn ? ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1] : undefined;
    if (certificateRegion && config.region && certificateRegion !== config.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['ingestion', 'customDomain', 'certificateArn'],
        message: `is in region ${certificateRegion} but the stack deploys to ${config.region}; the Regional custom domain needs an ACM certificate of that region`,
      });
    }
    const c2m = config.c2m;
    if (c2m?.createContactFlow && !config.connectInstanceArn) {
      ctx.addIssue({
        code: 'custom',
        path: ['c2m', 'createContactFlow'],
        message: 'needs connectInstanceArn: the contact flow is created in that Amazon Connect instance',
      });
    }
    if (c2m?.createContactFlow && !config.capabilities.ivrDeflection) {
      ctx.addIssue({ code: 'custom', path: ['c2m', 'createContactFlow'], message: 'needs capabilities.ivrDeflection: the flow invokes its function' });
    }
    if (c2m?.fallbackQueueArn !== undefined) {
      if (!c2m.createContactFlow) {
        ctx.addIssue({
          code: 'custom',
          path: ['c2m', 'fallbackQueueArn'],
          message: 'is only used by the contact flow the stack creates: set c2m.createContactFlow, or pass --queue-arn when rendering the flow to import',
        });
      }
      const queueInstance = CONNECT_QUEUE_ARN.exec(c2m.fallbackQueueArn)?.[1];
      if (config.connectInstanceArn && queueInstance && queueInstance !== config.connectInstanceArn) {
        ctx.addIssue({ code: 'custom', path: ['c2m', 'fallbackQueueArn'], message: 'must be a queue of the instance in connectInstanceArn' });
      }
    }
    const { capabilities } = config;
    if (capabilities.processing && !capabilities.ingestion) {
      ctx.addIssue({
        code: 'custom',
        path: ['capabilities', 'processing'],
        message: 'needs capabilities.ingestion: the processor drains the event queue that ingestion creates (turn ingestion on, or processing off)',
      });
    }
    if (capabilities.connector && !capabilities.processing) {
      ctx.addIssue({
        code: 'custom',
        path: ['capabilities', 'connector'],
        message:
          'needs capabilities.processing: the connector keeps its consumers in the conversation state table and its command ids ' +
          'in the idempotency table that processing creates (turn processing on, or connector off)',
      });
    }
    // Zod runs this even when a field failed its own check: compare only values that passed, one message per mistake.
    const valid = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
    // The functions would refuse a CSDS URL outside the allowed domains at every lookup: refuse it at synth.
    if (valid(csdsUrlSchema, config.csdsUrl) && valid(allowedHostSuffixesSchema, config.allowedHostSuffixes)) {
      const refusal = hostPolicyRefusal(config.csdsUrl, { allowedHostSuffixes: config.allowedHostSuffixes, allowInsecureHosts: false });
      if (refusal !== undefined) ctx.addIssue({ code: 'custom', path: ['csdsUrl'], message: `is refused: ${refusal}; a LivePerson cloud on another domain goes into allowedHostSuffixes` });
    }
    if (capabilities.processing && capabilities.ingestion) {
      const visibility = config.ingestion?.queueVisibilityTimeoutSeconds ?? INGESTION_DEFAULTS.queueVisibilityTimeoutSeconds;
      const timeout = config.processing?.timeoutSeconds ?? PROCESSING_DEFAULTS.timeoutSeconds;
      const comparable = valid(ingestionSchema.shape.queueVisibilityTimeoutSeconds, visibility) && valid(functionTimeoutSchema, timeout);
      if (comparable && visibility < VISIBILITY_TIMEOUT_FACTOR * timeout) {
        ctx.addIssue({
          code: 'custom',
          path: ['ingestion', 'queueVisibilityTimeoutSeconds'],
          message:
            `is ${visibility} s but must be at least ${VISIBILITY_TIMEOUT_FACTOR} × processing.timeoutSeconds (${VISIBILITY_TIMEOUT_FACTOR * timeout} s, ` +
            'AWS guidance for a queue driving a Lambda function): raise it, or lower processing.timeoutSeconds',
        });
      }
    }
    const c2mP99 = config.monitoring?.c2mP99DurationMs;
    const c2mTimeoutSeconds = c2m?.timeoutSeconds ?? C2M_DEFAULTS.timeoutSeconds;
    const c2mTimeoutMs = c2mTimeoutSeconds * 1000;
    if (c2mP99 !== undefined && valid(c2mSchema.shape.timeoutSeconds, c2mTimeoutSeconds) && c2mP99 >= c2mTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['monitoring', 'c2mP99DurationMs'],
        message: `must be below c2m.timeoutSeconds (${c2mTimeoutMs} ms): a call that slow has already timed out`,
      });
    }
  })
  .transform((config) => ({
    ...config,
    stackName: config.stackName ?? `LivePerson-${config.accountId}`,
    secretName: config.secretName ?? `liveperson/${config.accountId}/credentials`,
  }));

/** Validated deployment config, defaults applied. */
export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;
/** What a brand writes in cdk.json (only accountId is required). */
export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;

export class DeploymentConfigError extends Error {
  /** One line per problem: `<field path>: <what is wrong>`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    const header = `Invalid deployment config (context "${CONFIG_CONTEXT_KEY}"):`;
    super(issues.length === 1 ? `${header} ${issues[0]}` : `${header}\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'DeploymentConfigError';
    this.issues = issues;
  }
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    // Name the stray key itself: a typo such as "acountId" should point at the exact spot.
    return issue.keys.map((key) => `${field ? `${field}.` : ''}${key}: is not a known field (check its spelling)`);
  }
  return [field ? `${field}: ${issue.message}` : issue.message];
}

/**
 * Validates the raw context value (an object, or the JSON string `cdk -c` passes) and applies defaults.
 * Throws DeploymentConfigError listing every problem at once.
 */
export function parseDeploymentConfig(raw: unknown): DeploymentConfig {
  let value = raw;
  if (value === undefined || value === null || value === '') {
    throw new DeploymentConfigError([
      `is missing: set "${CONFIG_CONTEXT_KEY}": {"accountId": "<your LivePerson account id>"} in cdk.json's context, ` +
        `or pass -c ${CONFIG_CONTEXT_KEY}='{"accountId":"12345678"}'`,
    ]);
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      throw new DeploymentConfigError([`is not valid JSON (${(error as Error).message})`]);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DeploymentConfigError(['must be a JSON object such as {"accountId": "12345678"}']);
  }
  const result = deploymentConfigSchema.safeParse(value);
  if (!result.success) {
    throw new DeploymentConfigError(result.error.issues.flatMap(formatIssue));
  }
  return result.data;
}

/** Reads and validates the config from a construct's context (normally the App's). */
export function loadDeploymentConfig(node: Node): DeploymentConfig {
  return parseDeploymentConfig(node.tryGetContext(CONFIG_CONTEXT_KEY));
}

/** Stack environment: explicit config first, else the CLI's default region; the account stays unset unless configured. */
export function stackEnvironment(
  config: DeploymentConfig,
  env: NodeJS.ProcessEnv = process.env,
): { account?: string; region?: string } {
  const region = config.region ?? env.CDK_DEFAULT_REGION;
  return {
    ...(config.awsAccount ? { account: config.awsAccount } : {}),
    ...(region ? { region } : {}),
  };
}

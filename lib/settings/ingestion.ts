/**
 * Settings of the webhook ingestion (LivePersonIngestion and the config's `ingestion` block): stage and
 * per-route throttling, the event queue, the TLS security policy, an optional custom domain (mutual TLS)
 * and an optional AWS WAF rate limit.
 */
import { z } from 'zod';
import { booleanField, maxReceiveCountField, queueRetentionDaysField } from './fields.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

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

/** Without its own limits in `routeThrottling.messaging`, the messaging route gets this share of the stage's. */
export const MESSAGING_ROUTE_THROTTLING_SHARE = 0.5;

/** A custom domain API Gateway accepts: lower case (it refuses upper case), no wildcard. */
export const CUSTOM_DOMAIN_NAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** An ACM certificate ARN; group 1 is its region (a Regional custom domain takes a certificate of its own region). */
export const ACM_CERTIFICATE_ARN = new RegExp(`^arn:aws[-a-z]*:acm:([a-z]{2}(?:-[a-z]+)+-\\d):\\d{12}:certificate/${UUID}$`);
/** `s3://<bucket>/<key>` of a mutual TLS truststore (a PEM bundle of the CA certificates to trust). */
export const TRUSTSTORE_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(\S+)$/;

/** AWS WAF's bounds for a rate-based rule's limit. */
export const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

const rateLimitField = () =>
  z.number({ error: 'must be a number of requests per second' }).positive('must be greater than 0 requests per second');
const burstLimitField = () => z.int({ error: 'must be a whole number of requests' }).min(1, 'must be at least 1 request');

export const routeThrottlingSettingsSchema = z.strictObject({
  rateLimit: rateLimitField().optional(),
  burstLimit: burstLimitField().optional(),
});

export const customDomainSettingsSchema = z.strictObject({
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

export const wafSettingsSchema = z.strictObject({
  enabled: booleanField().default(false),
  /** Requests per source IP in any 5 minutes before AWS WAF blocks that IP (until its rate falls below). */
  rateLimitPer5Minutes: z
    .int({ error: 'must be a whole number of requests' })
    .min(WAF_RATE_LIMIT_RANGE.min, `must be at least ${WAF_RATE_LIMIT_RANGE.min} requests (the AWS WAF minimum)`)
    .max(WAF_RATE_LIMIT_RANGE.max, `must be at most ${WAF_RATE_LIMIT_RANGE.max} requests (the AWS WAF maximum)`)
    .default(2000),
});

export const ingestionSettingsSchema = z.strictObject({
  throttlingRateLimit: rateLimitField().default(100),
  throttlingBurstLimit: burstLimitField().default(200),
  maxReceiveCount: maxReceiveCountField().default(5),
  queueRetentionDays: queueRetentionDaysField().default(14),
  queueVisibilityTimeoutSeconds: z
    .int({ error: 'must be a whole number of seconds' })
    .min(0, 'must be at least 0 seconds')
    .max(43_200, 'must be at most 43200 seconds (12 hours, the SQS limit)')
    .default(300),
  /** Absent: no web ACL (so the config's output has no `waf` unless one was written). */
  waf: wafSettingsSchema.optional(),
  /**
   * X-Ray tracing of the API stage. Off by default: API Gateway's segment records the request's headers
   * and URL, so the connector route's signature and the messaging route's URL token would be in the trace.
   * The trace starts at the receiver either way.
   */
  stageTracing: booleanField().default(false),
  /** Each route its own budget; unset, connector takes the stage limits above and messaging a share of them. */
  routeThrottling: z
    .strictObject({ connector: routeThrottlingSettingsSchema.optional(), messaging: routeThrottlingSettingsSchema.optional() })
    .optional(),
  /**
   * TLS 1.3 with TLS 1.2 (forward-secret suites only) as a fallback: LivePerson asks webhook endpoints to
   * support TLS 1.3, and a sender still on TLS 1.2 must not be refused (a refused delivery holds back every
   * event of the app installation). `SecurityPolicy_TLS13_1_3_2025_09` is TLS 1.3 only.
   */
  securityPolicy: z
    .enum(INGESTION_SECURITY_POLICIES, { error: `must be one of ${INGESTION_SECURITY_POLICIES.join(', ')}` })
    .default('SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'),
  customDomain: customDomainSettingsSchema.optional(),
});

export type IngestionSettings = z.output<typeof ingestionSettingsSchema>;
export type IngestionSettingsInput = z.input<typeof ingestionSettingsSchema>;

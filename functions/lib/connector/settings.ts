/**
 * The connector function's own environment (besides the shared LP_* contract), validated at cold
 * start with errors that name the variable.
 */
import { z } from 'zod';
import { ConfigurationError } from '../aws/config.ts';
import type { RoutingDefaults } from './execute.ts';

const name = (variable: string) =>
  z.string({ error: `${variable} is not set` }).trim().min(1, `${variable} is empty`);
const optionalId = (variable: string) =>
  z
    .string()
    .trim()
    .max(64, `${variable} is longer than 64 characters`)
    .optional()
    .transform((value) => (value === '' ? undefined : value));

const settingsSchema = z
  .object({
    STATE_TABLE_NAME: name('STATE_TABLE_NAME'),
    IDEMPOTENCY_TABLE_NAME: name('IDEMPOTENCY_TABLE_NAME'),
    OUTBOUND_DEAD_LETTER_QUEUE_URL: z.url({ error: 'OUTBOUND_DEAD_LETTER_QUEUE_URL must be the URL of the outbound dead-letter queue' }),
    /** Only the EventBridge route needs it: the queue its events are forwarded to. */
    OUTBOUND_QUEUE_URL: z
      .url({ error: 'OUTBOUND_QUEUE_URL must be the URL of the outbound queue' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().positive('IDEMPOTENCY_TTL_SECONDS must be a positive number of seconds').default(4 * 24 * 60 * 60),
    CONSUMER_RETENTION_DAYS: z.coerce.number().int().positive('CONSUMER_RETENTION_DAYS must be a positive number of days').default(90),
    CONNECTOR_DEFAULT_SKILL_ID: optionalId('CONNECTOR_DEFAULT_SKILL_ID'),
    CONNECTOR_DEFAULT_CAMPAIGN_ID: optionalId('CONNECTOR_DEFAULT_CAMPAIGN_ID'),
    CONNECTOR_DEFAULT_ENGAGEMENT_ID: optionalId('CONNECTOR_DEFAULT_ENGAGEMENT_ID'),
  })
  .refine(
    (env) => (env.CONNECTOR_DEFAULT_CAMPAIGN_ID === undefined) === (env.CONNECTOR_DEFAULT_ENGAGEMENT_ID === undefined),
    'CONNECTOR_DEFAULT_CAMPAIGN_ID and CONNECTOR_DEFAULT_ENGAGEMENT_ID must be set together',
  );

export interface ConnectorSettings {
  readonly stateTableName: string;
  readonly idempotencyTableName: string;
  readonly deadLetterQueueUrl: string;
  readonly outboundQueueUrl: string | undefined;
  readonly idempotencyTtlSeconds: number;
  readonly consumerRetentionDays: number;
  readonly routingDefaults: RoutingDefaults;
}

export function readConnectorSettings(env: NodeJS.ProcessEnv = process.env): ConnectorSettings {
  const result = settingsSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigurationError(`invalid environment: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const e = result.data;
  return {
    stateTableName: e.STATE_TABLE_NAME,
    idempotencyTableName: e.IDEMPOTENCY_TABLE_NAME,
    deadLetterQueueUrl: e.OUTBOUND_DEAD_LETTER_QUEUE_URL,
    outboundQueueUrl: e.OUTBOUND_QUEUE_URL,
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    consumerRetentionDays: e.CONSUMER_RETENTION_DAYS,
    routingDefaults: {
      ...(e.CONNECTOR_DEFAULT_SKILL_ID === undefined ? {} : { skillId: e.CONNECTOR_DEFAULT_SKILL_ID }),
      ...(e.CONNECTOR_DEFAULT_CAMPAIGN_ID === undefined ? {} : { campaignId: e.CONNECTOR_DEFAULT_CAMPAIGN_ID }),
      ...(e.CONNECTOR_DEFAULT_ENGAGEMENT_ID === undefined ? {} : { engagementId: e.CONNECTOR_DEFAULT_ENGAGEMENT_ID }),
    },
  };
}

/** Settings of the outbound connector (LivePersonConnector and the config's `connector` block). */
import { z } from 'zod';
import {
  CLIENT_DEVICE_FAMILIES,
  CLIENT_FEATURE_NAME,
  CLIENT_INTEGRATIONS,
  CLIENT_OPERATING_SYSTEMS,
  CLIENT_PROPERTY_TEXT_LIMITS,
  HEADER_VALUE_TEXT,
} from '#contract/constants.ts';
import {
  batchSizeField,
  bothValid,
  daysField,
  functionTimeoutField,
  hoursField,
  maxConcurrencyField,
  maxReceiveCountField,
  queueRetentionDaysField,
} from './fields.ts';

// Ids LivePerson gives as numbers in its console: accept a JSON number as its digits, like accountId.
const routingIdField = (what: string) =>
  z.preprocess(
    (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value),
    z
      .string({ error: `must be the LivePerson ${what} id, e.g. "1234567890"` })
      .trim()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters'),
  );

/** Routing of conversations a command opens without naming one; unset = any skill ("-1"). */
export const connectorRoutingSettingsSchema = z
  .strictObject({
    skillId: routingIdField('skill').optional(),
    /** Together with engagementId. */
    campaignId: routingIdField('campaign').optional(),
    engagementId: routingIdField('engagement').optional(),
  })
  .refine((routing) => (routing.campaignId === undefined) === (routing.engagementId === undefined), {
    error: 'needs campaignId and engagementId together (a conversation opens on one engagement of one campaign)',
  });

const clientText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(HEADER_VALUE_TEXT, 'must be printable ASCII: it goes in the Client-Properties HTTP header')
    .optional();
const clientTextFields = Object.fromEntries(
  Object.entries(CLIENT_PROPERTY_TEXT_LIMITS).map(([field, max]) => [field, clientText(max)]),
) as { readonly [F in keyof typeof CLIENT_PROPERTY_TEXT_LIMITS]: ReturnType<typeof clientText> };

/**
 * What the connector tells LivePerson about its channel (the `Client-Properties` of every call):
 * the features switch on what LivePerson sends it. Fields and limits are LivePerson's
 * (`CLIENT_PROPERTY_TEXT_LIMITS`: appId, appVersion, integrationVersion, osName, osVersion, browser,
 * browserVersion, timeZone).
 */
export const connectorClientPropertiesSchema = z.strictObject({
  /** @default RICH_CONTENT, QUICK_REPLIES, MULTI_DIALOG, PHOTO_SHARING */
  features: z
    .array(z.string().regex(CLIENT_FEATURE_NAME, 'must be a feature name like QUICK_REPLIES'))
    .max(20)
    .refine((features) => new Set(features).size === features.length, { error: 'lists a feature twice' })
    .optional(),
  /** @default BRAND_SDK */
  integration: z.enum(CLIENT_INTEGRATIONS).optional(),
  deviceFamily: z.enum(CLIENT_DEVICE_FAMILIES).optional(),
  os: z.enum(CLIENT_OPERATING_SYSTEMS).optional(),
  ...clientTextFields,
});

export const connectorSettingsSchema = z
  .strictObject({
    defaultRouting: connectorRoutingSettingsSchema.optional(),
    clientProperties: connectorClientPropertiesSchema.optional(),
    /** Records per invocation; 10 is the most a FIFO event source allows. */
    batchSize: batchSizeField().default(10),
    /** Concurrent invocations at most; unset = as many as the queue's consumer groups allow. */
    maxConcurrency: maxConcurrencyField().optional(),
    timeoutSeconds: functionTimeoutField().default(30),
    /** Receives of a command that keeps failing for a passing reason before SQS moves it to the dead-letter queue. */
    maxReceiveCount: maxReceiveCountField().default(5),
    /** How long a command may wait in the outbound queue. */
    queueRetentionDays: queueRetentionDaysField().default(4),
    /** How long a commandId is remembered; at least as long as a command can wait in the queue. */
    idempotencyTtlHours: hoursField().default(96),
    /** A consumer the connector has not served for this long leaves the state table (DynamoDB TTL). */
    consumerRetentionDays: daysField().default(90),
  })
  .superRefine((connector, ctx) => {
    const comparable = bothValid([queueRetentionDaysField(), connector.queueRetentionDays], [hoursField(), connector.idempotencyTtlHours]);
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

export type ConnectorSettings = z.output<typeof connectorSettingsSchema>;
export type ConnectorSettingsInput = z.input<typeof connectorSettingsSchema>;
export type ConnectorRoutingSettings = z.output<typeof connectorRoutingSettingsSchema>;

/** Settings of event processing (LivePersonProcessing and the config's `processing` block). */
import { z } from 'zod';
import { DEFAULT_CONVERSATION_CONCURRENCY, MAX_CONVERSATION_CONCURRENCY } from '#contract/environment.ts';
import { batchSizeField, daysField, functionTimeoutField, hoursField, maxConcurrencyField } from './fields.ts';

/**
 * The most days the event archive keeps events. EventBridge itself has no upper limit; this one keeps a
 * typo (36500) from storing conversations for a century.
 */
export const MAX_ARCHIVE_RETENTION_DAYS = 3650;

/** The event bus's archive (the operations CLI replays from it by this name). */
export function eventArchiveName(accountId: string): string {
  return `liveperson-${accountId}`;
}

/**
 * Days the archive keeps each event, or false for no archive. No "forever": CloudFormation reads 0 as
 * indefinitely, and the events carry conversation content, so every archived event expires.
 */
export const archiveRetentionDaysField = () =>
  z.union(
    [
      z.literal(false),
      z
        .int()
        .min(1, 'must be at least 1 day (0, which EventBridge reads as forever, is not offered), or false for no archive')
        .max(MAX_ARCHIVE_RETENTION_DAYS, `must be at most ${MAX_ARCHIVE_RETENTION_DAYS} days (ten years)`),
    ],
    { error: `must be a whole number of days from 1 to ${MAX_ARCHIVE_RETENTION_DAYS}, or false for no archive` },
  );

export const processingSettingsSchema = z.strictObject({
  /** Records per invocation; 10 is the most a FIFO event source allows. */
  batchSize: batchSizeField().default(10),
  /** Concurrent invocations at most (Lambda's SQS scaling control); unset = as many as the queue's groups allow. */
  maxConcurrency: maxConcurrencyField().optional(),
  timeoutSeconds: functionTimeoutField().default(30),
  /** LivePerson redelivers for up to 3 days: remember handled events a little longer. */
  idempotencyTtlHours: hoursField().default(96),
  /** A conversation nobody touched for this long leaves the state table (DynamoDB TTL). */
  conversationRetentionDays: daysField().default(90),
  /** Conversations of one batch handled at once (each still in order); more than a batch holds would change nothing. */
  concurrentConversations: z
    .int({ error: 'must be a whole number of conversations' })
    .min(1, 'must be at least 1 (one conversation after another)')
    .max(MAX_CONVERSATION_CONCURRENCY, `must be at most ${MAX_CONVERSATION_CONCURRENCY} (a batch holds at most 10 records)`)
    .default(DEFAULT_CONVERSATION_CONCURRENCY),
  /** The bus's archive of the events published (source "liveperson"), to replay from: days kept, or false for none. */
  archiveRetentionDays: archiveRetentionDaysField().default(30),
  /** The schema registry of the published events (one JSON Schema per detail-type), for subscribers' code bindings. */
  eventSchemas: z.boolean({ error: 'must be true or false' }).default(true),
});

export type ProcessingSettings = z.output<typeof processingSettingsSchema>;
export type ProcessingSettingsInput = z.input<typeof processingSettingsSchema>;

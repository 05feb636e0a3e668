/** Settings of event processing (LivePersonProcessing and the config's `processing` block). */
import { z } from 'zod';
import { DEFAULT_CONVERSATION_CONCURRENCY, MAX_CONVERSATION_CONCURRENCY } from '#contract/environment.ts';
import { batchSizeField, daysField, functionTimeoutField, hoursField, maxConcurrencyField } from './fields.ts';

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
});

export type ProcessingSettings = z.output<typeof processingSettingsSchema>;
export type ProcessingSettingsInput = z.input<typeof processingSettingsSchema>;

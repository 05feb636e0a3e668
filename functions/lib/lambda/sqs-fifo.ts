/**
 * An SQS FIFO batch, record by record, through Powertools' FIFO partial processor: each record is
 * validated (aws-events.ts) and handed over as a plain QueueRecord; a record that
 * throws is reported as a batch item failure, and with it every later record of its message group
 * (order kept within a group) while the other groups go on.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsRecordSchema } from './aws-events.ts';

/** What the business code gets of a queued message: no SQS or Lambda types. */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  /** The String message attributes, by name. */
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

export interface FifoBatchOptions {
  /** When every record failed: answer the list (true) rather than throw. @default false: throw, as Powertools does */
  readonly answerFullBatchFailure?: boolean;
}

export function toQueueRecord(raw: SQSRecord): QueueRecord {
  const record = sqsRecordSchema.parse(raw);
  const attributes: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(record.messageAttributes)) attributes[name] = value.stringValue ?? undefined;
  return {
    messageId: record.messageId,
    body: record.body,
    groupId: record.attributes.MessageGroupId,
    deduplicationId: record.attributes.MessageDeduplicationId,
    attributes,
  };
}

export function processFifoBatch(
  event: SQSEvent,
  context: Context,
  handle: (record: QueueRecord) => Promise<void>,
  options: FifoBatchOptions = {},
): Promise<SQSBatchResponse> {
  // A processor per batch: it holds the batch's state (failed groups), which must never leak into the next one.
  const processor = new SqsFifoPartialProcessorAsync();
  return processPartialResponse(event, (raw: SQSRecord) => handle(toQueueRecord(raw)), processor, {
    context,
    skipGroupOnError: true,
    ...(options.answerFullBatchFailure ? { throwOnFullBatchFailure: false } : {}),
  });
}

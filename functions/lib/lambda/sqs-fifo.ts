/**
 * An SQS FIFO batch through Powertools' FIFO partial processor: each record is validated
 * (aws-events.ts) and handed over as a plain QueueRecord; a record that throws is reported as a
 * batch item failure, and with it every later record of its message group (order kept within a
 * group) while the other groups go on. With `concurrency` above 1, up to that many groups run at
 * once, each still strictly in order.
 */
import {
  FullBatchFailureError,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
  UnexpectedBatchTypeError,
} from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
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
  /**
   * Message groups in flight at once; a record without a group is a group of its own. 1 runs the
   * batch record by record in batch order, as Powertools does. @default 1
   */
  readonly concurrency?: number;
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

export async function processFifoBatch(
  event: SQSEvent,
  context: Context,
  handle: (record: QueueRecord) => Promise<void>,
  options: FifoBatchOptions = {},
): Promise<SQSBatchResponse> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number from 1, got ${concurrency}`);
  const recordHandler = (raw: SQSRecord) => handle(toQueueRecord(raw));
  if (concurrency === 1) {
    // A processor per batch: it holds the batch's state (failed groups), which must never leak into the next one.
    return processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
      ...(options.answerFullBatchFailure ? { throwOnFullBatchFailure: false } : {}),
    });
  }
  return processGroupsConcurrently(event, context, recordHandler, concurrency, options.answerFullBatchFailure ?? false);
}

/**
 * Hand-written around Powertools because its FIFO processor runs the whole batch one record after
 * another: one processor per message group (Powertools' in-group rules: in order, the rest of the
 * group failed after a failure), groups run side by side, their failures merged in batch order, and
 * the full-batch failure raised as processPartialResponse raises it.
 */
async function processGroupsConcurrently(
  event: SQSEvent,
  context: Context,
  recordHandler: (raw: SQSRecord) => Promise<void>,
  concurrency: number,
  answerFullBatchFailure: boolean,
): Promise<SQSBatchResponse> {
  if (!Array.isArray(event.Records)) throw new UnexpectedBatchTypeError();
  const records = event.Records;
  const groups = messageGroups(records);
  const failures: Array<{ readonly position: number; readonly record: SQSRecord; readonly error: Error }> = [];
  let next = 0;
  const worker = async () => {
    for (let group = groups[next++]; group !== undefined; group = groups[next++]) {
      const processor = new SqsFifoPartialProcessorAsync();
      await processPartialResponse({ Records: group.records }, recordHandler, processor, {
        context,
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      });
      // Powertools lists a group's failed records in the group's order, each error at the same index: walk both.
      let at = 0;
      processor.failureMessages.forEach((failed, i) => {
        while (at < group.records.length && group.records[at] !== failed) at++;
        failures.push({
          position: group.positions[at++] ?? records.length,
          record: failed as SQSRecord,
          error: processor.errors[i] as Error,
        });
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
  failures.sort((a, b) => a.position - b.position);
  if (!answerFullBatchFailure && failures.length > 0 && failures.length === records.length) {
    throw new FullBatchFailureError(failures.map((failure) => failure.error));
  }
  return { batchItemFailures: failures.map(({ record }): SQSBatchItemFailure => ({ itemIdentifier: record.messageId })) };
}

/**
 * The batch's records by message group, groups in the order of their first record, records in
 * batch order. A record without a group id is a group of its own: Powertools never holds one back.
 */
function messageGroups(records: readonly SQSRecord[]) {
  const groups: Array<{ records: SQSRecord[]; positions: number[] }> = [];
  const byId = new Map<string, (typeof groups)[number]>();
  records.forEach((record, position) => {
    const id = (record.attributes as SQSRecord['attributes'] | undefined)?.MessageGroupId;
    let group = id ? byId.get(id) : undefined;
    if (group === undefined) {
      group = { records: [], positions: [] };
      groups.push(group);
      if (id) byId.set(id, group);
    }
    group.records.push(record);
    group.positions.push(position);
  });
  return groups;
}

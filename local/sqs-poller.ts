/**
 * Feeds an SQS queue to a Lambda handler the way Lambda's event source mapping does: batches of
 * up to 10 records, the records a partial batch response names stay in the queue (and come back
 * after the visibility timeout, until the redrive policy moves them to the DLQ), the others are
 * deleted; a handler that throws leaves the whole batch in the queue.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface BatchOutcome {
  readonly queueUrl: string;
  readonly records: number;
  readonly failed: number;
  readonly error?: unknown;
}

export interface SqsPoller {
  /** Resolves once the current batch is done and polling has stopped. */
  stop(): Promise<void>;
}

export function startSqsPoller(options: {
  client: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  functionName: string;
  batchSize?: number;
  /** Lambda timeout the handler's context reports. */
  timeoutMs?: number;
  onBatch?: (outcome: BatchOutcome) => void;
}): SqsPoller {
  let running = true;
  const abort = new AbortController();
  const loop = (async () => {
    while (running) {
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        ));
      } catch (error) {
        if (!running) break;
        options.onBatch?.({ queueUrl: options.queueUrl, records: 0, failed: 0, error });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (messages.length === 0) continue;
      await deliver(messages);
    }
  })();

  async function deliver(messages: Message[]): Promise<void> {
    const records = messages.map((message) => toRecord(message, options.queueUrl));
    let failedIds = new Set<string>();
    let error: unknown;
    try {
      const response = await options.handler({ Records: records }, lambdaContext(options.functionName, options.timeoutMs ?? 60_000));
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (caught) {
      error = caught;
      failedIds = new Set(records.map((record) => record.messageId));
    }
    const done = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
    if (done.length > 0) {
      await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    options.onBatch?.({
      queueUrl: options.queueUrl,
      records: records.length,
      failed: failedIds.size,
      ...(error === undefined ? {} : { error }),
    });
  }

  return {
    async stop() {
      running = false;
      abort.abort();
      await loop;
    },
  };
}

function toRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const queueName = queueUrl.split('/').at(-1) ?? 'queue';
  return {
    messageId: message.MessageId ?? randomUUID(),
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', stringValue: value.StringValue, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}

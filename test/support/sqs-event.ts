import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

let counter = 0;

/** An SQS FIFO record as Lambda delivers it from the event queue. */
export function sqsRecord(body: unknown, options: { groupId: string; route?: 'connector' | 'messaging'; eventType?: string }): SQSRecord {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  counter++;
  return {
    messageId: `message-${counter}`,
    receiptHandle: `receipt-${counter}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      SequenceNumber: String(10_000 + counter),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: createHash('sha256').update(text).digest('hex'),
    },
    messageAttributes: {
      route: { dataType: 'String', stringValue: options.route ?? 'connector', stringListValues: [], binaryListValues: [] },
      eventType: { dataType: 'String', stringValue: options.eventType ?? 'test', stringListValues: [], binaryListValues: [] },
      receivedAt: { dataType: 'String', stringValue: '2026-11-23T10:00:00.000Z', stringListValues: [], binaryListValues: [] },
      accountId: { dataType: 'String', stringValue: '12345678', stringListValues: [], binaryListValues: [] },
    },
    md5OfBody: createHash('md5').update(text).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:events.fifo',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

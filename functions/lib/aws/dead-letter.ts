/**
 * Moves a record that can never succeed straight to the FIFO dead-letter queue, with the reason,
 * instead of letting SQS retry it until maxReceiveCount while its conversation waits behind it.
 */
import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterRecord, DeadLetterSink } from '../processing/ports.ts';
import { sqsClient } from './clients.ts';

export class SqsDeadLetterSink implements DeadLetterSink {
  readonly #queueUrl: string;
  readonly #client: SQSClient;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    this.#queueUrl = options.queueUrl;
    this.#client = options.client ?? sqsClient();
  }

  async send(record: DeadLetterRecord, reason: string): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(record.attributes)) {
      if (value !== undefined) attributes[name] = { DataType: 'String', StringValue: value };
    }
    attributes.deadLetterReason = { DataType: 'String', StringValue: reason.slice(0, 1000) };
    attributes.sourceMessageId = { DataType: 'String', StringValue: record.messageId };
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: record.body,
        MessageGroupId: record.groupId ?? 'dead-letter',
        MessageDeduplicationId: record.deduplicationId ?? record.messageId,
        MessageAttributes: attributes,
      }),
    );
  }
}

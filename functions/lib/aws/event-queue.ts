/**
 * The FIFO event queue: one SendMessage per accepted webhook, over the SDK's kept-alive
 * connection, with tight timeouts so a sick SQS endpoint turns into a quick 5xx (LivePerson
 * retries) rather than a slow answer (LivePerson disables slow endpoints).
 */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { EventQueue, QueuedEvent } from '../webhooks/receive-webhook.ts';

export function createSqsClient(): SQSClient {
  return new SQSClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
}

export class SqsEventQueue implements EventQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    this.#queueUrl = options.queueUrl;
    this.#client = options.client ?? createSqsClient();
  }

  async send(event: QueuedEvent): Promise<void> {
    const { route, eventType, receivedAt, accountId } = event.attributes;
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: event.body,
        MessageGroupId: event.groupId,
        MessageDeduplicationId: event.deduplicationId,
        MessageAttributes: {
          route: { DataType: 'String', StringValue: route },
          eventType: { DataType: 'String', StringValue: eventType },
          receivedAt: { DataType: 'String', StringValue: receivedAt },
          accountId: { DataType: 'String', StringValue: accountId },
        },
      }),
    );
  }
}

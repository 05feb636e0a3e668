/**
 * The FIFO event queue: one SendMessage per accepted webhook, over the SDK's kept-alive
 * connection. The whole send, retries and back-off included, is cut off after SEND_TIMEOUT_MS,
 * so a sick SQS endpoint turns into a quick 503 (LivePerson retries) rather than a slow answer
 * (LivePerson reads for 5 s and may disable an endpoint slower than 2.5 s).
 * LivePerson facts behind this: docs/liveperson.md#answering-timeouts-and-disabling.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { IntegrationError } from '../errors.ts';
import type { EventQueue, QueuedEvent } from '../webhooks/ports.ts';
import { AWS_CALL_BUDGETS, sqsClient } from './clients.ts';

/** The budget of one send: SendMessage normally answers in tens of milliseconds. */
export const SEND_TIMEOUT_MS = 2_000;

export function createSqsClient(): SQSClient {
  // Per attempt (500 ms to connect, 1 s to answer, each an error): a retry is worth it only if it still fits in the budget.
  return sqsClient(AWS_CALL_BUDGETS.sqsIngest);
}

/** SQS did not answer within the budget. */
export class EventQueueTimeoutError extends IntegrationError {
  readonly retryable = true;
  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`SQS did not confirm the write within ${timeoutMs} ms`, options);
    this.name = 'EventQueueTimeoutError';
  }
}

export class SqsEventQueue implements EventQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;
  readonly #timeoutMs: number;

  constructor(options: { queueUrl: string; client?: SQSClient; timeoutMs?: number }) {
    this.#queueUrl = options.queueUrl;
    this.#client = options.client ?? createSqsClient();
    this.#timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  }

  /** Throws EventQueueTimeoutError when SQS has not confirmed the write within the budget. */
  async send(event: QueuedEvent): Promise<void> {
    const { route, eventType, receivedAt, accountId } = event.attributes;
    const command = new SendMessageCommand({
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
    });
    // One timer, cleared when the send settles: it aborts the SDK (which stops where it looks at the
    // signal: the HTTP call, the back-off) and settles the race, which also bounds whatever else a send
    // may wait on. AbortSignal.timeout's timer would stay armed and fire for every webhook after its answer.
    const controller = new AbortController();
    let timeUp: (reason: unknown) => void = () => {};
    const deadline = new Promise<never>((_, reject) => {
      timeUp = reject;
    });
    const timer = setTimeout(() => {
      const reason = new DOMException(`SQS did not confirm the write within ${this.#timeoutMs} ms`, 'TimeoutError');
      controller.abort(reason);
      timeUp(reason);
    }, this.#timeoutMs);
    const sending = this.#client.send(command, { abortSignal: controller.signal });
    try {
      await Promise.race([sending, deadline]);
    } catch (error) {
      throw controller.signal.aborted ? new EventQueueTimeoutError(this.#timeoutMs, { cause: error }) : error;
    } finally {
      clearTimeout(timer);
      // Lost the race: its outcome no longer matters.
      sending.catch(() => {});
    }
  }
}

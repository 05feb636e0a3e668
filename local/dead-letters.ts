/**
 * The local stack's dead-letter queues, for the console: what sits in them, with each message's
 * reason, and a redrive that moves them back to their source queue, as SQS's StartMessageMoveTask
 * does in AWS (fauxqs does not implement it).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { LocalSqs } from './sqs.ts';

export interface DeadLetter {
  readonly messageId: string;
  readonly groupId: string | undefined;
  /** How often the message was received before it got here (SQS moves it after maxReceiveCount). */
  readonly receiveCount: number | undefined;
  /** The processor's own reason when it parked the record; else the redrive policy's. */
  readonly reason: string;
  readonly body: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt: string | undefined;
}

// fauxqs's inspection endpoint (GET /_fauxqs/queues/<name>): it reads a queue without receiving from it.
const inspection = z.object({
  messages: z.object({
    ready: z.array(
      z.object({
        messageId: z.string(),
        body: z.string(),
        messageAttributes: z.record(z.string(), z.object({ StringValue: z.string().optional() })).optional(),
        approximateReceiveCount: z.number().optional(),
        messageGroupId: z.string().optional(),
        sentTimestamp: z.number().optional(),
      }),
    ),
    inflight: z.array(z.unknown()),
    delayed: z.array(z.unknown()),
  }),
});

function parsedBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** The messages waiting in a dead-letter queue, oldest first; none are received or changed. */
export async function listDeadLetters(sqs: LocalSqs, queueUrl: string, options: { timeoutMs?: number } = {}): Promise<DeadLetter[]> {
  const name = new URL(queueUrl).pathname.split('/').at(-1) ?? '';
  const response = await fetch(`${sqs.endpoint}/_fauxqs/queues/${encodeURIComponent(name)}`, {
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  if (!response.ok) throw new Error(`local SQS could not inspect ${name}: HTTP ${response.status}`);
  const parsed = inspection.safeParse(await response.json());
  if (!parsed.success) throw new Error(`local SQS answered an inspection of ${name} this code does not read: ${parsed.error.message}`);
  return parsed.data.messages.ready.map((message) => {
    const attributes = Object.fromEntries(
      Object.entries(message.messageAttributes ?? {}).flatMap(([key, value]) =>
        value.StringValue === undefined ? [] : [[key, value.StringValue]],
      ),
    );
    return {
      messageId: message.messageId,
      groupId: message.messageGroupId,
      receiveCount: message.approximateReceiveCount,
      reason: attributes.deadLetterReason ?? 'received more often than the redrive policy allows (the processor kept failing on it)',
      body: parsedBody(message.body),
      attributes,
      sentAt: message.sentTimestamp === undefined ? undefined : new Date(message.sentTimestamp).toISOString(),
    };
  });
}

/** Attributes the dead-letter sink adds: a redriven message goes back as it first came. */
const DEAD_LETTER_ATTRIBUTES = new Set(['deadLetterReason', 'sourceMessageId']);

/**
 * Moves every message of a dead-letter queue back to its source queue, in order, and answers how many
 * moved. Each goes back with its group and attributes and a new deduplication id: within SQS's five
 * minutes the old one would make the source queue drop it as a duplicate.
 */
export async function redriveDeadLetters(sqs: LocalSqs, from: string, to: string): Promise<number> {
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
    if (Messages.length === 0) return moved;
    for (const message of Messages) {
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        if (!DEAD_LETTER_ATTRIBUTES.has(name)) attributes[name] = value;
      }
      const deduplicationId = message.Attributes?.MessageDeduplicationId ?? message.MessageId ?? 'message';
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: to,
          MessageBody: message.Body ?? '',
          MessageGroupId: message.Attributes?.MessageGroupId ?? 'redrive',
          MessageDeduplicationId: `${deduplicationId.slice(0, 80)}.redrive-${Date.now().toString(36)}-${moved}`,
          MessageAttributes: attributes,
        }),
        { abortSignal: AbortSignal.timeout(5_000) },
      );
      moved++;
    }
    await sqs.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: from,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
      }),
      { abortSignal: AbortSignal.timeout(5_000) },
    );
  }
}

import { createServer, type Socket } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { EventQueueTimeoutError, SEND_TIMEOUT_MS, SqsEventQueue } from '#functions/lib/aws/event-queue.ts';
import type { QueuedEvent } from '#functions/lib/webhooks/ports.ts';

const event: QueuedEvent = {
  body: '{}',
  groupId: 'conv-1',
  deduplicationId: 'd'.repeat(64),
  attributes: { route: 'connector', eventType: 'test', receivedAt: '2026-11-23T10:00:00.000Z', accountId: '12345678' },
};

/** An endpoint that accepts connections and never answers: a sick SQS. */
async function silentEndpoint(): Promise<{ queueUrl: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => void sockets.add(socket.on('error', () => {})));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    queueUrl: `http://127.0.0.1:${address.port}/123456789012/events.fifo`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('SqsEventQueue', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('gives up within its budget, retries included, when SQS does not answer', async () => {
    const silent = await silentEndpoint();
    close = silent.close;
    const started = Date.now();
    const error = await new SqsEventQueue({ queueUrl: silent.queueUrl }).send(event).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(EventQueueTimeoutError);
    expect(String(error)).toContain(`SQS did not confirm the write within ${SEND_TIMEOUT_MS} ms`);
    // Well inside LivePerson's 2.5 s slow-endpoint rule (and its 5 s read timeout).
    expect(elapsed).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(SEND_TIMEOUT_MS + 400);
  });

  it('leaves nothing armed once SQS has confirmed: the send is never aborted afterwards', async () => {
    const signals: AbortSignal[] = [];
    const client = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
        if (options?.abortSignal) signals.push(options.abortSignal);
        return Promise.resolve({ MessageId: 'm-1' });
      },
    } as unknown as SQSClient;
    await new SqsEventQueue({ queueUrl: 'http://127.0.0.1:9/123456789012/events.fifo', client, timeoutMs: 30 }).send(event);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('passes a quick failure (connection refused) on as it is', async () => {
    const closed = await silentEndpoint();
    await closed.close();
    const error = await new SqsEventQueue({ queueUrl: closed.queueUrl }).send(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(EventQueueTimeoutError);
  });
});

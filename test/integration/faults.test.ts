/**
 * Failure testing on the local stack: an SQS outage during ingestion, a processor crash in the
 * middle of a batch, LivePerson failing or slow for C2M and the connector, a rotated secret.
 * Each time: nothing lost, nothing handled twice, and a clear result.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackEvent } from '#local/stack.ts';
import { contentEventChange, messagingNotification, SIMULATOR_DEFAULTS, type LivePersonSimulator } from '#simulator/index.ts';

describe('failure testing on the local stack', () => {
  let stack: LocalStack;
  let sim: LivePersonSimulator;
  const seen: LocalStackEvent[] = [];
  beforeAll(async () => {
    stack = await startLocalStack({ configCacheSeconds: 1, visibilityTimeoutSeconds: 1 });
    sim = stack.simulator as LivePersonSimulator;
    stack.events.on('event', (event) => seen.push(event));
  });
  afterAll(() => stack.stop());

  const publishedMessages = (conversationId: string) =>
    stack.aws
      .events()
      .filter((e) => e.detailType === 'ContentEvent' && (e.detail as { conversationId?: string }).conversationId === conversationId)
      .map((e) => (e.detail as { message: string }).message);
  const waitFor = async (check: () => boolean, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    return check();
  };
  const message = (conversationId: string, sequence: number, text: string) =>
    messagingNotification(
      contentEventChange({
        conversationId,
        originatorId: 'consumer-f',
        role: 'CONSUMER',
        sequence,
        serverTimestamp: Date.now(),
        message: text,
      }),
    );

  it('SQS down during ingestion: the receiver answers 503, LivePerson redelivers, the event arrives once', async () => {
    const conversationId = `sqs-outage-${randomUUID()}`;
    stack.faults.sqsAvailable(false);
    const restore = setTimeout(() => stack.faults.sqsAvailable(true), 600);
    try {
      const delivery = await sim.webhooks.send(`${stack.urls.webhooks}/connector`, message(conversationId, 1, 'sent during the outage'), {
        redelivery: { backoffScale: 0.05 },
      });
      expect(delivery.state).toBe('delivered');
      const statuses = delivery.attempts.map((attempt) => attempt.status);
      expect(statuses[0]).toBe(503);
      expect(statuses.at(-1)).toBe(200);
    } finally {
      clearTimeout(restore);
      stack.faults.sqsAvailable(true);
    }
    expect(await waitFor(() => publishedMessages(conversationId).length === 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(publishedMessages(conversationId)).toEqual(['sent during the outage']);
  });

  it('processor crash mid-batch: the batch comes back, each event is handled once', async () => {
    const conversations = [0, 1, 2].map((i) => `crash-${i}-${randomUUID()}`);
    stack.faults.crashProcessorAfter(1);
    await stack.sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queues.events,
        Entries: conversations.map((conversationId, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify(message(conversationId, 1, `crash test ${i}`)),
          MessageGroupId: conversationId,
          MessageDeduplicationId: conversationId,
          MessageAttributes: { route: { DataType: 'String', StringValue: 'connector' } },
        })),
      }),
    );
    expect(await waitFor(() => conversations.every((c) => publishedMessages(c).length >= 1))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(conversations.map((c) => publishedMessages(c))).toEqual([['crash test 0'], ['crash test 1'], ['crash test 2']]);
    expect(seen.some((e) => e.kind === 'batch' && e.error?.includes('simulated crash'))).toBe(true);
  });

  it('C2M answers 503 once: the retry fits in the budget and the caller is invited', async () => {
    sim.fail({ service: 'connectToMessagingDomain', status: 503, times: 1 });
    const output = await stack.invokeC2m('+12065550171', { action: 'deflect' });
    expect(output).toMatchObject({ result: 'INVITED', errorCode: '' });
  });

  it('C2M too slow: the answer is ERROR/TIMEOUT before the Lambda timeout', async () => {
    sim.fail({ service: 'connectToMessagingDomain', delayMs: 9_000 });
    const started = Date.now();
    const output = await stack.invokeC2m('+12065550172', { action: 'eligibility' });
    expect(output).toMatchObject({ result: 'ERROR', errorCode: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(7_000);
  });

  it('the Connector API rate-limits once: the command still goes through, once', async () => {
    sim.fail({ service: 'asyncMessagingEnt', status: 429, times: 1 });
    const consumerId = `rate-limited-${randomUUID()}`;
    const result = (await stack.invokeConnector({ type: 'sendText', commandId: randomUUID(), consumerId, text: 'after a 429' })) as {
      ok: boolean;
      conversationId: string;
    };
    expect(result.ok).toBe(true);
    const conversation = sim.connector.conversations().find((c) => c.conversationId === result.conversationId);
    expect(conversation?.messages.map((m) => m.event)).toEqual([
      { type: 'ContentEvent', contentType: 'text/plain', message: 'after a 429' },
    ]);
  });

  it('a rotated client secret is used within the cache lifetime', async () => {
    const secretId = `liveperson/${stack.accountId}/credentials`;
    const rotated = {
      clientId: SIMULATOR_DEFAULTS.clientId,
      clientSecret: 'rotated-client-secret',
      webhookToken: SIMULATOR_DEFAULTS.webhookToken,
    };
    const original = stack.aws.secret(secretId) ?? '';
    stack.aws.setSecret(secretId, JSON.stringify(rotated));
    try {
      const conversationId = `rotation-${randomUUID()}`;
      // LivePerson now signs with the new secret; the receiver re-reads the secret on the mismatch and answers 200.
      const delivery = await sim.webhooks.send(
        `${stack.urls.webhooks}/connector`,
        message(conversationId, 1, 'signed with the new secret'),
        {
          clientSecret: rotated.clientSecret,
          redelivery: { backoffScale: 0.1 },
        },
      );
      expect(delivery.state).toBe('delivered');
      expect(delivery.attempts.at(-1)?.status).toBe(200);
      expect(await waitFor(() => publishedMessages(conversationId).length === 1)).toBe(true);
    } finally {
      stack.aws.setSecret(secretId, original);
    }
  });
});

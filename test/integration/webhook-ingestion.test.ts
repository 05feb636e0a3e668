/**
 * LivePerson (the simulator) → HTTP (the local API Gateway) → the real webhook-receiver handler →
 * SQS (fauxqs): signed webhooks arrive in the queue unchanged, grouped by conversation, once.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalApiGateway, type LocalApiGateway } from '#local/api-gateway.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import {
  contentEventChange,
  conversationChange,
  conversationNotification,
  messagingNotification,
  SIMULATOR_DEFAULTS,
  startLivePersonSimulator,
  type LivePersonSimulator,
} from '#simulator/index.ts';

describe('webhook ingestion, end to end on loopback', () => {
  const secrets = mockClient(SecretsManagerClient);
  let sim: LivePersonSimulator;
  let sqs: LocalSqs;
  let gateway: LocalApiGateway;
  let queueUrl: string;
  const received: Message[] = [];

  beforeAll(async () => {
    [sim, sqs] = await Promise.all([startLivePersonSimulator(), startLocalSqs()]);
    queueUrl = await sqs.createQueue('events.fifo');
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        clientId: sim.credentials.clientId,
        clientSecret: sim.credentials.clientSecret,
        webhookToken: SIMULATOR_DEFAULTS.webhookToken,
      }),
    });
    vi.stubEnv('LP_ACCOUNT_ID', sim.accountId);
    vi.stubEnv('LP_SECRET_ID', 'liveperson/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/domains/');
    vi.stubEnv('EVENT_QUEUE_URL', queueUrl);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
    vi.resetModules();
    const { handler } = await import('#functions/webhook-receiver/index.ts');
    gateway = await startLocalApiGateway({ handler });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    secrets.restore();
    await sim.close();
    await Promise.all([gateway.stop(), sqs.stop()]);
  });

  async function drain(): Promise<Message[]> {
    for (;;) {
      const { Messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['MessageGroupId'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return received;
      for (const message of Messages) {
        received.push(message);
        await sqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }

  const consumer = { originatorId: 'consumer-1', role: 'CONSUMER' as const };
  const connectorUrl = () => `${gateway.url}/webhooks/connector`;

  it('queues every signed notification unchanged, in order within its conversation', async () => {
    const texts = ['hello 👋', 'order #42 😀', '你好', 'last one'];
    for (const [i, message] of texts.entries()) {
      await sim.webhooks.send(
        connectorUrl(),
        messagingNotification(
          contentEventChange({ ...consumer, conversationId: 'conv-a', sequence: i, serverTimestamp: 1_700_000_000_000 + i, message }),
        ),
        { algorithm: i % 2 === 0 ? 'sha1' : 'sha256' },
      );
    }
    await sim.webhooks.send(
      connectorUrl(),
      conversationNotification(
        conversationChange({
          convId: 'conv-b',
          participants: [{ id: 'consumer-2', role: 'CONSUMER' }],
          brandId: sim.accountId,
          state: 'OPEN',
          startTs: 1_700_000_000_000,
          metaDataLastUpdateTs: 1_700_000_000_001,
        }),
      ),
    );
    await sim.webhooks.idle();
    const deliveries = sim.webhooks.deliveries();
    expect(deliveries.map((d) => [d.state, d.attempts.at(-1)?.status])).toEqual(Array(5).fill(['delivered', 200]));

    const messages = await drain();
    const inA = messages.filter((m) => m.Attributes?.MessageGroupId === 'conv-a');
    expect(inA.map((m) => JSON.parse(m.Body ?? '').body.changes[0].event.message)).toEqual(texts);
    expect(messages.map((m) => m.Body).sort()).toEqual(deliveries.map((d) => d.body).sort());
    expect(messages.find((m) => m.Attributes?.MessageGroupId === 'conv-b')?.MessageAttributes?.eventType?.StringValue).toBe(
      'cqm.ExConversationChangeNotification',
    );
  });

  it('lets a redelivered duplicate through the receiver but not into the queue twice', async () => {
    const first = sim.webhooks.deliveries()[0];
    const duplicate = await sim.webhooks.redeliver(first?.id ?? '');
    expect(duplicate.attempts.at(-1)?.status).toBe(200);
    expect(await drain()).toHaveLength(5);
  });

  it('refuses a notification signed with another secret; LivePerson retries until it gives up; nothing is queued', async () => {
    const delivery = await sim.webhooks.send(
      connectorUrl(),
      messagingNotification(
        contentEventChange({ ...consumer, conversationId: 'conv-c', sequence: 1, serverTimestamp: 1, message: 'forged' }),
      ),
      { clientSecret: 'not-the-secret', redelivery: { backoffScale: 0.001, retentionMs: 300 } },
    );
    expect(delivery.state).toBe('dropped');
    expect(new Set(delivery.attempts.map((a) => a.status))).toEqual(new Set([401]));
    expect(await drain()).toHaveLength(5);
  });
});

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ReceiverModule from '#functions/webhook-receiver/index.ts';
import { signWebhookBody } from '#functions/lib/liveperson/webhook-signature.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { apiGatewayEvent } from '#test/support/api-gateway-event.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureProcessOutput } from '#test/support/log-capture.ts';
import { chatStateNotification, contentNotification } from '#test/support/notifications.ts';

type ReceiverHandler = (typeof ReceiverModule)['handler'];

const ACCOUNT = '12345678';
const secret = { clientId: 'client-1', clientSecret: 'client-secret-1', webhookToken: 'messaging-token-0123456789' };

describe('webhook-receiver handler with a real SQS-protocol queue', () => {
  const secrets = mockClient(SecretsManagerClient);
  let sqs: LocalSqs;
  let queueUrl: string;
  let handler: ReceiverHandler;

  beforeAll(async () => {
    sqs = await startLocalSqs();
    queueUrl = await sqs.createQueue('events.fifo');
    vi.stubEnv('LP_ACCOUNT_ID', ACCOUNT);
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('EVENT_QUEUE_URL', queueUrl);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
    vi.resetModules();
    ({ handler } = await import('#functions/webhook-receiver/index.ts'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    secrets.restore();
    await sqs.stop();
  });
  // Empty the queue before each test so each sees only its own messages.
  beforeEach(async () => {
    while ((await drain(true)).length > 0);
  });

  /** Receives what is queued; `andDelete` empties the queue. */
  async function drain(andDelete = false) {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
        WaitTimeSeconds: 0,
        VisibilityTimeout: andDelete ? 0 : 30,
      }),
    );
    if (andDelete) {
      for (const m of Messages) await sqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    return Messages;
  }

  /** Empties the queue and returns all it held: one receive hands out one message per FIFO group. */
  async function drainAll() {
    const all = [];
    for (let batch = await drain(true); batch.length > 0; batch = await drain(true)) all.push(...batch);
    return all;
  }

  function signed(body: string, base64 = false, clientSecret = secret.clientSecret) {
    const raw = Buffer.from(body, 'utf8');
    return apiGatewayEvent({
      resource: '/webhooks/connector',
      path: '/webhooks/connector',
      body: raw,
      base64,
      headers: {
        'Content-Type': 'application/json',
        'X-LivePerson-Account-Id': ACCOUNT,
        'X-LivePerson-Client-Id': secret.clientId,
        'X-LivePerson-Signature': signWebhookBody(raw, clientSecret, 'sha256'),
      },
    });
  }

  it('queues a base64-encoded signed body unchanged, with group, deduplication id and attributes', async () => {
    const body = JSON.stringify(contentNotification('conv-b64', 'emoji 😀 and 中文'));
    const result = await handler(signed(body, true), lambdaContext('webhook-receiver'));
    expect(result).toMatchObject({ statusCode: 200, body: '{"status":"accepted"}' });
    const [message, ...rest] = await drain();
    expect(rest).toEqual([]);
    expect(message?.Body).toBe(body);
    expect(message?.Attributes).toMatchObject({
      MessageGroupId: 'conv-b64',
      MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(message?.MessageAttributes?.eventType?.StringValue).toBe('ms.MessagingEventNotification.ContentEvent');
    expect(message?.MessageAttributes?.route?.StringValue).toBe('connector');
    expect(message?.MessageAttributes?.accountId?.StringValue).toBe(ACCOUNT);
  });

  it('lets SQS drop a redelivered duplicate', async () => {
    const body = JSON.stringify(contentNotification('conv-dup'));
    expect((await handler(signed(body), lambdaContext('webhook-receiver'))).statusCode).toBe(200);
    expect((await handler(signed(body), lambdaContext('webhook-receiver'))).statusCode).toBe(200);
    expect(await drainAll()).toHaveLength(1);
  });

  it('lets a genuine repeat of a chat state through SQS deduplication', async () => {
    const body = JSON.stringify(chatStateNotification('conv-typing', 'COMPOSING'));
    expect((await handler(signed(body), lambdaContext('webhook-receiver'))).statusCode).toBe(200);
    expect((await handler(signed(body), lambdaContext('webhook-receiver'))).statusCode).toBe(200);
    expect((await drainAll()).map((m) => m.Body)).toEqual([body, body]);
  });

  it('queues nothing for a rejected webhook and says why', async () => {
    const event = signed(JSON.stringify(contentNotification('conv-x')));
    event.headers['X-LivePerson-Signature'] = 'sha1=AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const result = await handler(event, lambdaContext('webhook-receiver'));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid-signature' });
    expect(await drain()).toEqual([]);
  });

  it('takes the messaging route with its URL token', async () => {
    const event = apiGatewayEvent({
      resource: '/webhooks/messaging/{token}',
      path: `/webhooks/messaging/${secret.webhookToken}`,
      pathParameters: { token: secret.webhookToken },
      body: '{"conversationId":"conv-m"}',
      headers: { 'content-type': 'application/json' },
    });
    expect((await handler(event, lambdaContext('webhook-receiver'))).statusCode).toBe(200);
    expect((await drain())[0]?.Attributes?.MessageGroupId).toBe('conv-m');
  });

  it('answers 404 for a resource it does not serve', async () => {
    const event = apiGatewayEvent({ resource: '/other', path: '/other', body: '{}' });
    expect((await handler(event, lambdaContext('webhook-receiver'))).statusCode).toBe(404);
  });

  describe('with a fresh container', () => {
    const rotated = { ...secret, clientSecret: 'rotated-client-secret-2' };
    const secretReads = () => secrets.commandCalls(GetSecretValueCommand).length;
    async function coldStart(): Promise<ReceiverHandler> {
      vi.resetModules();
      const fresh = (await import('#functions/webhook-receiver/index.ts')).handler;
      // The cold-start read of the secret.
      await vi.waitFor(() => expect(secretReads()).toBeGreaterThan(0));
      return fresh;
    }
    beforeEach(() => {
      secrets.resetHistory();
    });

    it('accepts a webhook signed with a rotated secret on its first delivery, long before the cache expires', async () => {
      const fresh = await coldStart();
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(rotated) });
      try {
        const result = await fresh(
          signed(JSON.stringify(contentNotification('conv-rotated')), false, rotated.clientSecret),
          lambdaContext('webhook-receiver'),
        );
        expect(result.statusCode).toBe(200);
        expect(await drain()).toHaveLength(1);
        // Re-read once; from then on the new secret is the cached one.
        expect(secretReads()).toBe(2);
        const next = await fresh(
          signed(JSON.stringify(contentNotification('conv-rotated', 'again', 2)), false, rotated.clientSecret),
          lambdaContext('webhook-receiver'),
        );
        expect(next.statusCode).toBe(200);
        expect(secretReads()).toBe(2);
      } finally {
        secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
      }
    });

    it('re-reads the secret at most once per interval however many forged signatures arrive', async () => {
      const fresh = await coldStart();
      const forged = () => signed(JSON.stringify(contentNotification('conv-forged')), false, 'guessed-secret');
      const results = await Promise.all(Array.from({ length: 5 }, () => fresh(forged(), lambdaContext('webhook-receiver'))));
      for (let i = 0; i < 5; i++) results.push(await fresh(forged(), lambdaContext('webhook-receiver')));
      expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(401));
      expect(secretReads()).toBe(2);
    });

    it('never logs the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
      vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
      const capture = captureProcessOutput();
      try {
        const fresh = await coldStart();
        const event = signed(JSON.stringify(contentNotification('conv-logged', 'private words')));
        expect((await fresh(event, lambdaContext('webhook-receiver'))).statusCode).toBe(200);
        const logged = capture.lines().map((l) => l.line);
        expect(logged.some((line) => line.includes('webhook accepted'))).toBe(true);
        expect(
          logged.filter((line) => line.includes('private words') || line.includes(event.headers['X-LivePerson-Signature'] ?? '-')),
        ).toEqual([]);
      } finally {
        capture.restore();
        vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', undefined);
        vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
      }
    });
  });

  describe('when AWS fails', () => {
    it('answers 503 when SQS does not confirm the write, so LivePerson delivers again', async () => {
      const sqsMock = mockClient(SQSClient);
      sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }));
      try {
        const result = await handler(signed(JSON.stringify(contentNotification('conv-down'))), lambdaContext('webhook-receiver'));
        expect(result.statusCode).toBe(503);
        expect(JSON.parse(result.body)).toMatchObject({ error: 'queue-unavailable' });
        // The AWS error names accounts, roles and queues: for the log, not the caller.
        expect(result.body).not.toContain('internal error');
      } finally {
        sqsMock.restore();
      }
    });

    it('answers 503 while the secret cannot be read', async () => {
      vi.resetModules();
      secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('Access denied'), { name: 'AccessDeniedException' }));
      try {
        const fresh = (await import('#functions/webhook-receiver/index.ts')).handler;
        const result = await fresh(signed(JSON.stringify(contentNotification('conv-nosecret'))), lambdaContext('webhook-receiver'));
        expect(result.statusCode).toBe(503);
        expect(JSON.parse(result.body)).toMatchObject({ error: 'credentials-unavailable' });
        expect(await drain()).toEqual([]);
      } finally {
        secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
      }
    });
  });
});

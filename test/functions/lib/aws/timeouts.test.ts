// The AWS clients the functions build by default (the stores, the dead-letter sink, the receiver's
// queue, the publisher, the secret and the domain parameters), against an endpoint that accepts
// connections and never answers: each call must fail with a timeout, never wait for ever. Only the
// production entry points are used, so this runs against any version of them. Every test is bounded
// by the slowest client's worst case (clients.ts: DynamoDB, SQS, EventBridge 3 attempts × 2 s) plus room.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsSource, SsmDomainSource } from '#functions/lib/aws/config.ts';
import { ConfigurationError } from '#functions/lib/errors.ts';
import { DynamoDbConsumerStore } from '#functions/lib/aws/consumer-store.ts';
import { DynamoDbConversationStateStore } from '#functions/lib/aws/conversation-state.ts';
import { SqsDeadLetterSink } from '#functions/lib/aws/dead-letter.ts';
import { EventBridgePublisher } from '#functions/lib/aws/event-bus.ts';
import { createSqsClient } from '#functions/lib/aws/event-queue.ts';
import { startSilentEndpoint, type SilentEndpoint } from '#test/support/silent-endpoint.ts';

const BOUND = { timeout: 12_000 };
const SERVICES = ['DYNAMODB', 'SQS', 'EVENTBRIDGE', 'SECRETS_MANAGER', 'SSM'] as const;
const QUEUE_PATH = '/123456789012/dead-letter.fifo';

describe.concurrent('default AWS clients against an endpoint that accepts connections and never answers', () => {
  let silent: SilentEndpoint;
  beforeAll(async () => {
    silent = await startSilentEndpoint();
    for (const service of SERVICES) vi.stubEnv(`AWS_ENDPOINT_URL_${service}`, silent.url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await silent.close();
  });

  it('DynamoDB: the conversation state store fails the call with a TimeoutError', BOUND, async () => {
    const store = new DynamoDbConversationStateStore({ tableName: 'state' });
    await expect(store.get('conv-1')).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('DynamoDB: the consumer store fails the call with a TimeoutError', BOUND, async () => {
    const store = new DynamoDbConsumerStore({ tableName: 'state' });
    await expect(store.get('consumer-1')).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('SQS: a dead-letter move fails with a TimeoutError', BOUND, async () => {
    const sink = new SqsDeadLetterSink({ queueUrl: `${silent.url}${QUEUE_PATH}` });
    const record = { messageId: 'm1', body: '{}', groupId: 'g', deduplicationId: 'd', attributes: {} };
    await expect(sink.send(record, 'broken')).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it("SQS: the receiver's client fails a send with a TimeoutError even without the queue's own deadline", BOUND, async () => {
    const send = createSqsClient().send(
      new SendMessageCommand({ QueueUrl: `${silent.url}${QUEUE_PATH}`, MessageBody: '{}', MessageGroupId: 'g' }),
    );
    await expect(send).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('EventBridge: a publish fails with a TimeoutError', BOUND, async () => {
    const publisher = new EventBridgePublisher({ busName: 'bus', retryDelaysMs: [] });
    await expect(publisher.publish([{ source: 'test', detailType: 'Test', detail: {} }])).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it("Secrets Manager: the credentials read fails on the SDK's own timeout", BOUND, async () => {
    // The source's own read budget set far out: this is about the client's timeouts.
    const error = await new CredentialsSource({ secretId: 'lp/creds', readTimeoutMs: 60_000 }).get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toMatch(/cannot read secret lp\/creds: TimeoutError: @smithy\/node-http-handler/);
  });

  it('SSM: a domain parameter read fails with a timeout (the resolver then asks CSDS)', BOUND, async () => {
    const error = await new SsmDomainSource({ path: '/liveperson/12345678/domains/' }).get('sentinel').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toMatch(/cannot read SSM parameter \/liveperson\/12345678\/domains\/sentinel: TimeoutError/);
  });
});

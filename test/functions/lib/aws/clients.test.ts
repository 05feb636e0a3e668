// Every client factory of clients.ts, against an endpoint that accepts connections and never
// answers: the call rejects with a TimeoutError within its budget (each test is bounded by the
// client's worst case plus room), and every attempt reached the endpoint.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AWS_CALL_BUDGETS,
  dynamoDbClient,
  eventBridgeClient,
  requestHandlerOptions,
  secretsManagerClient,
  sqsClient,
  ssmClient,
} from '#functions/lib/aws/clients.ts';
import { callBound as bound, startSilentEndpoint, type SilentEndpoint } from '#test/support/silent-endpoint.ts';

describe('requestHandlerOptions', () => {
  it('sets every timeout, and makes the request timeout an error rather than a warning', () => {
    for (const budget of Object.values(AWS_CALL_BUDGETS)) {
      expect(requestHandlerOptions(budget)).toEqual({
        connectionTimeout: budget.connectionTimeoutMs,
        requestTimeout: budget.requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: budget.requestTimeoutMs,
      });
    }
  });
});

describe.concurrent('every client factory against an endpoint that accepts connections and never answers', () => {
  // One endpoint per service, so each test can count its own attempts.
  const endpoints = new Map<string, SilentEndpoint>();
  const SERVICES = ['DYNAMODB', 'SQS', 'EVENTBRIDGE', 'SECRETS_MANAGER', 'SSM'] as const;
  beforeAll(async () => {
    for (const service of SERVICES) {
      const endpoint = await startSilentEndpoint();
      endpoints.set(service, endpoint);
      vi.stubEnv(`AWS_ENDPOINT_URL_${service}`, endpoint.url);
    }
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([...endpoints.values()].map((endpoint) => endpoint.close()));
  });
  const attempts = (service: (typeof SERVICES)[number]) => endpoints.get(service)?.connections();

  it('DynamoDB', bound(AWS_CALL_BUDGETS.dynamoDb), async () => {
    await expect(dynamoDbClient().send(new GetItemCommand({ TableName: 't', Key: { k: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(attempts('DYNAMODB')).toBe(AWS_CALL_BUDGETS.dynamoDb.maxAttempts);
  });

  it('SQS', bound(AWS_CALL_BUDGETS.sqs), async () => {
    const queueUrl = `${endpoints.get('SQS')?.url}/123456789012/q.fifo`;
    await expect(
      sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}', MessageGroupId: 'g' })),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(attempts('SQS')).toBe(AWS_CALL_BUDGETS.sqs.maxAttempts);
  });

  it('EventBridge', bound(AWS_CALL_BUDGETS.eventBridge), async () => {
    const put = eventBridgeClient().send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
    await expect(put).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(attempts('EVENTBRIDGE')).toBe(AWS_CALL_BUDGETS.eventBridge.maxAttempts);
  });

  it('Secrets Manager', bound(AWS_CALL_BUDGETS.secretsManager), async () => {
    await expect(secretsManagerClient().send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(attempts('SECRETS_MANAGER')).toBe(AWS_CALL_BUDGETS.secretsManager.maxAttempts);
  });

  it('SSM, with the budget of the request path and with the one of domain-refresh', bound(AWS_CALL_BUDGETS.ssmDomainRefresh), async () => {
    await Promise.all(
      [ssmClient(), ssmClient(AWS_CALL_BUDGETS.ssmDomainRefresh)].map((client) =>
        expect(client.send(new GetParameterCommand({ Name: '/p' }))).rejects.toMatchObject({ name: 'TimeoutError' }),
      ),
    );
    expect(attempts('SSM')).toBe(AWS_CALL_BUDGETS.ssm.maxAttempts + AWS_CALL_BUDGETS.ssmDomainRefresh.maxAttempts);
  });
});

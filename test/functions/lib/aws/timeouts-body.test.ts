// The request timer of node-http-handler stops at the response headers: only the socket timeout
// guards the body. Every client factory, against an endpoint that answers the headers and then
// stalls: the call must fail, not wait for the rest of the body.
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
  secretsManagerClient,
  sqsClient,
  ssmClient,
} from '#functions/lib/aws/clients.ts';
import { callBound as bound, startStallingBodyEndpoint, type SilentEndpoint } from '#test/support/silent-endpoint.ts';
const SERVICES = ['DYNAMODB', 'SQS', 'EVENTBRIDGE', 'SECRETS_MANAGER', 'SSM'] as const;

describe.concurrent('AWS calls against an endpoint that sends the headers and then stalls the body', () => {
  let stalling: SilentEndpoint;
  beforeAll(async () => {
    stalling = await startStallingBodyEndpoint();
    for (const service of SERVICES) vi.stubEnv(`AWS_ENDPOINT_URL_${service}`, stalling.url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await stalling.close();
  });

  const calls = [
    {
      name: 'DynamoDB',
      budget: AWS_CALL_BUDGETS.dynamoDb,
      call: () => dynamoDbClient().send(new GetItemCommand({ TableName: 't', Key: { k: { S: 'a' } } })),
    },
    {
      name: 'SQS',
      budget: AWS_CALL_BUDGETS.sqs,
      call: () =>
        sqsClient().send(
          new SendMessageCommand({ QueueUrl: `${stalling.url}/123456789012/q.fifo`, MessageBody: '{}', MessageGroupId: 'g' }),
        ),
    },
    {
      name: 'EventBridge',
      budget: AWS_CALL_BUDGETS.eventBridge,
      call: () => eventBridgeClient().send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })),
    },
    {
      name: 'Secrets Manager',
      budget: AWS_CALL_BUDGETS.secretsManager,
      call: () => secretsManagerClient().send(new GetSecretValueCommand({ SecretId: 's' })),
    },
    { name: 'SSM', budget: AWS_CALL_BUDGETS.ssm, call: () => ssmClient().send(new GetParameterCommand({ Name: '/p' })) },
  ];
  for (const { name, budget, call } of calls) {
    it(`${name}: fails instead of waiting for the rest of the body`, bound(budget), async () => {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ message: expect.stringMatching(/timed out after \d+ ms of inactivity/) });
    });
  }
});

// connector-send deployed as it is (no LP_ALLOW_INSECURE_HOSTS), with the simulator's plain-http URL as
// CSDS URL and in SSM: the command fails (TEMPORARY_FAILURE, so SQS retries it and a fixed configuration
// lets it through) and nothing, no client secret and no message, is sent to that host.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandOutcome } from '#functions/lib/connector/commands.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY, type LocalDynamoDb } from '#local/dynamodb.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { sqsEvent, sqsRecord } from '#test/support/sqs-event.ts';

describe('connector-send without the opt-in for plain http', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let dynamo: LocalDynamoDb;
  let sqs: LocalSqs;
  let sim: LivePersonSimulator;
  let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

  beforeAll(async () => {
    [dynamo, sqs, sim] = await Promise.all([startLocalDynamoDb(), startLocalSqs(), startLivePersonSimulator()]);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
    vi.stubEnv('LP_ACCOUNT_ID', sim.accountId);
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('LP_CSDS_URL', sim.url);
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'false');
    vi.stubEnv('STATE_TABLE_NAME', await dynamo.createTable('state', STATE_TABLE_KEY));
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', await dynamo.createTable('idempotency', IDEMPOTENCY_TABLE_KEY));
    vi.stubEnv('OUTBOUND_DEAD_LETTER_QUEUE_URL', await sqs.createQueue('outbound-dlq.fifo'));
    vi.stubEnv('OUTBOUND_QUEUE_URL', await sqs.createQueue('outbound.fifo'));
    vi.stubEnv('CONNECTOR_DEFAULT_SKILL_ID', '');
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(sim.credentials) });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: sim.url } });
    vi.resetModules();
    ({ handler } = (await import('#functions/connector-send/index.ts')) as unknown as { handler: typeof handler });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    secrets.restore();
    ssm.restore();
    await Promise.all([dynamo.stop(), sqs.stop(), sim.close()]);
  });

  it('fails a direct command with the refusal, sending nothing', async () => {
    const outcome = (await handler(
      { type: 'sendText', commandId: 'c-1', consumerId: 'ada', text: 'hello' },
      lambdaContext('connector-send', 10_000),
    )) as CommandOutcome;

    expect(outcome).toMatchObject({ ok: false, commandId: 'c-1', error: { code: 'TEMPORARY_FAILURE', retryable: true } });
    expect(outcome.ok ? '' : outcome.error.message).toContain(`host refused, nothing sent: ${sim.url} is not https`);
    expect(sim.requests()).toEqual([]);
  });

  it('gives a queued command back to SQS, sending nothing', async () => {
    const result = (await handler(
      sqsEvent(sqsRecord({ type: 'sendText', commandId: 'q-1', consumerId: 'bo', text: 'hello' }, { groupId: 'bo' })),
      lambdaContext('connector-send', 10_000),
    )) as SQSBatchResponse;

    expect(result.batchItemFailures).toHaveLength(1);
    expect(sim.requests()).toEqual([]);
  });
});

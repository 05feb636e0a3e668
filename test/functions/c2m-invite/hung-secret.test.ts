// A container whose cold-start read of the secret never answers: the read is abandoned within its
// budget and the calls read the secret afresh, so they are answered; not TIMEOUT for every call of
// the container, as when they all joined the hung read. Secrets Manager is a stand-in whose first
// GetSecretValue never settles and whose later ones answer; LivePerson is the simulator.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { contactFlowEvent, stubC2mEnvironment } from './contact-flow-event.ts';

describe('c2m-invite when the first read of the secret hangs', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let sim: LivePersonSimulator;

  beforeEach(async () => {
    sim = await startLivePersonSimulator();
    stubC2mEnvironment(sim, { allowInsecureHosts: true });
    secrets.reset();
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    secrets
      .on(GetSecretValueCommand)
      .callsFakeOnce(() => new Promise<never>(() => undefined))
      .resolves({ SecretString: JSON.stringify({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }) });
    vi.resetModules();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await sim.close();
  });

  it('answers the first call and the next ones, reading the secret afresh', { timeout: 15_000 }, async () => {
    const { handler } = await import('#functions/c2m-invite/index.ts');

    // Arrives while the cold-start prefetch is stuck on the secret.
    const first = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
    expect(first).toMatchObject({ result: 'INVITED', errorCode: '' });
    const second = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
    expect(second).toMatchObject({ result: 'INVITED', errorCode: '' });

    // The hung read, then one fresh read (cached from then on), never the hung one again.
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(sim.c2m.invites()).toHaveLength(2);
  });

  it('answers a call that comes after the prefetch gave up', { timeout: 15_000 }, async () => {
    const { handler } = await import('#functions/c2m-invite/index.ts');
    // Past the secret's read budget: the prefetch has failed by now and said so.
    await vi.waitFor(() => expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1));
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const answer = await handler(contactFlowEvent({ action: 'eligibility' }), lambdaContext('c2m-invite', 7_000));
    expect(answer).toMatchObject({ result: 'ELIGIBLE', errorCode: '' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });
});

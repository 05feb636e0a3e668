// c2m-invite deployed as it is (no LP_ALLOW_INSECURE_HOSTS), pointed at the simulator's plain-http URL by
// LP_CSDS_URL and by SSM: it answers the flow with DOMAIN_UNAVAILABLE and sends nothing there, neither the
// CSDS lookup nor the client secret to Sentinel nor the caller's number to C2M.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { contactFlowEvent, stubC2mEnvironment } from './contact-flow-event.ts';

describe('c2m-invite without the opt-in for plain http', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let sim: LivePersonSimulator;

  beforeEach(async () => {
    sim = await startLivePersonSimulator();
    stubC2mEnvironment(sim, { allowInsecureHosts: false });
    secrets.reset();
    ssm.reset();
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }) });
    // As a tampered (or simulator-era) domain parameter would hold it.
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: sim.url } });
    vi.resetModules();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await sim.close();
  });

  it('answers DOMAIN_UNAVAILABLE naming the refused host, and no request reaches it', async () => {
    const { handler } = await import('#functions/c2m-invite/index.ts');
    const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));

    expect(answer).toMatchObject({ result: 'ERROR', errorCode: 'DOMAIN_UNAVAILABLE' });
    expect(answer.errorMessage).toContain(`${sim.url} is not https`);
    expect(answer.errorMessage).not.toContain(sim.credentials.clientSecret);
    // The cold-start prefetch was refused the same way.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sim.requests()).toEqual([]);
  });
});

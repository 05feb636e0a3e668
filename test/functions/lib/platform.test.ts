import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLivePersonPlatform } from '#functions/lib/platform.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';

describe('createLivePersonPlatform', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let sim: LivePersonSimulator;
  const env = () => ({
    LP_ACCOUNT_ID: sim.accountId,
    LP_SECRET_ID: 'lp/creds',
    LP_DOMAIN_PARAMETER_PATH: '/lp/domains/',
    LP_CSDS_URL: sim.url,
    // The simulator is plain http on loopback.
    LP_ALLOW_INSECURE_HOSTS: 'true',
  });

  beforeAll(async () => {
    sim = await startLivePersonSimulator();
    // The DomainResolver reads its host policy from the process environment.
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'true');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await sim.close();
  });
  afterEach(() => {
    secrets.reset();
    ssm.reset();
    sim.clearRequests();
  });

  it('wires the secret, the domains (SSM first, CSDS when a parameter is missing) and the AppJWT, each loaded once', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }),
    });
    ssm.on(GetParameterCommand, { Name: '/lp/domains/sentinel' }).resolves({ Parameter: { Value: sim.url } });
    ssm
      .on(GetParameterCommand, { Name: '/lp/domains/connectToMessagingDomain' })
      .rejects(new ParameterNotFound({ message: 'missing', $metadata: {} }));
    const warnings: string[] = [];
    const platform = createLivePersonPlatform({ env: env(), logger: { warn: (message) => warnings.push(message) } });

    await Promise.all([
      platform.credentials.get(),
      platform.domains.resolve('sentinel'),
      platform.domains.resolve('connectToMessagingDomain'),
    ]);
    await platform.appJwt.getToken();

    expect(sim.requests({ service: 'csds' }).map((r) => r.path)).toEqual([
      `/api/account/${sim.accountId}/service/connectToMessagingDomain/baseURI.json`,
    ]);
    expect(sim.requests({ service: 'sentinel' })).toHaveLength(1);
    expect(platform.appJwt.fetchCount).toBe(1);
    expect(warnings).toEqual([]);
    // Everything is warm now: no more AWS or LivePerson calls.
    await platform.appJwt.getToken();
    await platform.domains.resolve('connectToMessagingDomain');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(sim.requests()).toHaveLength(2);
  });

  it('stops at a clear error for a broken environment before any call', () => {
    expect(() => createLivePersonPlatform({ env: { ...env(), LP_ACCOUNT_ID: '' } })).toThrow(
      'LP_ACCOUNT_ID must be the LivePerson account (site) id',
    );
  });
});

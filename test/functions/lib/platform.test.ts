import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLivePersonPlatform } from '#functions/lib/platform.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { captureProcessOutput } from '../../support/log-capture.ts';

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

  it('logs an unreadable domain parameter with the service it was for, through a real Powertools logger', async () => {
    ssm.on(GetParameterCommand).rejects(new Error('throttled'));
    vi.stubEnv('POWERTOOLS_DEV', 'false'); // one JSON object per line, as on Lambda
    const capture = captureProcessOutput();
    try {
      const logger = new Logger({ serviceName: 'c2m-invite', logLevel: 'WARN' });
      const platform = createLivePersonPlatform({ env: env(), logger });
      // Not a service the test above resolved: the SSM provider's cache outlives a platform.
      await platform.domains.resolve('asyncMessagingEnt');
    } finally {
      capture.restore();
    }
    const lines = capture.lines().map(({ line }) => line);
    // "service" is one of the keys Powertools reserves: under it the field would be dropped with a warning.
    expect(lines.filter((line) => line.includes('reserved key'))).toEqual([]);
    const warning = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.level === 'WARN');
    expect(warning).toMatchObject({
      message: 'domain parameter unreadable, asking CSDS',
      livePersonService: 'asyncMessagingEnt',
      service: 'c2m-invite',
    });
  });

  it('stops at a clear error for a broken environment before any call', () => {
    expect(() => createLivePersonPlatform({ env: { ...env(), LP_ACCOUNT_ID: '' } })).toThrow(
      'LP_ACCOUNT_ID must be the LivePerson account (site) id',
    );
  });
});

import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { LIVEPERSON_SERVICES } from '#functions/lib/liveperson/domains.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureProcessOutput } from '#test/support/log-capture.ts';

const PATH = '/liveperson/12345678/domains/';

describe('domain-refresh handler', () => {
  const ssm = mockClient(SSMClient);
  let sim: LivePersonSimulator;

  beforeAll(async () => {
    sim = await startLivePersonSimulator();
    vi.stubEnv('LP_ACCOUNT_ID', sim.accountId);
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', PATH);
    vi.stubEnv('LP_CSDS_URL', sim.url);
    // The simulator is plain http on loopback.
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'true');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await sim.close();
  });
  beforeEach(() => {
    ssm.reset();
    sim.clearRequests();
    vi.resetModules();
  });

  it('writes the domains CSDS returns and skips the unchanged ones', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: `${PATH}sentinel`, Value: sim.url }] });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const { handler } = await import('#functions/domain-refresh/index.ts');
    const result = await handler({}, lambdaContext('domain-refresh'));
    expect(result.unchanged).toEqual(['sentinel']);
    expect(result.written).toContain('connectToMessagingDomain');
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: `${PATH}idp`, Value: sim.url, Overwrite: true, Type: 'String' });
    expect(ssm).not.toHaveReceivedCommandWith(PutParameterCommand, { Name: `${PATH}sentinel` });
    expect(sim.requests({ service: 'csds' })).toHaveLength(1);
  });

  it('writes only the services the functions use, of the many CSDS lists', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const { handler } = await import('#functions/domain-refresh/index.ts');
    const result = await handler({}, lambdaContext('domain-refresh'));
    expect([...result.written].sort()).toEqual([...LIVEPERSON_SERVICES].sort());
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, LIVEPERSON_SERVICES.length);
    expect(ssm).not.toHaveReceivedCommandWith(PutParameterCommand, { Name: `${PATH}agentVep` });
  });

  it('never logs the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const capture = captureProcessOutput();
    try {
      const { handler } = await import('#functions/domain-refresh/index.ts');
      await handler({ marker: 'event-marker-7d1f' }, lambdaContext('domain-refresh'));
    } finally {
      capture.restore();
      vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'false');
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    }
    const lines = capture.lines().map(({ line }) => line);
    expect(lines.some((line) => line.includes('domains refreshed'))).toBe(true);
    expect(lines.filter((line) => line.includes('event-marker-7d1f'))).toEqual([]);
  });

  it('fails the invocation (so the alarm and the deploy see it) when CSDS refuses', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    sim.fail({ service: 'csds', status: 404, body: { error: 'account not found' } });
    const { handler } = await import('#functions/domain-refresh/index.ts');
    await expect(handler({}, lambdaContext('domain-refresh'))).rejects.toThrow('CSDS lookup of all services: HTTP 404');
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });
});

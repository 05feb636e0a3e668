import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLivePersonSimulator, type LivePersonSimulator } from '../../../simulator/index.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

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
    const { handler } = await import('../../../functions/domain-refresh/index.ts');
    const result = await handler({}, lambdaContext('domain-refresh'));
    expect(result.unchanged).toEqual(['sentinel']);
    expect(result.written).toContain('connectToMessagingDomain');
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: `${PATH}idp`, Value: sim.url, Overwrite: true, Type: 'String' });
    expect(ssm).not.toHaveReceivedCommandWith(PutParameterCommand, { Name: `${PATH}sentinel` });
    expect(sim.requests({ service: 'csds' })).toHaveLength(1);
  });

  it('fails the invocation (so the alarm and the deploy see it) when CSDS refuses', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    sim.fail({ service: 'csds', status: 404, body: { error: 'account not found' } });
    const { handler } = await import('../../../functions/domain-refresh/index.ts');
    await expect(handler({}, lambdaContext('domain-refresh'))).rejects.toThrow('CSDS lookup of all services: HTTP 404');
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });
});

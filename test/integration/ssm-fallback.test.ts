/** With no domain parameters in SSM (domain-refresh never ran), the functions ask CSDS and work. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '#local/stack.ts';

describe('missing SSM domain parameters', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ refreshDomains: false });
  });
  afterAll(() => stack.stop());

  it('falls back to CSDS: C2M still invites, and CSDS was asked for its domain', async () => {
    expect(stack.aws.parameter(`/liveperson/${stack.accountId}/domains/connectToMessagingDomain`)).toBeUndefined();
    const output = await stack.invokeC2m('+12065550181', { action: 'deflect' });
    expect(output).toMatchObject({ result: 'INVITED' });
    const csds = stack.simulator?.requests({ service: 'csds' }).map((r) => r.path) ?? [];
    expect(csds).toContain(`/api/account/${stack.accountId}/service/connectToMessagingDomain/baseURI.json`);
  });
});

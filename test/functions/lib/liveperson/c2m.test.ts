import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  C2M_REGION_DOMAINS,
  C2mClient,
  C2mDomainUnavailableError,
  c2mBaseUrlResolver,
  isC2mPhoneNumber,
  type C2mAuth,
} from '#functions/lib/liveperson/c2m.ts';
import type { DeadlineOption } from '#functions/lib/liveperson/domains.ts';
import {
  DeadlineExceededError,
  LivePersonApiError,
  LivePersonNetworkError,
  LivePersonResponseError,
} from '#functions/lib/liveperson/errors.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { clientsFor } from '#test/support/platform.ts';

const PHONE = '+12061234567';
const ELIGIBILITY = { consumerPhoneNumber: PHONE, skill: 'support', handoffId: 'H123456789' };

describe('C2mClient against the simulator', () => {
  let sim: LivePersonSimulator;
  beforeEach(async () => {
    sim = await startLivePersonSimulator();
  });
  afterEach(() => sim.close());

  function clientFor(options: { auth?: 'app-jwt' | 'api-key'; apiVersion?: string } = {}) {
    const clients = clientsFor(sim);
    const auth: C2mAuth =
      options.auth === 'api-key' ? { kind: 'api-key', credentials: sim.credentials.oauth1 } : { kind: 'app-jwt', appJwt: clients.appJwt };
    const client = new C2mClient({
      accountId: sim.accountId,
      http: clients.http,
      baseUrl: (deadline) => clients.domains.resolve('connectToMessagingDomain', deadline),
      auth: () => auth,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    });
    return { ...clients, client };
  }
  const c2mRequests = () => sim.requests({ service: 'connectToMessagingDomain' });

  it('checks eligibility and invites with a Bearer AppJWT', async () => {
    sim.c2m.setConsumer(PHONE, { eligible: true, availableChannels: ['sms', 'wa'], recommendedChannelName: 'wa' });
    const { client } = clientFor();
    const eligibility = await client.eligibility({ ...ELIGIBILITY, templateVariables: { 1: 'Jane' }, ivrNumber: '180000' });
    expect(eligibility).toEqual({
      eligible: true,
      callId: expect.any(String),
      recommendedChannelName: 'wa',
      availableChannels: ['sms', 'wa'],
    });
    const invitation = await client.invite({ callId: eligibility.callId, overrideChannel: 'sms', overrideMessage: 'hi' });
    expect(invitation).toEqual({ callId: eligibility.callId });

    const [first, second] = c2mRequests();
    expect(first?.path).toBe(`/api/account/${sim.accountId}/eligibility`);
    expect(first?.query).toEqual({ v: '2.0' });
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(JSON.parse(first?.body ?? '')).toEqual({ ...ELIGIBILITY, templateVariables: { 1: 'Jane' }, ivrNumber: '180000' });
    expect(JSON.parse(second?.body ?? '')).toEqual({ callId: eligibility.callId, overrideChannel: 'sms', overrideMessage: 'hi' });
    expect(sim.c2m.invites()).toEqual([expect.objectContaining({ channel: 'sms', overrideMessage: 'hi' })]);
  });

  it('signs with the OAuth 1.0a API key, the query (v=2.0) included', async () => {
    const { client } = clientFor({ auth: 'api-key' });
    const eligibility = await client.eligibility(ELIGIBILITY);
    await client.invite({ callId: eligibility.callId });
    expect(c2mRequests().map((r) => r.status)).toEqual([200, 200]);
    expect(c2mRequests()[0]?.headers.authorization).toMatch(/^OAuth .*oauth_token="sim-access-token"/);
    expect(sim.requests({ service: 'sentinel' })).toEqual([]);
  });

  it('signs every retry afresh with the API key: a new nonce each attempt', async () => {
    sim.fail({ service: 'connectToMessagingDomain', status: 503, times: 1 });
    const { client } = clientFor({ auth: 'api-key' });
    await client.eligibility(ELIGIBILITY);
    const nonces = c2mRequests().map((r) => /oauth_nonce="([^"]+)"/.exec(r.headers.authorization ?? '')?.[1]);
    expect(c2mRequests().map((r) => r.status)).toEqual([503, 200]);
    expect(nonces[0]).toBeDefined();
    expect(nonces[1]).not.toBe(nonces[0]);
  });

  it('refreshes an expired AppJWT once', async () => {
    const { client, appJwt } = clientFor();
    await client.eligibility(ELIGIBILITY);
    sim.expireAppJwts();
    await client.eligibility(ELIGIBILITY);
    expect(appJwt.fetchCount).toBe(2);
    expect(c2mRequests().map((r) => r.status)).toEqual([200, 401, 200]);
  });

  it("gives C2M's own error code and message in a LivePersonApiError", async () => {
    const { client } = clientFor({ apiVersion: '1.0' });
    const error = await client.eligibility(ELIGIBILITY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LivePersonApiError);
    expect(error).toMatchObject({
      operation: 'C2M eligibility',
      status: 400,
      code: '1002',
      apiMessage: 'Invalid version',
      retryable: false,
    });
  });

  it('does not retry a 401 for an API key: there is no token to refresh', async () => {
    const { client } = clientFor({ auth: 'api-key' });
    sim.fail({ service: 'connectToMessagingDomain', status: 401 });
    await expect(client.eligibility(ELIGIBILITY)).rejects.toMatchObject({ status: 401, code: '1100' });
    expect(c2mRequests()).toHaveLength(1);
  });

  it("retries a 429 after C2M's 5 s when the deadline allows it", async () => {
    const { client, waits } = clientFor();
    sim.fail({ service: 'connectToMessagingDomain', status: 429 });
    const eligibility = await client.eligibility(ELIGIBILITY, { deadline: Date.now() + 6_000 });
    expect(eligibility.eligible).toBe(true);
    expect(waits).toEqual([5_000]);
  });

  it('stops with DeadlineExceededError when the 429 retry would not finish in time', async () => {
    const { client, waits } = clientFor();
    sim.fail({ service: 'connectToMessagingDomain', status: 429 });
    const error = await client.eligibility(ELIGIBILITY, { deadline: Date.now() + 3_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toContain('HTTP 429');
    expect((error as Error).cause).toMatchObject({ status: 429, code: '1029' });
    expect(waits).toEqual([]);
  });

  it("retries a 5xx, and without a deadline gives up after C2M's schedule", async () => {
    const { client, waits } = clientFor();
    sim.fail({ service: 'connectToMessagingDomain', status: 503, times: 4 });
    await expect(client.invite({ callId: 'x' })).rejects.toMatchObject({ status: 503, code: '5000' });
    expect(waits).toEqual([5_000, 10_000, 15_000]);
  });

  it('sends no second invitation when an invite attempt times out; eligibility is asked again', async () => {
    const clients = clientsFor(sim);
    const waits: number[] = [];
    const client = new C2mClient({
      accountId: sim.accountId,
      http: new LivePersonHttpClient({ timeoutMs: 150, sleep: async (ms) => void waits.push(ms) }),
      baseUrl: (options) => clients.domains.resolve('connectToMessagingDomain', options),
      auth: () => ({ kind: 'api-key', credentials: sim.credentials.oauth1 }),
    });
    // C2M takes the invitation (and sends the SMS), but answers after the attempt's timeout.
    const { callId } = await client.eligibility(ELIGIBILITY);
    sim.fail({ service: 'connectToMessagingDomain', delayMs: 400 });
    const error = await client.invite({ callId }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LivePersonNetworkError);
    expect((error as Error).message).toContain('not repeated');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(c2mRequests().filter((r) => r.path.endsWith('/invite'))).toHaveLength(1);
    expect(sim.c2m.invites()).toHaveLength(1);

    sim.fail({ service: 'connectToMessagingDomain', delayMs: 400 });
    await expect(client.eligibility(ELIGIBILITY)).resolves.toMatchObject({ eligible: true });
    expect(waits).toEqual([5_000]);
  });

  it('refuses a 2xx answer that breaks the contract', async () => {
    const { client } = clientFor();
    sim.fail({ service: 'connectToMessagingDomain', status: 200, body: { eligible: 'yes' } });
    await expect(client.eligibility(ELIGIBILITY)).rejects.toBeInstanceOf(LivePersonResponseError);
  });

  it('keeps the requested callId when the invite answer omits it', async () => {
    const { client } = clientFor();
    sim.fail({ service: 'connectToMessagingDomain', status: 200, body: {} });
    await expect(client.invite({ callId: 'the-call' })).resolves.toEqual({ callId: 'the-call' });
  });

  it('reports a network failure as LivePersonNetworkError', async () => {
    const clients = clientsFor(sim);
    const client = new C2mClient({
      accountId: sim.accountId,
      http: clients.http,
      baseUrl: () => Promise.resolve('http://127.0.0.1:9'),
      auth: () => ({ kind: 'api-key', credentials: sim.credentials.oauth1 }),
    });
    await expect(client.eligibility(ELIGIBILITY, { deadline: Date.now() + 500 })).rejects.toSatisfy(
      (error) => error instanceof LivePersonNetworkError || error instanceof DeadlineExceededError,
    );
  });
});

describe('c2mBaseUrlResolver', () => {
  const failing = (error: Error) => ({
    resolve: vi.fn<(service: string, options?: DeadlineOption) => Promise<string>>().mockRejectedValue(error),
  });

  it('asks the resolver (SSM, then CSDS) for connectToMessagingDomain', async () => {
    const domains = { resolve: vi.fn().mockResolvedValue('https://va.example') };
    const deadline = Date.now() + 5_000;
    await expect(c2mBaseUrlResolver({ domains })({ deadline })).resolves.toBe('https://va.example');
    expect(domains.resolve).toHaveBeenCalledWith('connectToMessagingDomain', { deadline });
  });

  it('falls back to the region table only when the lookup fails and a region is set', async () => {
    const onFallback = vi.fn();
    const cause = new Error('CSDS down');
    const resolver = c2mBaseUrlResolver({ domains: failing(cause), region: 'lo', onFallback });
    await expect(resolver({ deadline: Date.now() + 5_000 })).resolves.toBe(`https://${C2M_REGION_DOMAINS.lo}`);
    expect(onFallback).toHaveBeenCalledWith('lo', cause);
  });

  it('with a region hint, gives the lookup a short budget so the fallback still has time', async () => {
    const domains = failing(new Error('slow'));
    const deadline = Date.now() + 6_000;
    await c2mBaseUrlResolver({ domains, region: 'va', lookupBudgetMs: 1_500 })({ deadline });
    const lookupDeadline = domains.resolve.mock.calls[0]?.[1]?.deadline ?? 0;
    expect(lookupDeadline).toBeLessThanOrEqual(Date.now() + 1_500);
    expect(lookupDeadline).toBeLessThan(deadline);
  });

  it('without a region hint, fails with C2mDomainUnavailableError', async () => {
    const resolver = c2mBaseUrlResolver({ domains: failing(new Error('no such service')) });
    await expect(resolver({})).rejects.toThrow(C2mDomainUnavailableError);
    await expect(resolver({})).rejects.toThrow(/no connectToMessagingDomain from SSM or CSDS and no region hint: no such service/);
  });

  it("does not guess a domain once the caller's own deadline has passed", async () => {
    const timeout = new DeadlineExceededError('CSDS lookup of connectToMessagingDomain', 'only 0 ms left');
    const resolver = c2mBaseUrlResolver({ domains: failing(timeout), region: 'va' });
    await expect(resolver({ deadline: Date.now() - 1 })).rejects.toBe(timeout);
  });
});

describe('isC2mPhoneNumber', () => {
  it.each([
    ['+12061234567', true],
    ['+441234567890', true],
    ['+12345678901234', true], // 15 characters: C2M's maximum
    ['+123456789012345', false],
    ['12061234567', false],
    ['+02061234567', false],
    ['+1 206 123 4567', false],
    ['anonymous', false],
    ['+1', false],
  ])('%s → %s', (phone, valid) => {
    expect(isC2mPhoneNumber(phone)).toBe(valid);
  });
});

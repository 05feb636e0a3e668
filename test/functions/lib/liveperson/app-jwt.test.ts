import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from '#contract/zod.ts';
import { isAppJwtRejection, jwtExpiry } from '#functions/lib/liveperson/app-jwt.ts';
import { LivePersonApiError } from '#functions/lib/liveperson/errors.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { clientsFor } from '#test/support/platform.ts';

const eligibilitySchema = z.object({ eligible: z.boolean(), callId: z.string() });

describe('AppJwtProvider against the simulator', () => {
  let sim: LivePersonSimulator;
  beforeAll(async () => {
    sim = await startLivePersonSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clearRequests());

  const sentinelCalls = () => sim.requests({ service: 'sentinel' });

  /** A real call that takes a Bearer AppJWT: C2M eligibility. */
  function eligibility(clients: ReturnType<typeof clientsFor>, token: string) {
    return clients.http.requestJson(
      {
        operation: 'C2M eligibility',
        method: 'POST',
        url: `${sim.url}/api/account/${sim.accountId}/eligibility?v=2.0`,
        headers: { authorization: `Bearer ${token}` },
        json: { skill: 'support', consumerPhoneNumber: '+12061234567', handoffId: 'H123456789' },
      },
      eligibilitySchema,
    );
  }

  it('fetches a JWT with client credentials in a form body and caches it', async () => {
    const { appJwt } = clientsFor(sim);
    const token = await appJwt.getToken();
    expect(await appJwt.getToken()).toBe(token);
    expect(appJwt.fetchCount).toBe(1);
    const [call] = sentinelCalls();
    expect(call?.path).toBe(`/sentinel/api/account/${sim.accountId}/app/token`);
    expect(call?.query).toMatchObject({ v: '1.0', grant_type: 'client_credentials' });
    expect(call?.body).toContain(`client_id=${sim.credentials.clientId}`);
    expect(jwtExpiry(token)).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
  });

  it('shares one fetch between concurrent callers (single-flight)', async () => {
    const { appJwt } = clientsFor(sim);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => appJwt.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(sentinelCalls()).toHaveLength(1);
  });

  it('refreshes before the token expires', async () => {
    const shortLived = await startLivePersonSimulator({ appJwtTtlSeconds: 2 });
    try {
      const { appJwt } = clientsFor(shortLived);
      const first = await appJwt.getToken();
      // Refresh happens at most half the lifetime before exp: here after 1 s.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const second = await appJwt.getToken();
      expect(second).not.toBe(first);
      expect(appJwt.fetchCount).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it('refreshes once and retries once when LivePerson answers 401 for an expired token', async () => {
    const clients = clientsFor(sim);
    const first = await clients.appJwt.getToken();
    sim.expireAppJwts();
    const calls: string[] = [];
    const answer = await clients.appJwt.withToken((token) => {
      calls.push(token);
      return eligibility(clients, token);
    });
    expect(answer.eligible).toBe(true);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBe(first);
    expect(calls[1]).not.toBe(first);
    expect(sentinelCalls()).toHaveLength(2);
  });

  it('gives up after the one retry when the fresh token is refused too', async () => {
    const clients = clientsFor(sim);
    let calls = 0;
    const error = await clients.appJwt
      .withToken(async () => {
        calls++;
        throw new LivePersonApiError('C2M eligibility', { status: 401, code: '1100', apiMessage: 'jwt expired' });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivePersonApiError);
    expect(calls).toBe(2);
    expect(sentinelCalls()).toHaveLength(2);
  });

  it('does not refresh the AppJWT for a consumer JWS rejection or another error', async () => {
    const clients = clientsFor(sim);
    for (const error of [
      new LivePersonApiError('send', { status: 401, code: '40103' }),
      new LivePersonApiError('send', { status: 403, code: '1101' }),
    ]) {
      let calls = 0;
      await expect(
        clients.appJwt.withToken(async () => {
          calls++;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
    expect(isAppJwtRejection(new LivePersonApiError('x', { status: 401, code: '40102' }))).toBe(true);
    expect(sentinelCalls()).toHaveLength(1);
  });

  it('reads the credentials at every fetch, so a rotated secret is used', async () => {
    let clientSecret = 'wrong-secret';
    const { appJwt } = clientsFor(sim, { credentials: () => ({ clientId: sim.credentials.clientId, clientSecret }) });
    const error = await appJwt.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivePersonApiError);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(String(error)).not.toContain('wrong-secret');
    clientSecret = sim.credentials.clientSecret;
    await expect(appJwt.getToken()).resolves.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe('jwtExpiry', () => {
  const jwt = (payload: unknown) => `h.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.s`;
  it('reads exp in milliseconds, and nothing from a token without one', () => {
    expect(jwtExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiry('opaque-token')).toBeUndefined();
    expect(jwtExpiry('a.!!!.b')).toBeUndefined();
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { clientsFor } from '#test/support/platform.ts';

describe('ConsumerJwsProvider against the simulator', () => {
  let sim: LivePersonSimulator;
  beforeAll(async () => {
    sim = await startLivePersonSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clearRequests());

  const idpCalls = () => sim.requests({ service: 'idp' });

  it('fetches a JWS with the raw AppJWT and caches it per consumer', async () => {
    const { consumerJws, appJwt } = clientsFor(sim);
    const jws = await consumerJws.getJws('consumer-1');
    expect(await consumerJws.getJws('consumer-1')).toBe(jws);
    expect(await consumerJws.getJws('consumer-2')).not.toBe(jws);
    const [call] = idpCalls();
    expect(call?.path).toBe(`/api/account/${sim.accountId}/consumer`);
    expect(call?.query).toMatchObject({ v: '1.0' });
    expect(call?.headers.authorization).toBe(await appJwt.getToken());
    expect(JSON.parse(call?.body ?? '')).toEqual({ ext_consumer_id: 'consumer-1' });
    expect(idpCalls()).toHaveLength(2);
  });

  it('shares one fetch between concurrent callers for the same consumer', async () => {
    const { consumerJws } = clientsFor(sim);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => consumerJws.getJws('same')));
    expect(new Set(tokens).size).toBe(1);
    expect(idpCalls()).toHaveLength(1);
  });

  it('uses and fills the durable store', async () => {
    const stored = new Map([['known', 'stored-jws']]);
    const store = { get: async (id: string) => stored.get(id), put: async (id: string, jws: string) => void stored.set(id, jws) };
    const { consumerJws } = clientsFor(sim, { store });
    await expect(consumerJws.getJws('known')).resolves.toBe('stored-jws');
    expect(idpCalls()).toHaveLength(0);
    const fresh = await consumerJws.getJws('new-one');
    expect(stored.get('new-one')).toBe(fresh);
  });

  it('refreshes an expired AppJWT once and retries the IdP call', async () => {
    const { consumerJws, appJwt } = clientsFor(sim);
    await appJwt.getToken();
    sim.expireAppJwts();
    await expect(consumerJws.getJws('after-expiry')).resolves.toEqual(expect.any(String));
    expect(idpCalls().map((c) => c.status)).toEqual([401, 201]);
    expect(appJwt.fetchCount).toBe(2);
  });

  it('drops a rejected JWS and keeps the least recently used bounded', async () => {
    const { http, domains, appJwt } = clientsFor(sim);
    const { ConsumerJwsProvider } = await import('#functions/lib/liveperson/consumer-jws.ts');
    const provider = new ConsumerJwsProvider({ accountId: sim.accountId, http, domains, appJwt, maxCachedConsumers: 2 });
    const a = await provider.getJws('a');
    await provider.getJws('b');
    await provider.getJws('a');
    await provider.getJws('c'); // evicts b, the least recently used
    expect(idpCalls()).toHaveLength(3);
    await provider.getJws('a');
    expect(idpCalls()).toHaveLength(3);
    await provider.getJws('b');
    expect(idpCalls()).toHaveLength(4);
    provider.invalidate('a', a);
    await provider.getJws('a');
    expect(idpCalls()).toHaveLength(5);
  });

  it('rejects an empty consumer id without calling LivePerson', async () => {
    const { consumerJws } = clientsFor(sim);
    await expect(consumerJws.getJws('  ')).rejects.toThrow('ext_consumer_id is empty');
    expect(sim.requests()).toHaveLength(0);
  });
});

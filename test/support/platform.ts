/** Builds the LivePerson clients against a running simulator, waiting no real time between retries. */
import { AppJwtProvider } from '#functions/lib/liveperson/app-jwt.ts';
import { ConsumerJwsProvider, type ConsumerJwsStore } from '#functions/lib/liveperson/consumer-jws.ts';
import { DEFAULT_HOST_POLICY, type HostPolicy } from '#contract/host-policy.ts';
import { DomainResolver, type DomainSource } from '#functions/lib/liveperson/domains.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import type { LivePersonSimulator } from '#simulator/index.ts';

/** The simulator is plain http on loopback: tests opt in explicitly, as the local stack does. */
export const SIMULATOR_HOST_POLICY: HostPolicy = { ...DEFAULT_HOST_POLICY, allowInsecureHosts: true };

export function clientsFor(
  sim: LivePersonSimulator,
  options: {
    source?: DomainSource;
    store?: ConsumerJwsStore;
    cacheTtlMs?: number;
    credentials?: () => { clientId: string; clientSecret: string };
  } = {},
) {
  const waits: number[] = [];
  const http = new LivePersonHttpClient({ timeoutMs: 2_000, sleep: async (ms) => void waits.push(ms) });
  const domains = new DomainResolver({
    accountId: sim.accountId,
    http,
    csdsUrl: sim.url,
    source: options.source,
    cacheTtlMs: options.cacheTtlMs,
    hostPolicy: SIMULATOR_HOST_POLICY,
  });
  const appJwt = new AppJwtProvider({
    accountId: sim.accountId,
    http,
    domains,
    credentials: options.credentials ?? (() => ({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret })),
  });
  const consumerJws = new ConsumerJwsProvider({ accountId: sim.accountId, http, domains, appJwt, store: options.store });
  return { waits, http, domains, appJwt, consumerJws };
}

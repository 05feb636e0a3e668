// Regression: a domain from SSM or CSDS (or the CSDS URL itself) that is not an https host under
// LivePerson's domains must never receive a request, let alone the client secret. Only symbols that
// existed before the host policy are imported, so on code without it these tests fail on the leak itself.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppJwtProvider } from '#functions/lib/liveperson/app-jwt.ts';
import { DomainResolver, type DomainSource } from '#functions/lib/liveperson/domains.ts';
import { LivePersonResponseError } from '#functions/lib/liveperson/errors.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { startScriptedServer, type ScriptedServer } from '#test/support/scripted-server.ts';

const ACCOUNT = '12345678';
const CREDENTIALS = { clientId: 'the-client-id', clientSecret: 'the-client-secret-never-in-clear' };
const TOKEN = { access_token: 'app-jwt', token_type: 'Bearer' };

describe('no LivePerson credential reaches a host outside the policy', () => {
  let trap: ScriptedServer;
  /** Every URL the HTTP client asked for, whatever its host. */
  let asked: string[];

  beforeAll(async () => {
    // Plays a host that should never be called: anything it receives is a leak.
    trap = await startScriptedServer({ status: 200, body: TOKEN });
  });
  afterAll(() => trap.close());
  afterEach(() => {
    trap.received.length = 0;
    vi.unstubAllEnvs();
  });

  /**
   * Clients whose CSDS (https://api.liveperson.net, answered here) names `domains[service]`; https
   * LivePerson hosts answer a token; anything else goes to the network for real (only the loopback trap).
   */
  function clients(options: {
    domains: Record<string, string>;
    source?: DomainSource;
    csdsUrl?: string;
    onSourceError?: (service: string, error: unknown) => void;
  }) {
    asked = [];
    const fakeFetch: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      asked.push(url.href);
      if (url.origin === 'https://api.liveperson.net') {
        const service = /\/service\/([^/]+)\/baseURI\.json$/.exec(url.pathname)?.[1] ?? '';
        const baseURI = options.domains[service];
        return Response.json(baseURI === undefined ? { error: 'unknown service' } : { service, account: ACCOUNT, baseURI }, {
          status: baseURI === undefined ? 404 : 200,
        });
      }
      if (url.protocol === 'https:' && url.hostname.endsWith('.liveperson.net')) return Response.json(TOKEN);
      if (url.hostname === '127.0.0.1') return fetch(url, init);
      // Lookalike hosts are never resolved for real: record and fail as DNS would.
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: 'ENOTFOUND' }),
      });
    };
    const http = new LivePersonHttpClient({
      fetch: fakeFetch,
      retry: { serverErrorDelaysMs: [], rateLimitDelaysMs: [], connectionErrorDelaysMs: [] },
    });
    const domains = new DomainResolver({
      accountId: ACCOUNT,
      http,
      ...(options.csdsUrl ? { csdsUrl: options.csdsUrl } : {}),
      ...(options.source ? { source: options.source } : {}),
      ...(options.onSourceError ? { onSourceError: options.onSourceError } : {}),
    });
    const appJwt = new AppJwtProvider({ accountId: ACCOUNT, http, domains, credentials: () => CREDENTIALS });
    return { domains, appJwt };
  }

  const leaked = () =>
    trap.received.filter((request) => request.body.includes(CREDENTIALS.clientSecret) || request.url.includes(CREDENTIALS.clientSecret));

  it('refuses a CSDS answer of plain http (http://127.0.0.1:PORT): nothing is sent there, the error names the host and the rule', async () => {
    const { appJwt } = clients({ domains: { sentinel: trap.url } });
    const error = await appJwt.getToken().catch((caught: unknown) => caught);

    expect(trap.received).toEqual([]);
    expect(leaked()).toEqual([]);
    expect(error).toBeInstanceOf(LivePersonResponseError);
    expect(error).toMatchObject({ retryable: false, operation: 'CSDS lookup of sentinel' });
    const message = (error as Error).message;
    expect(message).toContain(new URL(trap.url).host);
    expect(message).toMatch(/not https/);
    expect(message).not.toContain(CREDENTIALS.clientSecret);
    expect(message).not.toContain(CREDENTIALS.clientId);
  });

  it.each([
    ['a lookalike ending in the suffix without a dot', 'evilliveperson.net'],
    ["LivePerson's domain as a label of another", 'liveperson.net.evil.example'],
    ['another host over https', 'https://sentinel.example.com'],
    ['an IP address over https', 'https://127.0.0.1:8443'],
    ['a host hidden behind userinfo', 'https://va.sentinel.liveperson.net@evil.example'],
  ])('refuses %s (%s) before any request to it', async (_case, domain) => {
    const { appJwt } = clients({ domains: { sentinel: domain } });
    const error = await appJwt.getToken().catch((caught: unknown) => caught);

    expect(asked.map((url) => new URL(url).origin)).toEqual(['https://api.liveperson.net']);
    expect(error).toBeInstanceOf(LivePersonResponseError);
    expect((error as Error).message).toMatch(/is not under liveperson\.net/);
  });

  it('ignores a stored (SSM) domain of plain http and asks CSDS, which names the real host', async () => {
    const sourceErrors: string[] = [];
    const source: DomainSource = { get: async () => trap.url };
    const { appJwt } = clients({
      domains: { sentinel: 'va.sentinel.liveperson.net' },
      source,
      onSourceError: (service, error) => sourceErrors.push(`${service}: ${(error as Error).message}`),
    });

    await expect(appJwt.getToken()).resolves.toBe(TOKEN.access_token);
    expect(trap.received).toEqual([]);
    expect(asked.map((url) => new URL(url).origin)).toEqual(['https://api.liveperson.net', 'https://va.sentinel.liveperson.net']);
    expect(sourceErrors).toHaveLength(1);
    expect(sourceErrors[0]).toMatch(/^sentinel: stored domain of sentinel: .*127\.0\.0\.1.* is not https/);
  });

  it('refuses a CSDS URL of plain http: not even the lookup is sent', async () => {
    const { domains, appJwt } = clients({ domains: {}, csdsUrl: trap.url });

    await expect(domains.resolve('sentinel')).rejects.toThrow(/CSDS lookup of sentinel: .*127\.0\.0\.1.* is not https/);
    await expect(domains.lookupAll()).rejects.toThrow(/CSDS lookup of all services: .*is not https/);
    await expect(appJwt.getToken()).rejects.toBeInstanceOf(LivePersonResponseError);
    expect(trap.received).toEqual([]);
    expect(asked).toEqual([]);
  });

  it("refuses a CSDS URL outside LivePerson's domains", async () => {
    const { domains } = clients({ domains: {}, csdsUrl: 'https://csds.example.com' });
    await expect(domains.lookup('sentinel')).rejects.toThrow(/https:\/\/csds\.example\.com is not under liveperson\.net/);
    expect(asked).toEqual([]);
  });

  it('calls the simulator over plain http only when the environment opts in (LP_ALLOW_INSECURE_HOSTS=true)', async () => {
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'true');
    const { appJwt } = clients({ domains: { sentinel: trap.url } });
    await expect(appJwt.getToken()).resolves.toBe(TOKEN.access_token);
    expect(trap.received).toHaveLength(1);
  });

  it("accepts a brand's other LivePerson cloud once LP_ALLOWED_HOST_SUFFIXES names it, and still refuses plain http there", async () => {
    vi.stubEnv('LP_ALLOWED_HOST_SUFFIXES', 'liveperson.net, lp-cloud.example');
    const { domains } = clients({ domains: { sentinel: 'sentinel.eu.lp-cloud.example', idp: 'http://idp.lp-cloud.example' } });
    await expect(domains.resolve('sentinel')).resolves.toBe('https://sentinel.eu.lp-cloud.example');
    await expect(domains.resolve('idp')).rejects.toThrow(/http:\/\/idp\.lp-cloud\.example is not https/);
  });
});

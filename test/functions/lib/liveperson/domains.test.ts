import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_HOST_POLICY,
  hostPolicyFromEnvironment,
  hostPolicyRefusal,
  hostSuffixProblem,
  parseAllowedHostSuffixes,
} from '#contract/host-policy.ts';
import { DomainResolver, LIVEPERSON_SERVICES, LivePersonHostRefusedError, toBaseUrl } from '#functions/lib/liveperson/domains.ts';
import { LivePersonApiError, LivePersonResponseError } from '#functions/lib/liveperson/errors.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { clientsFor, SIMULATOR_HOST_POLICY } from '#test/support/platform.ts';

describe('toBaseUrl', () => {
  it.each([
    ['va.sentry.liveperson.net', 'https://va.sentry.liveperson.net'],
    ['http://127.0.0.1:4040', 'http://127.0.0.1:4040'],
    ['https://va.idp.liveperson.net/', 'https://va.idp.liveperson.net'],
    [' lo.connect-to-messaging.liveperson.net ', 'https://lo.connect-to-messaging.liveperson.net'],
  ])('%s → %s', (domain, expected) => expect(toBaseUrl(domain)).toBe(expected));
});

describe('DomainResolver against the simulator', () => {
  let sim: LivePersonSimulator;
  beforeAll(async () => {
    sim = await startLivePersonSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clearRequests());

  const csdsCalls = () => sim.requests({ service: 'csds' }).length;

  it('resolves a service through CSDS and uses a domain with a scheme as given', async () => {
    const { domains } = clientsFor(sim);
    await expect(domains.resolve('sentinel')).resolves.toBe(sim.url);
    const [call] = sim.requests({ service: 'csds' });
    expect(call?.path).toBe(`/api/account/${sim.accountId}/service/sentinel/baseURI.json`);
    expect(call?.query).toMatchObject({ version: '1.0' });
  });

  it('caches a domain and shares one lookup between concurrent callers', async () => {
    const { domains } = clientsFor(sim);
    const answers = await Promise.all(Array.from({ length: 10 }, () => domains.resolve('idp')));
    await domains.resolve('idp');
    expect(new Set(answers)).toEqual(new Set([sim.url]));
    expect(csdsCalls()).toBe(1);
  });

  it('asks again once the cache lifetime is over, and after invalidate', async () => {
    const { domains } = clientsFor(sim, { cacheTtlMs: 30 });
    await domains.resolve('idp');
    await new Promise((resolve) => setTimeout(resolve, 40));
    await domains.resolve('idp');
    domains.invalidate('idp');
    await domains.resolve('idp');
    expect(csdsCalls()).toBe(3);
  });

  it('refuses a cache lifetime over one day (LivePerson guidance)', () => {
    expect(() => new DomainResolver({ accountId: '1', http: new LivePersonHttpClient(), cacheTtlMs: 25 * 3600 * 1000 })).toThrow(
      RangeError,
    );
  });

  it('prefers the source, and falls back to CSDS when it has nothing, fails, or holds garbage', async () => {
    const stored: Record<string, string | Error> = {
      sentinel: 'va.sentry.liveperson.net',
      idp: new Error('SSM down'),
      asyncMessagingEnt: 'not a host!',
    };
    const sourceErrors: string[] = [];
    const source = {
      get: async (service: string) => {
        const value = stored[service];
        if (value instanceof Error) throw value;
        return value;
      },
    };
    const { http } = clientsFor(sim);
    const domains = new DomainResolver({
      accountId: sim.accountId,
      http,
      csdsUrl: sim.url,
      source,
      onSourceError: (s) => sourceErrors.push(s),
      hostPolicy: SIMULATOR_HOST_POLICY,
    });
    await expect(domains.resolve('sentinel')).resolves.toBe('https://va.sentry.liveperson.net');
    expect(csdsCalls()).toBe(0);
    await expect(domains.resolve('connectToMessagingDomain')).resolves.toBe(sim.url);
    await expect(domains.resolve('idp')).resolves.toBe(sim.url);
    await expect(domains.resolve('asyncMessagingEnt')).resolves.toBe(sim.url);
    expect(csdsCalls()).toBe(3);
    expect(sourceErrors).toEqual(['idp', 'asyncMessagingEnt']);
  });

  it('looks up every service at once', async () => {
    const all = await clientsFor(sim).domains.lookupAll();
    for (const service of LIVEPERSON_SERVICES) expect(all.get(service)).toBe(sim.url);
  });

  it('reports an unknown service as a non-retryable API error', async () => {
    const error = await clientsFor(sim)
      .domains.resolve('noSuchService')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivePersonApiError);
    expect(error).toMatchObject({ status: 404, retryable: false });
  });

  it('retries CSDS on 5xx per the LivePerson policy', async () => {
    sim.fail({ service: 'csds', status: 503, times: 2 });
    const { domains, waits } = clientsFor(sim);
    await expect(domains.resolve('sentinel')).resolves.toBe(sim.url);
    expect(waits).toEqual([5_000, 10_000]);
  });

  it('rejects a domain that is not a host or an http(s) URL', async () => {
    const odd = await startLivePersonSimulator({ domains: { sentinel: 'ftp://files.example', idp: 'va.idp.liveperson.net' } });
    try {
      const { domains } = clientsFor(odd);
      await expect(domains.resolve('sentinel')).rejects.toBeInstanceOf(LivePersonResponseError);
      await expect(domains.resolve('idp')).resolves.toBe('https://va.idp.liveperson.net');
    } finally {
      await odd.close();
    }
  });
});

describe('host policy', () => {
  const policy = DEFAULT_HOST_POLICY;

  it.each([
    'https://api.liveperson.net',
    'https://va.idp.liveperson.net/api/account/1/consumer?v=1.0',
    'https://LO.Connect-To-Messaging.LivePerson.NET',
    'https://liveperson.net',
    'https://va.sentinel.liveperson.net:8443',
  ])('lets %s through', (url) => expect(hostPolicyRefusal(url, policy)).toBeUndefined());

  it.each([
    ['http://api.liveperson.net', /^http:\/\/api\.liveperson\.net is not https/],
    ['http://127.0.0.1:4040', /^http:\/\/127\.0\.0\.1:4040 is not https/],
    ['https://evilliveperson.net', /^https:\/\/evilliveperson\.net is not under liveperson\.net/],
    ['https://liveperson.net.evil.com', /is not under liveperson\.net/],
    ['https://api.liveperson.net.', /is not under liveperson\.net/],
    ['https://[::1]:443', /is not under/],
    ['https://api.liveperson.net@evil.com/x', /^https:\/\/evil\.com is not under/],
    ['ftp://api.liveperson.net', /ftp: URLs are not http\(s\)/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, reason) => expect(hostPolicyRefusal(url, policy)).toMatch(reason));

  it('names only the scheme and host, never a path or query', () => {
    expect(hostPolicyRefusal('http://evil.example/api/account/1?secret=abc', policy)).not.toMatch(/secret|account/);
  });

  it('lets any http(s) host through once insecure hosts are allowed, and nothing else', () => {
    const insecure = { ...policy, allowInsecureHosts: true };
    expect(hostPolicyRefusal('http://127.0.0.1:4040', insecure)).toBeUndefined();
    expect(hostPolicyRefusal('https://anything.example', insecure)).toBeUndefined();
    expect(hostPolicyRefusal('file:///etc/passwd', insecure)).toMatch(/not http\(s\)/);
  });

  it.each([
    'liveperson',
    '*.liveperson.net',
    '.liveperson.net',
    'https://liveperson.net',
    'liveperson.net:443',
    '127.0.0.1',
    'a..b',
    '',
    'LivePerson.net',
  ])('refuses %j as a host suffix', (suffix) => expect(hostSuffixProblem(suffix)).toMatch(/is not a domain such as liveperson\.net/));

  it('parses LP_ALLOWED_HOST_SUFFIXES, lower-casing and trimming each entry', () => {
    expect(parseAllowedHostSuffixes(' liveperson.net ,LP-Cloud.example')).toEqual(['liveperson.net', 'lp-cloud.example']);
    expect(() => parseAllowedHostSuffixes('liveperson.net,*.evil')).toThrow(/^LP_ALLOWED_HOST_SUFFIXES: "\*\.evil" is not a domain/);
  });

  it('reads the policy from the environment: strict unless told otherwise', () => {
    expect(hostPolicyFromEnvironment({})).toEqual({ allowedHostSuffixes: ['liveperson.net'], allowInsecureHosts: false });
    expect(hostPolicyFromEnvironment({ LP_ALLOWED_HOST_SUFFIXES: '', LP_ALLOW_INSECURE_HOSTS: 'false' })).toEqual(DEFAULT_HOST_POLICY);
    expect(
      hostPolicyFromEnvironment({ LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net,lp-cloud.example', LP_ALLOW_INSECURE_HOSTS: 'true' }),
    ).toEqual({
      allowedHostSuffixes: ['liveperson.net', 'lp-cloud.example'],
      allowInsecureHosts: true,
    });
    expect(() => hostPolicyFromEnvironment({ LP_ALLOW_INSECURE_HOSTS: 'yes' })).toThrow(
      'LP_ALLOW_INSECURE_HOSTS must be "true" or "false"',
    );
    expect(() => hostPolicyFromEnvironment({ LP_ALLOWED_HOST_SUFFIXES: 'net' })).toThrow('LP_ALLOWED_HOST_SUFFIXES: "net" is not a domain');
  });

  it('refuses the simulator by default: a non-retryable LivePersonHostRefusedError, and no request reaches it', async () => {
    const sim = await startLivePersonSimulator();
    try {
      const domains = new DomainResolver({
        accountId: sim.accountId,
        http: new LivePersonHttpClient(),
        csdsUrl: sim.url,
        hostPolicy: DEFAULT_HOST_POLICY,
      });
      const error = await domains.resolve('sentinel').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LivePersonHostRefusedError);
      expect(error).toBeInstanceOf(LivePersonResponseError);
      expect(error).toMatchObject({ retryable: false, operation: 'CSDS lookup of sentinel' });
      expect((error as Error).message).toBe(
        `CSDS lookup of sentinel: host refused, nothing sent: ${sim.url} is not https: LivePerson is only called over https (plain http only with LP_ALLOW_INSECURE_HOSTS=true, for the local stack and tests)`,
      );
      expect(sim.requests()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

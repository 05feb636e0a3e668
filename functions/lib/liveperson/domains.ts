/**
 * Where each LivePerson service lives for an account: the Domain API (CSDS), fronted by an
 * optional faster source (SSM parameters written by the domain-refresh Lambda) and a memory cache.
 *
 * Every LivePerson URL a function calls is resolved here, so the host policy is enforced here: the
 * CSDS URL before each lookup, every domain (from SSM or CSDS) before it is used. By default only
 * `https://` hosts under LivePerson's domains pass; anything else is refused before a request, and
 * with it a credential, is sent.
 */
import { z } from 'zod';
import { LivePersonResponseError } from './errors.ts';
import type { LivePersonHttpClient, RetryPolicy } from './http.ts';

export const DEFAULT_CSDS_URL = 'https://api.liveperson.net';

/** The environment variables of the host policy (see `hostPolicyFromEnvironment`). */
export const HOST_POLICY_ENV = {
  /** Comma-separated domains whose hosts may be called, e.g. `liveperson.net`. Set by the CDK app. */
  allowedHostSuffixes: 'LP_ALLOWED_HOST_SUFFIXES',
  /** `true` lets any http(s) host through, plain http included: the local stack and tests only, never a deployment. */
  allowInsecureHosts: 'LP_ALLOW_INSECURE_HOSTS',
} as const;

/** LivePerson's domain: every service this project calls (Sentinel, IdP, C2M, Connector API) lives under it. */
export const DEFAULT_ALLOWED_HOST_SUFFIXES: readonly string[] = ['liveperson.net'];

/** Which hosts a LivePerson URL may point at. */
export interface HostPolicy {
  /** A host passes when it is one of these domains or a subdomain of one (on a label boundary). */
  readonly allowedHostSuffixes: readonly string[];
  /** Any http(s) host, plain http included: for the simulator (local stack, tests) only. */
  readonly allowInsecureHosts: boolean;
}

export const DEFAULT_HOST_POLICY: HostPolicy = { allowedHostSuffixes: DEFAULT_ALLOWED_HOST_SUFFIXES, allowInsecureHosts: false };

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a value is no allowed host suffix (a DNS domain of at least two labels, e.g. `liveperson.net`), or undefined. */
export function hostSuffixProblem(suffix: string): string | undefined {
  const labels = suffix.split('.');
  const valid =
    suffix.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => DNS_LABEL.test(label)) &&
    // A top-level label is never all digits: refuses IP addresses and their tails.
    !/^\d+$/.test(labels.at(-1) ?? '');
  return valid ? undefined : `"${suffix}" is not a domain such as liveperson.net (lower-case, at least two labels, no scheme, port or wildcard)`;
}

/** The comma-separated list of LP_ALLOWED_HOST_SUFFIXES, trimmed and lower-cased; throws on a bad entry. */
export function parseAllowedHostSuffixes(value: string): string[] {
  const suffixes = value.split(',').map((suffix) => suffix.trim().toLowerCase());
  const problems = suffixes.map(hostSuffixProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`${HOST_POLICY_ENV.allowedHostSuffixes}: ${problems.join('; ')}`);
  return suffixes;
}

/** Why LP_ALLOWED_HOST_SUFFIXES is unusable, or undefined (unset or empty means the default). */
export function allowedHostSuffixesProblem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    parseAllowedHostSuffixes(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why LP_ALLOW_INSECURE_HOSTS is unusable, or undefined. */
export function allowInsecureHostsProblem(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === 'true' || value === 'false') return undefined;
  return `${HOST_POLICY_ENV.allowInsecureHosts} must be "true" or "false" (true only for the local stack and tests)`;
}

/**
 * The host policy from the process environment: LP_ALLOWED_HOST_SUFFIXES (default liveperson.net) and
 * LP_ALLOW_INSECURE_HOSTS (default false, which a deployment never changes). Throws on a malformed value.
 */
export function hostPolicyFromEnvironment(env: NodeJS.ProcessEnv = process.env): HostPolicy {
  const suffixes = env[HOST_POLICY_ENV.allowedHostSuffixes];
  const insecure = env[HOST_POLICY_ENV.allowInsecureHosts];
  const problems = [allowedHostSuffixesProblem(suffixes), allowInsecureHostsProblem(insecure)].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`invalid host policy: ${problems.join('; ')}`);
  return {
    allowedHostSuffixes: suffixes === undefined || suffixes.trim() === '' ? DEFAULT_ALLOWED_HOST_SUFFIXES : parseAllowedHostSuffixes(suffixes),
    allowInsecureHosts: insecure === 'true',
  };
}

/**
 * Why the policy refuses a URL, or undefined when it may be called. Only the scheme and host are
 * named, never a path or query. The host must equal a suffix or end in "." + suffix, so
 * `evilliveperson.net` and `liveperson.net.evil.com` are refused.
 */
export function hostPolicyRefusal(url: string | URL, policy: HostPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `${parsed.protocol} URLs are not http(s)`;
  if (policy.allowInsecureHosts) return undefined;
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (parsed.protocol !== 'https:') {
    return `${origin} is not https: LivePerson is only called over https (plain http only with ${HOST_POLICY_ENV.allowInsecureHosts}=true, for the local stack and tests)`;
  }
  const host = parsed.hostname;
  if (!policy.allowedHostSuffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
    return `${origin} is not under ${policy.allowedHostSuffixes.join(', ')} (the LivePerson domains ${HOST_POLICY_ENV.allowedHostSuffixes} allows)`;
  }
  return undefined;
}

/** A LivePerson URL the host policy refuses: nothing was sent to it. Not retryable: configuration or data must change. */
export class LivePersonHostRefusedError extends LivePersonResponseError {
  constructor(operation: string, reason: string) {
    super(operation, `host refused, nothing sent: ${reason}`);
  }
}

/** Throws LivePersonHostRefusedError unless the policy allows calling the URL. */
export function assertAllowedHost(operation: string, url: string | URL, policy: HostPolicy): void {
  const refusal = hostPolicyRefusal(url, policy);
  if (refusal !== undefined) throw new LivePersonHostRefusedError(operation, refusal);
}

/** The services this project calls, and the ones domain-refresh keeps in SSM. Names are case-sensitive. */
export const LIVEPERSON_SERVICES = [
  'sentinel',
  'idp',
  'asyncMessagingEnt',
  'messagingRestApiDomain',
  'connectToMessagingDomain',
] as const;

/** LivePerson's guidance: cache domains, but for no longer than a day. */
export const MAX_DOMAIN_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

const hostPattern = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * A domain as CSDS or SSM holds it: a bare host (`va.connect-to-messaging.liveperson.net`), or a
 * URL with a scheme (`http://127.0.0.1:4040`), which is how the simulator and local stack plug in.
 */
export const domainValueSchema = z
  .string()
  .trim()
  .min(1, 'domain is empty')
  .refine((value) => {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return hostPattern.test(value);
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'domain must be a host name (e.g. va.connect-to-messaging.liveperson.net) or an http(s) URL');

/** The base URL to call: a value with a scheme is used as given, a bare host gets `https://`. */
export function toBaseUrl(domain: string): string {
  const value = domain.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
}

/** A faster store of domains in front of CSDS. `undefined` means it holds none for that service. */
export interface DomainSource {
  get(service: string): Promise<string | undefined>;
}

export interface DomainResolverOptions {
  readonly accountId: string;
  readonly http: LivePersonHttpClient;
  /** Base URL of the Domain API; default https://api.liveperson.net. Checked against the host policy before each lookup. */
  readonly csdsUrl?: string;
  /**
   * Which hosts may be called: the CSDS URL and every resolved domain. Default: the process environment
   * (`hostPolicyFromEnvironment`), i.e. https under liveperson.net unless LP_ALLOWED_HOST_SUFFIXES or
   * LP_ALLOW_INSECURE_HOSTS say otherwise.
   */
  readonly hostPolicy?: HostPolicy;
  /** How long a resolved domain is kept in memory; at most a day. Default 1 hour. */
  readonly cacheTtlMs?: number;
  readonly source?: DomainSource;
  /** Told when the source fails, before falling back to CSDS (e.g. to log it). */
  readonly onSourceError?: (service: string, error: unknown) => void;
}

export interface DeadlineOption {
  /** Absolute time (epoch ms) by which the call must be over. */
  readonly deadline?: number;
}

/** Options of one call to a LivePerson client, passed on to every HTTP call it makes. */
export interface CallOptions extends DeadlineOption {
  /**
   * Retry policy of those HTTP calls; default the HTTP client's. A lookup or token fetch already under
   * way for another caller is shared as it is, with that caller's policy.
   */
  readonly retry?: RetryPolicy;
}

const serviceEntrySchema = z.object({
  service: z.string(),
  account: z.string().optional(),
  baseURI: z.string().optional(),
});
const allServicesSchema = z.object({ baseURIs: z.array(serviceEntrySchema) });

interface CachedDomain {
  readonly baseUrl: string;
  readonly expiresAt: number;
}

export class DomainResolver {
  readonly #accountId: string;
  readonly #http: LivePersonHttpClient;
  readonly #csdsUrl: string;
  readonly #hostPolicy: HostPolicy;
  readonly #cacheTtlMs: number;
  readonly #source: DomainSource | undefined;
  readonly #onSourceError: ((service: string, error: unknown) => void) | undefined;
  readonly #cache = new Map<string, CachedDomain>();
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(options: DomainResolverOptions) {
    const cacheTtlMs = options.cacheTtlMs ?? 60 * 60 * 1000;
    if (!(cacheTtlMs > 0 && cacheTtlMs <= MAX_DOMAIN_CACHE_TTL_MS)) {
      throw new RangeError(`cacheTtlMs must be between 1 ms and one day, got ${cacheTtlMs}`);
    }
    this.#accountId = options.accountId;
    this.#http = options.http;
    this.#csdsUrl = toBaseUrl(options.csdsUrl ?? DEFAULT_CSDS_URL);
    // Read now, checked per call: a refused CSDS URL fails each lookup, never the module that builds the resolver.
    this.#hostPolicy = options.hostPolicy ?? hostPolicyFromEnvironment();
    this.#cacheTtlMs = cacheTtlMs;
    this.#source = options.source;
    this.#onSourceError = options.onSourceError;
  }

  /**
   * The base URL (with scheme) of one service: from memory, else the source, else CSDS. A stored domain the
   * host policy refuses is ignored (reported through onSourceError) and CSDS asked; a CSDS answer it refuses
   * is a LivePersonHostRefusedError. Either way nothing is sent to the refused host.
   */
  async resolve(service: string, options: CallOptions = {}): Promise<string> {
    const cached = this.#cache.get(service);
    if (cached && cached.expiresAt > Date.now()) return cached.baseUrl;

    // Concurrent callers share one lookup.
    let pending = this.#inFlight.get(service);
    if (!pending) {
      pending = this.#resolveUncached(service, options).finally(() => this.#inFlight.delete(service));
      this.#inFlight.set(service, pending);
    }
    return pending;
  }

  /** Forgets a cached domain, e.g. after its host stopped answering. */
  invalidate(service: string): void {
    this.#cache.delete(service);
  }

  /** Asks CSDS for one service, bypassing caches. Returns the domain as CSDS holds it. */
  async lookup(service: string, options: CallOptions = {}): Promise<string> {
    const operation = `CSDS lookup of ${service}`;
    assertAllowedHost(operation, this.#csdsUrl, this.#hostPolicy);
    const url = `${this.#csdsUrl}/api/account/${encodeURIComponent(this.#accountId)}/service/${encodeURIComponent(service)}/baseURI.json?version=1.0`;
    const entry = await this.#http.requestJson({ operation, url, deadline: options.deadline, retry: options.retry }, serviceEntrySchema);
    return validDomain(operation, service, entry.baseURI);
  }

  /** Asks CSDS for every service of the account at once. Returns service name → domain as CSDS holds it. */
  async lookupAll(options: CallOptions = {}): Promise<Map<string, string>> {
    const operation = 'CSDS lookup of all services';
    assertAllowedHost(operation, this.#csdsUrl, this.#hostPolicy);
    const url = `${this.#csdsUrl}/api/account/${encodeURIComponent(this.#accountId)}/service/baseURI.json?version=1.0`;
    const answer = await this.#http.requestJson({ operation, url, deadline: options.deadline, retry: options.retry }, allServicesSchema);
    const domains = new Map<string, string>();
    for (const entry of answer.baseURIs) {
      if (entry.baseURI === undefined || entry.baseURI.trim() === '') continue;
      domains.set(entry.service, validDomain(operation, entry.service, entry.baseURI));
    }
    return domains;
  }

  async #resolveUncached(service: string, options: CallOptions): Promise<string> {
    let baseUrl: string | undefined;
    if (this.#source) {
      try {
        const stored = await this.#source.get(service);
        if (stored !== undefined) baseUrl = this.#allowedBaseUrl(`stored domain of ${service}`, service, stored);
      } catch (error) {
        // A broken, unreachable or refused store must not take the service down: CSDS still knows.
        this.#onSourceError?.(service, error);
      }
    }
    baseUrl ??= this.#allowedBaseUrl(`CSDS lookup of ${service}`, service, await this.lookup(service, options));
    this.#cache.set(service, { baseUrl, expiresAt: Date.now() + this.#cacheTtlMs });
    return baseUrl;
  }

  // The one gate of every resolved domain: only a base URL the host policy allows is returned or cached.
  #allowedBaseUrl(operation: string, service: string, domain: string): string {
    const baseUrl = toBaseUrl(validDomain(operation, service, domain));
    assertAllowedHost(operation, baseUrl, this.#hostPolicy);
    return baseUrl;
  }
}

function validDomain(operation: string, service: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new LivePersonResponseError(operation, `no domain for service "${service}" (check the account id and the service name)`);
  }
  const parsed = domainValueSchema.safeParse(value);
  if (!parsed.success) {
    throw new LivePersonResponseError(operation, `invalid domain for service "${service}": ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

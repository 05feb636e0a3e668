/**
 * Where each LivePerson service lives for an account: the Domain API (CSDS), fronted by an
 * optional faster source (SSM parameters written by the domain-refresh Lambda) and a memory cache.
 *
 * Every LivePerson URL a function calls is resolved here, so the host policy is enforced here: the
 * CSDS URL before each lookup, every domain (from SSM or CSDS) before it is used. By default only
 * `https://` hosts under LivePerson's domains pass; anything else is refused before a request, and
 * with it a credential, is sent.
 * LivePerson facts behind this: docs/liveperson.md#domain-api-csds.
 */
import * as z from '#contract/zod.ts';
import { DEFAULT_CSDS_URL } from '#contract/constants.ts';
import { hostPolicyFromEnvironment, hostPolicyRefusal, type HostPolicy } from '#contract/host-policy.ts';
import { LivePersonResponseError } from './errors.ts';
import type { LivePersonHttpClient, RetryPolicy } from './http.ts';

/** A LivePerson URL the host policy refuses: nothing was sent to it. Not retryable: configuration or data must change. */
export class LivePersonHostRefusedError extends LivePersonResponseError {
  constructor(operation: string, reason: string) {
    super(operation, `host refused, nothing sent: ${reason}`);
    this.name = 'LivePersonHostRefusedError';
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
  'swift',
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
  .check(z.trim())
  .check(z.minLength(1, 'domain is empty'))
  .check(
    z.refine((value) => {
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return hostPattern.test(value);
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
      } catch {
        return false;
      }
    }, 'domain must be a host name (e.g. va.connect-to-messaging.liveperson.net) or an http(s) URL'),
  );

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
  account: z.optional(z.string()),
  baseURI: z.optional(z.string()),
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

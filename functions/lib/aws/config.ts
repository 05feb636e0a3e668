/**
 * Configuration from AWS: the functions' environment contract, the LivePerson credentials
 * secret (Secrets Manager) and the domain parameters (SSM), read through Powertools parameters
 * with a bounded cache so a rotated secret or a refreshed domain takes effect within minutes
 * (and a rotated secret at once where its use shows it, see `CredentialsSource.refresh`).
 */
import { GetParameterError } from '@aws-lambda-powertools/parameters';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import * as z from '#contract/zod.ts';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import {
  DEFAULT_CONFIG_CACHE_SECONDS,
  parseFunctionEnvironment,
  parseSharedEnvironment,
  type FunctionEnvironment,
} from '#contract/environment.ts';
import { hostPolicyFromEnvironment, type HostPolicy } from '#contract/host-policy.ts';
import { ConfigurationError } from '../errors.ts';
import type { DomainSource } from '../liveperson/domains.ts';
import { secretsManagerClient, ssmClient } from './clients.ts';

const nonEmpty = (key: string) =>
  z
    .string({ error: `${key} must be a non-empty string` })
    .check(z.trim())
    .check(z.minLength(1, `${key} must be a non-empty string`));

export const credentialsSecretSchema = z.object({
  clientId: nonEmpty('clientId'),
  clientSecret: nonEmpty('clientSecret'),
  webhookToken: z.optional(
    z
      .string({ error: 'webhookToken must be a string' })
      .check(z.minLength(16, 'webhookToken must be at least 16 characters (it guards an unsigned route)')),
  ),
  oauth1: z.optional(
    z.object(
      {
        consumerKey: nonEmpty('oauth1.consumerKey'),
        consumerSecret: nonEmpty('oauth1.consumerSecret'),
        accessToken: nonEmpty('oauth1.accessToken'),
        accessTokenSecret: nonEmpty('oauth1.accessTokenSecret'),
      },
      { error: 'oauth1 must be an object with consumerKey, consumerSecret, accessToken and accessTokenSecret' },
    ),
  ),
});
export type LivePersonCredentials = z.infer<typeof credentialsSecretSchema>;

/**
 * Validates the secret's JSON. Errors say which key is missing or wrong; zod's issues carry
 * paths and our messages only, never the input values, so no secret can leak through them.
 */
export function parseCredentialsSecret(secretId: string, raw: string | undefined): LivePersonCredentials {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigurationError(`secret ${secretId} is empty: store a JSON document with clientId and clientSecret`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`secret ${secretId} is not a JSON document: store {"clientId": "...", "clientSecret": "..."}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigurationError(`secret ${secretId} must be a JSON object with clientId and clientSecret`);
  }
  const result = credentialsSecretSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      return issue.code === 'invalid_type' && !hasPath(json, issue.path) ? `missing key ${key}` : issue.message;
    });
    throw new ConfigurationError(`secret ${secretId} is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(key in current)) return false;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current !== undefined;
}

export interface RuntimeEnvironment {
  readonly accountId: string;
  readonly secretId: string;
  readonly domainParameterPath: string;
  readonly csdsUrl: string;
  /** How long the secret and the domain parameters are cached (seconds). */
  readonly configCacheSeconds: number;
  /** Which hosts LivePerson calls may go to (LP_ALLOWED_HOST_SUFFIXES, LP_ALLOW_INSECURE_HOSTS). */
  readonly hostPolicy: HostPolicy;
}

/** Reads the environment contract every function shares; errors name the variable. */
export function readRuntimeEnvironment(env: NodeJS.ProcessEnv = process.env): RuntimeEnvironment {
  const result = parseSharedEnvironment(env);
  if (!result.ok) throw new ConfigurationError(`invalid environment: ${result.problems.join('; ')}`);
  const e = result.value;
  return {
    accountId: e.LP_ACCOUNT_ID,
    secretId: e.LP_SECRET_ID,
    domainParameterPath: e.LP_DOMAIN_PARAMETER_PATH,
    csdsUrl: e.LP_CSDS_URL,
    configCacheSeconds: e.LP_CONFIG_CACHE_SECONDS,
    // Validated by the contract above, so this only reads the two values.
    hostPolicy: hostPolicyFromEnvironment(env),
  };
}

/** One function's own variables (besides the shared LP_* ones), from the contract; errors name the variable. */
export function readFunctionEnvironment<N extends LivePersonFunctionName>(
  name: N,
  env: NodeJS.ProcessEnv = process.env,
): FunctionEnvironment<N> {
  const result = parseFunctionEnvironment(name, env);
  if (!result.ok) throw new ConfigurationError(`invalid environment: ${result.problems.join('; ')}`);
  return result.value;
}

/** How long configuration values are cached: rotation takes effect within this time. */
export const DEFAULT_CONFIG_MAX_AGE_SECONDS = DEFAULT_CONFIG_CACHE_SECONDS;

/** How often a cache-bypassing read of the secret may happen per container (see `refresh`). */
export const DEFAULT_MIN_REFRESH_INTERVAL_SECONDS = 30;

/**
 * The longest one read of the secret may take (ms). Then it is abandoned: its callers get a
 * ConfigurationError and the next caller starts a new read instead of joining one that may never
 * answer. Above the Secrets Manager client's own worst case (clients.ts: 2 attempts of 1 s), so that
 * the SDK normally gives up first and this only catches what the SDK's timeouts do not.
 */
export const DEFAULT_SECRET_READ_TIMEOUT_MS = 2_500;

/** The credentials secret, cached for a bounded time and validated once per distinct value. */
export class CredentialsSource {
  readonly #secretId: string;
  readonly #maxAgeSeconds: number;
  readonly #minRefreshIntervalMs: number;
  readonly #provider: SecretsProvider;
  readonly #now: () => number;
  readonly #readTimeoutMs: number;
  #lastRaw: string | undefined;
  #lastParsed: LivePersonCredentials | undefined;
  /** The last value read, until `maxAgeSeconds` after its read began: answered without a timer, a race or a provider call. */
  #cached: { readonly value: Promise<LivePersonCredentials>; readonly expiresAt: number; readonly read: number } | undefined;
  #reads = 0;
  #inFlight: Promise<LivePersonCredentials> | undefined;
  #refreshing: Promise<LivePersonCredentials> | undefined;
  #lastRefreshAt = Number.NEGATIVE_INFINITY;

  constructor(options: {
    secretId: string;
    maxAgeSeconds?: number;
    /** At most one `refresh` read per this many seconds. */
    minRefreshIntervalSeconds?: number;
    provider?: SecretsProvider;
    /** The clock, in milliseconds (tests). */
    now?: () => number;
    /** How long one read may take before it is abandoned (ms). @default DEFAULT_SECRET_READ_TIMEOUT_MS */
    readTimeoutMs?: number;
  }) {
    this.#secretId = options.secretId;
    this.#maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_CONFIG_MAX_AGE_SECONDS;
    this.#minRefreshIntervalMs = (options.minRefreshIntervalSeconds ?? DEFAULT_MIN_REFRESH_INTERVAL_SECONDS) * 1000;
    this.#provider = options.provider ?? new SecretsProvider({ awsSdkV3Client: secretsManagerClient() });
    this.#now = options.now ?? Date.now;
    this.#readTimeoutMs = options.readTimeoutMs ?? DEFAULT_SECRET_READ_TIMEOUT_MS;
  }

  /**
   * The credentials; concurrent callers (a cold-start prefetch and the first request) share one read.
   * A read that has not answered within the read timeout is dropped: who waited on it gets a
   * ConfigurationError, and the next call reads afresh.
   */
  get(): Promise<LivePersonCredentials> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.expiresAt) return cached.value;
    if (this.#inFlight) return this.#inFlight;
    const read: Promise<LivePersonCredentials> = this.#bounded(this.#read(), () => {
      if (this.#inFlight === read) this.#inFlight = undefined;
    });
    this.#inFlight = read;
    return read;
  }

  /**
   * Reads the secret again, bypassing the cache, for when the cached one seems out of date (a
   * webhook signed with a rotated secret). At most once per refresh interval per container, so
   * forged requests cannot make us hammer Secrets Manager; concurrent callers share the read.
   * Undefined when a refresh ran less than the interval ago: keep the credentials in hand.
   * The new value also replaces the cached one, so `get` answers it from now on.
   */
  async refresh(): Promise<LivePersonCredentials | undefined> {
    if (this.#refreshing) return this.#refreshing;
    const now = this.#now();
    if (now - this.#lastRefreshAt < this.#minRefreshIntervalMs) return undefined;
    this.#lastRefreshAt = now;
    const read: Promise<LivePersonCredentials> = this.#bounded(this.#read(), () => {
      if (this.#refreshing === read) this.#refreshing = undefined;
    });
    this.#refreshing = read;
    return read;
  }

  /**
   * `reading`, settled within the read timeout. `release` forgets the shared read; it runs when the
   * read settles and, on a timeout, before anyone hears of it, so no later caller joins an abandoned
   * read. An abandoned read may still answer (Powertools then caches the value); nobody waits for it.
   */
  #bounded(reading: Promise<LivePersonCredentials>, release: () => void): Promise<LivePersonCredentials> {
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        release();
        const cause = Object.assign(new Error(`Secrets Manager did not answer within ${this.#readTimeoutMs} ms`), { name: 'TimeoutError' });
        reject(new ConfigurationError(`cannot read secret ${this.#secretId}: ${describeAwsError(cause)}`, { cause }));
      }, this.#readTimeoutMs);
    });
    reading.catch(() => undefined);
    return Promise.race([reading, abandoned]).finally(() => {
      clearTimeout(timer);
      release();
    });
  }

  /**
   * Reads Secrets Manager itself (past the provider's cache): this class caches what it read, from the
   * moment the read began, so a value is never older than `maxAgeSeconds`. An invalid secret is cached
   * too (as its error), so it is not fetched again on every call; a failed read is not. A read that ends
   * after a later one began (an abandoned read answering late) does not replace what the later one cached.
   */
  async #read(): Promise<LivePersonCredentials> {
    const read = ++this.#reads;
    const expiresAt = this.#now() + this.#maxAgeSeconds * 1000;
    let raw: string | Uint8Array | undefined;
    try {
      raw = await this.#provider.get(this.#secretId, { maxAge: this.#maxAgeSeconds, forceFetch: true });
    } catch (error) {
      throw new ConfigurationError(`cannot read secret ${this.#secretId}: ${describeAwsError(error)}`, { cause: error });
    }
    const text = raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : raw;
    let value: Promise<LivePersonCredentials>;
    try {
      const parsed =
        text !== undefined && text === this.#lastRaw && this.#lastParsed ? this.#lastParsed : parseCredentialsSecret(this.#secretId, text);
      this.#lastRaw = text;
      this.#lastParsed = parsed;
      value = Promise.resolve(parsed);
    } catch (error) {
      value = Promise.reject(error as Error);
      value.catch(() => undefined);
    }
    if (this.#cached === undefined || read > this.#cached.read) this.#cached = { value, expiresAt, read };
    return value;
  }
}

/** Domains stored by the domain-refresh Lambda: one SSM parameter per service under a path. */
export class SsmDomainSource implements DomainSource {
  readonly #path: string;
  readonly #maxAgeSeconds: number;
  readonly #provider: SSMProvider;

  constructor(options: { path: string; maxAgeSeconds?: number; provider?: SSMProvider }) {
    this.#path = options.path;
    this.#maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_CONFIG_MAX_AGE_SECONDS;
    this.#provider = options.provider ?? new SSMProvider({ awsSdkV3Client: ssmClient() });
  }

  async get(service: string): Promise<string | undefined> {
    try {
      const value = await this.#provider.get(`${this.#path}${service}`, { maxAge: this.#maxAgeSeconds });
      return typeof value === 'string' ? value : undefined;
    } catch (error) {
      if (error instanceof GetParameterError && isNamed(error.cause, 'ParameterNotFound')) return undefined;
      throw new ConfigurationError(`cannot read SSM parameter ${this.#path}${service}: ${describeAwsError(error)}`, { cause: error });
    }
  }
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/** The AWS error's name and message; Powertools wraps the SDK's error in `cause`. */
export function describeAwsError(error: unknown): string {
  const root = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return root instanceof Error ? `${root.name}: ${root.message}` : String(root);
}

/**
 * Consumer JWS (IdP): the identity of one consumer for the Connector API. It does not expire,
 * so it is cached per `ext_consumer_id`: in memory (bounded) and, optionally, in a durable store.
 * LivePerson facts behind this: docs/liveperson.md#consumer-jws.
 */
import * as z from '#contract/zod.ts';
import type { AppJwtProvider } from './app-jwt.ts';
import type { CallOptions, DomainResolver } from './domains.ts';
import type { LivePersonHttpClient } from './http.ts';

/** A durable cache shared by containers (the conversation state table, later). */
export interface ConsumerJwsStore {
  get(extConsumerId: string): Promise<string | undefined>;
  put(extConsumerId: string, jws: string): Promise<void>;
}

export interface ConsumerJwsProviderOptions {
  readonly accountId: string;
  readonly http: LivePersonHttpClient;
  readonly domains: Pick<DomainResolver, 'resolve'>;
  readonly appJwt: AppJwtProvider;
  readonly store?: ConsumerJwsStore;
  /** Bound on consumers kept in memory; the least recently used are dropped first. Default 10,000. */
  readonly maxCachedConsumers?: number;
}

export const extConsumerIdSchema = z
  .string()
  .check(z.trim())
  .check(z.minLength(1, 'ext_consumer_id is empty'))
  .check(z.maxLength(256, 'ext_consumer_id is longer than 256 characters'));
const idpResponseSchema = z.object({ token: z.string().check(z.minLength(1, 'token is empty')) });

export class ConsumerJwsProvider {
  readonly #options: ConsumerJwsProviderOptions;
  readonly #maxCached: number;
  // A Map iterates in insertion order; re-inserting on use makes the first key the least recently used.
  readonly #cache = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<string>>();
  #fetchCount = 0;

  constructor(options: ConsumerJwsProviderOptions) {
    this.#options = options;
    this.#maxCached = options.maxCachedConsumers ?? 10_000;
  }

  /** How many JWS this provider fetched from the IdP (for tests and the benchmark). */
  get fetchCount(): number {
    return this.#fetchCount;
  }

  async getJws(extConsumerId: string, options: CallOptions = {}): Promise<string> {
    const id = extConsumerIdSchema.parse(extConsumerId);
    const cached = this.#cache.get(id);
    if (cached !== undefined) {
      this.#remember(id, cached);
      return cached;
    }
    let pending = this.#inFlight.get(id);
    if (!pending) {
      pending = this.#load(id, options).finally(() => this.#inFlight.delete(id));
      this.#inFlight.set(id, pending);
    }
    return pending;
  }

  /** Drops a JWS that LivePerson rejected (Connector API 40103), if it is still the cached one. */
  invalidate(extConsumerId: string, jws: string): void {
    if (this.#cache.get(extConsumerId) === jws) this.#cache.delete(extConsumerId);
  }

  async #load(id: string, options: CallOptions): Promise<string> {
    const stored = await this.#options.store?.get(id);
    if (stored !== undefined) {
      this.#remember(id, stored);
      return stored;
    }
    const jws = await this.#fetch(id, options);
    this.#remember(id, jws);
    await this.#options.store?.put(id, jws);
    return jws;
  }

  async #fetch(id: string, options: CallOptions): Promise<string> {
    const { accountId, http, domains, appJwt } = this.#options;
    const idp = await domains.resolve('idp', options);
    const url = `${idp}/api/account/${encodeURIComponent(accountId)}/consumer?v=1.0`;
    const answer = await appJwt.withToken((token) => {
      this.#fetchCount++;
      return http.requestJson(
        {
          operation: 'IdP consumer JWS',
          method: 'POST',
          url,
          // The IdP takes the raw AppJWT, without "Bearer ".
          headers: { authorization: token },
          json: { ext_consumer_id: id },
          deadline: options.deadline,
          retry: options.retry,
        },
        idpResponseSchema,
      );
    }, options);
    return answer.token;
  }

  #remember(id: string, jws: string): void {
    this.#cache.delete(id);
    this.#cache.set(id, jws);
    if (this.#cache.size > this.#maxCached) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}

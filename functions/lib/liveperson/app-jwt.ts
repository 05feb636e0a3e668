/**
 * AppJWT (Sentinel, OAuth2 client credentials): one token per container, refreshed before its
 * `exp`, fetched once for all concurrent callers, and refreshed once when LivePerson says 401.
 * LivePerson facts behind this: docs/liveperson.md#appjwt.
 */
import * as z from '#contract/zod.ts';
import type { CallOptions, DomainResolver } from './domains.ts';
import { isConsumerJwsRejection, LivePersonApiError, LivePersonResponseError } from './errors.ts';
import type { LivePersonHttpClient } from './http.ts';

export interface AppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AppJwtProviderOptions {
  readonly accountId: string;
  readonly http: LivePersonHttpClient;
  readonly domains: Pick<DomainResolver, 'resolve'>;
  /** Read at every fetch, so rotated credentials are picked up. */
  readonly credentials: () => Promise<AppCredentials> | AppCredentials;
  /** Refresh this long before `exp`. Default 5 minutes (capped at half the token's lifetime). */
  readonly refreshBeforeExpiryMs?: number;
}

interface CachedToken {
  readonly token: string;
  readonly refreshAt: number;
}

const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1, 'access_token is empty')),
  token_type: z.optional(z.string()),
});

/** Names Sentinel's token call in errors, so callers can tell its failures from the API's they wanted a token for. */
export const APP_JWT_OPERATION = 'Sentinel AppJWT';

// The AppJWT lives one hour (LivePerson's app JWT docs); used only when a token has no readable `exp`.
const DOCUMENTED_LIFETIME_MS = 60 * 60 * 1000;

export class AppJwtProvider {
  readonly #options: AppJwtProviderOptions;
  readonly #refreshBeforeExpiryMs: number;
  #cached: CachedToken | undefined;
  #pending: Promise<string> | undefined;
  #fetchCount = 0;

  constructor(options: AppJwtProviderOptions) {
    this.#options = options;
    this.#refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 5 * 60 * 1000;
  }

  /** How many tokens this provider fetched from Sentinel (for tests and the benchmark). */
  get fetchCount(): number {
    return this.#fetchCount;
  }

  /** A valid AppJWT: the cached one, or a fresh one shared by all concurrent callers. */
  async getToken(options: CallOptions = {}): Promise<string> {
    const cached = this.#cached;
    if (cached && cached.refreshAt > Date.now()) return cached.token;
    this.#pending ??= this.#fetch(options).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Drops `token` if it is still the cached one (another caller may have refreshed already). */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  /**
   * Runs `call` with a token; when LivePerson rejects the token with 401, fetches a new one and
   * runs `call` once more. A second 401 is thrown to the caller.
   */
  async withToken<T>(call: (token: string) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const token = await this.getToken(options);
    try {
      return await call(token);
    } catch (error) {
      if (!isAppJwtRejection(error)) throw error;
      this.invalidate(token);
      return call(await this.getToken(options));
    }
  }

  async #fetch(options: CallOptions): Promise<string> {
    const { accountId, http, domains } = this.#options;
    const credentials = await this.#options.credentials();
    const sentinel = await domains.resolve('sentinel', options);
    const operation = APP_JWT_OPERATION;
    const url = `${sentinel}/sentinel/api/account/${encodeURIComponent(accountId)}/app/token?v=1.0&grant_type=client_credentials`;
    this.#fetchCount++;
    const answer = await http.requestJson(
      {
        operation,
        method: 'POST',
        url,
        form: { client_id: credentials.clientId, client_secret: credentials.clientSecret },
        deadline: options.deadline,
        retry: options.retry,
      },
      tokenResponseSchema,
    );
    const now = Date.now();
    const expiresAt = jwtExpiry(answer.access_token) ?? now + DOCUMENTED_LIFETIME_MS;
    if (expiresAt <= now) throw new LivePersonResponseError(operation, 'Sentinel issued an AppJWT that has already expired');
    const refreshAt = expiresAt - Math.min(this.#refreshBeforeExpiryMs, (expiresAt - now) / 2);
    this.#cached = { token: answer.access_token, refreshAt };
    return answer.access_token;
  }
}

/**
 * A 401 that a fresh AppJWT can cure: expired or invalid AppJWT (Connector 40102, C2M 1100
 * "jwt expired"), or a 401 without a code. Not a 401 about the consumer JWS.
 */
export function isAppJwtRejection(error: unknown): error is LivePersonApiError {
  return error instanceof LivePersonApiError && error.status === 401 && !isConsumerJwsRejection(error);
}

const jwtPayloadSchema = z.object({ exp: z.number().check(z.positive()) });

/**
 * Reads `exp` (epoch ms) from a JWT without verifying it: we are the token's holder, not its
 * audience, so only the expiry matters. Hand-written: four lines do not justify a JWT library.
 */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const parsed = jwtPayloadSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

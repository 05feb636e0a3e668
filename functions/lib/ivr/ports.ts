/**
 * What the C2M service needs from the outside world: the account, the LivePerson HTTP client, the
 * credentials secret, the domain lookups and the AppJWT. The Lambda wires them from AWS
 * (functions/lib/platform.ts); unit tests pass fakes.
 */
import type { AppJwtProvider } from '../liveperson/app-jwt.ts';
import type { DomainResolver } from '../liveperson/domains.ts';
import type { LivePersonHttpClient } from '../liveperson/http.ts';
import type { OAuth1Credentials } from '../liveperson/oauth1.ts';

/** The part of the credentials secret C2M reads: an API key (OAuth 1.0a) when set, else the AppJWT is used. */
export interface C2mCredentials {
  readonly oauth1?: OAuth1Credentials | undefined;
}

export interface C2mCredentialsSource {
  /** The current secret; read on every call, so a rotated secret (or a newly added API key) takes effect. */
  get(): Promise<C2mCredentials>;
}

export interface C2mPlatform {
  readonly environment: { readonly accountId: string };
  readonly http: LivePersonHttpClient;
  readonly credentials: C2mCredentialsSource;
  readonly domains: Pick<DomainResolver, 'resolve'>;
  readonly appJwt: Pick<AppJwtProvider, 'getToken' | 'withToken'>;
}

/**
 * OAuth 1.0a HMAC-SHA1 request signing: the C2M "API key" and LivePerson's legacy signed REST
 * calls. The oauth-1.0a library builds the base string and header; we give it node:crypto's HMAC.
 * The JSON body is never signed (only form bodies would be, and LivePerson uses JSON).
 */
import { createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';

export interface OAuth1Credentials {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly accessToken: string;
  readonly accessTokenSecret: string;
}

export interface OAuth1Request {
  readonly method: string;
  /** The full URL; its query parameters (e.g. `v=2.0`) are part of the signature. */
  readonly url: string;
}

/** Fixed values for a reproducible signature (tests against published vectors). */
export interface OAuth1SigningOverrides {
  readonly nonce?: string;
  readonly timestamp?: number;
}

function client(credentials: OAuth1Credentials): OAuth {
  return new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (baseString, key) => createHmac('sha1', key).update(baseString).digest('base64'),
  });
}

/** The `oauth_signature` of a request. */
export function oauth1Signature(
  credentials: OAuth1Credentials,
  request: OAuth1Request,
  oauthParameters: { nonce: string; timestamp: number },
): string {
  return client(credentials).getSignature({ method: request.method, url: request.url }, credentials.accessTokenSecret, {
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: oauthParameters.nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: oauthParameters.timestamp,
    oauth_token: credentials.accessToken,
    oauth_version: '1.0',
  });
}

/** The `Authorization: OAuth ...` header value that signs one request. */
export function oauth1AuthorizationHeader(
  credentials: OAuth1Credentials,
  request: OAuth1Request,
  overrides: OAuth1SigningOverrides = {},
): string {
  const nonce = overrides.nonce ?? randomBytes(16).toString('hex');
  const timestamp = overrides.timestamp ?? Math.floor(Date.now() / 1000);
  const oauth = client(credentials);
  const signature = oauth1Signature(credentials, request, { nonce, timestamp });
  return oauth.toHeader({
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: timestamp,
    oauth_token: credentials.accessToken,
    oauth_version: '1.0',
    oauth_signature: signature,
  }).Authorization;
}

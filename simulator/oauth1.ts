// Verification of C2M's "API key": an OAuth 1.0a HMAC-SHA1 signed Authorization header. The
// signature is recomputed by RFC 5849 §3.4 over the method, the URL (its query, v=2.0, included) and
// the oauth_* parameters; the JSON body is not signed. Written here on its own (nothing shared with
// the signer under functions/), so it checks that signer independently; not with the oauth-1.0a
// package, whose base string keeps an upper-case host, the default port and encodes query names twice.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OAuth1Credentials } from './types.ts';

/** Simulator-defined: a timestamp further than this from the clock is refused (usual OAuth 1.0a practice). */
const MAX_CLOCK_SKEW_SECONDS = 600;

export function isOAuth1Header(authorization: string | undefined): authorization is string {
  return authorization !== undefined && /^OAuth\s/i.test(authorization);
}

/**
 * True when the header is a valid signature by the configured credentials.
 * `url` is the full URL the client addressed, query included (e.g. http://127.0.0.1:4040/api/...?v=2.0).
 */
export function verifyOAuth1Header(input: {
  authorization: string;
  method: string;
  url: string;
  credentials: OAuth1Credentials;
  nowSeconds?: number;
}): boolean {
  const params = parseOAuthHeader(input.authorization);
  if (params === undefined) return false;
  const { oauth_signature: signature, ...signedParams } = params;
  const { credentials } = input;
  if (
    signature === undefined ||
    signedParams.oauth_signature_method !== 'HMAC-SHA1' ||
    signedParams.oauth_consumer_key !== credentials.consumerKey ||
    signedParams.oauth_token !== credentials.accessToken ||
    signedParams.oauth_nonce === undefined ||
    (signedParams.oauth_version !== undefined && signedParams.oauth_version !== '1.0')
  ) {
    return false;
  }
  const timestamp = Number(signedParams.oauth_timestamp);
  const now = input.nowSeconds ?? Date.now() / 1000;
  if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > MAX_CLOCK_SKEW_SECONDS) return false;

  const expected = createHmac('sha1', `${rfc3986(credentials.consumerSecret)}&${rfc3986(credentials.accessTokenSecret)}`)
    .update(signatureBaseString(input.method, input.url, signedParams))
    .digest('base64');
  return constantTimeEqual(expected, signature);
}

/** RFC 5849 §3.6: every byte but ALPHA, DIGIT, '-', '.', '_', '~' percent-encoded, hex upper case. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * RFC 5849 §3.4.1: METHOD & base URI (scheme and host lower case, default port dropped: what WHATWG
 * URL's `host` gives) & the query (form-decoded) and oauth_* parameters, each encoded, sorted by
 * name then value.
 */
function signatureBaseString(method: string, url: string, oauthParams: Record<string, string>): string {
  const parsed = new URL(url);
  const baseUri = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const pairs = [...parsed.searchParams, ...Object.entries(oauthParams)].map(([name, value]) => [rfc3986(name), rfc3986(value)] as const);
  pairs.sort(([nameA, valueA], [nameB, valueB]) => (nameA === nameB ? compare(valueA, valueB) : compare(nameA, nameB)));
  return [method.toUpperCase(), rfc3986(baseUri), rfc3986(pairs.map(([name, value]) => `${name}=${value}`).join('&'))].join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The parameters of an `OAuth k="v", ...` header, percent-decoded; realm dropped. Undefined when malformed. */
function parseOAuthHeader(header: string): Record<string, string> | undefined {
  const list = header.replace(/^OAuth\s+/i, '');
  const params: Record<string, string> = {};
  for (const part of list.split(',')) {
    const match = /^\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*$/.exec(part);
    if (match === null) return undefined;
    const [, rawKey = '', rawValue = ''] = match;
    try {
      const key = decodeURIComponent(rawKey);
      if (key !== 'realm') params[key] = decodeURIComponent(rawValue);
    } catch {
      return undefined;
    }
  }
  return params;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

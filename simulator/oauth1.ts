// Verification of C2M's "API key": an OAuth 1.0a HMAC-SHA1 signed Authorization header. The
// signature is recomputed with oauth-1.0a over the method, the URL (its query, v=2.0, included) and
// the oauth_* parameters; the JSON body is not signed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import OAuth from 'oauth-1.0a';
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

  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (baseString, key) => createHmac('sha1', key).update(baseString).digest('base64'),
  });
  // getSignature reads every oauth_* parameter it is given (the library mutates this object: pass a copy).
  const oauthData = { ...signedParams } as unknown as OAuth.Data;
  const expected = oauth.getSignature({ url: input.url, method: input.method }, credentials.accessTokenSecret, oauthData);
  return constantTimeEqual(expected, signature);
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

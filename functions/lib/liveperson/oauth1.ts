/**
 * OAuth 1.0a HMAC-SHA1 request signing (RFC 5849): the C2M "API key" and LivePerson's legacy signed
 * REST calls. A JSON body is never signed (RFC 5849 §3.4.1.3.1 signs only form-encoded bodies).
 *
 * Hand-written rather than left to the oauth-1.0a package, whose base string deviates from
 * RFC 5849 §3.4.1: it keeps the URL's scheme, host and default port as typed (§3.4.1.2 wants them
 * lower-cased and the default port dropped), keeps a fragment, leaves query names percent-encoded
 * so that they are encoded a second time, and reads '+' in the query as a plus, not a space
 * (§3.4.1.3.1 decodes the query as application/x-www-form-urlencoded). Servers that follow the RFC
 * refuse such signatures.
 * LivePerson facts behind this: docs/liveperson.md#oauth-10a-api-key.
 */
import { createHmac, randomBytes } from 'node:crypto';

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
  /**
   * The exact body of an `application/x-www-form-urlencoded` request, whose parameters are signed
   * (RFC 5849 §3.4.1.3.1). Leave it out for every other body (JSON is not signed).
   */
  readonly formBody?: string;
}

/** Fixed values for a reproducible signature (tests against published vectors). */
export interface OAuth1SigningOverrides {
  readonly nonce?: string;
  readonly timestamp?: number;
}

/** The protocol parameters this module sends: all but `oauth_signature`. */
function protocolParameters(credentials: OAuth1Credentials, nonce: string, timestamp: number): Record<string, string> {
  return {
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(timestamp),
    oauth_token: credentials.accessToken,
    oauth_version: '1.0',
  };
}

/** The `oauth_signature` of a request. */
export function oauth1Signature(
  credentials: OAuth1Credentials,
  request: OAuth1Request,
  oauthParameters: { nonce: string; timestamp: number },
): string {
  const baseString = oauth1BaseString(request, protocolParameters(credentials, oauthParameters.nonce, oauthParameters.timestamp));
  return oauth1HmacSha1(baseString, credentials.consumerSecret, credentials.accessTokenSecret);
}

/** The `Authorization: OAuth ...` header value that signs one request. */
export function oauth1AuthorizationHeader(
  credentials: OAuth1Credentials,
  request: OAuth1Request,
  overrides: OAuth1SigningOverrides = {},
): string {
  const nonce = overrides.nonce ?? randomBytes(16).toString('hex');
  const timestamp = overrides.timestamp ?? Math.floor(Date.now() / 1000);
  const parameters = protocolParameters(credentials, nonce, timestamp);
  const signature = oauth1HmacSha1(oauth1BaseString(request, parameters), credentials.consumerSecret, credentials.accessTokenSecret);
  // §3.5.1: names and values encoded (§3.6), values in double quotes, separated by ", ".
  const fields = Object.entries({ ...parameters, oauth_signature: signature })
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([a], [b]) => compare(a, b))
    .map(([name, value]) => `${name}="${value}"`);
  return `OAuth ${fields.join(', ')}`;
}

/** HMAC-SHA1 (RFC 5849 §3.4.2) of a base string, base64: the key is encode(consumer secret) & encode(token secret). */
export function oauth1HmacSha1(baseString: string, consumerSecret: string, tokenSecret: string): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString).digest('base64');
}

/**
 * The signature base string (RFC 5849 §3.4.1.1): METHOD & encode(base string URI) & encode(normalized
 * parameters). `protocol` holds the oauth_* parameters as sent, decoded; `oauth_signature` and
 * `realm` are ignored (§3.4.1.3.1), so a verifier may pass every parameter of the header.
 */
export function oauth1BaseString(request: OAuth1Request, protocol: Readonly<Record<string, string>>): string {
  const url = new URL(request.url);
  return [
    percentEncode(request.method.toUpperCase()),
    percentEncode(oauth1BaseStringUri(url)),
    percentEncode(oauth1NormalizedParameters(url, protocol, request.formBody)),
  ].join('&');
}

/**
 * The base string URI (RFC 5849 §3.4.1.2): scheme and host lower case, the port only when not the
 * scheme's default, the path, no query or fragment. WHATWG URL parsing lower-cases scheme and host,
 * empties `port` for a default port and serializes the path as an HTTP client sends it.
 */
export function oauth1BaseStringUri(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`OAuth 1.0a signs http and https requests only, not ${parsed.protocol}`);
  }
  // `host` is hostname[:port] with a default port left out; userinfo is not part of the base string URI.
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '' ? '/' : parsed.pathname}`;
}

/**
 * The normalized request parameters (RFC 5849 §3.4.1.3.2): the query's and the form body's
 * parameters, form-decoded, with the protocol parameters (less `oauth_signature` and `realm`);
 * each name and value encoded (§3.6), sorted by name then value in byte order, joined by '&'.
 */
export function oauth1NormalizedParameters(url: string | URL, protocol: Readonly<Record<string, string>>, formBody?: string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const pairs: (readonly [string, string])[] = [];
  for (const [name, value] of formDecode(parsed.search.slice(1))) pairs.push([percentEncodeBytes(name), percentEncodeBytes(value)]);
  for (const [name, value] of Object.entries(protocol)) {
    if (name !== 'oauth_signature' && name !== 'realm') pairs.push([percentEncode(name), percentEncode(value)]);
  }
  if (formBody !== undefined) {
    for (const [name, value] of formDecode(formBody)) pairs.push([percentEncodeBytes(name), percentEncodeBytes(value)]);
  }
  pairs.sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Encoded strings are ASCII: code-unit order is byte order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * application/x-www-form-urlencoded decoding to bytes: '&'-separated, name and value split at the
 * first '=', '+' is a space, %XX a byte. Bytes, not text, so that a value that is not UTF-8 is
 * signed as sent rather than replaced.
 */
function formDecode(text: string): (readonly [Uint8Array, Uint8Array])[] {
  const pairs: (readonly [Uint8Array, Uint8Array])[] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const name = at === -1 ? part : part.slice(0, at);
    const value = at === -1 ? '' : part.slice(at + 1);
    pairs.push([percentDecode(name.replaceAll('+', ' ')), percentDecode(value.replaceAll('+', ' '))]);
  }
  return pairs;
}

function percentDecode(text: string): Uint8Array {
  const utf8 = Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < utf8.length; i += 1) {
    const byte = utf8[i] ?? 0;
    const hex = byte === 0x25 ? utf8.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(byte); // a '%' not followed by two hex digits stays a '%', as form decoding does
    }
  }
  return Uint8Array.from(bytes);
}

/** RFC 5849 §3.6: UTF-8, then every byte but ALPHA, DIGIT, '-', '.', '_', '~' as %XX with upper-case hex. */
function percentEncode(text: string): string {
  if (!text.isWellFormed()) throw new TypeError('OAuth 1.0a parameters must be well-formed Unicode text');
  return percentEncodeBytes(Buffer.from(text, 'utf8'));
}

function percentEncodeBytes(bytes: Uint8Array): string {
  let encoded = '';
  for (const byte of bytes) {
    const unreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f ||
      byte === 0x7e;
    encoded += unreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

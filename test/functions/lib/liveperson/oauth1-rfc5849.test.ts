// The signature base string by RFC 5849 §3.4.1, checked with the RFC's own examples. Each deviation
// is checked through oauth1Signature against an HMAC-SHA1 computed here, over a base string written
// out by hand, so that a wrong base string shows as a wrong signature.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  oauth1AuthorizationHeader,
  oauth1BaseString,
  oauth1BaseStringUri,
  oauth1HmacSha1,
  oauth1NormalizedParameters,
  oauth1Signature,
} from '#functions/lib/liveperson/oauth1.ts';

const credentials = { consumerKey: 'ck', consumerSecret: 'cs', accessToken: 'at', accessTokenSecret: 'ats' };
const fixed = { nonce: 'n0nce', timestamp: 1700000000 };
/** The protocol parameters oauth1Signature sends for `credentials` and `fixed`, normalized (§3.4.1.3.2). */
const PROTOCOL =
  'oauth_consumer_key=ck&oauth_nonce=n0nce&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_token=at&oauth_version=1.0';

/** §3.4.1.1 from its parts, for parts written in plain ASCII (encodeURIComponent is §3.6 for them). */
function baseString(method: string, baseStringUri: string, normalizedParameters: string): string {
  return `${method}&${encodeURIComponent(baseStringUri)}&${encodeURIComponent(normalizedParameters)}`;
}

/** HMAC-SHA1 with the key encode(consumer secret)&encode(token secret); these secrets need no encoding. */
function hmacSha1(base: string, consumerSecret = 'cs', tokenSecret = 'ats'): string {
  return createHmac('sha1', `${consumerSecret}&${tokenSecret}`).update(base).digest('base64');
}

function signatureOf(method: string, url: string, formBody?: string): string {
  return oauth1Signature(credentials, formBody === undefined ? { method, url } : { method, url, formBody }, fixed);
}

// RFC 5849 §3.1 / §3.4.1.1: the example request and its signature base string.
const RFC_URL = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
const RFC_BODY = 'c2&a3=2+q';
const RFC_PROTOCOL = {
  oauth_consumer_key: '9djdj82h48djs9d2',
  oauth_token: 'kkk9d7dh3k39sjv7',
  oauth_signature_method: 'HMAC-SHA1',
  oauth_timestamp: '137131201',
  oauth_nonce: '7d8f3e4a',
};
const RFC_NORMALIZED =
  'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7';
const RFC_BASE_STRING =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7';

describe('RFC 5849 §3.4.1.2 base string URI', () => {
  it('lower-cases the scheme and the host', () => {
    expect(signatureOf('GET', 'HTTP://EXAMPLE.COM/r%20v/X?id=123')).toBe(
      hmacSha1(baseString('GET', 'http://example.com/r%20v/X', `id=123&${PROTOCOL}`)),
    );
  });

  it('drops the default port of http (80) and https (443) and keeps any other', () => {
    expect(signatureOf('GET', 'http://example.com:80/r%20v/X?id=123')).toBe(
      hmacSha1(baseString('GET', 'http://example.com/r%20v/X', `id=123&${PROTOCOL}`)),
    );
    expect(signatureOf('POST', 'https://va.example.net:443/api?v=2.0')).toBe(
      hmacSha1(baseString('POST', 'https://va.example.net/api', `${PROTOCOL}&v=2.0`)),
    );
    expect(signatureOf('GET', 'https://www.example.net:8080/?q=1')).toBe(
      hmacSha1(baseString('GET', 'https://www.example.net:8080/', `${PROTOCOL}&q=1`)),
    );
    expect(signatureOf('GET', 'http://example.com:443/')).toBe(hmacSha1(baseString('GET', 'http://example.com:443/', PROTOCOL)));
  });

  it('leaves out the fragment, from the URI and from the last query value', () => {
    expect(signatureOf('GET', 'https://x.test/a#section')).toBe(hmacSha1(baseString('GET', 'https://x.test/a', PROTOCOL)));
    expect(signatureOf('GET', 'https://x.test/a?v=2.0#section')).toBe(hmacSha1(baseString('GET', 'https://x.test/a', `${PROTOCOL}&v=2.0`)));
  });

  it("gives the RFC's base string URIs", () => {
    expect(oauth1BaseStringUri('HTTP://EXAMPLE.COM:80/r%20v/X?id=123')).toBe('http://example.com/r%20v/X');
    expect(oauth1BaseStringUri('https://www.example.net:8080/?q=1')).toBe('https://www.example.net:8080/');
    expect(() => oauth1BaseStringUri('ftp://example.com/')).toThrow(/http and https/);
  });
});

describe('RFC 5849 §3.4.1.3 request parameters', () => {
  it('decodes a percent-encoded query name before encoding it, so it is encoded once', () => {
    expect(signatureOf('GET', 'http://example.com/request?c%40=')).toBe(
      hmacSha1(baseString('GET', 'http://example.com/request', `c%40=&${PROTOCOL}`)),
    );
  });

  it('decodes the query as application/x-www-form-urlencoded: "+" is a space', () => {
    expect(signatureOf('GET', 'http://example.com/request?a3=2+q')).toBe(
      hmacSha1(baseString('GET', 'http://example.com/request', `a3=2%20q&${PROTOCOL}`)),
    );
  });

  it('signs a query value that is not UTF-8 byte for byte', () => {
    expect(signatureOf('GET', 'http://example.com/request?a=%FF&b=caf%C3%A9')).toBe(
      hmacSha1(baseString('GET', 'http://example.com/request', `a=%FF&b=caf%C3%A9&${PROTOCOL}`)),
    );
  });

  it('signs the parameters of a form-encoded body with those of the query', () => {
    expect(signatureOf('POST', 'http://example.com/request?a3=a', RFC_BODY)).toBe(
      hmacSha1(baseString('POST', 'http://example.com/request', `a3=2%20q&a3=a&c2=&${PROTOCOL}`)),
    );
  });

  it("signs the RFC's example request (§3.1) to the RFC's base string, oauth_version added", () => {
    const rfcCredentials = {
      consumerKey: '9djdj82h48djs9d2',
      consumerSecret: 'j49sk3j29djd',
      accessToken: 'kkk9d7dh3k39sjv7',
      accessTokenSecret: 'dh893hdasih9',
    };
    const signature = oauth1Signature(
      rfcCredentials,
      { method: 'POST', url: RFC_URL, formBody: RFC_BODY },
      { nonce: '7d8f3e4a', timestamp: 137131201 },
    );
    expect(signature).toBe(hmacSha1(`${RFC_BASE_STRING}%26oauth_version%3D1.0`, 'j49sk3j29djd', 'dh893hdasih9'));
  });

  it("gives the RFC's normalized parameters and base string exactly (§3.4.1.3.2, §3.4.1.1)", () => {
    expect(oauth1NormalizedParameters(RFC_URL, RFC_PROTOCOL, RFC_BODY)).toBe(RFC_NORMALIZED);
    // realm and oauth_signature, as a verifier reads them from the header, are not signed.
    const fromHeader = { realm: 'Example', ...RFC_PROTOCOL, oauth_signature: 'bYT5CMsGcbgUdFHObYMEfcx6bsw=' };
    expect(oauth1BaseString({ method: 'post', url: RFC_URL, formBody: RFC_BODY }, fromHeader)).toBe(RFC_BASE_STRING);
  });
});

describe('RFC 5849 signatures', () => {
  it("reproduces the signature of the RFC's §1.2 example (no oauth_version sent)", () => {
    const base = oauth1BaseString(
      { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
      {
        realm: 'Photos',
        oauth_consumer_key: 'dpf43f3p2l4k3l03',
        oauth_token: 'nnch734d00sl2jdk',
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '137131202',
        oauth_nonce: 'chapoH',
      },
    );
    // The token secret is the one the RFC's token response hands out (oauth_token_secret=pfkkdhi9sl3r4s00).
    expect(oauth1HmacSha1(base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00')).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  it("encodes the secrets of the HMAC key and the header's values by §3.6", () => {
    const odd = { consumerKey: 'k ey!', consumerSecret: 's&c*', accessToken: "t'ok", accessTokenSecret: 'é~' };
    const header = oauth1AuthorizationHeader(odd, { method: 'POST', url: 'https://x.test/a' }, fixed);
    const normalized =
      'oauth_consumer_key=k%20ey%21&oauth_nonce=n0nce&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_token=t%27ok&oauth_version=1.0';
    const base = `POST&https%3A%2F%2Fx.test%2Fa&${encodeURIComponent(normalized)}`;
    const signature = createHmac('sha1', 's%26c%2A&%C3%A9~').update(base).digest('base64');
    expect(header).toBe(
      `OAuth oauth_consumer_key="k%20ey%21", oauth_nonce="n0nce", oauth_signature="${encodeURIComponent(signature)}", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="t%27ok", oauth_version="1.0"`,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { oauth1AuthorizationHeader, oauth1Signature } from '#functions/lib/liveperson/oauth1.ts';

describe('OAuth 1.0a HMAC-SHA1 signing', () => {
  it('matches the reference signature of the OAuth Core 1.0 specification (appendix A.5)', () => {
    const signature = oauth1Signature(
      {
        consumerKey: 'dpf43f3p2l4k3l03',
        consumerSecret: 'kd94hf93k423kf44',
        accessToken: 'nnch734d00sl2jdk',
        accessTokenSecret: 'pfkkdhi9sl3r4s00',
      },
      { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
      { nonce: 'kllo9940pd9333jh', timestamp: 1191242096 },
    );
    expect(signature).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
  });

  it('builds a header that carries every oauth parameter, the query parameters signed but not repeated', () => {
    const credentials = { consumerKey: 'ck', consumerSecret: 'cs', accessToken: 'at', accessTokenSecret: 'ats' };
    const request = { method: 'POST', url: 'https://va.connect-to-messaging.liveperson.net/api/account/123/eligibility?v=2.0' };
    const header = oauth1AuthorizationHeader(credentials, request, { nonce: 'n0nce', timestamp: 1700000000 });
    const expected = encodeURIComponent(oauth1Signature(credentials, request, { nonce: 'n0nce', timestamp: 1700000000 }));
    expect(header).toBe(
      `OAuth oauth_consumer_key="ck", oauth_nonce="n0nce", oauth_signature="${expected}", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="at", oauth_version="1.0"`,
    );
    // The query parameter is part of the signature: another version signs differently.
    expect(
      oauth1Signature(credentials, { ...request, url: request.url.replace('v=2.0', 'v=1.0') }, { nonce: 'n0nce', timestamp: 1700000000 }),
    ).not.toBe(decodeURIComponent(expected));
  });

  it('uses a fresh nonce and the current time by default', () => {
    const credentials = { consumerKey: 'ck', consumerSecret: 'cs', accessToken: 'at', accessTokenSecret: 'ats' };
    const a = oauth1AuthorizationHeader(credentials, { method: 'POST', url: 'https://x.test/a' });
    const b = oauth1AuthorizationHeader(credentials, { method: 'POST', url: 'https://x.test/a' });
    expect(a).not.toBe(b);
    const timestamp = Number(/oauth_timestamp="(\d+)"/.exec(a)?.[1]);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
  });
});

// The simulator's OAuth 1.0a check follows RFC 5849: the RFC's own example verifies, and so does
// the project's signer on URLs whose base string the oauth-1.0a package gets wrong.
import { describe, expect, it } from 'vitest';
import { oauth1AuthorizationHeader } from '#functions/lib/liveperson/oauth1.ts';
import { verifyOAuth1Header } from '#simulator/oauth1.ts';

describe('simulator OAuth 1.0a verification', () => {
  it("verifies the RFC's §1.2 example request", () => {
    const authorization =
      'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ' +
      'oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"';
    const credentials = {
      consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44',
      accessToken: 'nnch734d00sl2jdk',
      accessTokenSecret: 'pfkkdhi9sl3r4s00',
    };
    const request = { authorization, method: 'GET', credentials, nowSeconds: 137131202 };
    expect(verifyOAuth1Header({ ...request, url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' })).toBe(true);
    expect(verifyOAuth1Header({ ...request, url: 'http://photos.example.net/photos?file=vacation.jpg&size=small' })).toBe(false);
  });

  it.each([
    'HTTPS://Api.Example.COM:443/api/account/1/eligibility?v=2.0',
    'http://127.0.0.1:80/path?c%40=1&a=2+q',
    'https://example.com/p?b5=%3D%253D&a3=a&a2=r%20b',
  ])('accepts what the RFC signer signs for %s', (url) => {
    const credentials = { consumerKey: 'ck', consumerSecret: 'cs&?', accessToken: 'at', accessTokenSecret: 'ats ~' };
    const authorization = oauth1AuthorizationHeader(credentials, { method: 'POST', url });
    expect(verifyOAuth1Header({ authorization, method: 'POST', url, credentials })).toBe(true);
    expect(verifyOAuth1Header({ authorization, method: 'GET', url, credentials })).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivePersonSimulator } from '#simulator/index.ts';
import type { LivePersonSimulator } from '#simulator/index.ts';
import { decodeJwtPayload, fetchAppJwt, postJson, request } from './helpers.ts';

let sim: LivePersonSimulator;

beforeAll(async () => {
  sim = await startLivePersonSimulator({ domains: { msgHist: 'va.msghist.liveperson.net' } });
});
afterAll(async () => {
  await sim.close();
});

describe('CSDS', () => {
  it('answers one service with the simulator url', async () => {
    const response = await request(`${sim.url}/api/account/${sim.accountId}/service/sentinel/baseURI.json?version=1.0`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ service: 'sentinel', account: sim.accountId, baseURI: sim.url });
  });

  it('answers every service at once, with per-service overrides', async () => {
    const response = await request(`${sim.url}/api/account/${sim.accountId}/service/baseURI.json?version=1.0`);
    expect(response.status).toBe(200);
    const { baseURIs } = response.body as { baseURIs: Array<{ service: string; account: string; baseURI: string }> };
    expect(baseURIs.map((entry) => entry.service).sort()).toEqual(
      [
        'sentinel',
        'idp',
        'asyncMessagingEnt',
        'messagingRestApiDomain',
        'connectToMessagingDomain',
        'agentVep',
        'msgHist',
        'engHistDomain',
        'leDataReporting',
        'swift',
      ].sort(),
    );
    expect(baseURIs.find((entry) => entry.service === 'msgHist')?.baseURI).toBe('va.msghist.liveperson.net');
    expect(baseURIs.find((entry) => entry.service === 'idp')).toEqual({ service: 'idp', account: sim.accountId, baseURI: sim.url });
  });

  it('is case-sensitive and 404s unknown services and accounts', async () => {
    const wrongCase = await request(`${sim.url}/api/account/${sim.accountId}/service/Sentinel/baseURI.json?version=1.0`);
    expect(wrongCase.status).toBe(404);
    expect(wrongCase.body).toMatchObject({ error: 'Not Found' });
    const unknownAccount = await request(`${sim.url}/api/account/99999999/service/sentinel/baseURI.json?version=1.0`);
    expect(unknownAccount.status).toBe(404);
  });
});

describe('Sentinel', () => {
  const tokenUrl = () => `${sim.url}/sentinel/api/account/${sim.accountId}/app/token?v=1.0&grant_type=client_credentials`;

  it('issues an HS256 AppJWT for credentials in a form body', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await request(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${sim.credentials.clientId}&client_secret=${sim.credentials.clientSecret}`,
    });
    expect(response.status).toBe(200);
    const body = response.body as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(body).not.toHaveProperty('expires_in');
    const token = body.access_token as string;
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as unknown;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwtPayload(token);
    expect(claims).toMatchObject({ sub: sim.credentials.clientId, acct: sim.accountId });
    expect(claims.iss).toEqual(expect.any(String));
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat as number) + 3600);
  });

  it('accepts the credentials in the query string (older docs)', async () => {
    const query = `&client_id=${sim.credentials.clientId}&client_secret=${sim.credentials.clientSecret}`;
    const response = await request(tokenUrl() + query, { method: 'POST' });
    expect(response.status).toBe(200);
    expect((response.body as { access_token: string }).access_token.split('.')).toHaveLength(3);
  });

  it('refuses wrong credentials with 401 and a missing grant_type with 400', async () => {
    const wrong = await request(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${sim.credentials.clientId}&client_secret=wrong`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client' });

    const noGrant = await request(`${sim.url}/sentinel/api/account/${sim.accountId}/app/token?v=1.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${sim.credentials.clientId}&client_secret=${sim.credentials.clientSecret}`,
    });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body).toMatchObject({ error: 'invalid_request' });
  });
});

describe('IdP', () => {
  const consumerUrl = () => `${sim.url}/api/account/${sim.accountId}/consumer?v=1.0`;

  it('issues a consumer JWS naming the consumer, without expiry', async () => {
    const appJwt = await fetchAppJwt(sim);
    const response = await postJson(consumerUrl(), { ext_consumer_id: 'consumer-1' }, { authorization: appJwt });
    expect(response.status).toBe(201);
    const claims = decodeJwtPayload((response.body as { token: string }).token);
    expect(claims).toMatchObject({ sub: 'consumer-1', acct: sim.accountId });
    expect(claims).not.toHaveProperty('exp');
  });

  it('answers 401 to a missing, invalid, Bearer-prefixed or expired AppJWT', async () => {
    const appJwt = await fetchAppJwt(sim);
    const body = { ext_consumer_id: 'consumer-1' };
    expect((await postJson(consumerUrl(), body)).status).toBe(401);
    expect((await postJson(consumerUrl(), body, { authorization: `${appJwt}x` })).status).toBe(401);
    expect((await postJson(consumerUrl(), body, { authorization: `Bearer ${appJwt}` })).status).toBe(401);

    const shortLived = sim.issueAppJwt({ ttlSeconds: -1 });
    expect((await postJson(consumerUrl(), body, { authorization: shortLived })).status).toBe(401);
  });

  it('answers 400 to a bad body', async () => {
    const appJwt = await fetchAppJwt(sim);
    expect((await postJson(consumerUrl(), { ext_consumer_id: '' }, { authorization: appJwt })).status).toBe(400);
    expect((await postJson(consumerUrl(), { consumer: 'x' }, { authorization: appJwt })).status).toBe(400);
    expect((await postJson(consumerUrl(), '{not json', { authorization: appJwt })).status).toBe(400);
  });

  it('expireAppJwts() turns every AppJWT issued so far into an expired one, not the later ones', async () => {
    const older = await fetchAppJwt(sim);
    expect((await postJson(consumerUrl(), { ext_consumer_id: 'c' }, { authorization: older })).status).toBe(201);
    sim.expireAppJwts();
    expect((await postJson(consumerUrl(), { ext_consumer_id: 'c' }, { authorization: older })).status).toBe(401);
    const newer = await fetchAppJwt(sim);
    expect((await postJson(consumerUrl(), { ext_consumer_id: 'c' }, { authorization: newer })).status).toBe(201);
  });

  it('refuses AppJWTs signed by another simulator', async () => {
    const other = await startLivePersonSimulator();
    try {
      const foreign = await fetchAppJwt(other);
      expect((await postJson(consumerUrl(), { ext_consumer_id: 'c' }, { authorization: foreign })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

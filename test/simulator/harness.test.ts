// The test-facing side of the simulator: request recording, injected faults, shutdown and the CLI.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATOR_DEFAULTS, startLivePersonSimulator } from '#simulator/index.ts';
import type { LivePersonSimulator } from '#simulator/index.ts';
import { fetchAppJwt, postJson, request } from './helpers.ts';

let sim: LivePersonSimulator;

beforeEach(async () => {
  sim = await startLivePersonSimulator();
});
afterEach(async () => {
  await sim.close();
});

const csdsUrl = () => `${sim.url}/api/account/${sim.accountId}/service/idp/baseURI.json?version=1.0`;

describe('startLivePersonSimulator', () => {
  it('listens on loopback with the default account and credentials', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.accountId).toBe(SIMULATOR_DEFAULTS.accountId);
    expect(sim.credentials).toEqual({
      clientId: SIMULATOR_DEFAULTS.clientId,
      clientSecret: SIMULATOR_DEFAULTS.clientSecret,
      oauth1: SIMULATOR_DEFAULTS.oauth1,
    });
  });

  it('takes another account and credentials', async () => {
    const custom = await startLivePersonSimulator({ accountId: '555', clientId: 'id', clientSecret: 'secret', appJwtTtlSeconds: 60 });
    try {
      const token = await fetchAppJwt(custom);
      const [, payload = ''] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { acct: string; iat: number; exp: number };
      expect(claims.acct).toBe('555');
      expect(claims.exp - claims.iat).toBe(60);
    } finally {
      await custom.close();
    }
  });
});

describe('requests()', () => {
  it('records every request, failed ones included, by service', async () => {
    await request(csdsUrl());
    await postJson(`${sim.url}/api/account/${sim.accountId}/eligibility?v=2.0&trace=1`, { skill: 'support' }, { 'X-Trace': 'abc' });
    await request(`${sim.url}/nowhere`);

    const all = sim.requests();
    expect(all.map((record) => [record.service, record.status])).toEqual([
      ['csds', 200],
      ['connectToMessagingDomain', 401],
      ['unrouted', 404],
    ]);
    const [c2m] = sim.requests({ service: 'connectToMessagingDomain' });
    expect(c2m).toMatchObject({
      method: 'POST',
      path: `/api/account/${sim.accountId}/eligibility`,
      query: { v: '2.0', trace: '1' },
      body: '{"skill":"support"}',
      receivedAt: expect.any(Number),
    });
    expect(c2m?.headers['x-trace']).toBe('abc');
    expect(c2m?.headers['content-type']).toBe('application/json');

    sim.clearRequests();
    expect(sim.requests()).toEqual([]);
  });
});

describe('fail()', () => {
  it('answers matching requests with the injected status and body, in order, then normally', async () => {
    sim.fail({ service: 'csds', status: 500, body: { oops: true }, times: 2 });
    sim.fail({ service: 'csds', status: 502, body: 'Bad Gateway' });
    const first = await request(csdsUrl());
    expect([first.status, first.body]).toEqual([500, { oops: true }]);
    expect((await request(csdsUrl())).status).toBe(500);
    const third = await request(csdsUrl());
    expect([third.status, third.body]).toEqual([502, 'Bad Gateway']);
    expect((await request(csdsUrl())).status).toBe(200);
    expect(sim.requests().map((record) => record.status)).toEqual([500, 500, 502, 200]);
  });

  it('matches by service, and any service when none is given', async () => {
    sim.fail({ service: 'sentinel', status: 503 });
    expect((await request(csdsUrl())).status).toBe(200);
    sim.fail({ status: 500 });
    expect((await request(csdsUrl())).status).toBe(500);
    expect((await request(csdsUrl())).status).toBe(200);
    const sentinel = await request(`${sim.url}/sentinel/api/account/${sim.accountId}/app/token?v=1.0`, { method: 'POST' });
    expect(sentinel.status).toBe(503);
  });

  it('uses each service’s error shape by default', async () => {
    sim.fail({ service: 'asyncMessagingEnt', status: 401 });
    const connector = await postJson(`${sim.url}/api/account/${sim.accountId}/messaging/consumer/conversation?v=3`, []);
    expect(connector.body).toEqual({ kind: 'resp', code: 401, body: { errorCode: 40102, message: 'Unauthorized' } });

    sim.fail({ service: 'connectToMessagingDomain', status: 429 });
    const c2m = await postJson(`${sim.url}/api/account/${sim.accountId}/invite?v=2.0`, {});
    expect(c2m.body).toEqual({ errorCode: 1029, errorMessage: 'Rate limit hit' });

    sim.fail({ service: 'sentinel', status: 500 });
    const sentinel = await request(`${sim.url}/sentinel/api/account/${sim.accountId}/app/token?v=1.0`, { method: 'POST' });
    expect(sentinel.body).toMatchObject({ error: 'server_error' });
  });

  it('delays, then answers normally when only delayMs is given, or with the status', async () => {
    sim.fail({ service: 'csds', delayMs: 150 });
    let started = Date.now();
    const slow = await request(csdsUrl());
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(slow.status).toBe(200);

    sim.fail({ service: 'csds', delayMs: 100, status: 504 });
    started = Date.now();
    expect((await request(csdsUrl())).status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('is recorded with status 0 while delayed', async () => {
    sim.fail({ service: 'csds', delayMs: 200 });
    const pending = request(csdsUrl());
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sim.requests()[0]?.status).toBe(0);
    expect((await pending).status).toBe(200);
    expect(sim.requests()[0]?.status).toBe(200);
  });
});

describe('close()', () => {
  it('closes promptly despite a keep-alive connection and a pending delay', async () => {
    await request(csdsUrl()); // leaves a keep-alive connection open
    sim.fail({ service: 'csds', delayMs: 5_000 });
    const pending = request(csdsUrl()).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await pending;
  });
});

describe('cli', () => {
  it('prints the url and credentials on one line and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['simulator/cli.ts', '--port', '0', '--account', '424242'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout });
    const firstLine = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    const printed = JSON.parse(firstLine) as { url: string; accountId: string; clientId: string; oauth1: { consumerKey: string } };
    expect(printed).toMatchObject({ accountId: '424242', clientId: SIMULATOR_DEFAULTS.clientId });
    expect(printed.oauth1.consumerKey).toBe(SIMULATOR_DEFAULTS.oauth1.consumerKey);

    const csds = await request(`${printed.url}/api/account/424242/service/sentinel/baseURI.json?version=1.0`);
    expect(csds.body).toMatchObject({ baseURI: printed.url });

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '#cli/liveperson-aws.ts';
import { startAwsStandIns, type AwsStandIns } from '#local/aws-standins.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.ts';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('liveperson-aws CLI', () => {
  let sim: LivePersonSimulator;
  let aws: AwsStandIns;
  let target: string[];
  const dir = mkdtempSync(path.join(tmpdir(), 'lp-cli-'));
  const file = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  beforeAll(async () => {
    sim = await startLivePersonSimulator();
    aws = await startAwsStandIns({
      secrets: {
        'lp/good': JSON.stringify({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }),
        'lp/template': JSON.stringify({ clientId: '', clientSecret: '' }),
      },
    });
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', aws.endpoint);
    // The simulator is plain http on loopback: the CLI calls it only because the environment says so.
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'true');
    target = ['--account', sim.accountId, '--csds-url', sim.url];
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([sim.close(), aws.stop()]);
  });

  describe('doctor', () => {
    it('warns, without failing, when the messaging route has no token', async () => {
      const result = await run('doctor', ...target, '--secret-id', 'lp/good', '--json');
      const report = JSON.parse(result.out) as { ok: boolean; checks: Array<{ name: string; level: string }> };
      expect(result.code).toBe(0);
      expect(report.ok).toBe(true);
      expect(report.checks.find((c) => c.name === 'messaging route')?.level).toBe('warning');
    });

    it('passes every check with a good secret, and prints no token', async () => {
      const result = await run('doctor', ...target, '--secret-id', 'lp/good');
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/✓ config .*account 12345678/);
      expect(result.out).toMatch(/✓ credentials .*secret lp\/good/);
      expect(result.out).toMatch(/✓ domains .*connectToMessagingDomain=http:\/\/127\.0\.0\.1/);
      expect(result.out).toMatch(/✓ appjwt .*valid until/);
      expect(result.out).not.toContain(sim.credentials.clientSecret);
      expect(result.out).not.toMatch(/eyJ[\w-]+\./);
    });

    it('says which secret key is missing', async () => {
      const result = await run('doctor', ...target, '--secret-id', 'lp/template');
      expect(result.code).toBe(1);
      expect(result.out).toContain('✗ credentials');
      expect(result.out).toContain('clientId must be a non-empty string');
    });

    it('names a secret that does not exist', async () => {
      const result = await run('doctor', ...target, '--secret-id', 'lp/none', '--json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.out) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.name === 'credentials')?.detail).toMatch(
        /cannot read secret lp\/none.*: Secrets Manager can.t find/,
      );
    });

    it('points at the client credentials when Sentinel refuses them', async () => {
      const wrong = file('wrong.json', { clientId: sim.credentials.clientId, clientSecret: 'not-it' });
      const result = await run('doctor', ...target, '--credentials', wrong);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/✗ appjwt .*HTTP 401.*check clientId\/clientSecret/);
      expect(result.out).not.toContain('not-it');
    });

    it('points at the account when CSDS does not know it', async () => {
      const good = file('good.json', { clientId: 'a', clientSecret: 'b' });
      const result = await run('doctor', '--account', '999', '--csds-url', sim.url, '--credentials', good);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/✗ domains .*HTTP 404.*is 999 the right account/);
    });
  });

  describe('webhook send', () => {
    let receiver: ScriptedServer;
    beforeAll(async () => {
      receiver = await startScriptedServer({ status: 200, body: { status: 'accepted' } });
    });
    afterAll(() => receiver.close());

    it.each(['sha1', 'sha256'])('posts a %s-signed ContentEvent and reports the answer', async (algorithm) => {
      const result = await run(
        'webhook',
        'send',
        ...target,
        '--secret-id',
        'lp/good',
        '--url',
        `${receiver.url}/webhooks/connector`,
        '--algorithm',
        algorithm,
        '--text',
        'héllo 😀',
      );
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/✓ POST .* → 200/);
      const request = receiver.received.at(-1);
      const expected = `${algorithm}=${createHmac(algorithm, sim.credentials.clientSecret)
        .update(Buffer.from(request?.body ?? '', 'utf8'))
        .digest('base64')}`;
      expect(request?.headers['x-liveperson-signature']).toBe(expected);
      expect(request?.headers['x-liveperson-account-id']).toBe(sim.accountId);
      expect(JSON.parse(request?.body ?? '{}').body.changes[0].event.message).toBe('héllo 😀');
    });

    it('fails with the endpoint answer when it is not 200', async () => {
      receiver.script({ status: 401, body: { error: 'invalid-signature' } });
      const result = await run('webhook', 'send', ...target, '--secret-id', 'lp/good', '--url', receiver.url);
      expect(result.code).toBe(1);
      expect(result.out).toContain('→ 401 {"error":"invalid-signature"}');
    });

    it('needs a URL', async () => {
      expect(await run('webhook', 'send', ...target, '--secret-id', 'lp/good')).toMatchObject({
        code: 2,
        err: expect.stringContaining('--url is required'),
      });
    });
  });

  describe('c2m check', () => {
    it('reports eligibility and channels', async () => {
      sim.c2m.setConsumer('+12065550100', { eligible: true, availableChannels: ['sms', 'wa'], recommendedChannelName: 'wa' });
      const result = await run(
        'c2m',
        'check',
        ...target,
        '--secret-id',
        'lp/good',
        '--phone',
        '+12065550100',
        '--skill',
        'support',
        '--handoff-id',
        'H123456789',
        '--json',
      );
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out)).toMatchObject({
        eligible: true,
        recommendedChannel: 'wa',
        availableChannels: ['sms', 'wa'],
        auth: 'app-jwt',
      });
      expect(sim.c2m.invites()).toEqual([]);
    });

    it('refuses a number that is not E.164 before any call', async () => {
      sim.clearRequests();
      const result = await run(
        'c2m',
        'check',
        ...target,
        '--secret-id',
        'lp/good',
        '--phone',
        '2065550100',
        '--skill',
        'support',
        '--handoff-id',
        'H1',
      );
      expect(result).toMatchObject({ code: 2, err: expect.stringContaining('--phone must be an E.164 number') });
      expect(sim.requests()).toEqual([]);
    });

    it('reports a C2M error with its code', async () => {
      const result = await run(
        'c2m',
        'check',
        ...target,
        '--secret-id',
        'lp/good',
        '--phone',
        '+12065550100',
        '--skill',
        'nope',
        '--handoff-id',
        'H123456789',
      );
      expect(result.code).toBe(1);
      expect(result.out).toContain('LivePerson error 1300');
    });
  });

  it('explains its usage', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('npx liveperson-aws <command>') });
    expect(await run('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
  });
  describe('c2m report', () => {
    it('prints the funnel of the invites the simulator sent, as a table or JSON, and one line per invite', async () => {
      const from = Date.now() - 1000;
      const token = sim.issueAppJwt();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const post = async (resource: string, body: unknown) =>
        (
          await fetch(`${sim.url}/api/account/${sim.accountId}/${resource}?v=2.0`, { method: 'POST', headers, body: JSON.stringify(body) })
        ).json() as Promise<{ callId: string }>;
      const { callId } = await post('eligibility', { consumerPhoneNumber: '+12065550155', handoffId: 'H123456789', skill: 'sales' });
      await post('invite', { callId });
      sim.c2m.consumerReplies(callId, 'yes');
      const window = ['--from', String(from), '--to', new Date(Date.now() + 1000).toISOString(), '--reporting-url', sim.url];

      const table = await run('c2m', 'report', ...target, '--secret-id', 'lp/good', ...window);
      expect(table.code).toBe(0);
      expect(table.out).toMatch(/day\s+channel\s+skill\s+attempted\s+sent\s+delivered\s+read\s+conversations\s+failed/);
      expect(table.out).toMatch(/\d{2}-\d{2}-\d{4}\s+sms\s+sales\s+1\s+1\s+1\s+0\s+1\s+0/);

      const json = await run('c2m', 'report', ...target, '--secret-id', 'lp/good', ...window, '--json');
      expect(JSON.parse(json.out)).toMatchObject({
        kind: 'analytics',
        rows: [{ channel: 'sms', skill: 'sales', attempted: 1, conversationsCreated: 1 }],
      });

      const lines = await run('c2m', 'report', ...target, '--secret-id', 'lp/good', ...window, '--transactions');
      expect(lines.out).toMatch(/sms {2}sales {2}delivered {2}conversation /);
    });

    it('refuses a window LivePerson refuses, or no region, before any call', async () => {
      sim.clearRequests();
      const tooLong = await run(
        'c2m',
        'report',
        ...target,
        '--secret-id',
        'lp/good',
        '--from',
        '2026-01-01',
        '--to',
        '2026-03-15',
        '--reporting-url',
        sim.url,
      );
      expect(tooLong).toMatchObject({ code: 2, err: expect.stringContaining('the window is longer than LivePerson allows') });
      const noRegion = await run('c2m', 'report', ...target, '--secret-id', 'lp/good', '--config', file('empty-cdk.json', { context: {} }));
      // Without a region, C2M's own domain (from CSDS) would name it: the simulator's names none.
      expect(noRegion).toMatchObject({
        code: 2,
        err: expect.stringContaining(
          "C2M's domain (127.0.0.1) names no region (va, lo, sy): set the account's C2M region (c2m.region, C2M_REGION), or pass --lp-region",
        ),
      });
      const badRegion = await run('c2m', 'report', ...target, '--secret-id', 'lp/good', '--lp-region', 'eu');
      expect(badRegion).toMatchObject({ code: 2, err: expect.stringContaining('--lp-region must be one of va, lo, sy') });
      expect(await run('c2m', 'report', ...target, '--secret-id', 'lp/good', '--from', 'yesterday')).toMatchObject({
        code: 2,
        err: expect.stringContaining('--from must be an ISO time'),
      });
      expect(sim.requests({ service: 'outboundReporting' })).toEqual([]);
    });
  });
});

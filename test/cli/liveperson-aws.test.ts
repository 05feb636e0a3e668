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
});

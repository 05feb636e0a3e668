// The c2m-funnel handler against the LivePerson simulator (its Outbound Reporting API serves the
// invites it really sent) and a local DynamoDB, with Secrets Manager and SSM mocked: each step
// counted once across runs, LivePerson's delay respected, failures changing nothing.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as HandlerModule from '#functions/c2m-funnel/index.ts';
import { C2mClient } from '#functions/lib/liveperson/c2m.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { FUNNEL_TABLE } from '#contract/resources.ts';
import { startLocalDynamoDb, type LocalDynamoDb } from '#local/dynamodb.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureProcessOutput } from '#test/support/log-capture.ts';

type Handler = (typeof HandlerModule)['handler'];

const MINUTE = 60_000;

describe('c2m-funnel handler', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  let dynamo: LocalDynamoDb;
  let sim: LivePersonSimulator;
  let table = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
  });
  afterAll(() => dynamo.stop());

  async function setUp(options: { delayMinutes?: number; simulatorDelayMs?: number; reportingUrl?: boolean } = {}): Promise<Handler> {
    sim = await startLivePersonSimulator({ reportingDelayMs: options.simulatorDelayMs ?? 0 });
    // A table per test: each starts with no watermark.
    const tableName = await dynamo.createTable(`funnel-${++table}`, FUNNEL_TABLE.partitionKey);
    vi.stubEnv('LP_ACCOUNT_ID', sim.accountId);
    vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
    vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', '/liveperson/12345678/domains/');
    vi.stubEnv('LP_CSDS_URL', sim.url);
    // The simulator is plain http on loopback.
    vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', 'true');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.stubEnv('C2M_FUNNEL_TABLE_NAME', tableName);
    vi.stubEnv('C2M_REPORTING_URL', options.reportingUrl === false ? '' : sim.url);
    vi.stubEnv('C2M_FUNNEL_DELAY_MINUTES', String(options.delayMinutes ?? 0));
    // Metrics on, as deployed.
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'LivePerson');
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }),
    });
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    vi.resetModules();
    return (await import('#functions/c2m-funnel/index.ts')).handler;
  }

  beforeEach(() => {
    secrets.reset();
    ssm.reset();
  });
  afterEach(async () => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    await sim.close();
  });

  /** An invite through C2M, as c2m-invite sends it (API key). */
  async function invite(phone: string): Promise<string> {
    const c2m = new C2mClient({
      accountId: sim.accountId,
      http: new LivePersonHttpClient(),
      baseUrl: async () => sim.url,
      auth: () => ({ kind: 'api-key', credentials: sim.credentials.oauth1 }),
    });
    const { callId } = await c2m.eligibility({ consumerPhoneNumber: phone, skill: 'support', handoffId: 'H123456789' });
    await c2m.invite({ callId });
    return callId;
  }

  const run = (handler: Handler) => handler({}, lambdaContext('c2m-funnel', 300_000));

  it("counts the simulator's invites and the conversation an answer opened, each once, and publishes them in their minute", async () => {
    const handler = await setUp();
    const answered = await invite('+12065550101');
    await invite('+12065550102');
    sim.c2m.consumerReplies(answered, 'Yes, text me');
    const capture = captureProcessOutput();
    let first;
    try {
      first = await run(handler);
    } finally {
      capture.restore();
    }
    expect(first).toMatchObject({
      status: 'counted',
      invitesRead: 2,
      totals: { attempted: 2, sent: 2, delivered: 2, read: 0, failed: 0, conversationCreated: 1 },
      byChannel: { sms: { attempted: 2, conversationCreated: 1 } },
    });
    const records = capture
      .lines()
      .map(({ line }) => JSON.parse(line) as Record<string, unknown> & { _aws?: { Timestamp: number } })
      .filter((record) => record._aws !== undefined && 'C2mInvitesAttempted' in record && record.Channel === undefined);
    const attemptedMinute = Math.floor((sim.c2m.invites()[0]?.receivedAt ?? 0) / MINUTE) * MINUTE;
    expect(records.reduce((sum, record) => sum + Number(record.C2mInvitesAttempted), 0)).toBe(2);
    expect(records.map((record) => record._aws?.Timestamp)).toContain(attemptedMinute);
    // The reporting API was called with the AppJWT, for the lookback before the window.
    const reporting = sim.requests({ service: 'outboundReporting' });
    expect(reporting.length).toBeGreaterThan(0);
    expect(reporting.every((request) => /^Bearer \S+$/.test(request.headers.authorization ?? ''))).toBe(true);

    // A second run (or a retry) counts nothing again.
    const second = await run(handler);
    expect(second.status).toBe('counted');
    expect(second.totals).toEqual({ attempted: 0, sent: 0, delivered: 0, read: 0, failed: 0, conversationCreated: 0 });
    expect(second.from).toBe(first.to);
  });

  it("waits for LivePerson's delay: a step is counted by the first run after it, not before", async () => {
    const handler = await setUp({ delayMinutes: 20, simulatorDelayMs: 20 * MINUTE });
    await invite('+12065550103');
    const early = await run(handler);
    expect(early).toMatchObject({ status: 'counted', totals: { attempted: 0, sent: 0 } });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 21 * MINUTE);
    expect(await run(handler)).toMatchObject({ status: 'counted', from: early.to, totals: { attempted: 1, sent: 1, delivered: 1 } });
    vi.setSystemTime(Date.now() + 15 * MINUTE);
    expect((await run(handler)).totals).toMatchObject({ attempted: 0, sent: 0, delivered: 0 });
  });

  it('fails the run when LivePerson fails, moves nothing, and the next run counts the same invites', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const handler = await setUp();
    await invite('+12065550104');
    // A refusal (no retry), so the test does not wait through LivePerson's 5xx back-off.
    sim.fail({ service: 'outboundReporting', status: 400, body: { code: 400, requestTraceId: 't', message: 'Bad request' } });
    const capture = captureProcessOutput();
    try {
      await expect(run(handler)).rejects.toThrow('HTTP 400');
    } finally {
      capture.restore();
    }
    const lines = capture.lines().map(({ line }) => line);
    expect(lines.some((line) => line.includes('C2M funnel run failed'))).toBe(true);
    expect(lines.some((line) => line.includes('"C2mFunnelRunFailed":1'))).toBe(true);
    expect((await run(handler)).totals).toMatchObject({ attempted: 1 });
  });

  it("says what to set when neither a URL nor a region is given and C2M's domain names no region", async () => {
    const handler = await setUp({ reportingUrl: false });
    await expect(run(handler)).rejects.toThrow(
      "C2M's domain (127.0.0.1) names no region (va, lo, sy): set the account's C2M region (c2m.region, C2M_REGION)",
    );
  });
});

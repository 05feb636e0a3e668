// `liveperson-aws events replay` against a mocked EventBridge: what StartReplay is asked exactly, which
// rules a replay goes to, the usage errors (exit 2, before StartReplay), and --wait.
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  LimitExceededException,
  ListRulesCommand,
  PutEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  StartReplayCommand,
  TestEventPatternCommand,
  type DescribeReplayCommandOutput,
  type TestEventPatternCommandInput,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLI_EVENTBRIDGE_BUDGET, eventsReplay, REPLAY_POLL_MS } from '#cli/events-replay.ts';
import { runCli } from '#cli/liveperson-aws.ts';

const ACCOUNT = '12345678';
const AWS_ACCOUNT = '123456789012';
const ARCHIVE_ARN = `arn:aws:events:eu-west-1:${AWS_ACCOUNT}:archive/liveperson-${ACCOUNT}`;
const BUS_ARN = `arn:aws:events:eu-west-1:${AWS_ACCOUNT}:event-bus/liveperson-${ACCOUNT}`;
const REPLAY_ARN = `arn:aws:events:eu-west-1:${AWS_ACCOUNT}:replay/fix-crm`;
const ruleArn = (name: string, bus = `liveperson-${ACCOUNT}`) => `arn:aws:events:eu-west-1:${AWS_ACCOUNT}:rule/${bus}/${name}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** EventBridge's matching for the patterns these tests use: every key's list holds the event's value. */
function matches(input: TestEventPatternCommandInput): boolean {
  const pattern = JSON.parse(input.EventPattern ?? '{}') as Record<string, unknown>;
  const event = JSON.parse(input.Event ?? '{}') as Record<string, unknown>;
  return Object.entries(pattern).every(([key, values]) => Array.isArray(values) && values.includes(event[key]));
}

describe('liveperson-aws events replay', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const dir = mkdtempSync(path.join(tmpdir(), 'lp-replay-'));
  const cdkJson = path.join(dir, 'cdk.json');
  writeFileSync(cdkJson, JSON.stringify({ context: { liveperson: { accountId: ACCOUNT, region: 'eu-west-1' } } }));
  let now: number;
  let window: { from: number; to: number };
  let target: string[];

  beforeAll(() => {
    // Only the flags and the test's config name the region.
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
  });
  afterAll(() => vi.unstubAllEnvs());
  beforeEach(() => {
    eventBridge.reset();
    now = Date.now();
    window = { from: now - 2 * DAY, to: now - DAY };
    target = ['--account', ACCOUNT, '--region', 'eu-west-1', '--from', new Date(window.from).toISOString(), '--to', String(window.to)];
    eventBridge.on(DescribeArchiveCommand).resolves({
      ArchiveArn: ARCHIVE_ARN,
      ArchiveName: `liveperson-${ACCOUNT}`,
      EventSourceArn: BUS_ARN,
      RetentionDays: 30,
      State: 'ENABLED',
      CreationTime: new Date(now - 100 * DAY),
    });
    eventBridge.on(StartReplayCommand).resolves({ ReplayArn: REPLAY_ARN, State: 'STARTING', ReplayStartTime: new Date(now) });
  });
  const startReplayInputs = () => eventBridge.commandCalls(StartReplayCommand).map((call) => call.args[0].input);

  describe('to every rule of the bus', () => {
    it("starts a replay of the window from the account's archive back to its bus, and says what subscribers see", async () => {
      const result = await run('events', 'replay', ...target, '--replay-name', 'fix-crm');
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(DescribeArchiveCommand, { ArchiveName: `liveperson-${ACCOUNT}` });
      expect(startReplayInputs()).toStrictEqual([
        {
          ReplayName: 'fix-crm',
          Description: `liveperson-aws events replay ${new Date(window.from).toISOString()} to ${new Date(window.to).toISOString()}`,
          EventSourceArn: ARCHIVE_ARN,
          EventStartTime: new Date(window.from),
          EventEndTime: new Date(window.to),
          Destination: { Arn: BUS_ARN },
        },
      ]);
      expect(result.out).toContain('✓ replay fix-crm STARTING');
      expect(result.out).toContain(`from ${ARCHIVE_ARN} back to bus liveperson-${ACCOUNT}`);
      expect(result.out).toContain('to every rule of the bus');
      expect(result.out).toContain('each replayed event carries "replay-name": "fix-crm"; its detail (and eventId) is the archived one');
      // EventBridge resends the archived events themselves: the CLI never publishes one, so the detail and its eventId stay as archived.
      expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
      // Nothing asked about rules when none is picked.
      expect(eventBridge).not.toHaveReceivedCommand(ListRulesCommand);
    });

    it('names the replay after the archive and the time when no name is given, and prints JSON for scripts', async () => {
      const result = await run('events', 'replay', ...target, '--json');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.out) as Record<string, unknown>;
      expect(report).toMatchObject({
        ok: true,
        replayArn: REPLAY_ARN,
        state: 'STARTING',
        archiveArn: ARCHIVE_ARN,
        eventBusArn: BUS_ARN,
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        rules: 'all',
        detailTypes: [],
        notes: [],
      });
      expect(report.replayName).toMatch(/^liveperson-12345678-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
      expect(startReplayInputs()[0]?.ReplayName).toBe(report.replayName);
    });

    it("takes the account and region from the deployment config, and the region from --archive-arn, on a client with the CLI's timeouts", async () => {
      const fromConfig = await run('events', 'replay', '--config', cdkJson, '--from', String(window.from), '--to', String(window.to));
      expect(fromConfig.code).toBe(0);
      const byArn = await run('events', 'replay', '--archive-arn', ARCHIVE_ARN.replace('eu-west-1', 'us-east-2'), ...target.slice(4));
      expect(byArn.code).toBe(0);
      const clients = eventBridge.commandCalls(DescribeArchiveCommand).map((call) => call.thisValue as EventBridgeClient);
      expect(await Promise.all(clients.map((client) => client.config.region()))).toEqual(['eu-west-1', 'us-east-2']);
      const client = clients[0] as EventBridgeClient;
      expect(await client.config.maxAttempts()).toBe(CLI_EVENTBRIDGE_BUDGET.maxAttempts);
      const handler =
        (await (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider) ?? {};
      expect(handler).toMatchObject({
        connectionTimeout: CLI_EVENTBRIDGE_BUDGET.connectionTimeoutMs,
        requestTimeout: CLI_EVENTBRIDGE_BUDGET.requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: CLI_EVENTBRIDGE_BUDGET.requestTimeoutMs,
      });
    });

    it('warns that the last 10 minutes may not be archived yet, and replays from an archive that keeps events forever', async () => {
      eventBridge.on(DescribeArchiveCommand).resolves({ ArchiveArn: ARCHIVE_ARN, EventSourceArn: BUS_ARN, RetentionDays: 0 });
      const result = await run('events', 'replay', ...target.slice(0, 4), '--from', String(now - 400 * DAY), '--to', String(now - 60_000));
      expect(result.code).toBe(0);
      expect(result.out).toContain('! events of the last 10 minutes may not be archived yet');
      expect(startReplayInputs()).toHaveLength(1);
    });
  });

  describe('to some rules', () => {
    const rule = (name: string, pattern: unknown, extra: Record<string, unknown> = {}) => ({
      Name: name,
      Arn: ruleArn(name),
      EventBusName: `liveperson-${ACCOUNT}`,
      State: 'ENABLED' as const,
      EventPattern: JSON.stringify(pattern),
      ...extra,
    });

    it('replays to the rules whose pattern takes the detail-types, tested by EventBridge on the fields a replayed event has', async () => {
      eventBridge
        .on(ListRulesCommand)
        .resolvesOnce({
          Rules: [
            rule('crm-closed', { source: ['liveperson'], 'detail-type': ['ConversationClosed'], detail: { route: ['connector'] } }),
            rule('crm-content', { source: ['liveperson'], 'detail-type': ['ContentEvent'] }),
            rule('Events-Archive-liveperson-12345678', { 'replay-name': [{ exists: false }] }, { ManagedBy: 'events.amazonaws.com' }),
            rule('paused', { 'detail-type': ['ConversationClosed'] }, { State: 'DISABLED' }),
          ],
          NextToken: 'page-2',
        })
        .resolvesOnce({
          Rules: [
            rule('other-source', { source: ['brand.app'], 'detail-type': ['ConversationClosed'] }),
            rule('live-only', { source: ['liveperson'], 'detail-type': ['ConversationClosed'], 'replay-name': [{ exists: false }] }),
            rule('audit-all', { source: ['liveperson'] }),
          ],
        });
      eventBridge.on(TestEventPatternCommand).callsFake((input: TestEventPatternCommandInput) => ({ Result: matches(input) }));

      const result = await run('events', 'replay', ...target, '--replay-name', 'fix-crm', '--detail-type', 'ConversationClosed');
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(startReplayInputs()[0]?.Destination).toStrictEqual({
        Arn: BUS_ARN,
        FilterArns: [ruleArn('crm-closed'), ruleArn('audit-all')],
      });
      expect(startReplayInputs()[0]?.Description).toMatch(/ for ConversationClosed$/);
      expect(eventBridge.commandCalls(ListRulesCommand).map((call) => call.args[0].input)).toEqual([
        { EventBusName: `liveperson-${ACCOUNT}`, Limit: 100 },
        { EventBusName: `liveperson-${ACCOUNT}`, Limit: 100, NextToken: 'page-2' },
      ]);
      // The detail is unknown before the replay: only source and detail-type are tested, on an event of the archive's account and region.
      const tested = eventBridge.commandCalls(TestEventPatternCommand).map((call) => call.args[0].input);
      expect(tested[0]?.EventPattern).toBe(JSON.stringify({ source: ['liveperson'], 'detail-type': ['ConversationClosed'] }));
      expect(JSON.parse(tested[0]?.Event ?? '{}')).toMatchObject({
        source: 'liveperson',
        'detail-type': 'ConversationClosed',
        account: AWS_ACCOUNT,
        region: 'eu-west-1',
        resources: [],
        detail: {},
      });
      // Managed, disabled and replay-refusing rules are never tested.
      expect(tested).toHaveLength(4);
      expect(result.out).toContain(`to rules ${ruleArn('crm-closed')}, ${ruleArn('audit-all')}`);
      expect(result.out).toContain(
        '! a replay cannot leave out events by detail-type: these rules get every replayed event their own pattern takes',
      );
    });

    it('refuses detail-types no rule takes, without starting a replay', async () => {
      eventBridge.on(ListRulesCommand).resolves({ Rules: [rule('crm-content', { 'detail-type': ['ContentEvent'] })] });
      eventBridge.on(TestEventPatternCommand).callsFake((input: TestEventPatternCommandInput) => ({ Result: matches(input) }));
      const result = await run('events', 'replay', ...target, '--detail-type', 'ConversationClosed', '--detail-type', 'Typo');
      expect(result).toMatchObject({
        code: 2,
        err: `no enabled rule of bus liveperson-${ACCOUNT} takes detail-types ConversationClosed, Typo: nothing would receive the replay`,
      });
      expect(startReplayInputs()).toEqual([]);
    });

    it('replays to the rules named, by name or ARN, each checked on the bus', async () => {
      eventBridge.on(DescribeRuleCommand).callsFake(({ Name }: { Name: string }) => ({
        Name,
        Arn: ruleArn(Name),
        State: 'ENABLED',
        EventPattern: JSON.stringify({ source: ['liveperson'] }),
      }));
      eventBridge.on(TestEventPatternCommand).callsFake((input: TestEventPatternCommandInput) => ({ Result: matches(input) }));
      const result = await run('events', 'replay', ...target, '--rule', 'crm-sync', '--rule', ruleArn('audit'));
      expect(result.code).toBe(0);
      expect(eventBridge.commandCalls(DescribeRuleCommand).map((call) => call.args[0].input)).toEqual([
        { Name: 'crm-sync', EventBusName: `liveperson-${ACCOUNT}` },
        { Name: 'audit', EventBusName: `liveperson-${ACCOUNT}` },
      ]);
      expect(startReplayInputs()[0]?.Destination).toStrictEqual({ Arn: BUS_ARN, FilterArns: [ruleArn('crm-sync'), ruleArn('audit')] });
    });

    it('refuses a rule of another bus, an unknown rule, and one whose pattern takes no replayed event', async () => {
      eventBridge.on(TestEventPatternCommand).callsFake((input: TestEventPatternCommandInput) => ({ Result: matches(input) }));
      expect(await run('events', 'replay', ...target, '--rule', ruleArn('x', 'default'))).toMatchObject({
        code: 2,
        err: `--rule ${ruleArn('x', 'default')} is a rule of bus default: a replay only reaches rules of bus liveperson-${ACCOUNT}`,
      });
      eventBridge
        .on(DescribeRuleCommand, { Name: 'gone' })
        .rejects(new ResourceNotFoundException({ message: 'Rule gone does not exist', $metadata: {} }));
      expect(await run('events', 'replay', ...target, '--rule', 'gone')).toMatchObject({
        code: 2,
        err: `--rule gone: bus liveperson-${ACCOUNT} has no rule named gone`,
      });
      eventBridge.on(DescribeRuleCommand, { Name: 'live-only' }).resolves({
        Arn: ruleArn('live-only'),
        State: 'ENABLED',
        EventPattern: JSON.stringify({ source: ['liveperson'], 'replay-name': [{ exists: false }] }),
      });
      expect(await run('events', 'replay', ...target, '--rule', 'live-only')).toMatchObject({
        code: 2,
        err: '--rule live-only: its event pattern takes no replayed event of source "liveperson" (see its source and replay-name)',
      });
      expect(startReplayInputs()).toEqual([]);
    });
  });

  describe('usage errors', () => {
    it.each<[string, string[], string]>([
      ['no --from', ['--to', '1000'], '--from is required: an ISO time (2026-12-01T08:00Z) or epoch milliseconds'],
      [
        'a time it cannot read',
        ['--from', 'yesterday', '--to', '1000'],
        '--from must be an ISO time (2026-12-01T08:00Z) or epoch milliseconds, got "yesterday"',
      ],
      [
        'an empty window',
        ['--from', '2026-01-02', '--to', '2026-01-01'],
        '--from (2026-01-02T00:00:00.000Z) must be before --to (2026-01-01T00:00:00.000Z)',
      ],
      [
        'a window ending in the future',
        ['--from', '1000', '--to', String(Date.now() + HOUR)],
        'is in the future: a replay only has what was archived until now',
      ],
      [
        '--rule with --detail-type',
        ['--from', '1000', '--to', '2000', '--rule', 'a', '--detail-type', 'B'],
        '--detail-type and --rule both pick the rules',
      ],
      ['a bad rule', ['--from', '1000', '--to', '2000', '--rule', 'no spaces'], '--rule must be a rule name or ARN, got "no spaces"'],
      [
        'a bad replay name',
        ['--from', '1000', '--to', '2000', '--replay-name', 'a/b'],
        '--replay-name must be 1 to 64 letters, digits or . - _, got "a/b"',
      ],
      ['--wait-minutes without --wait', ['--from', '1000', '--to', '2000', '--wait-minutes', '5'], '--wait-minutes needs --wait'],
      [
        'a wait of no minutes',
        ['--from', '1000', '--to', '2000', '--wait', '--wait-minutes', '0'],
        '--wait-minutes must be a whole number of minutes, at least 1',
      ],
      [
        'a bad archive ARN',
        ['--from', '1000', '--to', '2000', '--archive-arn', 'liveperson-1'],
        '--archive-arn must be an EventBridge archive ARN',
      ],
      [
        'a region other than the archive ARN',
        ['--from', '1000', '--to', '2000', '--archive-arn', ARCHIVE_ARN, '--region', 'us-east-1'],
        '--region is us-east-1 but the archive of --archive-arn is in eu-west-1',
      ],
      [
        'a bad bus name',
        ['--from', '1000', '--to', '2000', '--bus-name', 'a bus'],
        '--bus-name must be an EventBridge bus name, got "a bus"',
      ],
    ])('refuses %s before any AWS call', async (_, argv, message) => {
      const result = await run('events', 'replay', '--account', ACCOUNT, ...argv);
      expect(result).toMatchObject({ code: 2, err: expect.stringContaining(message) });
      expect(eventBridge.calls()).toEqual([]);
    });

    it("refuses a window older than the archive keeps, or before it existed, and another bus than the archive's", async () => {
      const older = await run('events', 'replay', ...target.slice(0, 4), '--from', String(now - 31 * DAY), '--to', String(window.to));
      expect(older).toMatchObject({
        code: 2,
        err: expect.stringMatching(
          /^--from \(.*\) is older than archive liveperson-12345678 keeps events \(30 days\): start at .* or later$/,
        ),
      });
      eventBridge
        .on(DescribeArchiveCommand)
        .resolves({ ArchiveArn: ARCHIVE_ARN, EventSourceArn: BUS_ARN, RetentionDays: 30, CreationTime: new Date(now - HOUR) });
      expect(await run('events', 'replay', ...target)).toMatchObject({
        code: 2,
        err: expect.stringContaining('is before archive liveperson-12345678 was created'),
      });
      expect(await run('events', 'replay', ...target, '--bus-name', 'other-bus')).toMatchObject({
        code: 2,
        err: `archive liveperson-${ACCOUNT} holds the events of bus liveperson-${ACCOUNT}, not other-bus: a replay only goes back to the bus the events were archived from`,
      });
      expect(startReplayInputs()).toEqual([]);
    });

    it('refuses a replay name in use', async () => {
      eventBridge.on(StartReplayCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
      expect(await run('events', 'replay', ...target, '--replay-name', 'fix-crm')).toMatchObject({
        code: 2,
        err: 'a replay named fix-crm exists already: pick another --replay-name',
      });
    });
  });

  describe('failures', () => {
    it('says where to look when the archive is not there', async () => {
      eventBridge.on(DescribeArchiveCommand).rejects(new ResourceNotFoundException({ message: 'Archive does not exist', $metadata: {} }));
      const result = await run('events', 'replay', ...target);
      expect(result.code).toBe(1);
      expect(result.out).toBe(
        `✗ archive liveperson-${ACCOUNT} not found in eu-west-1: is processing.archiveRetentionDays false, or the stack elsewhere (--region, --archive-arn)?`,
      );
    });

    it('names the limit when EventBridge runs too many replays', async () => {
      eventBridge.on(StartReplayCommand).rejects(new LimitExceededException({ message: 'Too many replays', $metadata: {} }));
      const result = await run('events', 'replay', ...target, '--replay-name', 'fix-crm', '--json');
      expect(result.code).toBe(1);
      expect(JSON.parse(result.out)).toEqual({
        ok: false,
        error: 'cannot start replay fix-crm: Too many replays (EventBridge runs at most 10 replays at once per region)',
      });
    });
  });

  describe('--wait', () => {
    const describeReplay = (State: DescribeReplayCommandOutput['State'], last?: number, StateReason?: string) => ({
      ReplayName: 'fix-crm',
      State,
      ...(last === undefined ? {} : { EventLastReplayedTime: new Date(last) }),
      ...(StateReason ? { StateReason } : {}),
    });
    /** A clock that only moves when the command sleeps. */
    const fakeIo = () => {
      const io = { time: Date.now(), sleeps: [] as number[], lines: [] as string[] };
      return {
        io,
        overrides: {
          now: () => io.time,
          sleep: async (ms: number) => {
            io.sleeps.push(ms);
            io.time += ms;
          },
          progress: (line: string) => io.lines.push(line),
        },
      };
    };
    const flags = () => ({
      account: ACCOUNT,
      region: 'eu-west-1',
      from: String(window.from),
      to: String(window.to),
      'replay-name': 'fix-crm',
      wait: true,
    });

    it('watches the replay until it completes, printing each change', async () => {
      eventBridge
        .on(DescribeReplayCommand)
        .resolvesOnce(describeReplay('STARTING'))
        .resolvesOnce(describeReplay('RUNNING', window.from + HOUR))
        .resolvesOnce(describeReplay('RUNNING', window.from + HOUR))
        .resolvesOnce(describeReplay('RUNNING', window.from + 2 * HOUR))
        .resolves(describeReplay('COMPLETED', window.to));
      const { io, overrides } = fakeIo();
      const result = await eventsReplay(flags(), overrides);
      expect(result).toMatchObject({ ok: true, state: 'COMPLETED', lastReplayedTime: new Date(window.to).toISOString() });
      expect(eventBridge).toHaveReceivedCommandWith(DescribeReplayCommand, { ReplayName: 'fix-crm' });
      expect(io.sleeps).toEqual([REPLAY_POLL_MS, REPLAY_POLL_MS, REPLAY_POLL_MS, REPLAY_POLL_MS]);
      expect(io.lines).toEqual([
        '  STARTING',
        `  RUNNING, replayed up to ${new Date(window.from + HOUR).toISOString()}`,
        `  RUNNING, replayed up to ${new Date(window.from + 2 * HOUR).toISOString()}`,
        `  COMPLETED, replayed up to ${new Date(window.to).toISOString()}`,
      ]);
    });

    it('stops at the deadline, saying the replay goes on', async () => {
      eventBridge.on(DescribeReplayCommand).resolves(describeReplay('RUNNING'));
      const { io, overrides } = fakeIo();
      const result = await eventsReplay({ ...flags(), 'wait-minutes': '1' }, overrides);
      expect(result).toMatchObject({ ok: false, state: 'RUNNING' });
      expect(result.notes.at(-1)).toBe('still RUNNING after 1 min; it goes on: aws events describe-replay --replay-name fix-crm');
      // Polled every 5 s for the minute, never past it.
      expect(io.sleeps).toHaveLength(60_000 / REPLAY_POLL_MS);
      expect(eventBridge.commandCalls(DescribeReplayCommand)).toHaveLength(60_000 / REPLAY_POLL_MS + 1);
    });

    it('exits 0 once completed and 1 when the replay failed, from the command line', async () => {
      eventBridge.on(DescribeReplayCommand).resolves(describeReplay('COMPLETED', window.to));
      const completed = await run('events', 'replay', ...target, '--replay-name', 'fix-crm', '--wait');
      expect(completed.code).toBe(0);
      expect(completed.out).toContain(`  COMPLETED, replayed up to ${new Date(window.to).toISOString()}`);
      expect(completed.out).toContain('✓ replay fix-crm COMPLETED');

      eventBridge.on(DescribeReplayCommand).resolves(describeReplay('FAILED', undefined, 'The rule target is unreachable'));
      const failed = await run('events', 'replay', ...target, '--replay-name', 'fix-crm2', '--wait', '--json');
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.out)).toMatchObject({ ok: false, state: 'FAILED', stateReason: 'The rule target is unreachable' });
    });
  });
});

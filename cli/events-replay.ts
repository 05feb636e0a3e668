/**
 * `liveperson-aws events replay`: sends the archived events of a window back to the bus they were
 * published on (an EventBridge replay from the bus's archive), to every rule of the bus or only to some.
 *
 * A replay cannot pick events by detail-type: it reads every archived event of the window, and its
 * Destination.FilterArns only names the rules that see them, each still applying its own event pattern.
 * So `--detail-type` picks rules, not events: the rules of the bus whose pattern takes that detail-type,
 * and those rules also get the other replayed events their pattern takes. `--rule` names them outright.
 * Replayed events are the archived ones, detail and `eventId` unchanged, with a top-level `replay-name`.
 */
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  StartReplayCommand,
  TestEventPatternCommand,
  type DescribeReplayCommandOutput,
  type Rule,
} from '@aws-sdk/client-eventbridge';
import { randomBytes, randomUUID } from 'node:crypto';
import { EVENT_SOURCE } from '#contract/constants.ts';
import { eventBusName } from '#contract/resources.ts';
import { requestHandlerOptions, type AwsCallBudget } from '#functions/lib/aws/clients.ts';
import { eventArchiveName } from '#lib/settings/processing.ts';
import { messageOf, readDeploymentConfig, readDeploymentConfigIfReadable, UsageError, type CommonFlags } from './context.ts';

export interface EventsReplayFlags extends CommonFlags {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Replay to the rules of the bus that take these detail-types (see the file comment). */
  readonly 'detail-type'?: readonly string[] | undefined;
  /** Replay to these rules only (names on the bus, or ARNs). */
  readonly rule?: readonly string[] | undefined;
  readonly 'archive-arn'?: string | undefined;
  readonly 'bus-name'?: string | undefined;
  readonly 'replay-name'?: string | undefined;
  readonly wait?: boolean | undefined;
  readonly 'wait-minutes'?: string | undefined;
}

export interface EventsReplayResult {
  /** False when --wait saw the replay fail, be cancelled, or outlast the deadline. */
  readonly ok: boolean;
  readonly replayName: string;
  readonly replayArn: string | undefined;
  readonly state: string;
  readonly stateReason: string | undefined;
  readonly archiveArn: string;
  readonly eventBusArn: string;
  readonly from: string;
  readonly to: string;
  /** The rules the replay goes to (Destination.FilterArns), or 'all' for every rule of the bus. */
  readonly rules: readonly string[] | 'all';
  readonly detailTypes: readonly string[];
  /** Event time of the last event replayed, when --wait read it. */
  readonly lastReplayedTime: string | undefined;
  readonly notes: readonly string[];
}

/** The clock and the waiting: the tests drive --wait without waiting. */
export interface ReplayIo {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A line of progress while --wait watches (human output only). */
  progress(line: string): void;
}

const defaultIo: ReplayIo = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  progress: () => {},
};

/** From a terminal over the internet: wider than the functions' in-region budgets, still bounded. */
export const CLI_EVENTBRIDGE_BUDGET = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
} as const satisfies AwsCallBudget;

export const REPLAY_POLL_MS = 5_000;
const DEFAULT_WAIT_MINUTES = 30;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** AWS: an event can reach the archive some minutes after the bus; it advises replaying 10 minutes later. */
const ARCHIVE_DELAY_MS = 10 * MINUTE_MS;
const TERMINAL_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

const ARCHIVE_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):archive\/([.\-_A-Za-z0-9]{1,48})$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([/.\-_A-Za-z0-9]+)$/;
const RULE_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:rule\/(?:([/.\-_A-Za-z0-9]+)\/)?([.\-_A-Za-z0-9]{1,64})$/;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** An ISO date or time, or epoch milliseconds. */
function timeFlag(flag: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`${flag} is required: an ISO time (2026-12-01T08:00Z) or epoch milliseconds`);
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) throw new UsageError(`${flag} must be an ISO time (2026-12-01T08:00Z) or epoch milliseconds, got "${value}"`);
  return time;
}

const iso = (time: number) => new Date(time).toISOString();

interface Plan {
  readonly from: number;
  readonly to: number;
  readonly detailTypes: readonly string[];
  readonly rules: readonly string[];
  readonly replayName: string | undefined;
  readonly waitMs: number | undefined;
}

/** Everything the command line says, checked before any AWS call. */
function planOf(flags: EventsReplayFlags, now: number): Plan {
  const from = timeFlag('--from', flags.from);
  const to = timeFlag('--to', flags.to);
  if (from >= to) throw new UsageError(`--from (${iso(from)}) must be before --to (${iso(to)})`);
  if (to > now) throw new UsageError(`--to (${iso(to)}) is in the future: a replay only has what was archived until now (${iso(now)})`);
  const detailTypes = [...new Set(flags['detail-type'] ?? [])];
  for (const type of detailTypes) {
    if (type.trim() === '' || type.length > 128)
      throw new UsageError(`--detail-type must be an event type of 1 to 128 characters, got "${type}"`);
  }
  const rules = [...new Set(flags.rule ?? [])];
  for (const rule of rules) {
    if (!RULE_NAME.test(rule) && !RULE_ARN.test(rule)) throw new UsageError(`--rule must be a rule name or ARN, got "${rule}"`);
  }
  if (detailTypes.length > 0 && rules.length > 0) {
    throw new UsageError('--detail-type and --rule both pick the rules the replay goes to: give one of them');
  }
  const replayName = flags['replay-name'];
  if (replayName !== undefined && !REPLAY_NAME.test(replayName)) {
    throw new UsageError(`--replay-name must be 1 to 64 letters, digits or . - _, got "${replayName}"`);
  }
  let waitMs: number | undefined;
  if (flags['wait-minutes'] !== undefined) {
    if (!flags.wait) throw new UsageError('--wait-minutes needs --wait');
    const minutes = Number(flags['wait-minutes']);
    if (!Number.isInteger(minutes) || minutes < 1) throw new UsageError(`--wait-minutes must be a whole number of minutes, at least 1`);
    waitMs = minutes * MINUTE_MS;
  } else if (flags.wait) {
    waitMs = DEFAULT_WAIT_MINUTES * MINUTE_MS;
  }
  return { from, to, detailTypes, rules, replayName, waitMs };
}

interface Location {
  readonly archiveName: string;
  readonly region: string | undefined;
  /** The bus the archive should be of: --bus-name, else the account's; unknown with --archive-arn alone. */
  readonly busName: string | undefined;
}

/** The archive's name and the region: from --archive-arn, else from the account (flag or deployment config). */
function locate(flags: EventsReplayFlags): Location {
  const arn = flags['archive-arn'];
  const envRegion = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (arn !== undefined) {
    const match = ARCHIVE_ARN.exec(arn);
    if (!match)
      throw new UsageError(
        `--archive-arn must be an EventBridge archive ARN (arn:aws:events:<region>:<account>:archive/<name>), got "${arn}"`,
      );
    const [, region, , archiveName] = match as unknown as [string, string, string, string];
    if (flags.region !== undefined && flags.region !== region) {
      throw new UsageError(`--region is ${flags.region} but the archive of --archive-arn is in ${region}`);
    }
    return { archiveName, region, busName: flags['bus-name'] };
  }
  // The account is needed from the config unless given; the region only when nothing else names it.
  let config;
  if (!flags.account) config = readDeploymentConfig(flags.config);
  else if (!envRegion) config = readDeploymentConfigIfReadable(flags.config);
  const accountId = flags.account ?? config?.accountId ?? '';
  if (!/^\d+$/.test(accountId)) throw new UsageError(`--account must be the LivePerson account (site) id, digits only, got "${accountId}"`);
  return {
    archiveName: eventArchiveName(accountId),
    region: envRegion ?? config?.region,
    busName: flags['bus-name'] ?? eventBusName(accountId),
  };
}

function eventBridgeClient(region: string | undefined): EventBridgeClient {
  const budget = CLI_EVENTBRIDGE_BUDGET;
  return new EventBridgeClient({
    ...(region ? { region } : {}),
    maxAttempts: budget.maxAttempts,
    requestHandler: requestHandlerOptions(budget),
  });
}

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

/** What a replayed event of source "liveperson" is known to carry, for testing a rule's pattern with EventBridge's own matcher. */
interface Envelope {
  readonly account: string;
  readonly region: string;
  readonly replayName: string;
}

/**
 * Whether a rule's pattern can take a replayed event of this detail-type (any, when undefined). Only the
 * fields every replayed event is known to have are tested (source, detail-type, replay-name); a rule
 * that filters on the detail as well counts as taking it: better a rule that drops the event itself than
 * a subscriber that never sees it.
 */
async function patternTakes(
  client: EventBridgeClient,
  pattern: string,
  detailType: string | undefined,
  envelope: Envelope,
): Promise<boolean> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(pattern) as Record<string, unknown>;
  } catch {
    return true;
  }
  if (!replayNameTaken(parsed['replay-name'], envelope.replayName)) return false;
  const known = Object.fromEntries(
    Object.entries(parsed).filter(([key]) => key === 'source' || (detailType !== undefined && key === 'detail-type')),
  );
  if (Object.keys(known).length === 0) return true;
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType ?? 'replayed event',
    source: EVENT_SOURCE,
    account: envelope.account,
    time: new Date().toISOString(),
    region: envelope.region,
    resources: [],
    detail: {},
  };
  const { Result } = await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(known), Event: JSON.stringify(event) }));
  return Result === true;
}

/**
 * A pattern's condition on `replay-name`, which test events cannot carry: the usual forms are read
 * here (`exists`, names), anything else counts as taking it.
 */
function replayNameTaken(condition: unknown, replayName: string): boolean {
  if (!Array.isArray(condition)) return true;
  return condition.some((item: unknown) => {
    if (typeof item === 'string') return item === replayName;
    if (item !== null && typeof item === 'object' && 'exists' in item) return (item as { exists: unknown }).exists !== false;
    if (item !== null && typeof item === 'object' && 'prefix' in item) {
      const prefix = (item as { prefix: unknown }).prefix;
      return typeof prefix !== 'string' || replayName.startsWith(prefix);
    }
    return true;
  });
}

async function busRules(client: EventBridgeClient, busName: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListRulesCommand({ EventBusName: busName, Limit: 100, ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    rules.push(...(page.Rules ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return rules;
}

const enabled = (state: string | undefined) => state?.startsWith('ENABLED') === true;

/** The ARNs of the enabled rules of the bus that take a replayed event of one of the detail-types. */
async function rulesForDetailTypes(
  client: EventBridgeClient,
  busName: string,
  detailTypes: readonly string[],
  envelope: Envelope,
): Promise<string[]> {
  const selected: string[] = [];
  for (const rule of await busRules(client, busName)) {
    // The archive's own rule (managed by EventBridge) never takes replayed events; disabled rules take nothing.
    if (rule.ManagedBy || !rule.EventPattern || !rule.Arn || !enabled(rule.State)) continue;
    for (const type of detailTypes) {
      if (await patternTakes(client, rule.EventPattern, type, envelope)) {
        selected.push(rule.Arn);
        break;
      }
    }
  }
  if (selected.length === 0) {
    throw new UsageError(
      `no enabled rule of bus ${busName} takes ${detailTypes.length === 1 ? 'detail-type' : 'detail-types'} ${detailTypes.join(', ')}: nothing would receive the replay`,
    );
  }
  return selected;
}

/** The ARNs of the rules named, each checked to be on the bus and to take replayed events. */
async function namedRules(
  client: EventBridgeClient,
  busName: string,
  rules: readonly string[],
  envelope: Envelope,
  notes: string[],
): Promise<string[]> {
  const arns: string[] = [];
  for (const rule of rules) {
    const arnMatch = RULE_ARN.exec(rule);
    const name = arnMatch ? (arnMatch[2] ?? rule) : rule;
    const ruleBus = arnMatch ? (arnMatch[1] ?? 'default') : busName;
    if (ruleBus !== busName)
      throw new UsageError(`--rule ${rule} is a rule of bus ${ruleBus}: a replay only reaches rules of bus ${busName}`);
    let described;
    try {
      described = await client.send(new DescribeRuleCommand({ Name: name, EventBusName: busName }));
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) throw new UsageError(`--rule ${rule}: bus ${busName} has no rule named ${name}`);
      throw error;
    }
    if (!described.Arn) throw new Error(`DescribeRule of ${name} returned no ARN`);
    if (!enabled(described.State)) notes.push(`rule ${name} is ${described.State ?? 'not enabled'}: it takes nothing until enabled`);
    if (described.EventPattern && !(await patternTakes(client, described.EventPattern, undefined, envelope))) {
      throw new UsageError(
        `--rule ${rule}: its event pattern takes no replayed event of source "${EVENT_SOURCE}" (see its source and replay-name)`,
      );
    }
    arns.push(described.Arn);
  }
  return arns;
}

function defaultReplayName(archiveName: string, now: number): string {
  const stamp = iso(now)
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${archiveName.slice(0, 36)}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export async function eventsReplay(flags: EventsReplayFlags, overrides: Partial<ReplayIo> = {}): Promise<EventsReplayResult> {
  const io: ReplayIo = { ...defaultIo, ...overrides };
  const plan = planOf(flags, io.now());
  if (flags['bus-name'] !== undefined && !BUS_NAME.test(flags['bus-name'])) {
    throw new UsageError(`--bus-name must be an EventBridge bus name, got "${flags['bus-name']}"`);
  }
  const location = locate(flags);
  const { archiveName, region } = location;
  const notes: string[] = [];
  const client = eventBridgeClient(region);
  try {
    let archive;
    try {
      archive = await client.send(new DescribeArchiveCommand({ ArchiveName: archiveName }));
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) {
        throw new Error(
          `archive ${archiveName} not found${region ? ` in ${region}` : ''}: is processing.archiveRetentionDays false, or the stack elsewhere (--region, --archive-arn)?`,
          { cause: error },
        );
      }
      throw new Error(`cannot read archive ${archiveName}: ${messageOf(error)}`, { cause: error });
    }
    const archiveArn = archive.ArchiveArn;
    const eventBusArn = archive.EventSourceArn;
    const busName = eventBusArn === undefined ? undefined : BUS_ARN.exec(eventBusArn)?.[1];
    const archiveMatch = archiveArn === undefined ? null : ARCHIVE_ARN.exec(archiveArn);
    if (!archiveArn || !eventBusArn || !busName || !archiveMatch)
      throw new Error(`DescribeArchive of ${archiveName} returned no usable ARNs`);
    if (location.busName !== undefined && location.busName !== busName) {
      throw new UsageError(
        `archive ${archiveName} holds the events of bus ${busName}, not ${location.busName}: a replay only goes back to the bus the events were archived from`,
      );
    }

    const now = io.now();
    const retentionDays = archive.RetentionDays ?? 0;
    if (retentionDays > 0 && plan.from < now - retentionDays * DAY_MS) {
      throw new UsageError(
        `--from (${iso(plan.from)}) is older than archive ${archiveName} keeps events (${retentionDays} days): start at ${iso(now - retentionDays * DAY_MS)} or later`,
      );
    }
    const created = archive.CreationTime?.getTime();
    if (created !== undefined && plan.to <= created) {
      throw new UsageError(
        `--to (${iso(plan.to)}) is before archive ${archiveName} was created (${iso(created)}): it holds nothing of that window`,
      );
    }
    if (created !== undefined && plan.from < created)
      notes.push(`archive ${archiveName} was created at ${iso(created)}: nothing earlier was archived`);
    if (plan.to > now - ARCHIVE_DELAY_MS) {
      notes.push('events of the last 10 minutes may not be archived yet (AWS advises replaying 10 minutes later): they may be missing');
    }
    if (archive.State && archive.State !== 'ENABLED') notes.push(`archive ${archiveName} is ${archive.State}`);

    const replayName = plan.replayName ?? defaultReplayName(archiveName, now);
    const envelope: Envelope = { account: archiveMatch[2] ?? '', region: archiveMatch[1] ?? '', replayName };
    const filterArns =
      plan.detailTypes.length > 0
        ? await rulesForDetailTypes(client, busName, plan.detailTypes, envelope)
        : plan.rules.length > 0
          ? await namedRules(client, busName, plan.rules, envelope, notes)
          : undefined;
    if (plan.detailTypes.length > 0) {
      notes.push('a replay cannot leave out events by detail-type: these rules get every replayed event their own pattern takes');
    }

    let started;
    try {
      started = await client.send(
        new StartReplayCommand({
          ReplayName: replayName,
          Description: `liveperson-aws events replay ${iso(plan.from)} to ${iso(plan.to)}${
            plan.detailTypes.length > 0 ? ` for ${plan.detailTypes.join(', ')}` : ''
          }`.slice(0, 512),
          EventSourceArn: archiveArn,
          EventStartTime: new Date(plan.from),
          EventEndTime: new Date(plan.to),
          Destination: { Arn: eventBusArn, ...(filterArns ? { FilterArns: filterArns } : {}) },
        }),
      );
    } catch (error) {
      if (isNamed(error, 'ResourceAlreadyExistsException')) {
        throw new UsageError(`a replay named ${replayName} exists already: pick another --replay-name`);
      }
      if (isNamed(error, 'LimitExceededException')) {
        throw new Error(`cannot start replay ${replayName}: ${messageOf(error)} (EventBridge runs at most 10 replays at once per region)`, {
          cause: error,
        });
      }
      throw new Error(`cannot start replay ${replayName}: ${messageOf(error)}`, { cause: error });
    }

    const result: EventsReplayResult = {
      ok: true,
      replayName,
      replayArn: started.ReplayArn,
      state: started.State ?? 'STARTING',
      stateReason: started.StateReason,
      archiveArn,
      eventBusArn,
      from: iso(plan.from),
      to: iso(plan.to),
      rules: filterArns ?? 'all',
      detailTypes: plan.detailTypes,
      lastReplayedTime: undefined,
      notes,
    };
    if (plan.waitMs === undefined) return result;
    return await waitFor(client, result, plan.waitMs, io);
  } finally {
    client.destroy();
  }
}

/** Polls DescribeReplay until the replay ends or the deadline passes; the replay goes on either way. */
async function waitFor(client: EventBridgeClient, started: EventsReplayResult, waitMs: number, io: ReplayIo): Promise<EventsReplayResult> {
  const deadline = io.now() + waitMs;
  const describe = async (): Promise<DescribeReplayCommandOutput> => {
    try {
      return await client.send(new DescribeReplayCommand({ ReplayName: started.replayName }));
    } catch (error) {
      throw new Error(`replay ${started.replayName} started, but its state cannot be read: ${messageOf(error)}`, { cause: error });
    }
  };
  let seen = '';
  for (;;) {
    const replay = await describe();
    const state = replay.State ?? 'unknown';
    const last = replay.EventLastReplayedTime?.toISOString();
    const current = {
      ...started,
      state,
      stateReason: replay.StateReason,
      lastReplayedTime: last,
    };
    const line = `  ${state}${last ? `, replayed up to ${last}` : ''}`;
    if (line !== seen) io.progress(line);
    seen = line;
    if (TERMINAL_STATES.has(state)) return { ...current, ok: state === 'COMPLETED' };
    if (io.now() + REPLAY_POLL_MS > deadline) {
      return {
        ...current,
        ok: false,
        notes: [
          ...current.notes,
          `still ${state} after ${Math.round(waitMs / MINUTE_MS)} min; it goes on: aws events describe-replay --replay-name ${started.replayName}`,
        ],
      };
    }
    await io.sleep(REPLAY_POLL_MS);
  }
}

/** The result as text. */
export function formatEventsReplay(result: EventsReplayResult): string {
  const mark = result.ok ? '✓' : '✗';
  const busName = BUS_ARN.exec(result.eventBusArn)?.[1] ?? result.eventBusArn;
  const lines = [
    `${mark} replay ${result.replayName} ${result.state}${result.stateReason ? ` (${result.stateReason})` : ''}`,
    `  events of ${result.from} to ${result.to} from ${result.archiveArn} back to bus ${busName}`,
    result.rules === 'all'
      ? '  to every rule of the bus (--rule or --detail-type picks some)'
      : `  to ${result.rules.length === 1 ? 'rule' : 'rules'} ${result.rules.join(', ')}`,
    `  each replayed event carries "replay-name": "${result.replayName}"; its detail (and eventId) is the archived one`,
    ...result.notes.map((note) => `  ! ${note}`),
  ];
  return lines.join('\n');
}

/**
 * The C2M funnel as counts: what became of the invites (attempted, sent, delivered, read, failed, a
 * conversation created), each step counted once, in the minute it happened, from LivePerson's
 * per-invite transactions (Outbound Reporting API).
 *
 * Why nothing is counted twice across runs: a watermark (FunnelWatermark) says up to when steps have
 * been counted. A run counts the steps that happened in [watermark, now - delay), the delay being how
 * late LivePerson's data may be, so those steps are final; it reads the invites attempted from
 * `lookback` before the watermark on, since a step comes after its invite. It then moves the
 * watermark to the end of its window with a write that succeeds only from the value it read: of two
 * overlapping runs one wins and publishes, the other publishes nothing. The claim comes after the
 * reads and before the publish: a failed read changes nothing (the next run counts the same steps),
 * and a run that dies between the claim and the publish loses its window: at most once, never twice.
 */
import type { DeadlineOption } from '../liveperson/domains.ts';
import type { InviteTransaction, ReportingWindow } from '../liveperson/outbound-reporting.ts';
import { MAX_TRANSACTIONS_WINDOW_MS } from '../liveperson/outbound-reporting.ts';

export const FUNNEL_STEPS = ['attempted', 'sent', 'delivered', 'read', 'failed', 'conversationCreated'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

const STEP_TIMES: Readonly<Record<FunnelStep, keyof InviteTransaction>> = {
  attempted: 'attemptedTime',
  sent: 'sentTime',
  delivered: 'deliveredTime',
  read: 'readTime',
  failed: 'failedTime',
  conversationCreated: 'conversationCreatedTime',
};

const MINUTE_MS = 60_000;
/**
 * CloudWatch takes a metric at most 14 days old: a watermark older than this (the function was off
 * for two weeks) moves here first, since steps before it could not be published anyway.
 */
export const OLDEST_COUNTABLE_MS = 13 * 24 * 60 * 60 * 1000;
/** The most one run counts; a run far behind catches up over the next runs. */
export const MAX_RUN_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Where the funnel keeps how far it has counted (a conditional write makes the claim). */
export interface FunnelWatermark {
  /** Epoch ms up to which steps are counted; undefined before the first run. */
  read(): Promise<number | undefined>;
  /** Moves the watermark from `previous` (undefined: none yet) to `next`; false when another run moved it first. */
  claim(previous: number | undefined, next: number): Promise<boolean>;
}

/** The invites of a window of attempt times (the OutboundReportingClient fits). */
export interface FunnelTransactions {
  transactions(window: ReportingWindow, options: DeadlineOption): Promise<readonly InviteTransaction[]>;
}

export type FunnelStepCounts = Readonly<Record<FunnelStep, number>>;

/** The steps of one channel in one minute. */
export interface FunnelCount {
  /** Epoch ms of the minute's start: the metrics' timestamp. */
  readonly minute: number;
  readonly channel: string;
  readonly counts: FunnelStepCounts;
}

export interface FunnelRunOptions {
  readonly now: number;
  /** How late LivePerson's data may be (ms). */
  readonly delayMs: number;
  /** How long after its attempt an invite's steps are still counted (ms). */
  readonly lookbackMs: number;
  readonly deadline?: number | undefined;
}

export type FunnelRun =
  | { readonly status: 'nothing-due'; readonly countedUntil: number }
  | { readonly status: 'claimed-elsewhere'; readonly window: ReportingWindow }
  | {
      readonly status: 'counted';
      /** The steps counted happened in this window. */
      readonly window: ReportingWindow;
      /** Invites read to find them (attempted from window.from - lookback). */
      readonly invitesRead: number;
      readonly counts: readonly FunnelCount[];
      readonly totals: FunnelStepCounts;
      /** Step times that were no readable time, left out. */
      readonly unreadableTimes: number;
      /** Set when the watermark was older than CloudWatch takes and was moved forward: where it was. */
      readonly skippedFrom?: number;
    };

export function emptyCounts(): Record<FunnelStep, number> {
  return { attempted: 0, sent: 0, delivered: 0, read: 0, failed: 0, conversationCreated: 0 };
}

/** One run: read the watermark and the invites, count the steps of the window, claim it. Publishing is the caller's. */
export async function countFunnel(source: FunnelTransactions, watermark: FunnelWatermark, options: FunnelRunOptions): Promise<FunnelRun> {
  const { now, delayMs, lookbackMs } = options;
  const settled = now - delayMs;
  const stored = await watermark.read();
  // First run: count the last lookback period, so the dashboard starts with the invites of the past day.
  let from = stored ?? settled - lookbackMs;
  let skippedFrom: number | undefined;
  if (from < now - OLDEST_COUNTABLE_MS) {
    skippedFrom = from;
    from = now - OLDEST_COUNTABLE_MS;
  }
  const to = Math.min(settled, from + MAX_RUN_WINDOW_MS);
  if (to <= from) return { status: 'nothing-due', countedUntil: from };

  const invites = await invitesAttempted(source, { from: from - lookbackMs, to }, options.deadline);
  const byMinute = new Map<string, { minute: number; channel: string; counts: Record<FunnelStep, number> }>();
  const totals = emptyCounts();
  let unreadableTimes = 0;
  for (const invite of invites) {
    const channel = channelOf(invite.channel);
    for (const step of FUNNEL_STEPS) {
      const text = invite[STEP_TIMES[step]];
      if (text === undefined || text === '') continue;
      const time = Date.parse(text);
      if (!Number.isFinite(time)) {
        unreadableTimes++;
        continue;
      }
      if (time < from || time >= to) continue;
      const minute = time - (time % MINUTE_MS);
      const key = `${minute}|${channel}`;
      let entry = byMinute.get(key);
      if (!entry) {
        entry = { minute, channel, counts: emptyCounts() };
        byMinute.set(key, entry);
      }
      entry.counts[step]++;
      totals[step]++;
    }
  }

  const window = { from, to };
  if (!(await watermark.claim(stored, to))) return { status: 'claimed-elsewhere', window };
  const counts = [...byMinute.values()].sort((a, b) => a.minute - b.minute || a.channel.localeCompare(b.channel));
  return {
    status: 'counted',
    window,
    invitesRead: invites.length,
    counts,
    totals,
    unreadableTimes,
    ...(skippedFrom === undefined ? {} : { skippedFrom }),
  };
}

/**
 * Every invite attempted in the window, in windows of at most 24 hours (LivePerson's limit), each
 * once: offset paging over data that grows can hand the same record over twice.
 */
async function invitesAttempted(source: FunnelTransactions, window: ReportingWindow, deadline: number | undefined) {
  const seen = new Map<string, InviteTransaction>();
  for (let from = window.from; from < window.to; from += MAX_TRANSACTIONS_WINDOW_MS) {
    const part = { from, to: Math.min(window.to, from + MAX_TRANSACTIONS_WINDOW_MS) };
    for (const invite of await source.transactions(part, deadline === undefined ? {} : { deadline }))
      seen.set(invite.transactionId, invite);
  }
  return [...seen.values()];
}

/** The channel as a metric dimension: LivePerson's code in lower case (sms, wa, …); "unknown" without one. */
export function channelOf(channel: string | undefined): string {
  const code = (channel ?? '').trim().toLowerCase();
  if (code === '') return 'unknown';
  return /^[a-z0-9_-]{1,32}$/.test(code) ? code : 'other';
}

/** What a run did, for its log line and its caller: times in ISO, the totals and the totals per channel. */
export interface FunnelRunSummary {
  readonly status: FunnelRun['status'];
  readonly from?: string;
  readonly to?: string;
  readonly invitesRead?: number;
  readonly totals?: FunnelStepCounts;
  readonly byChannel?: Readonly<Record<string, FunnelStepCounts>>;
  readonly unreadableTimes?: number;
  readonly skippedFrom?: string;
}

export function summarizeFunnelRun(run: FunnelRun): FunnelRunSummary {
  const iso = (time: number) => new Date(time).toISOString();
  if (run.status === 'nothing-due') return { status: run.status, to: iso(run.countedUntil) };
  const window = { from: iso(run.window.from), to: iso(run.window.to) };
  if (run.status === 'claimed-elsewhere') return { status: run.status, ...window };
  const byChannel: Record<string, Record<FunnelStep, number>> = {};
  for (const { channel, counts } of run.counts) {
    const total = (byChannel[channel] ??= emptyCounts());
    for (const step of FUNNEL_STEPS) total[step] += counts[step];
  }
  return {
    status: run.status,
    ...window,
    invitesRead: run.invitesRead,
    totals: run.totals,
    byChannel,
    unreadableTimes: run.unreadableTimes,
    ...(run.skippedFrom === undefined ? {} : { skippedFrom: iso(run.skippedFrom) }),
  };
}

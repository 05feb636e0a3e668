// The funnel's counting: each step of each invite counted once across runs that overlap, repeat,
// fail or fall behind, in the minute it happened, and only once LivePerson's data is final.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  channelOf,
  countFunnel,
  emptyCounts,
  FUNNEL_STEPS,
  MAX_RUN_WINDOW_MS,
  OLDEST_COUNTABLE_MS,
  summarizeFunnelRun,
  type FunnelRun,
  type FunnelStep,
  type FunnelTransactions,
  type FunnelWatermark,
} from '#functions/lib/ivr/funnel.ts';
import type { InviteTransaction, ReportingWindow } from '#functions/lib/liveperson/outbound-reporting.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DELAY = 20 * MINUTE;
const LOOKBACK = 24 * HOUR;
const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const iso = (time: number) => new Date(time).toISOString();

type Steps = Partial<Record<FunnelStep, number>>;

function invite(id: string, steps: Steps, channel = 'sms'): InviteTransaction {
  const at = (step: FunnelStep) => (steps[step] === undefined ? undefined : iso(steps[step]));
  return {
    transactionId: id,
    channel,
    skill: 'sales',
    handoffId: undefined,
    conversationId: undefined,
    attemptedTime: at('attempted'),
    sentTime: at('sent'),
    deliveredTime: at('delivered'),
    readTime: at('read'),
    failedTime: at('failed'),
    conversationCreatedTime: at('conversationCreated'),
    errorCode: undefined,
    errorSource: undefined,
  };
}

/** LivePerson as the funnel sees it: invites by attempt time, each step visible only once it happened and the delay passed. */
class FakeReporting implements FunnelTransactions {
  readonly windows: ReportingWindow[] = [];
  failNext = false;
  /** Hands every record over twice, as offset paging over growing data can. */
  repeatRecords = false;
  readonly invites: Array<{ id: string; channel: string; steps: Steps }>;
  readonly clock: { now: number };
  readonly delayMs: number;
  constructor(invites: Array<{ id: string; channel: string; steps: Steps }>, clock: { now: number }, delayMs = DELAY) {
    this.invites = invites;
    this.clock = clock;
    this.delayMs = delayMs;
  }

  async transactions(window: ReportingWindow): Promise<readonly InviteTransaction[]> {
    this.windows.push(window);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('Outbound Reporting transactions: HTTP 503');
    }
    const visibleUntil = this.clock.now - this.delayMs;
    const records = this.invites
      .filter(({ steps }) => steps.attempted !== undefined && steps.attempted >= window.from && steps.attempted < window.to)
      .filter(({ steps }) => (steps.attempted ?? 0) < visibleUntil)
      .map(({ id, channel, steps }) =>
        invite(id, Object.fromEntries(Object.entries(steps).filter(([, time]) => time < visibleUntil)) as Steps, channel),
      );
    return this.repeatRecords ? [...records, ...records] : records;
  }
}

class MemoryWatermark implements FunnelWatermark {
  value: number | undefined;
  claims = 0;
  async read() {
    return this.value;
  }
  async claim(previous: number | undefined, next: number) {
    if (this.value !== previous) return false;
    this.value = next;
    this.claims++;
    return true;
  }
}

const run = (source: FunnelTransactions, watermark: FunnelWatermark, now: number, delayMs = DELAY) =>
  countFunnel(source, watermark, { now, delayMs, lookbackMs: LOOKBACK });

function counted(result: FunnelRun) {
  expect(result.status).toBe('counted');
  if (result.status !== 'counted') throw new Error('not counted');
  return result;
}

describe('countFunnel', () => {
  it('on its first run counts the steps of the last lookback period that are final, each in its minute and channel', async () => {
    const clock = { now: NOW };
    const t = NOW - 2 * HOUR;
    const source = new FakeReporting(
      [
        { id: 'a', channel: 'SMS', steps: { attempted: t, sent: t + 1_000, delivered: t + 3_000, conversationCreated: t + 5 * MINUTE } },
        { id: 'b', channel: 'wa', steps: { attempted: t + 10 * MINUTE, sent: t + 10 * MINUTE, read: t + 30 * MINUTE } },
        // Too recent: LivePerson may still change it, so the next run counts it.
        { id: 'c', channel: 'sms', steps: { attempted: NOW - 5 * MINUTE } },
        // Before the lookback period: not this funnel's first day.
        { id: 'd', channel: 'sms', steps: { attempted: NOW - 30 * HOUR, delivered: NOW - 30 * HOUR } },
      ],
      clock,
    );
    const watermark = new MemoryWatermark();
    const result = counted(await run(source, watermark, NOW));
    expect(result.window).toEqual({ from: NOW - DELAY - LOOKBACK, to: NOW - DELAY });
    expect(watermark.value).toBe(NOW - DELAY);
    expect(result.totals).toEqual({ attempted: 2, sent: 2, delivered: 1, read: 1, failed: 0, conversationCreated: 1 });
    expect(result.counts).toEqual([
      { minute: t, channel: 'sms', counts: { ...emptyCounts(), attempted: 1, sent: 1, delivered: 1 } },
      { minute: t + 5 * MINUTE, channel: 'sms', counts: { ...emptyCounts(), conversationCreated: 1 } },
      { minute: t + 10 * MINUTE, channel: 'wa', counts: { ...emptyCounts(), attempted: 1, sent: 1 } },
      { minute: t + 30 * MINUTE, channel: 'wa', counts: { ...emptyCounts(), read: 1 } },
    ]);
    // The invites were read from a lookback before the window (a step comes after its invite), in windows of at most 24 hours.
    expect(source.windows).toEqual([
      { from: NOW - DELAY - 2 * LOOKBACK, to: NOW - DELAY - LOOKBACK },
      { from: NOW - DELAY - LOOKBACK, to: NOW - DELAY },
    ]);
  });

  it('counts a later step of an earlier invite in the run that sees it, and nothing twice', async () => {
    const clock = { now: NOW };
    const t = NOW - HOUR;
    const invites = [{ id: 'a', channel: 'sms', steps: { attempted: t, sent: t, delivered: t + MINUTE } as Steps }];
    const source = new FakeReporting(invites, clock);
    const watermark = new MemoryWatermark();
    expect(counted(await run(source, watermark, NOW)).totals).toMatchObject({ attempted: 1, delivered: 1, conversationCreated: 0 });
    // The consumer answers 30 minutes later: the conversation is counted by the run after the delay.
    invites[0]!.steps.conversationCreated = NOW + 30 * MINUTE;
    clock.now = NOW + 15 * MINUTE;
    expect(counted(await run(source, watermark, clock.now)).totals).toEqual(emptyCounts());
    clock.now = NOW + 60 * MINUTE;
    const later = counted(await run(source, watermark, clock.now));
    expect(later.window).toEqual({ from: NOW + 15 * MINUTE - DELAY, to: NOW + 60 * MINUTE - DELAY });
    expect(later.totals).toEqual({ ...emptyCounts(), conversationCreated: 1 });
  });

  it('lets one of two overlapping runs claim the window: the other publishes nothing', async () => {
    const clock = { now: NOW };
    const source = new FakeReporting([{ id: 'a', channel: 'sms', steps: { attempted: NOW - HOUR } }], clock);
    const watermark = new MemoryWatermark();
    watermark.value = NOW - 2 * HOUR;
    const [first, second] = await Promise.all([run(source, watermark, NOW), run(source, watermark, NOW + 1_000)]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual(['claimed-elsewhere', 'counted']);
    const winner = [first, second].find((result) => result.status === 'counted');
    expect(winner && counted(winner).totals.attempted).toBe(1);
    expect(watermark.claims).toBe(1);
  });

  it('changes nothing when LivePerson fails: the next run counts the same steps', async () => {
    const clock = { now: NOW };
    const source = new FakeReporting([{ id: 'a', channel: 'sms', steps: { attempted: NOW - HOUR } }], clock);
    const watermark = new MemoryWatermark();
    watermark.value = NOW - 2 * HOUR;
    source.failNext = true;
    await expect(run(source, watermark, NOW)).rejects.toThrow('HTTP 503');
    expect(watermark.value).toBe(NOW - 2 * HOUR);
    expect(counted(await run(source, watermark, NOW)).totals.attempted).toBe(1);
  });

  it('counts a record handed over twice once', async () => {
    const clock = { now: NOW };
    const source = new FakeReporting([{ id: 'a', channel: 'sms', steps: { attempted: NOW - HOUR, sent: NOW - HOUR } }], clock);
    source.repeatRecords = true;
    const result = counted(await run(source, new MemoryWatermark(), NOW));
    expect(result.invitesRead).toBe(1);
    expect(result.totals).toMatchObject({ attempted: 1, sent: 1 });
  });

  it('leaves out a time it cannot read, and says how many', async () => {
    const source: FunnelTransactions = {
      transactions: async () => [{ ...invite('a', { attempted: NOW - HOUR }), sentTime: 'yesterday', deliveredTime: '' }],
    };
    const result = counted(await run(source, new MemoryWatermark(), NOW));
    expect(result.totals).toEqual({ ...emptyCounts(), attempted: 1 });
    expect(result.unreadableTimes).toBe(1);
  });

  it('has nothing to do while the watermark is at the settled time', async () => {
    const watermark = new MemoryWatermark();
    watermark.value = NOW - DELAY;
    const source = new FakeReporting([], { now: NOW });
    expect(await run(source, watermark, NOW)).toEqual({ status: 'nothing-due', countedUntil: NOW - DELAY });
    expect(source.windows).toEqual([]);
  });

  it('catches up a day per run after an outage, and skips what CloudWatch would no longer take', async () => {
    const source = new FakeReporting([], { now: NOW });
    const behind = new MemoryWatermark();
    behind.value = NOW - 3 * 24 * HOUR;
    expect(counted(await run(source, behind, NOW)).window).toEqual({
      from: NOW - 3 * 24 * HOUR,
      to: NOW - 3 * 24 * HOUR + MAX_RUN_WINDOW_MS,
    });
    const ancient = new MemoryWatermark();
    ancient.value = NOW - 30 * 24 * HOUR;
    const result = counted(await run(source, ancient, NOW));
    expect(result.skippedFrom).toBe(NOW - 30 * 24 * HOUR);
    expect(result.window.from).toBe(NOW - OLDEST_COUNTABLE_MS);
    expect(summarizeFunnelRun(result).skippedFrom).toBe(iso(NOW - 30 * 24 * HOUR));
  });

  it('counts every step exactly once over any sequence of runs (steps happening while they run)', async () => {
    const step = fc.record({
      attemptedOffset: fc.integer({ min: 0, max: 10 * HOUR }),
      later: fc.array(fc.tuple(fc.constantFrom(...FUNNEL_STEPS.slice(1)), fc.integer({ min: 0, max: 6 * HOUR })), { maxLength: 4 }),
      channel: fc.constantFrom('sms', 'wa', 'inapp'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 90 * MINUTE }), { minLength: 1, maxLength: 40 }),
        async (specs, gaps) => {
          const start = NOW;
          const invites = specs.map((spec, index) => {
            const attempted = start + spec.attemptedOffset;
            const steps: Steps = { attempted };
            for (const [name, offset] of spec.later) steps[name] = attempted + offset;
            return { id: `t${index}`, channel: spec.channel, steps };
          });
          const clock = { now: start };
          const source = new FakeReporting(invites, clock);
          const watermark = new MemoryWatermark();
          // The funnel starts before the first invite; each run may be a retry of the previous one (same time).
          watermark.value = start - DELAY;
          const totals = emptyCounts();
          for (const gap of gaps) {
            clock.now += gap % 7 === 0 ? 0 : gap;
            const result = await run(source, watermark, clock.now);
            if (result.status === 'counted') for (const name of FUNNEL_STEPS) totals[name] += result.totals[name];
          }
          const countedUntil = watermark.value;
          const expected = emptyCounts();
          for (const { steps } of invites)
            for (const [name, time] of Object.entries(steps) as [FunnelStep, number][]) if (time < countedUntil) expected[name]++;
          expect(totals).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('channelOf', () => {
  it.each([
    ['SMS', 'sms'],
    [' wa ', 'wa'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    ['apple business chat', 'other'],
  ])('%j → %s', (channel, dimension) => expect(channelOf(channel)).toBe(dimension));
});

describe('summarizeFunnelRun', () => {
  it('gives times in ISO and the totals per channel', async () => {
    const source = new FakeReporting(
      [
        { id: 'a', channel: 'sms', steps: { attempted: NOW - 2 * HOUR } },
        { id: 'b', channel: 'sms', steps: { attempted: NOW - HOUR } },
        { id: 'c', channel: 'wa', steps: { attempted: NOW - HOUR } },
      ],
      { now: NOW },
    );
    const summary = summarizeFunnelRun(await run(source, new MemoryWatermark(), NOW));
    expect(summary).toMatchObject({
      status: 'counted',
      from: iso(NOW - DELAY - LOOKBACK),
      to: iso(NOW - DELAY),
      invitesRead: 3,
      totals: { ...emptyCounts(), attempted: 3 },
      byChannel: { sms: { ...emptyCounts(), attempted: 2 }, wa: { ...emptyCounts(), attempted: 1 } },
    });
  });
});

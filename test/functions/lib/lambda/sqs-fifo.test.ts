// processFifoBatch with message groups side by side: order within a group, the rest of a group failed
// after a failure, other groups going on, the concurrency cap, and every answer (the full-batch failure
// included) the same as Powertools' sequential FIFO processor gives for the same batch.
import { FullBatchFailureError, SqsFifoMessageGroupShortCircuitError, UnexpectedBatchTypeError } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { processFifoBatch, type FifoBatchOptions, type QueueRecord } from '#functions/lib/lambda/sqs-fifo.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { sqsRecord } from '#test/support/sqs-event.ts';

interface Step {
  /** Names the record in what the test records: `<group>/<n>`. */
  readonly name: string;
  readonly fail?: boolean;
  /** Timer delay before it finishes (ms), or microtask yields when `yields` is set. */
  readonly delayMs?: number;
  readonly yields?: number;
}

/** A record of `group` (none: no MessageGroupId at all) whose body tells the test handler what to do. */
function record(group: string | undefined, step: Step): SQSRecord {
  const raw = sqsRecord(JSON.stringify(step), { groupId: group ?? 'unset' });
  if (group === undefined) delete (raw.attributes as { MessageGroupId?: string }).MessageGroupId;
  return raw;
}

/** A handler that runs each record's step and records what ran, in order, and how many ran at once. */
function recorder() {
  const started: string[] = [];
  const finished: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handle = async (queued: QueueRecord) => {
    const step = JSON.parse(queued.body) as Step;
    started.push(step.name);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (step.delayMs !== undefined) await sleep(step.delayMs);
      for (let i = 0; i < (step.yields ?? 0); i++) await Promise.resolve();
      if (step.fail) throw new Error(`${step.name} failed`);
      finished.push(step.name);
    } finally {
      inFlight--;
    }
  };
  return { handle, started, finished, maxInFlight: () => maxInFlight };
}

const run = (records: SQSRecord[], handle: (record: QueueRecord) => Promise<void>, options?: FifoBatchOptions) =>
  processFifoBatch({ Records: records }, lambdaContext('event-processor'), handle, options);

const failedIds = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

/** Only one group's entries, in the order they were recorded. */
const ofGroup = (names: readonly string[], group: string) => names.filter((name) => name.startsWith(`${group}/`));

/** A small deterministic generator: the same delays on every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('processFifoBatch with concurrency', () => {
  it('keeps each group in order while groups run side by side, whatever each record takes', async () => {
    const next = random(14);
    const groups = ['a', 'b', 'c', 'd'];
    // Interleaved as SQS hands them over: a/1, b/1, c/1, d/1, a/2, …
    const records = [1, 2, 3].flatMap((n) =>
      groups.map((group) => record(group, { name: `${group}/${n}`, delayMs: Math.floor(next() * 15) })),
    );
    const { handle, started, finished, maxInFlight } = recorder();

    const response = await run(records, handle, { concurrency: 10 });

    expect(response).toEqual({ batchItemFailures: [] });
    for (const group of groups) {
      expect(ofGroup(started, group)).toEqual([`${group}/1`, `${group}/2`, `${group}/3`]);
      expect(ofGroup(finished, group)).toEqual([`${group}/1`, `${group}/2`, `${group}/3`]);
    }
    // The groups really overlapped: all four were in flight at once.
    expect(maxInFlight()).toBe(4);
  });

  it('fails the rest of a group after a failure, in batch order, and lets the other groups complete', async () => {
    const records = [
      record('a', { name: 'a/1', delayMs: 5 }),
      record('b', { name: 'b/1', fail: true }),
      record('c', { name: 'c/1', delayMs: 2 }),
      record('a', { name: 'a/2', fail: true, delayMs: 1 }),
      record('b', { name: 'b/2' }),
      record('c', { name: 'c/2', delayMs: 3 }),
      record('a', { name: 'a/3' }),
      record('b', { name: 'b/3' }),
    ];
    const { handle, started, finished } = recorder();

    const response = await run(records, handle, { concurrency: 10 });

    const id = (i: number) => records[i]!.messageId;
    expect(failedIds(response)).toEqual([id(1), id(3), id(4), id(6), id(7)]);
    // A failed group's later records never reach the handler; the untouched group completes in order.
    expect(started).not.toContain('a/3');
    expect(started).not.toContain('b/2');
    expect(ofGroup(finished, 'c')).toEqual(['c/1', 'c/2']);
    expect(ofGroup(finished, 'a')).toEqual(['a/1']);
  });

  it('treats a record without a group id as a group of its own, held back by nobody', async () => {
    const records = [
      record(undefined, { name: 'x/1', fail: true, delayMs: 2 }),
      record(undefined, { name: 'y/1', delayMs: 2 }),
      record('a', { name: 'a/1' }),
    ];
    const { handle, finished, maxInFlight } = recorder();
    const response = await run(records, handle, { concurrency: 10 });
    expect(failedIds(response)).toEqual([records[0]!.messageId]);
    expect(finished).toEqual(expect.arrayContaining(['y/1', 'a/1']));
    expect(maxInFlight()).toBe(3);
  });

  it.each([2, 3, 5])('has at most %i groups in flight, and reaches that many', async (concurrency) => {
    const records = Array.from({ length: 10 }, (_, i) => record(`g${i}`, { name: `g${i}/1`, delayMs: 5 }));
    const { handle, finished, maxInFlight } = recorder();
    expect(await run(records, handle, { concurrency })).toEqual({ batchItemFailures: [] });
    expect(maxInFlight()).toBe(concurrency);
    expect(finished).toHaveLength(10);
  });

  it('throws FullBatchFailureError, with every record error in batch order, when every record failed', async () => {
    const records = [
      record('a', { name: 'a/1', fail: true, delayMs: 4 }),
      record('b', { name: 'b/1', fail: true }),
      record('a', { name: 'a/2' }),
    ];
    const { handle, started } = recorder();

    const error = await run(records, handle, { concurrency: 10 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FullBatchFailureError);
    expect((error as Error).message).toBe('All records failed processing. See individual errors below.');
    const recordErrors = (error as FullBatchFailureError).recordErrors;
    expect(recordErrors.map((e) => e.message)).toEqual([
      'a/1 failed',
      'b/1 failed',
      'A previous record from this message group failed processing',
    ]);
    expect(recordErrors[2]).toBeInstanceOf(SqsFifoMessageGroupShortCircuitError);
    expect(started).not.toContain('a/2');
  });

  it('answers the full list instead when asked to (connector-send), in either mode', async () => {
    const records = [record('a', { name: 'a/1', fail: true }), record('b', { name: 'b/1', fail: true })];
    for (const concurrency of [1, 10]) {
      const response = await run(records, recorder().handle, { concurrency, answerFullBatchFailure: true });
      expect(failedIds(response)).toEqual(records.map((r) => r.messageId));
    }
  });

  it('refuses a malformed event as Powertools does, and answers an empty batch with no failures', async () => {
    const { handle } = recorder();
    for (const concurrency of [1, 10]) {
      await expect(processFifoBatch({} as SQSEvent, lambdaContext('event-processor'), handle, { concurrency })).rejects.toBeInstanceOf(
        UnexpectedBatchTypeError,
      );
      expect(await run([], handle, { concurrency })).toEqual({ batchItemFailures: [] });
    }
  });

  it('refuses a concurrency that is not a whole number from 1', async () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      await expect(run([], recorder().handle, { concurrency })).rejects.toThrow(RangeError);
    }
  });

  it('answers exactly what the sequential processor answers, for any batch of groups, failures and timings', async () => {
    const step = fc.record({
      group: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
      fail: fc.boolean(),
      yields: fc.integer({ min: 0, max: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 10 }), fc.integer({ min: 2, max: 10 }), async (steps, concurrency) => {
        const records = steps.map((s, i) => record(s.group, { name: `${s.group ?? `none${i}`}/${i}`, fail: s.fail, yields: s.yields }));
        const outcome = async (options: FifoBatchOptions) => {
          const { handle, started } = recorder();
          const answer = await run(records, handle, options).then(
            (response) => ({ response }),
            (error: unknown) => ({ error: error as FullBatchFailureError }),
          );
          return { answer, started };
        };
        const sequential = await outcome({});
        const concurrent = await outcome({ concurrency });
        if ('response' in sequential.answer) expect(concurrent.answer).toEqual(sequential.answer);
        else {
          expect(concurrent.answer).toHaveProperty('error');
          const errors = (a: { response: unknown } | { error: FullBatchFailureError }) =>
            'error' in a ? a.error.recordErrors.map((e) => [e.constructor.name, e.message]) : undefined;
          expect(errors(concurrent.answer)).toEqual(errors(sequential.answer));
          expect('error' in concurrent.answer && concurrent.answer.error).toBeInstanceOf(FullBatchFailureError);
        }
        // The same records reach the handler, and each group's in the same order.
        expect([...concurrent.started].sort()).toEqual([...sequential.started].sort());
        for (const group of ['a', 'b', 'c', 'd']) expect(ofGroup(concurrent.started, group)).toEqual(ofGroup(sequential.started, group));
      }),
      { numRuns: 200 },
    );
  });
});

describe('processFifoBatch without concurrency (connector-send, and CONVERSATION_CONCURRENCY=1)', () => {
  it('runs the batch record by record in batch order, across groups, one at a time', async () => {
    const records = [
      record('a', { name: 'a/1', delayMs: 4 }),
      record('b', { name: 'b/1' }),
      record('a', { name: 'a/2', fail: true }),
      record('b', { name: 'b/2', delayMs: 1 }),
      record('a', { name: 'a/3' }),
    ];
    for (const options of [undefined, { concurrency: 1 }]) {
      const { handle, started, maxInFlight } = recorder();
      const response = await run(records, handle, options);
      expect(started).toEqual(['a/1', 'b/1', 'a/2', 'b/2']);
      expect(maxInFlight()).toBe(1);
      expect(failedIds(response)).toEqual([records[2]!.messageId, records[4]!.messageId]);
    }
  });
});

/**
 * A short, bounded load test of the local webhook endpoint: a sustained rate for a few seconds,
 * then every accepted event must be published once. The long run is in `npm run bench`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLoad, runLoad } from '#local/load.ts';
import { startLocalStack, type LocalStack } from '#local/stack.ts';

describe('load on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.stop());

  it('loses and duplicates nothing at a sustained rate', async () => {
    const settings = { rate: 40, seconds: 3 };
    const report = await runLoad(stack, { ...settings, drainTimeoutMs: 30_000 });
    console.log(formatLoad(report, settings));
    expect(report.accepted).toBe(report.sent);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.published).toBe(report.sent);
  }, 60_000);
});

// Smoke test of the benchmark's machinery at a tiny load. No timing assertions: performance is
// measured by `npm run bench`, never asserted by a test.
import { describe, expect, it } from 'vitest';
import { runBenchmark } from './benchmark.ts';
import { missedTargets, parseBenchArgs } from './cli.ts';
import { listHandlers } from './cold-start.ts';
import { formatProcessorBenchmark, runProcessorBenchmark } from './processor.ts';
import { formatReport } from './report.ts';

const phaseShape = {
  count: 20,
  errors: 0,
  failures: {},
  p50Ms: expect.any(Number),
  p90Ms: expect.any(Number),
  p99Ms: expect.any(Number),
  maxMs: expect.any(Number),
  meanMs: expect.any(Number),
  achievedRate: expect.any(Number),
};

describe('npm run bench', () => {
  it('reads --duration, --rate, --json and --check, with defaults of 15 s at 200/s', () => {
    expect(parseBenchArgs([])).toEqual({ durationSeconds: 15, rate: 200, json: false, check: false, levers: false, help: false });
    expect(parseBenchArgs(['--duration', '2.5', '--rate', '40', '--json', '--check'])).toMatchObject({
      durationSeconds: 2.5,
      rate: 40,
      json: true,
      check: true,
    });
    expect(() => parseBenchArgs(['--rate', '0'])).toThrow('--rate must be a positive number, got "0"');
    expect(() => parseBenchArgs(['--fast'])).toThrow(/--fast/);
  });

  it('finds every handler under functions/', async () => {
    expect(await listHandlers()).toEqual(expect.arrayContaining(['domain-refresh', 'webhook-receiver']));
  });

  it('runs the receiver, the baseline and a cold start at a tiny load, losing no event', { timeout: 120_000 }, async () => {
    const report = await runBenchmark({
      durationSeconds: 1,
      rate: 20,
      warmup: 5,
      coldStart: { handlers: ['webhook-receiver', 'no-such-handler'], runs: 1 },
    });

    expect(report.settings).toMatchObject({ durationSeconds: 1, rate: 20, invocations: 20, warmup: 5, logLevel: 'INFO' });
    expect(report.receiver).toMatchObject({ ...phaseShape, target: { p99Ms: 10, verdict: expect.stringMatching(/^(PASS|MISS)$/) } });
    expect(report.receiver.logLinesPerInvocation).toBeGreaterThan(0); // measured with the production log level, not silenced
    expect(report.baseline).toMatchObject({ ...phaseShape, ratioP50: expect.any(Number), ratioP99: expect.any(Number) });
    // Every webhook answered 200 (warm-up included) is in the queue, once.
    expect(report.delivery).toEqual({ accepted: 25, queued: 25, lost: 0, unexpected: 0, verdict: 'PASS' });
    expect(report.secretFetches).toBeGreaterThanOrEqual(1);

    const [receiverStart, missing] = report.coldStart;
    expect(receiverStart).toMatchObject({
      handler: 'webhook-receiver',
      ok: true,
      bundleKiB: expect.any(Number),
      importRunsMs: [expect.any(Number)],
    });
    expect(receiverStart?.ok && receiverStart.bundleKiB).toBeGreaterThan(0);
    // The deployed asset, with the template's environment: no NODE_OPTIONS, judged against the targets.
    expect(receiverStart).toMatchObject({
      nodeOptions: '',
      target: { bundleKiB: 300, importMs: 100, verdict: expect.stringMatching(/^(PASS|MISS)$/) },
    });
    // A handler the app does not deploy is reported, and the others are still measured.
    expect(missing).toMatchObject({
      handler: 'no-such-handler',
      ok: false,
      error: expect.stringContaining('no function no-such-handler in the synthesized app'),
    });
    expect(missedTargets(report)).toContain('cold start of no-such-handler could not be measured');

    const text = formatReport(report);
    expect(text).toMatch(/a\) Webhook receiver/);
    expect(text).toMatch(/p99 target < 10 ms: (PASS|MISS)/);
    expect(text).toMatch(/b\) Baseline/);
    expect(text).toMatch(/webhook-receiver\s+\d+\.\d/);
    expect(text).toMatch(/no-such-handler\s+FAILED/);
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ delivery: { lost: 0 } });
  });
});

describe('processor benchmark (smoke)', () => {
  it('reports throughput and CPU per event, and the modelled-latency runs with their calls per event', { timeout: 60_000 }, async () => {
    const report = await runProcessorBenchmark({ cpuBatches: 5, loopbackBatches: 2, latencyBatches: 2 });
    expect(report.cpu.events).toBe(50);
    expect(report.loopback.events).toBe(20);
    expect(report.cpu.eventsPerSecond).toBeGreaterThan(0);
    expect(report.cpu.cpuMicrosPerEvent).toBeGreaterThan(0);
    expect(report.latency).toMatchObject({ sequential: { concurrency: 1 }, concurrent: { concurrency: 10 }, speedUp: expect.any(Number) });
    // A content event: its claim and its completion in the idempotency table, nothing else.
    expect(report.latency.perEvent.content.dynamoDb).toBe(2);
    expect(formatProcessorBenchmark(report)).toMatch(/speed-up \d+\.\d× \(target ≥ 5×\)/);
  });
});

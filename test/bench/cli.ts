/** `npm run bench [-- --duration <s>] [--rate <rps>] [--json] [--check]`: see benchmark.ts. */
import { parseArgs } from 'node:util';
import { runBenchmark, type BenchReport } from './benchmark.ts';
import { formatLevers, formatReport } from './report.ts';
import { costPerMillion, formatCost, type CostReport } from './cost.ts';
import { C2M_RATIO_TARGET, formatC2mBenchmark, runC2mBenchmark } from './c2m-invite.ts';
import { formatLoad, type LoadReport } from '#local/load.ts';
import { formatProcessorBenchmark, missedProcessorTargets, runProcessorBenchmark } from './processor.ts';

export interface BenchArgs {
  readonly durationSeconds: number;
  readonly rate: number;
  readonly json: boolean;
  readonly check: boolean;
  readonly levers: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]
  --duration <s>   seconds of sustained load per phase (default 15)
  --rate <rps>     invocations per second (default 200)
  --json           print the report as JSON
  --check          exit 1 when a target is missed (receiver p99, C2M deflect ratio, an event lost or
                   duplicated end to end, a deployed bundle over its size or import time, or one
                   whose cold start cannot be measured)
  --levers         also rebuild every handler with one bundling lever undone at a time and import
                   each (what each lever buys; about two minutes more)
  --help           this text`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      duration: { type: 'string', default: '15' },
      rate: { type: 'string', default: '200' },
      json: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      levers: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    durationSeconds: positive('--duration', values.duration),
    rate: positive('--rate', values.rate),
    json: values.json,
    check: values.check,
    levers: values.levers,
    help: values.help,
  };
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a positive number, got "${text}"`);
  return value;
}

/** Targets missed, by name: the receiver's p99, lost events, a handler that would not bundle or load. */
export function missedTargets(report: BenchReport): string[] {
  const missed: string[] = [];
  if (report.receiver.target.verdict === 'MISS')
    missed.push(`receiver p99 ${report.receiver.p99Ms.toFixed(2)} ms is not under ${report.receiver.target.p99Ms} ms`);
  if (report.baseline.target.verdict === 'MISS')
    missed.push(`receiver p99 is ${report.baseline.ratioP99.toFixed(2)}× a bare SendMessage's, not ≤ ${report.baseline.target.ratioP99}×`);
  if (report.delivery.verdict === 'MISS') missed.push(`delivery: ${report.delivery.lost} lost, ${report.delivery.unexpected} unexpected`);
  for (const start of report.coldStart) {
    if (!start.ok) missed.push(`cold start of ${start.handler} could not be measured`);
    else if (start.target.verdict === 'MISS')
      missed.push(
        `${start.handler}: bundle ${start.bundleKiB.toFixed(0)} KiB (≤ ${start.target.bundleKiB}), import ${start.importMs.toFixed(1)} ms (≤ ${start.target.importMs})`,
      );
  }
  return missed;
}

/** Runs the benchmark and prints the report; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  // Ctrl-C or a kill: abort, so the children are killed and the servers stopped before leaving.
  const controller = new AbortController();
  const onProgress = (line: string) => console.error(`… ${line}`);
  const abort = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    const report = await runBenchmark({
      durationSeconds: args.durationSeconds,
      rate: args.rate,
      levers: args.levers,
      signal: controller.signal,
      onProgress,
    });
    onProgress('processor: full batches, in memory and against local DynamoDB');
    const processor = await runProcessorBenchmark({ signal: controller.signal });
    onProgress('c2m-invite: warm deflect against the simulator, next to the two raw C2M calls');
    const c2m = await runC2mBenchmark({ signal: controller.signal });
    const endToEnd = { rate: args.rate / 2, seconds: args.durationSeconds * 2 };
    onProgress(`end-to-end load: ${endToEnd.rate}/s for ${endToEnd.seconds} s on a fresh local stack`);
    const load = await runEndToEndLoad(endToEnd, controller.signal);
    const cost = costOf(report, processor, c2m);
    console.log(
      args.json
        ? JSON.stringify({ ...report, processor, c2m, load, cost }, null, 2)
        : [
            formatReport(report),
            ...(report.levers.length > 0 ? [formatLevers(report.levers)] : []),
            formatProcessorBenchmark(processor),
            formatC2mBenchmark(c2m),
            formatLoad(load, endToEnd),
            ...(cost ? [formatCost(cost)] : []),
          ].join('\n\n'),
    );
    const missed = [
      ...missedTargets(report),
      ...missedProcessorTargets(processor),
      ...(c2m.target.verdict === 'MISS' ? [`c2m deflect ratio ${c2m.target.ratio.toFixed(2)} ≥ ${C2M_RATIO_TARGET}`] : []),
      ...(c2m.overheadTarget.verdict === 'MISS'
        ? [`c2m median overhead ${c2m.overheadTarget.overheadP50Ms.toFixed(2)} ms > ${c2m.overheadTarget.maxMs} ms`]
        : []),
      ...(load.lost > 0 || load.duplicated > 0 ? [`end-to-end load lost ${load.lost}, duplicated ${load.duplicated}`] : []),
    ];
    if (missed.length > 0 && args.check) {
      console.error(`\n--check: ${missed.join('; ')}`);
      return 1;
    }
    return 0;
  } catch (error) {
    console.error(
      controller.signal.aborted
        ? 'benchmark interrupted'
        : `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return controller.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}

/**
 * The end-to-end load runs in its own process: the local stack imports the handlers, and this
 * process has already imported some of them with the benchmark's own environment.
 */
async function runEndToEndLoad(settings: { rate: number; seconds: number }, signal: AbortSignal): Promise<LoadReport> {
  const { execFile } = await import('node:child_process');
  const script = new URL('../../local/load.ts', import.meta.url).pathname;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [script, '--rate', String(settings.rate), '--seconds', String(settings.seconds), '--json'],
      { signal, maxBuffer: 64 * 1024 * 1024 },
      (error, out) => (error && !out ? reject(error) : resolve(out)),
    );
  });
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  return (JSON.parse(last) as { report: LoadReport }).report;
}

/** The cost model fed with this run's measurements (undefined when a function's memory is unknown: its cold start failed). */
function costOf(
  report: BenchReport,
  processor: Awaited<ReturnType<typeof runProcessorBenchmark>>,
  c2m: Awaited<ReturnType<typeof runC2mBenchmark>>,
): CostReport | undefined {
  const memory = (handler: string) => {
    const start = report.coldStart.find((c) => c.handler === handler);
    return start?.ok ? start.memoryMb : undefined;
  };
  const receiverMb = memory('webhook-receiver');
  const processorMb = memory('event-processor');
  const c2mMb = memory('c2m-invite');
  if (receiverMb === undefined || processorMb === undefined || c2mMb === undefined) return undefined;
  const concurrent = processor.latency.concurrent;
  const deflect = c2m.modeledLatency ?? c2m.loopback;
  return costPerMillion({
    receiver: { memoryMb: receiverMb, durationMs: report.receiver.p50Ms, logBytesPerInvocation: report.receiver.logBytesPerInvocation },
    processor: {
      memoryMb: processorMb,
      batchMs: concurrent.batchMs,
      eventsPerBatch: concurrent.events / concurrent.batches,
      dynamoDbWritesPerEvent: concurrent.dynamoDbCallsPerEvent,
      dynamoDbReadsPerEvent: 0,
      eventBridgeEntriesPerEvent: 1,
    },
    c2m: { memoryMb: c2mMb, durationMs: deflect.deflect.p50Ms, logBytesPerInvocation: c2m.logBytesPerInvocation },
  });
}

/** The benchmark report as text for a terminal (`--json` prints the BenchReport itself). */
import type { BenchReport, PhaseReport } from './benchmark.ts';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
const signed = (value: number) => (value >= 0 ? `+${ms(value)}` : ms(value));
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');

function row(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i] ?? 0) : String(cell).padStart(widths[i] ?? 0))).join('  ');
}

const PHASE_WIDTHS = [18, 6, 6, 7, 7, 7, 7, 7];
const PHASE_HEADER = row(['', 'count', 'errors', 'p50', 'p90', 'p99', 'max', 'rate/s'], PHASE_WIDTHS);

function phaseRow(name: string, phase: PhaseReport): string {
  return row(
    [name, phase.count, phase.errors, ms(phase.p50Ms), ms(phase.p90Ms), ms(phase.p99Ms), ms(phase.maxMs), phase.achievedRate.toFixed(1)],
    PHASE_WIDTHS,
  );
}

function failures(phase: PhaseReport): string[] {
  const entries = Object.entries(phase.failures);
  return entries.length === 0 ? [] : [`   failures: ${entries.map(([what, n]) => `${what} × ${n}`).join(', ')}`];
}

export function formatReport(report: BenchReport): string {
  const { settings: s, receiver, baseline, delivery } = report;
  const lines = [
    `Webhook receiver benchmark: Node ${s.node}, ${s.platform}, ${s.cpus} CPUs, load average ${s.loadAverage.toFixed(2)} at the start`,
    `Load: ${s.invocations} invocations at ${s.rate}/s (${s.durationSeconds} s), one at a time as on one Lambda instance, after ${s.warmup} warm-up;`,
    `      the receiver and the baseline take turns a second at a time, so both see the same machine`,
    `Logging: POWERTOOLS_LOG_LEVEL=${s.logLevel}, metrics on; ${Math.round(receiver.logBytesPerInvocation)} B ` +
      `(${receiver.logLinesPerInvocation.toFixed(1)} lines) of stdout per invocation, counted and discarded`,
    '',
    'a) Webhook receiver: handler time, SQS write included (ms)',
    `   ${PHASE_HEADER}`,
    `   ${phaseRow('receiver', receiver)}`,
    ...failures(receiver),
    `   p99 target < ${receiver.target.p99Ms} ms: ${receiver.target.verdict} (${ms(receiver.p99Ms)} ms)`,
    `   delivery: ${delivery.accepted} answered 200, ${delivery.queued} in the queue, ${delivery.lost} lost, ${delivery.unexpected} unexpected: ${delivery.verdict}`,
    `   mean body ${Math.round(receiver.meanBodyBytes)} B; slowest start behind schedule ${ms(receiver.maxLagMs)} ms`,
    `   handler module import ${ms(receiver.importMs)} ms (TypeScript source); first invocation ${ms(receiver.firstInvocationMs)} ms ` +
      `(secret fetch + SQS connection); GetSecretValue calls: ${report.secretFetches}`,
    '',
    'b) Baseline: a bare SQS SendMessage, same client settings, bodies, ids and pacing (ms)',
    `   ${PHASE_HEADER}`,
    `   ${phaseRow('SendMessage', baseline)}`,
    ...failures(baseline),
    `   receiver / baseline: p50 ${ratio(baseline.ratioP50)} (${signed(receiver.p50Ms - baseline.p50Ms)} ms), p99 ${ratio(baseline.ratioP99)} (${signed(receiver.p99Ms - baseline.p99Ms)} ms)`,
  ];
  if (report.coldStart.length > 0) {
    const widths = [18, 10, 8, 8, 9, 8];
    const runs = report.coldStart.find((c) => c.ok)?.importRunsMs.length ?? 0;
    lines.push(
      '',
      `c) Cold start: bundled as lib/lambda-function.ts does (ESM, node24, minified, SDK inside); median of ${runs} fresh Node processes`,
      `   ${row(['handler', 'bundle KiB', 'map KiB', 'boot ms', 'import ms', 'init ms'], widths)}`,
      ...report.coldStart.map((c) =>
        c.ok
          ? `   ${row([c.handler, c.bundleKiB.toFixed(1), c.sourceMapKiB.toFixed(1), ms(c.bootMs), ms(c.importMs), ms(c.initMs)], widths)}`
          : `   ${c.handler.padEnd(widths[0] ?? 0)}  FAILED: ${c.error}`,
      ),
      '   boot: Node start to the first line of the script; import: await import() of the bundle, module scope included',
    );
  }
  return lines.join('\n');
}

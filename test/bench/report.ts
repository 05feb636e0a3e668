/** The benchmark report as text for a terminal (`--json` prints the BenchReport itself). */
import type { BenchReport, PhaseReport } from './benchmark.ts';
import { BUNDLE_KIB_TARGET, IMPORT_MS_TARGET, LEVERS, type ColdStartResult, type LeverMeasurement } from './cold-start.ts';

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
    `      the receiver and the baseline take turns call by call, so both see the same machine`,
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
  if (report.coldStart.length > 0) lines.push('', formatColdStarts(report.coldStart));
  return lines.join('\n');
}

export function formatColdStarts(results: readonly ColdStartResult[]): string {
  const widths = [18, 10, 8, 8, 9, 8, 7];
  const runs = results.find((c) => c.ok)?.importRunsMs.length ?? 0;
  return [
    `c) Cold start of each deployed asset (cdk synth's bundle, the template's environment); median of ${runs} fresh Node processes`,
    `   ${row(['handler', 'bundle KiB', 'map KiB', 'boot ms', 'import ms', 'init ms', 'target'], widths)}`,
    ...results.map((c) =>
      c.ok
        ? `   ${row([c.handler, c.bundleKiB.toFixed(1), c.sourceMapKiB.toFixed(1), ms(c.bootMs), ms(c.importMs), ms(c.initMs), c.target.verdict], widths)}`
        : `   ${c.handler.padEnd(widths[0] ?? 0)}  FAILED: ${c.error}`,
    ),
    `   targets: bundle ≤ ${BUNDLE_KIB_TARGET} KiB and import ≤ ${IMPORT_MS_TARGET} ms each; NODE_OPTIONS as deployed: ` +
      `${[...new Set(results.flatMap((c) => (c.ok ? [c.nodeOptions || '(none)'] : [])))].join(', ') || '-'}`,
    '   boot: Node start to the first line of the script; import: await import() of the bundle, module scope included',
  ].join('\n');
}

/** One row per handler, one column per lever: bundle KiB / import ms, with one lever undone at a time. */
export function formatLevers(levers: readonly LeverMeasurement[]): string {
  const handlers = [...new Set(levers.map((l) => l.handler))];
  const names = [...new Set(levers.map((l) => l.lever))];
  const widths = [18, ...names.map(() => 16)];
  return [
    'd) Levers: each handler rebuilt with one of the deployed choices undone (bundle KiB / median import ms)',
    ...names.map((name) => `   ${name}: ${LEVERS[name]}`),
    `   ${row(['handler', ...names], widths)}`,
    ...handlers.map((handler) => {
      const cells = names.map((name) => {
        const m = levers.find((l) => l.handler === handler && l.lever === name);
        return m ? `${m.bundleKiB.toFixed(0)} / ${ms(m.importMs)}` : '-';
      });
      return `   ${row([handler, ...cells], widths)}`;
    }),
  ].join('\n');
}

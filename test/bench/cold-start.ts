/**
 * Cold start of each handler as Lambda runs it: bundled with esbuild the way lib/lambda-function.ts
 * has NodejsFunction bundle it, then imported in fresh Node processes with the function's
 * environment. Reports the bundle size and the median boot and import times.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, ESM_REQUIRE_BANNER } from '#lib/bundling.ts';
import { median } from './stats.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface ColdStartMeasurement {
  readonly handler: string;
  readonly ok: true;
  readonly bundleKiB: number;
  readonly sourceMapKiB: number;
  /** Node's own start, up to the first line of the measuring script (median). */
  readonly bootMs: number;
  /** `await import()` of the bundle: module-scope code included (median). */
  readonly importMs: number;
  /** Both: what Lambda reports as most of the Init Duration (median). */
  readonly initMs: number;
  readonly importRunsMs: number[];
}

/** A handler that did not bundle or load: reported as such, the other handlers are still measured. */
export interface ColdStartFailure {
  readonly handler: string;
  readonly ok: false;
  readonly error: string;
}

export type ColdStartResult = ColdStartMeasurement | ColdStartFailure;

/** Every handler: functions/<name>/index.ts, lib/ aside. */
export async function listHandlers(): Promise<string[]> {
  const entries = await readdir(path.join(PROJECT_ROOT, 'functions'), { withFileTypes: true });
  return entries
    .filter(
      (entry) => entry.isDirectory() && entry.name !== 'lib' && existsSync(path.join(PROJECT_ROOT, 'functions', entry.name, 'index.ts')),
    )
    .map((entry) => entry.name)
    .sort();
}

// Runs in the fresh process: performance.now() counts from the process's start, so the first
// reading is Node's boot time and the difference around import() is the bundle's.
const MEASURE_SCRIPT = `const bootMs = performance.now();
await import(process.argv[2]);
const importMs = performance.now() - bootMs;
process.send({ bootMs, importMs }, () => process.exit(0));
`;

export async function measureColdStarts(options: {
  handlers: readonly string[];
  runs: number;
  /** The functions' environment; it should point every AWS endpoint at loopback stand-ins. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}): Promise<ColdStartResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lp-bench-cold-'));
  try {
    const measure = path.join(dir, 'measure.mjs');
    await writeFile(measure, MEASURE_SCRIPT);
    const results: ColdStartResult[] = [];
    for (const handler of options.handlers) {
      options.signal?.throwIfAborted();
      try {
        results.push(await measureHandler(handler, measure, dir, options));
      } catch (error) {
        options.signal?.throwIfAborted();
        results.push({ handler, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureHandler(
  handler: string,
  measure: string,
  dir: string,
  options: { runs: number; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<ColdStartMeasurement> {
  const outfile = path.join(dir, handler, 'index.mjs');
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'functions', handler, 'index.ts')],
    outfile,
    absWorkingDir: PROJECT_ROOT,
    bundle: true, // the AWS SDK included (bundleAwsSDK: true): nothing resolved from the runtime
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: BUNDLE_MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent', // errors still reject, with esbuild's messages
  });
  const boots: number[] = [];
  const imports: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const timing = await importOnce(measure, outfile, { ...options.env, POWERTOOLS_SERVICE_NAME: handler }, options.signal);
    boots.push(timing.bootMs);
    imports.push(timing.importMs);
  }
  return {
    handler,
    ok: true,
    bundleKiB: (await stat(outfile)).size / 1024,
    sourceMapKiB: (await stat(`${outfile}.map`)).size / 1024,
    bootMs: median(boots),
    importMs: median(imports),
    initMs: median(boots.map((boot, i) => boot + (imports[i] ?? 0))),
    importRunsMs: imports,
  };
}

async function importOnce(
  script: string,
  bundle: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<{ bootMs: number; importMs: number }> {
  const child = fork(script, [bundle], {
    cwd: path.dirname(bundle), // as on Lambda: no node_modules anywhere up the tree to fall back on
    env,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    timeout: 30_000,
    ...(signal ? { signal } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  let timing: { bootMs: number; importMs: number } | undefined;
  child.on('message', (message) => {
    timing = message as { bootMs: number; importMs: number };
  });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (!timing || code !== 0) {
      throw new Error(`import failed (exit ${String(code)})${stderr.trim() ? `: ${errorOf(stderr)}` : ''}`);
    }
    return timing;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** From Node's report of an uncaught error: the error itself (from its "…Error" line), on one line. */
function errorOf(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const start = lines.findIndex((line) => /^\w*Error\b/.test(line));
  const text = (start === -1 ? lines : lines.slice(start)).join(' ').replace(/\s+/g, ' ');
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

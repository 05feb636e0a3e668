/**
 * Cold start of each function exactly as deployed: the app is synthesized with bundling on (what
 * `cdk synth` writes to cdk.out), and each function's asset is imported in fresh Node processes with
 * the environment of its template (NODE_OPTIONS included), the values CloudFormation would resolve
 * replaced by loopback stand-ins. Reports the bundle's size and the median boot and import times,
 * judged against the targets.
 *
 * `measureLevers` rebuilds the bundles with one lever at a time undone, to show what each bought.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { deployedBuildOptions } from '#lib/bundling.ts';
import { median } from './stats.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/** Each deployed bundle at most this size (the index.mjs; its source map is a file apart). */
export const BUNDLE_KIB_TARGET = 300;
/** Each bundle's import, module scope included, at most this long (median, this machine). */
export const IMPORT_MS_TARGET = 100;

export type Verdict = 'PASS' | 'MISS';

export interface ColdStartMeasurement {
  readonly handler: string;
  readonly ok: true;
  readonly bundleKiB: number;
  readonly sourceMapKiB: number;
  readonly memoryMb: number;
  /** NODE_OPTIONS as the template sets it ('' when unset). */
  readonly nodeOptions: string;
  /** Node's own start, up to the first line of the measuring script (median). */
  readonly bootMs: number;
  /** `await import()` of the bundle: module-scope code included (median). */
  readonly importMs: number;
  /** Both: what Lambda reports as most of the Init Duration (median). */
  readonly initMs: number;
  readonly importRunsMs: number[];
  readonly target: { readonly bundleKiB: number; readonly importMs: number; readonly verdict: Verdict };
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

/** A function of the synthesized template: where its asset is and what environment it gets. */
export interface DeployedFunction {
  readonly handler: string;
  readonly assetDir: string;
  /** The function's configured memory (MB), for the cost model. */
  readonly memoryMb: number;
  /** The template's variables; a value CloudFormation resolves at deploy time (a Ref, a GetAtt) is undefined. */
  readonly variables: Readonly<Record<string, string | undefined>>;
}

/** Synthesizes the default app with bundling on into `outdir`, as `cdk synth` does. */
export async function synthesizeFunctions(outdir: string): Promise<DeployedFunction[]> {
  // Loaded here, not at the top: the rest of the benchmark runs without the CDK.
  const { buildApp } = await import('#test/cdk/helpers.ts');
  const { app } = buildApp({ accountId: '12345678' }, { 'aws:cdk:bundling-stacks': ['**'] }, { outdir });
  const assembly = app.synth();
  const functions: DeployedFunction[] = [];
  for (const stack of assembly.stacks) {
    const resources = (stack.template as { Resources: Record<string, TemplateResource> }).Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::Lambda::Function' || resource.Properties?.Handler !== 'index.handler') continue;
      const raw = resource.Properties.Environment?.Variables ?? {};
      const variables = Object.fromEntries(
        Object.entries(raw).map(([name, value]) => [name, typeof value === 'string' ? value : undefined]),
      );
      const handler = variables.POWERTOOLS_SERVICE_NAME;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const memoryMb = resource.Properties.MemorySize ?? 128;
      if (handler && assetPath) functions.push({ handler, assetDir: path.join(assembly.directory, assetPath), memoryMb, variables });
    }
  }
  return functions;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: {
    readonly Handler?: string;
    readonly MemorySize?: number;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
  readonly Metadata?: Record<string, string>;
}

/**
 * The process environment of a deployed function: the machine's stand-ins (`standIns`: region,
 * credentials, endpoints, and a value for every variable the template leaves to CloudFormation),
 * then the template's own values over them, and what Lambda itself sets. NODE_OPTIONS is the
 * template's or none.
 */
export function deployedEnvironment(fn: DeployedFunction, standIns: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...standIns };
  delete env.NODE_OPTIONS;
  for (const [name, value] of Object.entries(fn.variables)) {
    if (value !== undefined) env[name] = value;
    else if (standIns[name] === undefined)
      throw new Error(`${fn.handler}: no loopback stand-in for ${name}, which the template resolves at deploy time`);
  }
  return {
    ...env,
    AWS_LAMBDA_FUNCTION_NAME: fn.handler,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: fn.assetDir,
  };
}

export async function measureColdStarts(options: {
  handlers: readonly string[];
  runs: number;
  /** Stand-ins for the deployment: every AWS endpoint on loopback, values for the template's deploy-time variables. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}): Promise<ColdStartResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lp-bench-cold-'));
  try {
    const measure = path.join(dir, 'measure.mjs');
    await writeFile(measure, MEASURE_SCRIPT);
    let deployed: DeployedFunction[];
    try {
      deployed = await synthesizeFunctions(path.join(dir, 'cdk.out'));
    } catch (error) {
      const message = `synthesis failed: ${error instanceof Error ? error.message : String(error)}`;
      return options.handlers.map((handler) => ({ handler, ok: false, error: message }));
    }
    const results: ColdStartResult[] = [];
    for (const handler of options.handlers) {
      options.signal?.throwIfAborted();
      try {
        const fn = deployed.find((candidate) => candidate.handler === handler);
        if (!fn) throw new Error(`no function ${handler} in the synthesized app (it has ${deployed.map((d) => d.handler).join(', ')})`);
        const env = deployedEnvironment(fn, options.env);
        results.push({
          ...(await measureBundle(handler, path.join(fn.assetDir, 'index.mjs'), measure, env, options)),
          memoryMb: fn.memoryMb,
        });
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

async function measureBundle(
  handler: string,
  bundle: string,
  measure: string,
  env: NodeJS.ProcessEnv,
  options: { runs: number; signal?: AbortSignal },
): Promise<Omit<ColdStartMeasurement, 'memoryMb'>> {
  const boots: number[] = [];
  const imports: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const timing = await importOnce(measure, bundle, env, options.signal);
    boots.push(timing.bootMs);
    imports.push(timing.importMs);
  }
  const bundleKiB = (await stat(bundle)).size / 1024;
  const importMs = median(imports);
  const mapFile = `${bundle}.map`;
  return {
    handler,
    ok: true,
    bundleKiB,
    sourceMapKiB: existsSync(mapFile) ? (await stat(mapFile)).size / 1024 : 0,
    nodeOptions: env.NODE_OPTIONS ?? '',
    bootMs: median(boots),
    importMs,
    initMs: median(boots.map((boot, i) => boot + (imports[i] ?? 0))),
    importRunsMs: imports,
    target: {
      bundleKiB: BUNDLE_KIB_TARGET,
      importMs: IMPORT_MS_TARGET,
      verdict: bundleKiB <= BUNDLE_KIB_TARGET && importMs <= IMPORT_MS_TARGET ? 'PASS' : 'MISS',
    },
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

// ---------------------------------------------------------------------------------------------
// Levers: the same handler bundled with one of the deployed choices undone.

export type Lever = 'deployed' | 'no-http-alias' | 'sdk-credential-chain' | 'enable-source-maps' | 'keep-names' | 'runtime-sdk';

export const LEVERS: Readonly<Record<Lever, string>> = {
  deployed: 'as deployed (every lever on)',
  'no-http-alias': 'node:http imported as ESM (its facade loads undici)',
  'sdk-credential-chain': "the SDK's full default credential chain",
  'enable-source-maps': 'NODE_OPTIONS=--enable-source-maps instead of mapping stacks when printed',
  'keep-names': 'with esbuild keepNames (every function and class keeps its name, at 20–35 KiB)',
  'runtime-sdk': "the AWS SDK left out, loaded from node_modules' CommonJS builds through NODE_PATH, as the runtime's own SDK is",
};

export interface LeverMeasurement {
  readonly handler: string;
  readonly lever: Lever;
  readonly bundleKiB: number;
  readonly importMs: number;
}

/** Bundles each handler once per lever with esbuild's API (the construct's settings, lib/bundling.ts) and imports each in fresh processes. */
export async function measureLevers(options: {
  handlers: readonly string[];
  levers?: readonly Lever[];
  runs: number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}): Promise<LeverMeasurement[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lp-bench-levers-'));
  try {
    const measure = path.join(dir, 'measure.mjs');
    await writeFile(measure, MEASURE_SCRIPT);
    const results: LeverMeasurement[] = [];
    for (const handler of options.handlers) {
      for (const lever of options.levers ?? (Object.keys(LEVERS) as Lever[])) {
        options.signal?.throwIfAborted();
        const outfile = path.join(dir, `${handler}-${lever}`, 'index.mjs');
        await bundleWithLever(handler, lever, outfile);
        const env: NodeJS.ProcessEnv = { ...options.env, POWERTOOLS_SERVICE_NAME: handler, AWS_LAMBDA_FUNCTION_NAME: handler };
        delete env.NODE_OPTIONS;
        if (lever === 'enable-source-maps') env.NODE_OPTIONS = '--enable-source-maps';
        if (lever === 'runtime-sdk') env.NODE_PATH = path.join(PROJECT_ROOT, 'node_modules');
        const imports: number[] = [];
        for (let run = 0; run < options.runs; run++) imports.push((await importOnce(measure, outfile, env, options.signal)).importMs);
        results.push({ handler, lever, bundleKiB: (await stat(outfile)).size / 1024, importMs: median(imports) });
      }
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function bundleWithLever(handler: string, lever: Lever, outfile: string): Promise<void> {
  const deployed = deployedBuildOptions(PROJECT_ROOT);
  const aliases = Object.fromEntries(
    Object.entries(deployed.alias)
      .filter(([from]) => !(lever === 'no-http-alias' && /^(node:)?https?$/.test(from)))
      .filter(([from]) => !(lever === 'sdk-credential-chain' && from === '@aws-sdk/credential-provider-node'))
      .filter(([from]) => !(lever === 'runtime-sdk' && from.startsWith('@'))),
  );
  await build({
    ...deployed,
    entryPoints: [path.join(PROJECT_ROOT, 'functions', handler, 'index.ts')],
    outfile,
    keepNames: lever === 'keep-names',
    alias: aliases,
    inject: lever === 'enable-source-maps' ? [] : deployed.inject,
    plugins: lever === 'runtime-sdk' ? [requireFromRuntime] : [],
  });
}

/** The AWS SDK as the Lambda runtime provides it: CommonJS packages found through NODE_PATH by require(). */
const requireFromRuntime: Plugin = {
  name: 'require-aws-sdk-from-runtime',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@(aws-sdk|smithy)\// }, (args) =>
      // The require() inside the stand-in module stays a require() at run time.
      args.namespace === 'runtime-sdk' ? { path: args.path, external: true } : { path: args.path, namespace: 'runtime-sdk' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'runtime-sdk' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Parent side of the load benchmark: forks load-worker.ts with a Lambda-like environment, counts
 * (and discards) the handler's log output, and gives back the worker's measurements. The child
 * is killed on abort, on timeout and if it misbehaves: it never outlives the call.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';

export interface WorkerConfig {
  readonly rate: number;
  /** Paced invocations (rate × duration). */
  readonly count: number;
  /** Unpaced invocations first, for the JIT, the secret cache and the kept-alive connection. */
  readonly warmup: number;
  readonly baselineQueueUrl: string;
}

export interface PhaseResult {
  readonly samplesMs: number[];
  /** Non-200 status (receiver) or error name (baseline) → how many. */
  readonly failures: Record<string, number>;
  /** The phase's share of the run: each of its calls' slot, up to the start of the next call. */
  readonly elapsedMs: number;
  /** Worst delay of a start past its scheduled time (a previous call overran, or timers were late). */
  readonly maxLagMs: number;
}

export interface WorkerResult {
  readonly receiver: PhaseResult;
  readonly baseline: PhaseResult;
  /** Deduplication ids (SHA-256 of the body) of every webhook answered 200, warm-up included. */
  readonly acceptedIds: string[];
  readonly firstInvocationMs: number;
  readonly importMs: number;
  readonly meanBodyBytes: number;
}

export type WorkerMessage = { readonly type: 'result'; readonly result: WorkerResult } | { readonly type: 'error'; readonly message: string };

export interface LoadRun extends WorkerResult {
  /** What the handler wrote to stdout (Powertools logs and metrics), counted then dropped. */
  readonly stdoutBytes: number;
  readonly stdoutLines: number;
}

const WORKER = path.join(import.meta.dirname, 'load-worker.ts');

export async function runLoad(options: { config: WorkerConfig; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal }): Promise<LoadRun> {
  options.signal?.throwIfAborted();
  const child = fork(WORKER, [JSON.stringify(options.config)], {
    env: options.env,
    execArgv: [], // not the parent's flags (vitest's, --inspect...): a plain Node 24 process stripping types
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });

  let stdoutBytes = 0;
  let stdoutLines = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    for (const byte of chunk) if (byte === 0x0a) stdoutLines++;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000); // the tail is enough to say what went wrong
  });

  let message: WorkerMessage | undefined;
  child.on('message', (received) => {
    message = received as WorkerMessage;
  });

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = () => kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(kill, options.timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    options.signal?.throwIfAborted();
    if (message?.type === 'error') throw new Error(`load worker failed: ${message.message}${stderrTail(stderr)}`);
    if (!message || code !== 0) {
      const how = signal === 'SIGKILL' ? `was killed after ${options.timeoutMs} ms` : `exited with ${signal ?? `code ${String(code)}`}`;
      throw new Error(`load worker ${how} without a result${stderrTail(stderr)}`);
    }
    return { ...message.result, stdoutBytes, stdoutLines };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    kill();
  }
}

function stderrTail(stderr: string): string {
  return stderr.trim() === '' ? '' : `\n--- worker stderr (tail) ---\n${stderr.trim()}`;
}

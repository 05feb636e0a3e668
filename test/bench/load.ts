/**
 * Parent side of the load benchmark: forks load-worker.ts with a Lambda-like environment, counts
 * (and discards) the handler's log output, and gives back the worker's measurements. The child
 * is killed on abort, on timeout and if it misbehaves: it never outlives the call.
 */
import * as path from 'node:path';
import { runWorker, type WorkerMessage as WorkerMessageOf } from './worker.ts';

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

export type WorkerMessage = WorkerMessageOf<WorkerResult>;

export interface LoadRun extends WorkerResult {
  /** What the handler wrote to stdout (Powertools logs and metrics), counted then dropped. */
  readonly stdoutBytes: number;
  readonly stdoutLines: number;
}

const WORKER = path.join(import.meta.dirname, 'load-worker.ts');

export async function runLoad(options: {
  config: WorkerConfig;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<LoadRun> {
  return runWorker<WorkerResult>({
    name: 'load worker',
    script: WORKER,
    config: options.config,
    env: options.env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
}

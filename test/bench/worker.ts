/**
 * Runs a measured piece in its own Node process: the handler's stdout (its logs and metrics) is
 * counted and dropped rather than printed, the result comes back over IPC, and the child is killed
 * on abort, on timeout, or when done.
 */
import { fork } from 'node:child_process';

export type WorkerMessage<R> = { readonly type: 'result'; readonly result: R } | { readonly type: 'error'; readonly message: string };

export async function runWorker<R extends object>(options: {
  /** Names the worker in errors, e.g. "load worker". */
  readonly name: string;
  readonly script: string;
  readonly config: unknown;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}): Promise<R & { stdoutBytes: number; stdoutLines: number }> {
  options.signal?.throwIfAborted();
  const child = fork(options.script, [JSON.stringify(options.config)], {
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
  let message: WorkerMessage<R> | undefined;
  child.on('message', (received) => {
    message = received as WorkerMessage<R>;
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', kill, { once: true });
  const timer = setTimeout(kill, options.timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    options.signal?.throwIfAborted();
    const tail = stderr.trim() === '' ? '' : `\n--- worker stderr (tail) ---\n${stderr.trim()}`;
    if (message?.type === 'error') throw new Error(`${options.name} failed: ${message.message}${tail}`);
    if (message === undefined || code !== 0) {
      const how = signal === 'SIGKILL' ? `was killed after ${options.timeoutMs} ms` : `exited with ${signal ?? `code ${String(code)}`}`;
      throw new Error(`${options.name} ${how} without a result${tail}`);
    }
    return { ...message.result, stdoutBytes, stdoutLines };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', kill);
    kill();
  }
}

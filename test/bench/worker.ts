/**
 * Runs a measured piece in its own Node process: the handler's stdout (its logs and metrics) is
 * counted and dropped rather than printed, the result comes back over IPC, and the child is killed
 * on abort, on timeout, or when done.
 *
 * The stdout pipe is read by a small counter process of its own, not by this one: this process
 * hosts the services the handler calls (the LivePerson simulator, local SQS), and reading a log
 * chunk in their event loop would delay their next answer, a cost no handler pays on AWS (CloudWatch
 * reads Lambda's logs elsewhere). The handler still writes to a pipe whose reader is another process.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';

export type WorkerMessage<R> = { readonly type: 'result'; readonly result: R } | { readonly type: 'error'; readonly message: string };

/** Counts the bytes and lines of its stdin; prints `{"bytes":…,"lines":…}` at its end. */
const COUNTER = `
let bytes = 0, lines = 0;
process.stdin.on('data', (chunk) => {
  bytes += chunk.length;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
});
process.stdin.on('end', () => process.stdout.write(JSON.stringify({ bytes, lines })));
`;

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
  const counter = spawn(process.execPath, ['-e', COUNTER], { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH } });
  let counted = '';
  counter.stdout?.on('data', (chunk: Buffer) => (counted += chunk.toString('utf8')));
  const counterDone = exited(counter);
  counterDone.catch(() => undefined); // awaited below; a worker that fails to start must not leave it unhandled
  let child: ChildProcess;
  try {
    child = fork(options.script, [JSON.stringify(options.config)], {
      env: options.env,
      // Not the parent's flags (vitest's, --inspect...): a plain Node 24 process stripping types. BENCH_CPU_PROF_DIR
      // asks for a CPU profile of each worker there, to see where a handler's time goes.
      execArgv: process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [],
      // The worker writes straight into the counter's stdin.
      stdio: ['ignore', counter.stdin ?? 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
  } finally {
    // The worker holds its own copy of the pipe: the counter sees the end when the worker exits.
    counter.stdin?.destroy();
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000); // the tail is enough to say what went wrong
  });
  let message: WorkerMessage<R> | undefined;
  child.on('message', (received) => {
    message = received as WorkerMessage<R>;
  });
  const kill = () => {
    for (const running of [child, counter]) if (running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', kill, { once: true });
  const timer = setTimeout(kill, options.timeoutMs);
  try {
    const [code, signal] = await exited(child);
    await counterDone;
    options.signal?.throwIfAborted();
    const tail = stderr.trim() === '' ? '' : `\n--- worker stderr (tail) ---\n${stderr.trim()}`;
    if (message?.type === 'error') throw new Error(`${options.name} failed: ${message.message}${tail}`);
    if (message === undefined || code !== 0) {
      const how = signal === 'SIGKILL' ? `was killed after ${options.timeoutMs} ms` : `exited with ${signal ?? `code ${String(code)}`}`;
      throw new Error(`${options.name} ${how} without a result${tail}`);
    }
    if (counted === '') throw new Error(`${options.name}: the stdout counter gave no count`);
    const { bytes, lines } = JSON.parse(counted) as { bytes: number; lines: number };
    return { ...message.result, stdoutBytes: bytes, stdoutLines: lines };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', kill);
    kill();
  }
}

function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
}

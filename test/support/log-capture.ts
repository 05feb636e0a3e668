/**
 * Captures everything this process writes while a test runs: process.stdout/stderr (where a
 * Powertools Logger writes through its own Console) and the global console (where it writes in
 * POWERTOOLS_DEV mode, and which vitest intercepts before any stream sees it). Nothing is passed
 * through: a DEBUG run of the whole stack would bury the test report.
 */
import { format } from 'node:util';

export interface CapturedWrite {
  readonly channel: 'stdout' | 'stderr' | `console.${ConsoleMethod}`;
  /** What was running when it was written (see `scenario`); background work may spill over. */
  readonly scenario: string;
  readonly text: string;
}

export interface OutputCapture {
  readonly writes: readonly CapturedWrite[];
  /** Labels what is written from now on, so a finding can say which scenario produced it. */
  scenario(name: string): void;
  /** Every captured write, split into lines. */
  lines(): Array<{ readonly scenario: string; readonly channel: CapturedWrite['channel']; readonly line: string }>;
  restore(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
type ConsoleMethod = (typeof CONSOLE_METHODS)[number];

export function captureProcessOutput(): OutputCapture {
  const writes: CapturedWrite[] = [];
  let scenario = 'start';
  const record = (channel: CapturedWrite['channel'], text: string) => void writes.push({ channel, scenario, text });

  const streams = [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const;
  const originalWrites = streams.map(([, stream]) => stream.write);
  for (const [channel, stream] of streams) {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
      record(channel, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding));
      // A writer may wait for its callback (Console passes one to catch stream errors).
      const callback = rest.find((arg): arg is (error?: Error | null) => void => typeof arg === 'function');
      if (callback) process.nextTick(callback, null);
      return true;
    }) as typeof stream.write;
  }

  const originalConsole = Object.fromEntries(CONSOLE_METHODS.map((method) => [method, console[method]])) as Record<
    ConsoleMethod,
    (...args: unknown[]) => void
  >;
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => record(`console.${method}`, `${format(...args)}\n`);
  }

  return {
    writes,
    scenario(name) {
      scenario = name;
    },
    lines() {
      return writes.flatMap((write) =>
        write.text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => ({ scenario: write.scenario, channel: write.channel, line })),
      );
    },
    restore() {
      streams.forEach(([, stream], i) => {
        const original = originalWrites[i];
        if (original) stream.write = original;
      });
      for (const method of CONSOLE_METHODS) console[method] = originalConsole[method];
    },
  };
}

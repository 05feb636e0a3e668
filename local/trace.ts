/**
 * The local stack's traces: what X-Ray shows of a webhook in AWS, from the same vantage points, made
 * in-process. A trace is one webhook (or one C2M call, one connector command): the API Gateway
 * stand-in's request, the receiver's invocation under it, and the processor invocations that handled
 * its queued body; under each invocation its AWS calls and its LivePerson calls, with their timings.
 *
 * Why not the X-Ray SDK itself: it keeps one segment per process (Lambda runs one invocation at a
 * time), and the local stack runs the handlers side by side in one process. Instead an
 * AsyncLocalStorage carries the invocation's span through its awaits, and the spans come from Node's
 * diagnostics channels: node:http's (every AWS SDK call, named by its X-Amz-Target) and the
 * LivePerson client's own (functions/lib/liveperson/http.ts, named by operation like the deployed
 * subsegments). Only names, statuses and timings are kept: no header, path or body. Each AWS call
 * carries its trace in X-Amzn-Trace-Id, as the X-Ray SDK's do, so the EventBridge stand-in knows
 * which trace published an event.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { livePersonCalls, type TracedCall } from '#functions/lib/liveperson/http.ts';

export interface Span {
  readonly name: string;
  /** What kind of step: the trace's root, a function's invocation, an AWS call, a LivePerson call. */
  readonly kind: 'root' | 'invocation' | 'aws' | 'liveperson';
  /** performance.now() when the step began (traceView gives it as an offset from the trace's start). */
  readonly start: number;
  /** Set when the step ended. */
  durationMs: number | undefined;
  /** HTTP status of a call or of the webhook's answer; undefined while running or when none came. */
  status: number | undefined;
  /** A short note: retries of a LivePerson call, the error's class name, the queue wait. */
  note: string | undefined;
  readonly children: Span[];
}

export interface Trace {
  /** An X-Ray-style trace id, 1-<8 hex of the epoch seconds>-<24 hex>. */
  readonly id: string;
  /** Wall-clock start, ISO 8601. */
  readonly startedAt: string;
  readonly root: Span;
}

interface Active {
  readonly trace: Trace;
  readonly span: Span;
}

/** Names an AWS call by its JSON protocol target, e.g. DynamoDB_20120810.PutItem → DynamoDB PutItem. */
const AWS_SERVICES: ReadonlyArray<readonly [prefix: string, name: string]> = [
  ['DynamoDB_', 'DynamoDB'],
  ['AmazonSQS.', 'SQS'],
  ['AWSEvents.', 'EventBridge'],
  ['secretsmanager.', 'SecretsManager'],
  ['AmazonSSM.', 'SSM'],
];

export function awsCallName(target: string | undefined, method: string, host: string | undefined): string {
  if (target !== undefined) {
    if (!target.includes('.')) return target;
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const service = AWS_SERVICES.find(([prefix]) => target.startsWith(prefix))?.[1] ?? target.slice(0, target.lastIndexOf('.'));
    return `${service} ${operation}`;
  }
  return `${method} ${host ?? '?'}`;
}

export function newTraceId(now = Date.now()): string {
  return `1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

export interface LocalTracesOptions {
  /** Traces kept, oldest dropped first. @default 200 */
  readonly keep?: number;
}

export class LocalTraces {
  readonly #store = new AsyncLocalStorage<Active>();
  readonly #traces: Trace[] = [];
  readonly #keep: number;
  readonly #requests = new WeakMap<ClientRequest, Active>();
  readonly #unsubscribers: Array<() => void> = [];

  constructor(options: LocalTracesOptions = {}) {
    this.#keep = options.keep ?? 200;
    this.#listen('http.client.request.created', (message) => {
      const { request } = message as { request: ClientRequest };
      const target = request.getHeader('x-amz-target');
      const host = request.getHeader('host');
      const active = this.#child(
        'aws',
        awsCallName(typeof target === 'string' ? target : undefined, request.method, typeof host === 'string' ? host : request.host),
      );
      if (!active) return;
      this.#requests.set(request, active);
      // As the X-Ray SDK does: the call carries its trace, so what it reaches (the EventBridge stand-in) knows it.
      try {
        request.setHeader('x-amzn-trace-id', `Root=${active.trace.id};Sampled=1`);
      } catch {
        // Headers already sent: the call is timed all the same.
      }
    });
    this.#listen('http.client.response.finish', (message) => {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
      const active = this.#requests.get(request);
      if (active) this.#end(active, response.statusCode);
    });
    this.#listen('http.client.request.error', (message) => {
      const { request, error } = message as { request: ClientRequest; error: Error };
      const active = this.#requests.get(request);
      if (active) this.#end(active, undefined, error.name);
    });
    // LivePerson calls: one span per call, retries included, as the deployed subsegments. A failed call
    // publishes error, then asyncEnd, as a settled one publishes asyncEnd.
    const calls = new WeakMap<object, { active: Active; errorName?: string }>();
    const handlers = {
      start: (context: { call: TracedCall }) => {
        const active = this.#child('liveperson', `LivePerson ${context.call.operation}`);
        if (active) calls.set(context, { active });
      },
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (context: { call: TracedCall }) => {
        const entry = calls.get(context);
        if (entry) this.#end(entry.active, context.call.status, [entry.errorName, retriesNote(context.call)].filter(Boolean).join(', '));
      },
      error: (context: { call: TracedCall; error?: unknown }) => {
        const entry = calls.get(context);
        if (entry) entry.errorName = context.error instanceof Error ? context.error.name : 'error';
      },
    };
    livePersonCalls.subscribe(handlers);
    this.#unsubscribers.push(() => livePersonCalls.unsubscribe(handlers));
  }

  /**
   * Starts a trace whose root is `name` and runs `run` inside it; the root ends when `run` settles,
   * with the status `status` reads from the result, and then `onEnd` is told.
   */
  async trace<T>(
    name: string,
    run: (trace: Trace) => Promise<T>,
    options: { status?: (result: T) => number | undefined; onEnd?: (trace: Trace) => void } = {},
  ): Promise<T> {
    const root = span('root', name);
    const trace: Trace = { id: newTraceId(), startedAt: new Date().toISOString(), root };
    this.#traces.push(trace);
    if (this.#traces.length > this.#keep) this.#traces.shift();
    const active: Active = { trace, span: root };
    try {
      const result = await this.#store.run(active, () => run(trace));
      this.#end(active, options.status?.(result));
      return result;
    } catch (error) {
      this.#end(active, undefined, error instanceof Error ? error.name : 'error');
      throw error;
    } finally {
      options.onEnd?.(trace);
    }
  }

  /**
   * Runs a function's invocation as a step of the current trace, or, given traces, of each of them
   * (a processor batch holds the bodies of several webhooks): the same span hangs under each root.
   */
  async invocation<T>(name: string, run: () => Promise<T>, within?: { traces: readonly Trace[]; note?: string }): Promise<T> {
    const parents: Array<{ trace: Trace; parent: Span }> = [];
    if (within) {
      for (const trace of within.traces) parents.push({ trace, parent: trace.root });
    } else {
      const current = this.#store.getStore();
      if (current) parents.push({ trace: current.trace, parent: current.span });
    }
    const first = parents[0];
    // Given traces but none known (records queued before the stack started): the call is no one's.
    if (first === undefined) return within ? this.#store.exit(run) : run();
    const invocation = span('invocation', name, within?.note);
    for (const { parent } of parents) parent.children.push(invocation);
    const active: Active = { trace: first.trace, span: invocation };
    try {
      const result = await this.#store.run(active, run);
      this.#end(active);
      return result;
    } catch (error) {
      this.#end(active, undefined, error instanceof Error ? error.name : 'error');
      throw error;
    }
  }

  /** The traces kept, oldest first. */
  list(): readonly Trace[] {
    return [...this.#traces];
  }

  get(id: string): Trace | undefined {
    return this.#traces.find((trace) => trace.id === id);
  }

  close(): void {
    for (const unsubscribeOne of this.#unsubscribers.splice(0)) unsubscribeOne();
  }

  #listen(channel: string, listener: (message: unknown) => void): void {
    subscribe(channel, listener);
    this.#unsubscribers.push(() => unsubscribe(channel, listener));
  }

  /** A call's span under the current invocation; none outside one, or after it ended (a straggler). */
  #child(kind: 'aws' | 'liveperson', name: string): Active | undefined {
    const current = this.#store.getStore();
    if (current === undefined || current.span.durationMs !== undefined || current.span.kind === 'root') return undefined;
    const child = span(kind, name);
    current.span.children.push(child);
    return { trace: current.trace, span: child };
  }

  #end(active: Active, status?: number, note?: string): void {
    active.span.durationMs = performance.now() - active.span.start;
    active.span.status = status;
    if (note) active.span.note = active.span.note ? `${active.span.note}; ${note}` : note;
  }
}

function span(kind: Span['kind'], name: string, note?: string): Span {
  return { name, kind, start: performance.now(), durationMs: undefined, status: undefined, note, children: [] };
}

/** A step as the console and the tests read it: its start as milliseconds since the trace began. */
export interface SpanView {
  readonly name: string;
  readonly kind: Span['kind'];
  readonly startMs: number;
  readonly durationMs: number | undefined;
  readonly status: number | undefined;
  readonly note: string | undefined;
  readonly children: readonly SpanView[];
}

export interface TraceView {
  readonly id: string;
  readonly startedAt: string;
  readonly root: SpanView;
}

export function traceView(trace: Trace): TraceView {
  const origin = trace.root.start;
  const view = (node: Span): SpanView => ({
    name: node.name,
    kind: node.kind,
    startMs: node.start - origin,
    durationMs: node.durationMs,
    status: node.status,
    note: node.note,
    children: node.children.map(view),
  });
  return { id: trace.id, startedAt: trace.startedAt, root: view(trace.root) };
}

function retriesNote(call: TracedCall): string | undefined {
  return call.retries > 0 ? `${call.retries} ${call.retries === 1 ? 'retry' : 'retries'}` : undefined;
}

/**
 * The trace as a tree of timings, one line per step:
 *
 *   trace 1-6757…  2026-12-02T13:40:00.000Z
 *   POST /webhooks/connector           200    +0.0 ms   12.3 ms
 *   ├─ webhook-receiver                       +0.4 ms   11.6 ms
 *   │  └─ SQS SendMessage              200    +1.2 ms    9.8 ms
 */
export function renderTrace(trace: Trace): string[] {
  const lines: string[] = [`trace ${trace.id}  ${trace.startedAt}`];
  const rows: Array<{ prefix: string; span: SpanView }> = [];
  const walk = (node: SpanView, prefix: string, childPrefix: string) => {
    rows.push({ prefix, span: node });
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      walk(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(traceView(trace).root, '', '');
  const label = (row: { prefix: string; span: SpanView }) => `${row.prefix}${row.span.name}`;
  const width = Math.max(...rows.map((row) => label(row).length));
  for (const row of rows) {
    const { span: node } = row;
    const status = node.status === undefined ? '   ' : String(node.status);
    const start = `+${node.startMs.toFixed(1)} ms`.padStart(10);
    const duration = node.durationMs === undefined ? '  running' : `${node.durationMs.toFixed(1)} ms`.padStart(9);
    lines.push(`${label(row).padEnd(width)}  ${status}  ${start}  ${duration}${node.note ? `  ${node.note}` : ''}`);
  }
  return lines;
}

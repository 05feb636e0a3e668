/**
 * Event processor throughput: full batches of 10 SQS records through the processor, with no
 * brand handler work (the registry only feeds the EventBridge outbox).
 *  a) CPU: the processing code alone (parse, validation, idempotency bookkeeping, dispatch, outbox,
 *     Powertools' FIFO batch processor) against in-memory stores: events per second and CPU per event.
 *  b) Loopback I/O: the real handler against local DynamoDB (dynalite) and the EventBridge stand-in,
 *     which shows the cost of the calls per event (local emulators, not AWS latencies).
 *  c) Modelled AWS latency: the real handler in a process of its own (processor-worker.ts), each of
 *     its DynamoDB and EventBridge calls delayed by LATENCY_MS in a TCP proxy here, once with one
 *     conversation at a time (CONVERSATION_CONCURRENCY=1) and once with the ten of a batch at once;
 *     the proxies count the calls by their X-Amz-Target.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSRecord } from 'aws-lambda';
import path from 'node:path';
import type { BusEntry, ClaimResult, EventLedger } from '#functions/lib/processing/ports.ts';
import { processNotification } from '#functions/lib/processing/process-notification.ts';
import { EventHandlerRegistry, publishToEventBridge } from '#functions/lib/processing/registry.ts';
import { startAwsStandIns } from '#local/aws-standins.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY } from '#local/dynamodb.ts';
import { lambdaContext } from '#local/lambda-context.ts';
import { startTcpProxy } from '#local/tcp-proxy.ts';
import { benchBatch, type BatchKind, type ProcessorWorkerConfig, type ProcessorWorkerResult } from './processor-worker.ts';
import { median } from './stats.ts';
import { runWorker } from './worker.ts';

export interface ProcessorBenchmarkReport {
  readonly cpu: {
    readonly batches: number;
    readonly events: number;
    readonly eventsPerSecond: number;
    readonly cpuMicrosPerEvent: number;
    readonly batchMs: number;
  };
  readonly loopback: { readonly batches: number; readonly events: number; readonly eventsPerSecond: number; readonly batchMs: number };
  readonly latency: ProcessorLatencyReport;
}

/** One setting of CONVERSATION_CONCURRENCY against the delayed services. */
export interface LatencyRun {
  readonly concurrency: number;
  readonly batches: number;
  readonly events: number;
  /** Per invocation: a batch's events over the median time the handler took for one. */
  readonly eventsPerSecond: number;
  /** Median over the batches: a batch slowed down by something else on the machine moves it little. */
  readonly batchMs: number;
  readonly meanBatchMs: number;
  /** The handler process's CPU per batch: the floor under batchMs, however many conversations run at once. */
  readonly cpuMsPerBatch: number;
  /** Over the run's batches, warm-up included. */
  readonly dynamoDbCallsPerEvent: number;
  readonly eventBridgeCallsPerEvent: number;
}

/** Calls per event of one kind, from batches of ten such records, ten conversations at once. */
export interface CallsPerEvent {
  readonly dynamoDb: number;
  readonly eventBridge: number;
}

export interface ProcessorLatencyReport {
  readonly latencyMs: number;
  readonly conversationsPerBatch: number;
  readonly sequential: LatencyRun;
  readonly concurrent: LatencyRun;
  /** Concurrent over sequential events per second (of the median batches). */
  readonly speedUp: number;
  readonly perEvent: { readonly content: CallsPerEvent; readonly conversationChange: CallsPerEvent };
  /** DynamoDB and EventBridge calls by X-Amz-Target, over every run (warm-up batches included: they are of the same kind). */
  readonly calls: Readonly<Record<string, number>>;
  readonly target: {
    readonly speedUp: number;
    readonly dynamoDbCallsPerContentEvent: number;
    readonly verdict: 'PASS' | 'MISS';
  };
}

/** Each DynamoDB or EventBridge call is this much slower than on loopback: a call within an AWS region. */
export const LATENCY_MS = 4;
/** At 10 conversations per batch, the concurrent processor handles at least this many times the sequential events per second. */
export const PROCESSOR_SPEED_UP_TARGET = 5;
/** A content event (the common case) costs at most this many DynamoDB calls: its claim and its completion. */
export const DYNAMODB_CALLS_PER_CONTENT_EVENT_TARGET = 2;

class MemoryLedger implements EventLedger {
  readonly #done = new Set<string>();
  async claim(identity: string): Promise<ClaimResult> {
    return this.#done.has(identity) ? 'already-done' : 'claimed';
  }
  async complete(identity: string) {
    this.#done.add(identity);
  }
  async release() {}
}

async function cpuBenchmark(batches: number): Promise<ProcessorBenchmarkReport['cpu']> {
  const ledger = new MemoryLedger();
  const state = { apply: async () => 'applied' as const, get: async () => undefined };
  const publisher = { publish: async (_entries: readonly BusEntry[]) => undefined };
  const registry = new EventHandlerRegistry().on('*', publishToEventBridge);
  const processor = new SqsFifoPartialProcessorAsync();
  const handleRecord = async (record: SQSRecord) => {
    await processNotification(
      { body: record.body, route: 'connector', receivedAt: record.messageAttributes.receivedAt?.stringValue },
      { accountId: '12345678', ledger, state, registry, publisher, remainingTimeMs: () => 30_000 },
    );
  };
  const inputs = Array.from({ length: batches + 20 }, (_, round) => benchBatch(round));
  for (const records of inputs.slice(0, 20))
    await processPartialResponse({ Records: records }, handleRecord, processor, { skipGroupOnError: true });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const records of inputs.slice(20))
    await processPartialResponse({ Records: records }, handleRecord, processor, { skipGroupOnError: true });
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const events = batches * 10;
  return {
    batches,
    events,
    eventsPerSecond: events / (elapsedMs / 1000),
    cpuMicrosPerEvent: (cpu.user + cpu.system) / events,
    batchMs: elapsedMs / batches,
  };
}

/** The processor's environment against the given endpoints and tables, as the construct sets it. */
function processorEnvironment(
  endpoints: { readonly dynamoDb: string; readonly eventBridge: string },
  tables: { readonly state: string; readonly idempotency: string },
): Record<string, string> {
  return {
    LP_ACCOUNT_ID: '12345678',
    LP_SECRET_ID: 'bench',
    LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/',
    EVENT_BUS_NAME: 'bench-bus',
    STATE_TABLE_NAME: tables.state,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/000000000000/unused.fifo',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDb,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };
}

async function loopbackBenchmark(batches: number): Promise<ProcessorBenchmarkReport['loopback']> {
  const [dynamo, aws] = await Promise.all([startLocalDynamoDb(), startAwsStandIns()]);
  const saved = { ...process.env };
  try {
    const tables = {
      state: await dynamo.createTable('bench-state', STATE_TABLE_KEY),
      idempotency: await dynamo.createTable('bench-idempotency', IDEMPOTENCY_TABLE_KEY),
    };
    Object.assign(process.env, processorEnvironment({ dynamoDb: dynamo.endpoint, eventBridge: aws.endpoint }, tables), {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const { handler } = await import('#functions/event-processor/index.ts');
    const inputs = Array.from({ length: batches + 3 }, (_, round) => benchBatch(1_000_000 + round));
    for (const records of inputs.slice(0, 3)) await handler({ Records: records }, lambdaContext('event-processor', 60_000));
    const started = performance.now();
    for (const records of inputs.slice(3)) await handler({ Records: records }, lambdaContext('event-processor', 60_000));
    const elapsedMs = performance.now() - started;
    const events = batches * 10;
    if (aws.events().length !== (batches + 3) * 10)
      throw new Error(`expected ${(batches + 3) * 10} published events, got ${aws.events().length}`);
    return { batches, events, eventsPerSecond: events / (elapsedMs / 1000), batchMs: elapsedMs / batches };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await Promise.all([dynamo.stop(), aws.stop()]);
  }
}

/**
 * Counts the AWS JSON calls in the bytes clients send, by their X-Amz-Target header (e.g.
 * DynamoDB_20120810.PutItem, AWSEvents.PutEvents). A header may be split across chunks: each
 * connection keeps the end of its last chunk, and a header is counted once its line is complete.
 */
function awsCallCounter() {
  const counts = new Map<string, number>();
  const tails = new Map<string, string>();
  const header = /x-amz-target:[ \t]*([^\r\n]+)\r\n/gi;
  return {
    tap:
      (service: string) =>
      (chunk: Buffer, connection: number): void => {
        const key = `${service}:${connection}`;
        const tail = tails.get(key) ?? '';
        const text = tail + chunk.toString('latin1');
        for (const match of text.matchAll(header)) {
          // Complete within the previous chunks already: counted then.
          if (match.index + match[0].length <= tail.length) continue;
          const target = (match[1] ?? '').trim();
          counts.set(target, (counts.get(target) ?? 0) + 1);
        }
        tails.set(key, text.slice(-96));
      },
    snapshot: (): Record<string, number> => Object.fromEntries(counts),
  };
}

const callsOf = (calls: Readonly<Record<string, number>>, prefix: string) =>
  Object.entries(calls)
    .filter(([target]) => target.startsWith(prefix))
    .reduce((sum, [, n]) => sum + n, 0);

function difference(after: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([target, n]) => [target, n - (before[target] ?? 0)]));
}

const WORKER = path.join(import.meta.dirname, 'processor-worker.ts');

async function latencyBenchmark(batches: number, latencyMs: number, signal: AbortSignal | undefined): Promise<ProcessorLatencyReport> {
  const [dynamo, aws] = await Promise.all([startLocalDynamoDb(), startAwsStandIns()]);
  const counter = awsCallCounter();
  const port = (endpoint: string) => ({ host: '127.0.0.1', port: Number(new URL(endpoint).port) });
  const [dynamoProxy, busProxy] = await Promise.all([
    startTcpProxy(port(dynamo.endpoint), { latencyMs, onClientData: counter.tap('dynamodb') }),
    startTcpProxy(port(aws.endpoint), { latencyMs, onClientData: counter.tap('eventbridge') }),
  ]);
  try {
    const tables = {
      state: await dynamo.createTable('latency-state', STATE_TABLE_KEY),
      idempotency: await dynamo.createTable('latency-idempotency', IDEMPOTENCY_TABLE_KEY),
    };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      TZ: 'UTC',
      ...processorEnvironment({ dynamoDb: dynamoProxy.url, eventBridge: busProxy.url }, tables),
      // As deployed: Powertools' default log level (INFO) and metrics on; the worker's stdout is counted and dropped.
      POWERTOOLS_SERVICE_NAME: 'event-processor',
      POWERTOOLS_METRICS_NAMESPACE: 'LivePerson',
    };
    let round = 2_000_000;
    let records = 0;
    /** One worker run: its result and the calls its handler made (each run's warm-up batches are of the same kind). */
    const run = async (concurrency: number, kind: BatchKind, warmup: number, timed: number) => {
      const config: ProcessorWorkerConfig = { warmup, batches: timed, round, kind };
      round += warmup + timed;
      const before = counter.snapshot();
      const result = await runWorker<ProcessorWorkerResult>({
        name: 'processor benchmark worker',
        script: WORKER,
        config,
        env: { ...env, CONVERSATION_CONCURRENCY: String(concurrency) },
        timeoutMs: 60_000 + (warmup + timed) * 2_000,
        signal,
      });
      records += result.records;
      const calls = difference(counter.snapshot(), before);
      return {
        result,
        calls,
        perEvent: { dynamoDb: callsOf(calls, 'DynamoDB_') / result.records, eventBridge: callsOf(calls, 'AWSEvents.') / result.records },
      };
    };
    const latencyRun = async (concurrency: number): Promise<LatencyRun> => {
      const { result, perEvent } = await run(concurrency, 'mixed', 3, batches);
      const events = batches * 10;
      return {
        concurrency,
        batches,
        events,
        eventsPerSecond: 10 / (median(result.batchMs) / 1000),
        batchMs: median(result.batchMs),
        meanBatchMs: result.elapsedMs / batches,
        cpuMsPerBatch: result.cpuMs / batches,
        dynamoDbCallsPerEvent: perEvent.dynamoDb,
        eventBridgeCallsPerEvent: perEvent.eventBridge,
      };
    };
    const start = counter.snapshot();
    const sequential = await latencyRun(1);
    const concurrent = await latencyRun(10);
    const perEvent = {
      content: (await run(10, 'content', 0, 2)).perEvent,
      conversationChange: (await run(10, 'conversationChange', 0, 2)).perEvent,
    };
    if (aws.events().length !== records) throw new Error(`expected ${records} published events, got ${aws.events().length}`);
    const speedUp = concurrent.eventsPerSecond / sequential.eventsPerSecond;
    const passed = speedUp >= PROCESSOR_SPEED_UP_TARGET && perEvent.content.dynamoDb <= DYNAMODB_CALLS_PER_CONTENT_EVENT_TARGET;
    return {
      latencyMs,
      conversationsPerBatch: 10,
      sequential,
      concurrent,
      speedUp,
      perEvent,
      calls: difference(counter.snapshot(), start),
      target: {
        speedUp: PROCESSOR_SPEED_UP_TARGET,
        dynamoDbCallsPerContentEvent: DYNAMODB_CALLS_PER_CONTENT_EVENT_TARGET,
        verdict: passed ? 'PASS' : 'MISS',
      },
    };
  } finally {
    await Promise.all([dynamoProxy.stop(), busProxy.stop()]);
    await Promise.all([dynamo.stop(), aws.stop()]);
  }
}

/** The processor's targets that were missed, one line each (empty when all are met). */
export function missedProcessorTargets(report: ProcessorBenchmarkReport): string[] {
  const { latency } = report;
  const missed: string[] = [];
  if (latency.speedUp < PROCESSOR_SPEED_UP_TARGET)
    missed.push(
      `processor speed-up at ${latency.conversationsPerBatch} conversations per batch is ${latency.speedUp.toFixed(1)}×, not ≥ ${PROCESSOR_SPEED_UP_TARGET}×`,
    );
  if (latency.perEvent.content.dynamoDb > DYNAMODB_CALLS_PER_CONTENT_EVENT_TARGET)
    missed.push(
      `processor makes ${latency.perEvent.content.dynamoDb.toFixed(1)} DynamoDB calls per content event, not ≤ ${DYNAMODB_CALLS_PER_CONTENT_EVENT_TARGET}`,
    );
  return missed;
}

export async function runProcessorBenchmark(
  options: { cpuBatches?: number; loopbackBatches?: number; latencyBatches?: number; latencyMs?: number; signal?: AbortSignal } = {},
): Promise<ProcessorBenchmarkReport> {
  const cpu = await cpuBenchmark(options.cpuBatches ?? 500);
  const loopback = await loopbackBenchmark(options.loopbackBatches ?? 30);
  const latency = await latencyBenchmark(options.latencyBatches ?? 20, options.latencyMs ?? LATENCY_MS, options.signal);
  return { cpu, loopback, latency };
}

export function formatProcessorBenchmark(report: ProcessorBenchmarkReport): string {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  return [
    'Event processor: full batches of 10 records (10 conversations), no handler work besides the EventBridge outbox',
    `   a) processing code, in-memory stores: ${f(report.cpu.eventsPerSecond, 0)} events/s, ${f(report.cpu.cpuMicrosPerEvent)} µs CPU per event, ${f(report.cpu.batchMs, 2)} ms per batch (${report.cpu.batches} batches)`,
    `   b) real handler (default settings: the ten conversations at once), local DynamoDB + EventBridge stand-in: ${f(report.loopback.eventsPerSecond, 0)} events/s, ${f(report.loopback.batchMs)} ms per batch (${report.loopback.batches} batches; emulator I/O, not AWS latency)`,
    ...formatLatency(report.latency),
  ].join('\n');
}

function formatLatency(latency: ProcessorLatencyReport): string[] {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const run = (name: string, r: LatencyRun) =>
    `      ${name.padEnd(34)} ${f(r.eventsPerSecond, 0).padStart(6)} events/s per invocation, ${f(r.batchMs).padStart(6)} ms per batch ` +
    `(median; mean ${f(r.meanBatchMs)}, ${f(r.cpuMsPerBatch)} ms CPU), ` +
    `${f(r.dynamoDbCallsPerEvent, 2)} DynamoDB + ${f(r.eventBridgeCallsPerEvent, 2)} EventBridge calls per event (${r.batches} batches)`;
  const kind = (name: string, calls: CallsPerEvent) => `${name} ${f(calls.dynamoDb, 2)} DynamoDB + ${f(calls.eventBridge, 2)} EventBridge`;
  const { target } = latency;
  return [
    `   c) real handler, every DynamoDB and EventBridge call ${latency.latencyMs} ms later (modelled AWS latency), ${latency.conversationsPerBatch} conversations per batch:`,
    run('one conversation at a time (=1)', latency.sequential),
    run(`conversations at once (=${latency.concurrent.concurrency})`, latency.concurrent),
    `      speed-up ${f(latency.speedUp)}× (target ≥ ${target.speedUp}×); calls per event: ${kind('content', latency.perEvent.content)}, ` +
      `${kind('conversation change', latency.perEvent.conversationChange)} (target ≤ ${target.dynamoDbCallsPerContentEvent} DynamoDB per content event): ${target.verdict}`,
  ];
}

/**
 * Event processor throughput: full batches of 10 SQS records through the processor, with no
 * brand handler work (the registry only feeds the EventBridge outbox).
 *  a) CPU: the processing code alone (parse, validation, idempotency bookkeeping, dispatch, outbox,
 *     Powertools' FIFO batch processor) against in-memory stores: events per second and CPU per event.
 *  b) Loopback I/O: the real handler against local DynamoDB (dynalite) and the EventBridge stand-in,
 *     which shows the cost of the calls per event (local emulators, not AWS latencies).
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSRecord } from 'aws-lambda';
import type { BusEntry, ClaimResult, EventLedger } from '#functions/lib/processing/ports.ts';
import { processNotification } from '#functions/lib/processing/process-notification.ts';
import { EventHandlerRegistry, publishToEventBridge } from '#functions/lib/processing/registry.ts';
import { startAwsStandIns } from '#local/aws-standins.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY } from '#local/dynamodb.ts';
import { lambdaContext } from '#local/lambda-context.ts';
import { contentNotification, conversationUpdate } from '../support/notifications.ts';
import { sqsRecord } from '../support/sqs-event.ts';

export interface ProcessorBenchmarkReport {
  readonly cpu: {
    readonly batches: number;
    readonly events: number;
    readonly eventsPerSecond: number;
    readonly cpuMicrosPerEvent: number;
    readonly batchMs: number;
  };
  readonly loopback: { readonly batches: number; readonly events: number; readonly eventsPerSecond: number; readonly batchMs: number };
}

/** Ten records of ten conversations, one in ten a conversation change: a typical busy batch. */
function batch(round: number): SQSRecord[] {
  return Array.from({ length: 10 }, (_, i) => {
    const conversationId = `conv-${round}-${i}`;
    const body =
      i === 9 ? conversationUpdate(conversationId, 'OPEN', round) : contentNotification(conversationId, `message ${round} 😀`, round);
    return sqsRecord(body, { groupId: conversationId });
  });
}

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
  const inputs = Array.from({ length: batches + 20 }, (_, round) => batch(round));
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

async function loopbackBenchmark(batches: number): Promise<ProcessorBenchmarkReport['loopback']> {
  const [dynamo, aws] = await Promise.all([startLocalDynamoDb(), startAwsStandIns()]);
  const saved = { ...process.env };
  try {
    Object.assign(process.env, {
      LP_ACCOUNT_ID: '12345678',
      LP_SECRET_ID: 'bench',
      LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/',
      EVENT_BUS_NAME: 'bench-bus',
      STATE_TABLE_NAME: await dynamo.createTable('bench-state', STATE_TABLE_KEY),
      IDEMPOTENCY_TABLE_NAME: await dynamo.createTable('bench-idempotency', IDEMPOTENCY_TABLE_KEY),
      DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/000000000000/unused.fifo',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const { handler } = await import('#functions/event-processor/index.ts');
    const inputs = Array.from({ length: batches + 3 }, (_, round) => batch(1_000_000 + round));
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

export async function runProcessorBenchmark(
  options: { cpuBatches?: number; loopbackBatches?: number } = {},
): Promise<ProcessorBenchmarkReport> {
  const cpu = await cpuBenchmark(options.cpuBatches ?? 500);
  const loopback = await loopbackBenchmark(options.loopbackBatches ?? 30);
  return { cpu, loopback };
}

export function formatProcessorBenchmark(report: ProcessorBenchmarkReport): string {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  return [
    'Event processor: full batches of 10 records (10 conversations), no handler work besides the EventBridge outbox',
    `   a) processing code, in-memory stores: ${f(report.cpu.eventsPerSecond, 0)} events/s, ${f(report.cpu.cpuMicrosPerEvent)} µs CPU per event, ${f(report.cpu.batchMs, 2)} ms per batch (${report.cpu.batches} batches)`,
    `   b) real handler, local DynamoDB + EventBridge stand-in: ${f(report.loopback.eventsPerSecond, 0)} events/s, ${f(report.loopback.batchMs)} ms per batch (${report.loopback.batches} batches; emulator I/O, not AWS latency)`,
  ].join('\n');
}

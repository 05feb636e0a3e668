/**
 * The measured part of the processor's modelled-latency phase, in its own process (forked by
 * processor.ts): the real event-processor handler, with the CONVERSATION_CONCURRENCY and endpoints
 * of its environment, through full batches. DynamoDB, the EventBridge stand-in and the proxies that
 * delay and count the calls run in the parent, so their work is not counted here, as AWS's is not
 * counted in a Lambda. A process per setting: the handler reads its environment once, at import.
 * Results go back over IPC.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from '#local/lambda-context.ts';
import { contentNotification, conversationUpdate } from '../support/notifications.ts';
import { sqsRecord } from '../support/sqs-event.ts';
import type { WorkerMessage } from './worker.ts';

export type BatchKind = 'mixed' | 'content' | 'conversationChange';

export interface ProcessorWorkerConfig {
  /** Batches before the timed ones (JIT, connections). */
  readonly warmup: number;
  readonly batches: number;
  /** The first batch's round: conversation ids are unique across the runs of one benchmark. */
  readonly round: number;
  readonly kind: BatchKind;
}

export interface ProcessorWorkerResult {
  /** Each timed batch, handler call only. */
  readonly batchMs: number[];
  /** The timed batches together. */
  readonly elapsedMs: number;
  /** This process's CPU over the timed batches. */
  readonly cpuMs: number;
  /** Records handled, warm-up included (each publishes one event). */
  readonly records: number;
}

export type ProcessorWorkerMessage = WorkerMessage<ProcessorWorkerResult>;

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Ten records of ten conversations. `mixed`, a typical busy batch: one in ten a conversation
 * change, the rest content events.
 */
export function benchBatch(round: number, kind: BatchKind = 'mixed'): SQSRecord[] {
  return Array.from({ length: 10 }, (_, i) => {
    const conversationId = `conv-${round}-${i}`;
    const change = kind === 'conversationChange' || (kind === 'mixed' && i === 9);
    const body = change
      ? conversationUpdate(conversationId, 'OPEN', round)
      : contentNotification(conversationId, `message ${round} 😀`, round);
    return sqsRecord(body, { groupId: conversationId });
  });
}

function reply(message: ProcessorWorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('processor-worker must be started with an IPC channel (fork)'));
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

async function main(config: ProcessorWorkerConfig): Promise<ProcessorWorkerResult> {
  const { handler } = (await import('#functions/event-processor/index.ts')) as unknown as { handler: Handler };
  let round = config.round;
  const invoke = async (records: SQSRecord[]) => {
    const response = await handler({ Records: records }, lambdaContext('event-processor', 60_000));
    if (response.batchItemFailures.length > 0) throw new Error(`${response.batchItemFailures.length} of ${records.length} records failed`);
  };
  for (let i = 0; i < config.warmup; i++) await invoke(benchBatch(round++, config.kind));
  const inputs = Array.from({ length: config.batches }, () => benchBatch(round++, config.kind));
  const batchMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const records of inputs) {
    const batchStarted = performance.now();
    await invoke(records);
    batchMs.push(performance.now() - batchStarted);
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { batchMs, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, records: (config.warmup + config.batches) * 10 };
}

if (import.meta.main) {
  process.on('disconnect', () => process.exit(1));
  try {
    await reply({ type: 'result', result: await main(JSON.parse(process.argv[2] ?? '{}') as ProcessorWorkerConfig) });
    process.exit(0);
  } catch (error) {
    await reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => undefined);
    process.exit(1);
  }
}

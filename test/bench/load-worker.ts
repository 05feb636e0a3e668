/**
 * The measured part of the load benchmark, in its own process (forked by load.ts): the real
 * webhook-receiver handler, with the production log level, writing to a stdout the parent
 * counts and discards, then the bare SQS baseline. Results go back over IPC.
 *
 * One Lambda instance serves one request at a time, so invocations run one after another,
 * each started at its scheduled time (rate) or, when the previous one overran, right after it.
 * The receiver and the baseline take turns call by call, at that same pacing.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createSqsClient } from '#functions/lib/aws/event-queue.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { benchWebhooks, BENCH_ACCOUNT_ID, type BenchWebhook } from './events.ts';
import type { PhaseResult, WorkerConfig, WorkerMessage } from './load.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

// The parent going away (crash, Ctrl-C) must not leave this process running.
process.on('disconnect', () => process.exit(1));

function reply(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('load-worker must be started with an IPC channel (fork)'));
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

interface Task {
  readonly phase: 'receiver' | 'baseline';
  readonly webhook: BenchWebhook;
}

/**
 * Runs the tasks one after another, the i-th due at i / rate seconds (or as soon as the previous
 * one ends, if it overran), timing each call; returns each phase's measurements.
 */
async function paced(
  tasks: readonly Task[],
  rate: number,
  prepare: Readonly<Record<Task['phase'], (webhook: BenchWebhook) => () => Promise<string | undefined>>>,
): Promise<Record<Task['phase'], PhaseResult>> {
  const intervalMs = 1000 / rate;
  const results = {
    receiver: { samplesMs: [] as number[], failures: {} as Record<string, number>, elapsedMs: 0, maxLagMs: 0 },
    baseline: { samplesMs: [] as number[], failures: {} as Record<string, number>, elapsedMs: 0, maxLagMs: 0 },
  };
  const starts: number[] = [];
  const start = performance.now();
  for (const [index, task] of tasks.entries()) {
    const due = start + index * intervalMs;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    const result = results[task.phase];
    const invoke = prepare[task.phase](task.webhook);
    const began = performance.now();
    result.maxLagMs = Math.max(result.maxLagMs, began - due);
    starts.push(began);
    const failure = await invoke();
    result.samplesMs.push(performance.now() - began);
    if (failure !== undefined) result.failures[failure] = (result.failures[failure] ?? 0) + 1;
  }
  // Each call's slot lasts until the next call starts: the phase's rate is its calls over its slots.
  const end = performance.now();
  for (const [index, task] of tasks.entries()) results[task.phase].elapsedMs += (starts[index + 1] ?? end) - (starts[index] ?? end);
  return results;
}

/**
 * The two phases take turns call by call, in alternating order (receiver then baseline, then
 * baseline then receiver), as the C2M benchmark does: whatever the machine does meanwhile (another
 * process, a GC) hits both alike. Taking turns a second at a time, a busy second fell on 200 calls of
 * one phase and decided its p99.
 */
function alternate(webhooks: readonly BenchWebhook[]): Task[] {
  return webhooks.flatMap((webhook, index) => {
    const receiver: Task = { phase: 'receiver', webhook };
    const baseline: Task = { phase: 'baseline', webhook };
    return index % 2 === 0 ? [receiver, baseline] : [baseline, receiver];
  });
}

async function main(config: WorkerConfig): Promise<void> {
  const importStarted = performance.now();
  const { handler } = (await import('#functions/webhook-receiver/index.ts')) as { handler: Handler };
  const importMs = performance.now() - importStarted;

  const warmup = benchWebhooks(config.warmup, 'warmup');
  const load = benchWebhooks(config.count, 'load');
  const acceptedIds: string[] = [];
  // The context is built before the clock starts (paced): Lambda hands it over ready.
  const prepareReceiver = (webhook: BenchWebhook) => {
    const context = lambdaContext('webhook-receiver');
    return async () => {
      const result = await handler(webhook.event, context);
      if (result.statusCode !== 200) return String(result.statusCode);
      acceptedIds.push(webhook.deduplicationId);
      return undefined;
    };
  };
  const invokeReceiver = (webhook: BenchWebhook) => prepareReceiver(webhook)();

  // The baseline: the one SendMessage the receiver makes, with the same client settings, bodies, ids and attributes.
  const sqs = createSqsClient();
  const receivedAt = new Date().toISOString();
  const sendBare = async (webhook: BenchWebhook) => {
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: config.baselineQueueUrl,
          MessageBody: webhook.body,
          MessageGroupId: webhook.groupId,
          MessageDeduplicationId: webhook.deduplicationId,
          MessageAttributes: {
            route: { DataType: 'String', StringValue: 'connector' },
            eventType: { DataType: 'String', StringValue: 'ms.MessagingEventNotification.ContentEvent' },
            receivedAt: { DataType: 'String', StringValue: receivedAt },
            accountId: { DataType: 'String', StringValue: BENCH_ACCOUNT_ID },
          },
        }),
      );
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.name : 'Error';
    }
  };

  // The first call pays for the secret fetch and the SQS connection: reported apart, not in the load figures.
  const [first, ...rest] = warmup;
  const firstStarted = performance.now();
  if (first) await invokeReceiver(first);
  const firstInvocationMs = performance.now() - firstStarted;
  for (const webhook of rest) await invokeReceiver(webhook);
  for (const webhook of warmup) await sendBare(webhook);

  const { receiver, baseline } = await paced(alternate(load), config.rate, {
    receiver: prepareReceiver,
    baseline: (webhook) => () => sendBare(webhook),
  });
  sqs.destroy();

  const meanBodyBytes = load.reduce((sum, w) => sum + Buffer.byteLength(w.body), 0) / Math.max(1, load.length);
  await reply({ type: 'result', result: { receiver, baseline, acceptedIds, firstInvocationMs, importMs, meanBodyBytes } });
}

try {
  await main(JSON.parse(process.argv[2] ?? '{}') as WorkerConfig);
  process.exit(0);
} catch (error) {
  await reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => undefined);
  process.exit(1);
}

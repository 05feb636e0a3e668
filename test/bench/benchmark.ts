/**
 * The benchmark behind `npm run bench` (the quality targets in the README): the webhook receiver under
 * sustained load on loopback, a bare SQS baseline at the same pacing, proof that no accepted event
 * was lost, and each bundled handler's cold start. Local servers and child processes are always
 * stopped, whatever fails.
 */
import { cpus, loadavg } from 'node:os';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startAwsStandIns, type AwsStandIns } from '#local/aws-standins.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { listHandlers, measureColdStarts, measureLevers, type ColdStartResult, type LeverMeasurement } from './cold-start.ts';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_SECRET_ID } from './events.ts';
import { runLoad } from './load.ts';
import { summarize, type LatencySummary } from './stats.ts';

/** The target: receiver handler time p99 under 10 ms, SQS write included. */
export const RECEIVER_P99_TARGET_MS = 10;
/** The target: the receiver's p99 at most this many times a bare SendMessage's, at the same pacing. */
export const RECEIVER_P99_RATIO_TARGET = 1.15;
/** The production default (Powertools' own default too): measured with it, not with logging off. */
export const BENCH_LOG_LEVEL = 'INFO';

export interface BenchOptions {
  readonly durationSeconds: number;
  readonly rate: number;
  /** Unpaced invocations before each measured phase. @default 200 */
  readonly warmup?: number;
  /** Which handlers to bundle and start (default: all), and how many fresh processes each; false skips. */
  readonly coldStart?: { readonly handlers?: readonly string[]; readonly runs?: number } | false;
  /** Also rebuild each handler with one bundling lever undone at a time (cold-start.ts, LEVERS). @default false */
  readonly levers?: boolean;
  readonly signal?: AbortSignal;
  /** Progress lines (phase starts), for a terminal; the report itself is returned. */
  readonly onProgress?: (line: string) => void;
}

export type Verdict = 'PASS' | 'MISS';

export interface PhaseReport extends LatencySummary {
  /** Calls not answered 200 (receiver) or that threw (baseline), by status or error name. */
  readonly errors: number;
  readonly failures: Record<string, number>;
  readonly achievedRate: number;
  readonly maxLagMs: number;
}

export interface BenchReport {
  readonly settings: {
    readonly durationSeconds: number;
    readonly rate: number;
    readonly invocations: number;
    readonly warmup: number;
    readonly logLevel: string;
    readonly node: string;
    readonly cpus: number;
    readonly platform: string;
    /** The machine's 1-minute load average when the run began: other work there makes tails noisy. */
    readonly loadAverage: number;
  };
  readonly receiver: PhaseReport & {
    readonly importMs: number;
    readonly firstInvocationMs: number;
    readonly meanBodyBytes: number;
    readonly logBytesPerInvocation: number;
    readonly logLinesPerInvocation: number;
    readonly target: { readonly p99Ms: number; readonly verdict: Verdict };
  };
  readonly delivery: {
    /** Answered 200, warm-up included. */
    readonly accepted: number;
    readonly queued: number;
    readonly lost: number;
    /** In the queue but never answered 200 (or queued twice). */
    readonly unexpected: number;
    readonly verdict: Verdict;
  };
  readonly baseline: PhaseReport & {
    readonly ratioP50: number;
    readonly ratioP99: number;
    /** Receiver p99 / bare SendMessage p99 at most `ratioP99`, neither phase with an error. */
    readonly target: { readonly ratioP99: number; readonly verdict: Verdict };
  };
  /** Calls the receiver made to the Secrets Manager stand-in: the secret is cached, so 1. */
  readonly secretFetches: number;
  readonly coldStart: ColdStartResult[];
  readonly levers: LeverMeasurement[];
}

export async function runBenchmark(options: BenchOptions): Promise<BenchReport> {
  const { durationSeconds, rate, signal } = options;
  if (!(durationSeconds > 0) || !(rate > 0)) throw new Error('duration and rate must be positive numbers');
  const invocations = Math.max(1, Math.round(durationSeconds * rate));
  const warmup = options.warmup ?? 200;
  const progress = options.onProgress ?? (() => undefined);
  const region = 'us-east-1';
  const loadAverage = loadavg()[0] ?? Number.NaN;

  let sqs: LocalSqs | undefined;
  let aws: AwsStandIns | undefined;
  try {
    sqs = await startLocalSqs();
    aws = await startAwsStandIns({ region, secrets: { [BENCH_SECRET_ID]: JSON.stringify(BENCH_CREDENTIALS) } });
    const queueUrl = await sqs.createQueue('webhook-events.fifo');
    const baselineQueueUrl = await sqs.createQueue('baseline-events.fifo');
    const deadLetterQueueUrl = await sqs.createQueue('webhook-events-dlq.fifo');
    const env = lambdaEnvironment({ sqs: sqs.endpoint, aws: aws.endpoint, queueUrl, deadLetterQueueUrl, region });

    progress(
      `load: ${warmup} warm-up, then ${invocations} receiver invocations and ${invocations} bare SendMessage calls at ${rate}/s, taking turns call by call`,
    );
    const load = await runLoad({
      config: { rate, count: invocations, warmup, baselineQueueUrl },
      env,
      // Both phases at the rate (2 × duration), with room for the warm-up and a slow machine.
      timeoutMs: 2 * (invocations / rate) * 1000 * 3 + 120_000,
      ...(signal ? { signal } : {}),
    });
    const secretFetches = aws.calls().filter((call) => call.target === 'secretsmanager.GetSecretValue').length;

    progress('delivery: reading the queue back');
    const queuedIds = await drainQueue(sqs.client, queueUrl, signal);
    const accepted = new Set(load.acceptedIds);
    const queued = new Set(queuedIds);
    const lost = [...accepted].filter((id) => !queued.has(id)).length;
    const unexpected = [...queued].filter((id) => !accepted.has(id)).length + (queuedIds.length - queued.size);

    let coldStart: ColdStartResult[] = [];
    if (options.coldStart !== false) {
      const handlers = options.coldStart?.handlers ?? (await listHandlers());
      const runs = options.coldStart?.runs ?? 5;
      progress(`cold start: synthesizing the app, then importing each deployed ${handlers.join(', ')} (${runs} fresh processes each)`);
      coldStart = await measureColdStarts({ handlers, runs, env, ...(signal ? { signal } : {}) });
    }
    let levers: LeverMeasurement[] = [];
    if (options.levers) {
      const handlers = await listHandlers();
      progress(`levers: rebuilding ${handlers.join(', ')} with one bundling lever undone at a time`);
      levers = await measureLevers({
        handlers,
        runs: options.coldStart ? (options.coldStart.runs ?? 5) : 5,
        env,
        ...(signal ? { signal } : {}),
      });
    }

    const receiver = phaseReport(load.receiver);
    const baseline = phaseReport(load.baseline);
    const totalInvocations = warmup + invocations;
    return {
      settings: {
        durationSeconds,
        rate,
        invocations,
        warmup,
        logLevel: BENCH_LOG_LEVEL,
        node: process.version,
        cpus: cpus().length,
        platform: `${process.platform} ${process.arch}`,
        loadAverage,
      },
      receiver: {
        ...receiver,
        importMs: load.importMs,
        firstInvocationMs: load.firstInvocationMs,
        meanBodyBytes: load.meanBodyBytes,
        logBytesPerInvocation: load.stdoutBytes / totalInvocations,
        logLinesPerInvocation: load.stdoutLines / totalInvocations,
        target: { p99Ms: RECEIVER_P99_TARGET_MS, verdict: receiver.p99Ms < RECEIVER_P99_TARGET_MS ? 'PASS' : 'MISS' },
      },
      delivery: {
        accepted: accepted.size,
        queued: queuedIds.length,
        lost,
        unexpected,
        verdict: lost === 0 && unexpected === 0 && accepted.size === load.acceptedIds.length ? 'PASS' : 'MISS',
      },
      baseline: {
        ...baseline,
        ratioP50: receiver.p50Ms / baseline.p50Ms,
        ratioP99: receiver.p99Ms / baseline.p99Ms,
        target: {
          ratioP99: RECEIVER_P99_RATIO_TARGET,
          verdict:
            receiver.p99Ms <= RECEIVER_P99_RATIO_TARGET * baseline.p99Ms && receiver.errors === 0 && baseline.errors === 0
              ? 'PASS'
              : 'MISS',
        },
      },
      secretFetches,
      coldStart,
      levers,
    };
  } finally {
    await Promise.allSettled([aws?.stop(), sqs?.stop()]);
  }
}

/**
 * What Lambda would set (lib/lambda-function.ts) for every handler at once, each AWS endpoint on
 * loopback, nothing inherited from this shell. AWS_ENDPOINT_URL catches every service without a
 * stand-in (DynamoDB, EventBridge...): a call at import gets a clear UnknownOperationException
 * from the stand-ins instead of leaving the machine.
 */
function lambdaEnvironment(options: {
  sqs: string;
  aws: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  region: string;
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    TZ: 'UTC',
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: options.aws,
    AWS_ENDPOINT_URL_SQS: options.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: options.aws,
    AWS_ENDPOINT_URL_SSM: options.aws,
    LP_ACCOUNT_ID: BENCH_ACCOUNT_ID,
    LP_SECRET_ID: BENCH_SECRET_ID,
    LP_DOMAIN_PARAMETER_PATH: `/liveperson/${BENCH_ACCOUNT_ID}/domains/`,
    LP_CSDS_URL: 'http://127.0.0.1:9/', // nothing listens: a handler that called CSDS at import would fail, not reach out
    EVENT_QUEUE_URL: options.queueUrl,
    // event-processor
    EVENT_BUS_NAME: 'liveperson-events',
    STATE_TABLE_NAME: 'liveperson-conversations',
    IDEMPOTENCY_TABLE_NAME: 'liveperson-idempotency',
    DEAD_LETTER_QUEUE_URL: options.deadLetterQueueUrl,
    // connector-send
    OUTBOUND_QUEUE_URL: options.queueUrl.replace('webhook-events', 'outbound'),
    OUTBOUND_DEAD_LETTER_QUEUE_URL: options.deadLetterQueueUrl,
    POWERTOOLS_SERVICE_NAME: 'webhook-receiver',
    POWERTOOLS_METRICS_NAMESPACE: 'LivePerson',
    POWERTOOLS_LOG_LEVEL: BENCH_LOG_LEVEL,
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function phaseReport(phase: { samplesMs: number[]; failures: Record<string, number>; elapsedMs: number; maxLagMs: number }): PhaseReport {
  const summary = summarize(phase.samplesMs);
  return {
    ...summary,
    errors: Object.values(phase.failures).reduce((sum, n) => sum + n, 0),
    failures: phase.failures,
    achievedRate: summary.count / (phase.elapsedMs / 1000),
    maxLagMs: phase.maxLagMs,
  };
}

/**
 * Receives and deletes everything in a FIFO queue, returning each message's deduplication id.
 * Deleting as it goes matters: FIFO holds back a group while one of its messages is in flight.
 */
async function drainQueue(client: SQSClient, queueUrl: string, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    signal?.throwIfAborted();
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 120,
        MessageSystemAttributeNames: ['MessageDeduplicationId'],
      }),
    );
    if (Messages.length === 0) {
      const { Attributes = {} } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const left = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (left === 0) return ids;
      throw new Error(`the queue still holds ${left} messages it does not hand out`);
    }
    for (const message of Messages)
      ids.push(message.Attributes?.MessageDeduplicationId ?? `no-deduplication-id:${message.MessageId ?? '?'}`);
    const { Failed = [] } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    if (Failed.length > 0)
      throw new Error(`could not delete ${Failed.length} messages while reading the queue back: ${Failed[0]?.Message ?? ''}`);
  }
}

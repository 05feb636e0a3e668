/**
 * End-to-end load on the local stack: signed webhooks POSTed to the local endpoint at a sustained
 * rate for a bounded time, then a check that every accepted event was published exactly once.
 * Used by a short test and by the benchmark's longer run.
 */
import { signWebhookBody } from '#functions/lib/liveperson/webhook-signature.ts';
import { contentEventChange, messagingNotification, SIMULATOR_DEFAULTS } from '#simulator/index.ts';
import type { LocalStack } from './stack.ts';

export interface LoadReport {
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: Record<string, number>;
  readonly published: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly drainMs: number;
}

export async function runLoad(
  stack: LocalStack,
  options: { rate: number; seconds: number; conversations?: number; drainTimeoutMs?: number },
): Promise<LoadReport> {
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const conversations = options.conversations ?? 20;
  const run = `load-${Date.now().toString(36)}`;
  const url = `${stack.urls.webhooks}/connector`;
  const latencies: number[] = [];
  const rejected: Record<string, number> = {};
  const acceptedKeys = new Set<string>();
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];

  for (let i = 0; i < total; i++) {
    // Open-loop pacing: each request leaves at its scheduled time, whatever the previous did.
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const conversationId = `${run}-c${i % conversations}`;
    const sequence = Math.floor(i / conversations);
    inFlight.push(post(conversationId, sequence, `message ${i} 😀`));
  }
  await Promise.all(inFlight);

  async function post(conversationId: string, sequence: number, message: string): Promise<void> {
    const body = Buffer.from(
      JSON.stringify(
        messagingNotification(
          contentEventChange({
            conversationId,
            originatorId: 'load-consumer',
            role: 'CONSUMER',
            sequence,
            serverTimestamp: Date.now(),
            message,
          }),
        ),
      ),
    );
    const sentAt = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-liveperson-account-id': stack.accountId,
        'x-liveperson-client-id': SIMULATOR_DEFAULTS.clientId,
        'x-liveperson-signature': signWebhookBody(body, SIMULATOR_DEFAULTS.clientSecret, 'sha256'),
      },
      body,
    });
    await response.arrayBuffer();
    latencies.push(performance.now() - sentAt);
    if (response.status === 200) acceptedKeys.add(`${conversationId}#${sequence}`);
    else rejected[String(response.status)] = (rejected[String(response.status)] ?? 0) + 1;
  }

  const publishedKeys = () =>
    stack.aws
      .events()
      .filter((event) => event.detailType === 'ContentEvent')
      .map((event) => event.detail as { conversationId?: string; sequence?: number })
      .filter((detail) => detail.conversationId?.startsWith(`${run}-`))
      .map((detail) => `${detail.conversationId}#${detail.sequence}`);
  const drainStarted = performance.now();
  const deadline = drainStarted + (options.drainTimeoutMs ?? 60_000);
  while (new Set(publishedKeys()).size < acceptedKeys.size && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const drainMs = performance.now() - drainStarted;
  const keys = publishedKeys();
  const unique = new Set(keys);
  const sorted = [...latencies].sort((a, b) => a - b);
  const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return {
    sent: total,
    accepted: acceptedKeys.size,
    rejected,
    published: unique.size,
    lost: [...acceptedKeys].filter((key) => !unique.has(key)).length,
    duplicated: keys.length - unique.size,
    latencyMs: { p50: percentile(50), p90: percentile(90), p99: percentile(99), max: sorted.at(-1) ?? 0 },
    drainMs,
  };
}

export function formatLoad(report: LoadReport, options: { rate: number; seconds: number }): string {
  const f = (n: number) => n.toFixed(2);
  return [
    `End-to-end load on the local stack: ${options.rate}/s for ${options.seconds} s through HTTP → receiver → SQS → processor → EventBridge`,
    `   sent ${report.sent}, accepted ${report.accepted}, rejected ${JSON.stringify(report.rejected)}; published ${report.published} (lost ${report.lost}, duplicated ${report.duplicated}) ${report.lost === 0 && report.duplicated === 0 ? 'PASS' : 'MISS'}`,
    `   webhook answer time (ms): p50 ${f(report.latencyMs.p50)}, p90 ${f(report.latencyMs.p90)}, p99 ${f(report.latencyMs.p99)}, max ${f(report.latencyMs.max)}; queue drained ${f(report.drainMs)} ms after the last answer`,
  ].join('\n');
}

/** `node local/load.ts [--rate 100] [--seconds 30] [--json]`: the long run, on a fresh local stack. */
async function main(): Promise<void> {
  const { parseArgs } = await import('node:util');
  const { startLocalStack } = await import('./stack.ts');
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '30' },
      json: { type: 'boolean', default: false },
    },
  });
  const settings = { rate: Number(values.rate), seconds: Number(values.seconds) };
  if (!(settings.rate > 0) || !(settings.seconds > 0)) throw new Error('--rate and --seconds must be positive numbers');
  const stack = await startLocalStack({ handlerLogLevel: 'ERROR' });
  try {
    const report = await runLoad(stack, settings);
    console.log(values.json ? JSON.stringify({ settings, report }) : formatLoad(report, settings));
    process.exitCode = report.lost === 0 && report.duplicated === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

if (import.meta.main) await main();

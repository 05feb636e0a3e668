/**
 * The measured part of the C2M benchmark, in its own process (forked by c2m-invite.ts): the real
 * c2m-invite handler answering warm `deflect` events, against the same two C2M calls made with bare
 * fetch (same keep-alive pool, same token). The simulator and the AWS stand-ins run in the parent,
 * so their work is not counted here. Results go back over IPC.
 */
import { performance } from 'node:perf_hooks';
import type { ConnectContactFlowEvent, Context } from 'aws-lambda';
import { lambdaContext } from '../support/lambda-context.ts';
import { contactFlowEvent } from '#local/connect-event.ts';
import type { WorkerMessage } from './worker.ts';

export interface C2mWorkerConfig {
  readonly iterations: number;
  readonly warmup: number;
  /** The simulator's url: Sentinel and C2M for the raw calls. */
  readonly simulatorUrl: string;
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface C2mWorkerResult {
  readonly deflectMs: number[];
  readonly rawMs: number[];
  /** What did not come back INVITED (handler) or 200 (raw), by result or status. */
  readonly deflectFailures: Record<string, number>;
  readonly rawFailures: Record<string, number>;
  readonly importMs: number;
  /** The first invocation: waits for the cold-start prefetch (secret, AppJWT) if still running. */
  readonly firstInvocationMs: number;
}

export type C2mWorkerMessage = WorkerMessage<C2mWorkerResult>;

type Handler = (event: ConnectContactFlowEvent, context: Context) => Promise<Record<string, string>>;

const CALLER = '+12061234567';

process.on('disconnect', () => process.exit(1));

function reply(message: C2mWorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('c2m-invite-worker must be started with an IPC channel (fork)'));
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

function deflectEvent(index: number): ConnectContactFlowEvent {
  return contactFlowEvent({ phoneNumber: CALLER, parameters: { action: 'deflect' }, contactId: `bench-${index}` });
}

/** The two round trips a deflect makes, as bare as they come: fetch, JSON in, JSON out. */
async function rawDeflect(config: C2mWorkerConfig, authorization: string): Promise<string | undefined> {
  const base = `${config.simulatorUrl}/api/account/${config.accountId}`;
  const headers = { 'content-type': 'application/json', authorization };
  const eligibility = await fetch(`${base}/eligibility?v=2.0`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ consumerPhoneNumber: CALLER, skill: 'support', handoffId: 'H123456789' }),
  });
  const answer = (await eligibility.json()) as { callId?: string };
  if (eligibility.status !== 200 || answer.callId === undefined) return String(eligibility.status);
  const invite = await fetch(`${base}/invite?v=2.0`, { method: 'POST', headers, body: JSON.stringify({ callId: answer.callId }) });
  await invite.json();
  return invite.status === 200 ? undefined : String(invite.status);
}

async function main(config: C2mWorkerConfig): Promise<void> {
  const importStarted = performance.now();
  const { handler } = (await import('#functions/c2m-invite/index.ts')) as { handler: Handler };
  const importMs = performance.now() - importStarted;

  // The event and the context are built before the clock starts: Lambda hands them over ready.
  const invocation = (index: number) => {
    const event = deflectEvent(index);
    const context = lambdaContext('c2m-invite', 7_000);
    return async (): Promise<string | undefined> => {
      const answer = await handler(event, context);
      return answer.result === 'INVITED' ? undefined : `${answer.result} ${answer.errorCode ?? ''}`.trim();
    };
  };
  const first = invocation(0);
  const firstStarted = performance.now();
  const firstFailure = await first();
  const firstInvocationMs = performance.now() - firstStarted;
  if (firstFailure !== undefined) throw new Error(`the first deflect answered ${firstFailure}`);

  const token = await fetch(
    `${config.simulatorUrl}/sentinel/api/account/${config.accountId}/app/token?v=1.0&grant_type=client_credentials`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret }).toString(),
    },
  );
  const authorization = `Bearer ${((await token.json()) as { access_token: string }).access_token}`;

  for (let i = 1; i <= config.warmup; i++) {
    await invocation(i)();
    await rawDeflect(config, authorization);
  }

  const deflectMs: number[] = [];
  const rawMs: number[] = [];
  const deflectFailures: Record<string, number> = {};
  const rawFailures: Record<string, number> = {};
  const timed = async (samples: number[], failures: Record<string, number>, run: () => Promise<string | undefined>) => {
    const started = performance.now();
    const failure = await run();
    samples.push(performance.now() - started);
    if (failure !== undefined) failures[failure] = (failures[failure] ?? 0) + 1;
  };
  // Interleaved, and in alternating order, so drift (GC, JIT, the machine) hits both alike.
  for (let i = 0; i < config.iterations; i++) {
    const index = config.warmup + 1 + i;
    const handlerRun = () => timed(deflectMs, deflectFailures, invocation(index));
    const rawRun = () => timed(rawMs, rawFailures, () => rawDeflect(config, authorization));
    if (i % 2 === 0) {
      await handlerRun();
      await rawRun();
    } else {
      await rawRun();
      await handlerRun();
    }
  }
  await reply({ type: 'result', result: { deflectMs, rawMs, deflectFailures, rawFailures, importMs, firstInvocationMs } });
}

try {
  await main(JSON.parse(process.argv[2] ?? '{}') as C2mWorkerConfig);
  process.exit(0);
} catch (error) {
  await reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => undefined);
  process.exit(1);
}

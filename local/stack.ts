/**
 * The whole product on one machine, on loopback: the LivePerson simulator (or a real LivePerson
 * account), SQS (fauxqs), DynamoDB (dynalite), stand-ins for Secrets Manager, SSM and EventBridge,
 * an API Gateway stand-in in front of the real webhook receiver, pollers that feed the queues to the
 * real processor and connector handlers as Lambda would, a control endpoint that invokes the
 * real C2M handler with an Amazon Connect event, and the real c2m-funnel handler on call (its schedule
 * is the caller's: `npm start` runs it on an interval).
 *
 * The handlers are the deployed code: this only sets the environment they read (AWS_ENDPOINT_URL_*,
 * LP_CSDS_URL, LP_ALLOW_INSECURE_HOSTS and C2M_REPORTING_URL for the simulator, queue and table names) before importing
 * them. Handlers read their environment once, at import, so one process runs one local stack.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, ConnectContactFlowEvent, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { startLivePersonSimulator, SIMULATOR_DEFAULTS, type LivePersonSimulator } from '#simulator/index.ts';
import { startLocalApiGateway, type LocalApiGateway } from './api-gateway.ts';
import { startAwsStandIns, type AwsStandIns, type PublishedEvent } from './aws-standins.ts';
import { contactFlowEvent } from './connect-event.ts';
import { startControlServer, type ControlServer } from './control.ts';
import { IDEMPOTENCY_TABLE_KEY, startLocalDynamoDb, STATE_TABLE_KEY } from './dynamodb.ts';
import { lambdaContext } from './lambda-context.ts';
import { startSqsPoller, type BatchOutcome, type SqsPoller } from './sqs-poller.ts';
import { startTcpProxy } from './tcp-proxy.ts';
import { LocalTraces, type Trace } from './trace.ts';
import { applyFault, conversationsView } from './console/stack-views.ts';
import { consoleRoutes, ConsoleRequestError } from './console/server.ts';
import { Timeline } from './console/timeline.ts';
import { listDeadLetters, redriveDeadLetters } from './dead-letters.ts';
import { loadEventSchemaChecker } from './event-schema-check.ts';
import { startLocalSqs, type LocalSqs } from './sqs.ts';
import { defaultSecretName, eventBusName, FUNNEL_TABLE } from '#contract/resources.ts';
import type { FunnelRunSummary } from '#functions/lib/ivr/funnel.ts';
import { DEFAULT_CSDS_URL, domainParameterPath, WEBHOOK_ROUTES } from '#contract/constants.ts';
import { DEFAULT_CONFIG_CACHE_SECONDS } from '#contract/environment.ts';

export interface RealLivePerson {
  readonly accountId: string;
  readonly csdsUrl?: string;
  /** The credentials secret's JSON document (clientId, clientSecret, optional webhookToken and oauth1). */
  readonly secret: string;
}

export interface LocalStackOptions {
  /** Fixed ports for a person at a terminal; 0 (any free port) everywhere by default. */
  readonly ports?: { readonly simulator?: number; readonly gateway?: number; readonly control?: number };
  /** A real LivePerson account instead of the simulator (its webhooks cannot reach this machine). */
  readonly livePerson?: RealLivePerson;
  /** Powertools log level of the handlers. @default 'WARN' (the stack prints its own one-line events) */
  readonly handlerLogLevel?: string;
  /** Seconds before a failed queue record comes back. @default 2 */
  readonly visibilityTimeoutSeconds?: number;
  /** How long the handlers cache the secret and domain parameters (LP_CONFIG_CACHE_SECONDS). @default 300 */
  readonly configCacheSeconds?: number;
  /** Run domain-refresh at start, as the deploy does, so SSM holds the domains. @default true */
  readonly refreshDomains?: boolean;
}

/** Ways to break the stack on purpose, for failure testing. */
export interface LocalStackFaults {
  /** Takes SQS away from the handlers (the harness's own client keeps working). */
  sqsAvailable(available: boolean): void;
  /**
   * The next event-processor invocation dies after handling `records` records of its batch, as a
   * crashed or timed-out Lambda does: the whole batch returns to the queue.
   */
  crashProcessorAfter(records: number): void;
}

/** What flows through the stack, one event per line on the console. */
export type LocalStackEvent =
  | {
      readonly kind: 'webhook';
      readonly resource: string;
      readonly status: number;
      readonly durationMs: number;
      /** The request's path below the stage, the messaging route's token masked. */
      readonly path?: string;
      /** The request's headers, the signature masked. */
      readonly headers?: Readonly<Record<string, string>>;
      /** The request's body and the answer's, as text. */
      readonly body?: string;
      readonly answer?: string;
      readonly traceId?: string;
    }
  | {
      readonly kind: 'batch';
      readonly queue: 'events' | 'outbound';
      readonly records: number;
      readonly failed: number;
      readonly error?: string;
    }
  /** schemaProblems: what makes an event of source liveperson not match its JSON Schema; empty when it does. */
  | { readonly kind: 'published'; readonly event: PublishedEvent; readonly schemaProblems?: readonly string[] }
  | {
      readonly kind: 'c2m';
      readonly phoneNumber: string;
      readonly action: string;
      readonly output: Record<string, string | null>;
      readonly parameters?: Readonly<Record<string, string>>;
      readonly traceId?: string;
    }
  | { readonly kind: 'connector'; readonly command: unknown; readonly result: unknown; readonly traceId?: string }
  | { readonly kind: 'funnel'; readonly summary: FunnelRunSummary }
  /** A webhook's trace once the processor handled its body (or at once when the receiver refused it); a C2M call's, a command's. */
  | { readonly kind: 'trace'; readonly trace: Trace };

export interface LocalStack {
  readonly urls: {
    readonly webhooks: string;
    readonly control: string;
    readonly simulator: string | undefined;
    readonly sqs: string;
    readonly dynamodb: string;
    readonly aws: string;
  };
  readonly accountId: string;
  readonly simulator: LivePersonSimulator | undefined;
  readonly aws: AwsStandIns;
  readonly sqs: LocalSqs;
  readonly queues: {
    readonly events: string;
    readonly eventsDeadLetter: string;
    readonly outbound: string;
    readonly outboundDeadLetter: string;
  };
  readonly tables: { readonly state: string; readonly idempotency: string; readonly funnel: string };
  readonly events: EventEmitter<{ event: [LocalStackEvent] }>;
  /** The traces of the last webhooks, C2M calls and commands: each invocation with its AWS and LivePerson calls, timed. */
  readonly traces: LocalTraces;
  /** The web console's timeline (GET / on the control URL). */
  readonly timeline: Timeline;
  /** Invokes the C2M handler as an Amazon Connect flow block would. */
  invokeC2m(phoneNumber: string, parameters?: Record<string, string>): Promise<Record<string, string | null>>;
  /** Invokes the connector handler directly (synchronous callers). */
  invokeConnector(command: unknown): Promise<unknown>;
  /**
   * Runs the c2m-funnel handler now, as its schedule does. Runs never overlap (in AWS reserved
   * concurrency 1 sees to that): a call made during a run waits for it.
   */
  invokeFunnel(): Promise<FunnelRunSummary>;
  /** The funnel's last runs in this stack, oldest first (at most FUNNEL_RUNS_KEPT). */
  funnelRuns(): readonly FunnelRunSummary[];
  readonly faults: LocalStackFaults;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
/** How many funnel summaries funnelRuns() keeps. */
export const FUNNEL_RUNS_KEPT = 100;
/** The deployed function's timeout: a run reads up to two days of invites at LivePerson's 10 requests/s. */
const FUNNEL_TIMEOUT_MS = 5 * 60_000;

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
type ConnectHandler = (event: ConnectContactFlowEvent, context: Context) => Promise<Record<string, string | null>>;
type DirectHandler = (event: unknown, context: Context) => Promise<unknown>;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const events = new EventEmitter<{ event: [LocalStackEvent] }>();
  const emit = (event: LocalStackEvent) => void events.emit('event', event);
  const stoppers: Array<() => Promise<void>> = [];
  const savedEnv = { ...process.env };
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  };

  try {
    const real = options.livePerson;
    const simulator = real ? undefined : await startLivePersonSimulator({ port: options.ports?.simulator ?? 0 });
    if (simulator) stoppers.push(() => simulator.close());
    const accountId = real?.accountId ?? simulator?.accountId ?? SIMULATOR_DEFAULTS.accountId;
    const secretId = defaultSecretName(accountId);
    const secret =
      real?.secret ??
      JSON.stringify({
        clientId: SIMULATOR_DEFAULTS.clientId,
        clientSecret: SIMULATOR_DEFAULTS.clientSecret,
        webhookToken: SIMULATOR_DEFAULTS.webhookToken,
      });

    const [sqs, dynamo, aws] = await Promise.all([
      startLocalSqs(),
      startLocalDynamoDb(),
      startAwsStandIns({ region: REGION, secrets: { [secretId]: secret } }),
    ]);
    stoppers.push(
      () => sqs.stop(),
      () => dynamo.stop(),
      () => aws.stop(),
    );
    // The handlers reach SQS through a proxy that failure tests can switch off.
    const sqsProxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(sqs.endpoint).port) });
    stoppers.push(() => sqsProxy.stop());
    // Every event of ours is held to its checked-in JSON Schema as it is published.
    const schemas = loadEventSchemaChecker();
    aws.onEvent((event) => emit({ kind: 'published', event, schemaProblems: schemas.check(event) }));

    const visibility = String(options.visibilityTimeoutSeconds ?? 2);
    const deadLetterQueue = async (name: string) => {
      const url = await sqs.createQueue(`${name}-dlq.fifo`);
      const { Attributes } = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      return { url, redrive: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: '3' }) };
    };
    const eventsDlq = await deadLetterQueue('events');
    const outboundDlq = await deadLetterQueue('outbound');
    const queues = {
      events: await sqs.createQueue('events.fifo', { VisibilityTimeout: visibility, RedrivePolicy: eventsDlq.redrive }),
      eventsDeadLetter: eventsDlq.url,
      outbound: await sqs.createQueue('outbound.fifo', { VisibilityTimeout: visibility, RedrivePolicy: outboundDlq.redrive }),
      outboundDeadLetter: outboundDlq.url,
    };
    const tables = {
      state: await dynamo.createTable('conversation-state', STATE_TABLE_KEY),
      idempotency: await dynamo.createTable('idempotency', IDEMPOTENCY_TABLE_KEY),
      funnel: await dynamo.createTable('c2m-funnel-watermark', FUNNEL_TABLE.partitionKey),
    };

    // The SDK sends each SQS call to its QueueUrl's host, so the handlers get URLs on the proxy.
    const viaProxy = (queueUrl: string) => `${sqsProxy.url}${new URL(queueUrl).pathname}`;
    // The environment the stack's CDK constructs give the functions in AWS, pointed at loopback.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SQS: sqsProxy.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_SSM: aws.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
      POWERTOOLS_LOG_LEVEL: options.handlerLogLevel ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      LP_CONFIG_CACHE_SECONDS: String(options.configCacheSeconds ?? DEFAULT_CONFIG_CACHE_SECONDS),
      LP_ACCOUNT_ID: accountId,
      LP_SECRET_ID: secretId,
      LP_DOMAIN_PARAMETER_PATH: domainParameterPath(accountId),
      LP_CSDS_URL: real?.csdsUrl ?? simulator?.url ?? DEFAULT_CSDS_URL,
      // The simulator is plain http on loopback: the handlers may call it only because this says so, which no
      // deployment does. A real account keeps the deployed rule (https under liveperson.net) for its real credentials.
      LP_ALLOW_INSECURE_HOSTS: simulator ? 'true' : 'false',
      EVENT_QUEUE_URL: viaProxy(queues.events),
      DEAD_LETTER_QUEUE_URL: viaProxy(queues.eventsDeadLetter),
      EVENT_BUS_NAME: eventBusName(accountId),
      STATE_TABLE_NAME: tables.state,
      IDEMPOTENCY_TABLE_NAME: tables.idempotency,
      OUTBOUND_QUEUE_URL: viaProxy(queues.outbound),
      OUTBOUND_DEAD_LETTER_QUEUE_URL: viaProxy(queues.outboundDeadLetter),
      C2M_DEFAULT_SKILL: 'support',
      C2M_DEFAULT_HANDOFF_ID: 'H123456789',
      C2M_FUNNEL_TABLE_NAME: tables.funnel,
      // The simulator serves the Outbound Reporting API itself, from the invites it sent, at once. A real
      // account keeps the deployed rules: the host from C2M's region, and LivePerson's reporting delay.
      ...(simulator ? { C2M_REPORTING_URL: simulator.url, C2M_FUNNEL_DELAY_MINUTES: '0' } : {}),
    });

    // The deploy-time domain refresh, run for real: SSM ends up holding every service's domain.
    if (options.refreshDomains ?? true) {
      const domainRefresh = (await import('#functions/domain-refresh/index.ts')).handler as unknown as DirectHandler;
      await domainRefresh({}, lambdaContext('domain-refresh', 30_000));
    }

    const receiver = (await import('#functions/webhook-receiver/index.ts')).handler as unknown as ProxyHandler;
    const processor = (await import('#functions/event-processor/index.ts')).handler as unknown as QueueHandler;
    const c2m = (await import('#functions/c2m-invite/index.ts')).handler as unknown as ConnectHandler;
    const connector = (await import('#functions/connector-send/index.ts')).handler as unknown as DirectHandler;
    const funnel = (await import('#functions/c2m-funnel/index.ts')).handler as unknown as DirectHandler;

    const traces = new LocalTraces();
    stoppers.push(async () => traces.close());
    // A webhook's trace goes on in the processor invocations that get its body from the queue, as
    // SQS's AWSTraceHeader carries it in AWS; the queued message is the webhook's body, unchanged.
    const traceOfBody = new Map<string, Trace>();
    const traceOfRequest = new Map<string, string>();
    const bodyKey = (body: string | Buffer) => createHash('sha256').update(body).digest('base64');
    const tracedReceiver: ProxyHandler = (event, context) => {
      const key = bodyKey(Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'));
      return traces.trace(
        `${event.httpMethod} ${event.resource}`,
        (trace) => {
          traceOfRequest.set(event.requestContext.requestId, trace.id);
          traceOfBody.delete(key);
          traceOfBody.set(key, trace);
          if (traceOfBody.size > 1000) traceOfBody.delete(traceOfBody.keys().next().value as string);
          return traces.invocation('webhook-receiver', () => receiver(event, context));
        },
        {
          status: (result) => result.statusCode,
          onEnd: (trace) => {
            // Nothing was queued (refused, or the receiver failed): the trace ends with the answer.
            if (trace.root.status === undefined || trace.root.status >= 300) {
              traceOfBody.delete(key);
              emit({ kind: 'trace', trace });
            }
          },
        },
      );
    };

    const gateway: LocalApiGateway = await startLocalApiGateway({
      handler: tracedReceiver,
      port: options.ports?.gateway ?? 0,
      onRequest: ({ resource, statusCode, durationMs, event, answer }) => {
        const traceId = traceOfRequest.get(event.requestContext.requestId);
        traceOfRequest.delete(event.requestContext.requestId);
        emit({
          kind: 'webhook',
          resource,
          status: statusCode,
          durationMs,
          path: maskWebhookPath(event.path),
          headers: maskWebhookHeaders(event.headers),
          body: event.body === null ? '' : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8'),
          answer,
          ...(traceId ? { traceId } : {}),
        });
      },
    });
    stoppers.push(() => gateway.stop());

    const report = (queue: 'events' | 'outbound') => (outcome: BatchOutcome) => {
      if (outcome.records === 0 && outcome.error === undefined) return;
      emit({
        kind: 'batch',
        queue,
        records: outcome.records,
        failed: outcome.failed,
        ...(outcome.error ? { error: String(outcome.error) } : {}),
      });
    };
    let crashAfter: number | undefined;
    const processorWithFaults: QueueHandler = async (event, context) => {
      const survivors = crashAfter;
      if (survivors === undefined) return processor(event, context);
      crashAfter = undefined;
      await processor({ Records: event.Records.slice(0, survivors) }, context);
      throw new Error(`simulated crash after ${survivors} of ${event.Records.length} records`);
    };
    const tracedProcessor: QueueHandler = async (event, context) => {
      const within = [
        ...new Set(event.Records.map((record) => traceOfBody.get(bodyKey(record.body))).filter((trace) => trace !== undefined)),
      ];
      try {
        return await traces.invocation('event-processor', () => processorWithFaults(event, context), {
          traces: within,
          note: `${event.Records.length} record(s)`,
        });
      } finally {
        for (const trace of within) emit({ kind: 'trace', trace });
      }
    };
    const tracedConnector: QueueHandler = (event, context) =>
      traces.trace('outbound queue', () => traces.invocation('connector-send', () => (connector as QueueHandler)(event, context)), {
        onEnd: (trace) => emit({ kind: 'trace', trace }),
      });
    const pollers: SqsPoller[] = [
      startSqsPoller({
        client: sqs.client,
        queueUrl: queues.events,
        handler: tracedProcessor,
        functionName: 'event-processor',
        onBatch: report('events'),
      }),
      startSqsPoller({
        client: sqs.client,
        queueUrl: queues.outbound,
        handler: tracedConnector,
        functionName: 'connector-send',
        onBatch: report('outbound'),
      }),
    ];
    stoppers.push(async () => void (await Promise.all(pollers.map((poller) => poller.stop()))));

    const invokeC2m = async (phoneNumber: string, parameters: Record<string, string> = {}) => {
      // Connect's synchronous budget is 8 s; the deployed function's timeout is below it.
      const action = parameters.action ?? 'deflect';
      let traceId: string | undefined;
      const output = await traces.trace(
        `Amazon Connect ${action}`,
        (trace) => {
          traceId = trace.id;
          return traces.invocation('c2m-invite', () =>
            c2m(contactFlowEvent({ phoneNumber, parameters }), lambdaContext('c2m-invite', 7_000)),
          );
        },
        { onEnd: (trace) => emit({ kind: 'trace', trace }) },
      );
      emit({ kind: 'c2m', phoneNumber, action, output, parameters, ...(traceId ? { traceId } : {}) });
      return output;
    };
    const invokeConnector = async (command: unknown) => {
      let traceId: string | undefined;
      const result = await traces.trace(
        'connector command',
        (trace) => {
          traceId = trace.id;
          return traces.invocation('connector-send', () => connector(command, lambdaContext('connector-send', 30_000)));
        },
        { onEnd: (trace) => emit({ kind: 'trace', trace }) },
      );
      emit({ kind: 'connector', command, result, ...(traceId ? { traceId } : {}) });
      return result;
    };
    const funnelRuns: FunnelRunSummary[] = [];
    let funnelBusy: Promise<unknown> = Promise.resolve();
    const invokeFunnel = (): Promise<FunnelRunSummary> => {
      const run = funnelBusy.then(async () => {
        const summary = (await funnel({}, lambdaContext('c2m-funnel', FUNNEL_TIMEOUT_MS))) as FunnelRunSummary;
        funnelRuns.push(summary);
        if (funnelRuns.length > FUNNEL_RUNS_KEPT) funnelRuns.shift();
        emit({ kind: 'funnel', summary });
        return summary;
      });
      funnelBusy = run.catch(() => undefined);
      return run;
    };
    // Stopped before DynamoDB and the simulator (stoppers run in reverse): a run in flight ends first.
    stoppers.push(async () => void (await funnelBusy));

    const webhooks = `${gateway.url}/webhooks`;
    if (simulator) {
      // LivePerson's Connector webhooks, signed, with redelivery, into the local endpoint.
      simulator.webhooks.subscribe({ url: `${webhooks}/connector`, redelivery: { backoffScale: 0.25 } });
    }

    // The web console: every event of the stack on one timeline, and the buttons the page offers.
    const timeline = new Timeline();
    events.on('event', (event) => timeline.record(event));
    const deadLetterQueues = {
      events: [queues.eventsDeadLetter, queues.events],
      outbound: [queues.outboundDeadLetter, queues.outbound],
    } as const;
    const consoleApi = consoleRoutes({
      timeline,
      conversations: async () => conversationsView(simulator, dynamo, tables.state),
      deadLetters: async () => ({
        queues: await Promise.all(
          (['events', 'outbound'] as const).map(async (queue) => ({
            queue,
            url: deadLetterQueues[queue][0],
            messages: await listDeadLetters(sqs, deadLetterQueues[queue][0]),
          })),
        ),
      }),
      redrive: (queue) => redriveDeadLetters(sqs, ...deadLetterQueues[queue]),
      fault: async (fault) => applyFault(fault, { simulator, sqsAvailable: (available) => sqsProxy.setAvailable(available) }),
      replay: async (item) => {
        const original = timeline.original(item.id);
        if (!original) throw new ConsoleRequestError(404, `the body of ${item.id} is no longer kept`);
        if (!simulator) throw new ConsoleRequestError(409, 'a replay is signed by the simulator: this stack runs against a real account');
        const url =
          original.resource === WEBHOOK_ROUTES.connector
            ? `${webhooks}/connector`
            : `${webhooks}/messaging/${SIMULATOR_DEFAULTS.webhookToken}`;
        const delivery = await simulator.webhooks.send(url, original.body);
        return { state: delivery.state, status: delivery.attempts.at(-1)?.status };
      },
    });

    const control: ControlServer = await startControlServer({
      console: consoleApi,
      port: options.ports?.control ?? 0,
      simulator,
      aws,
      invokeC2m,
      invokeConnector,
      invokeFunnel,
      funnelRuns: () => [...funnelRuns],
      connectorWebhookUrl: () => `${webhooks}/connector`,
      info: () => ({ accountId, webhooks, simulator: simulator?.url }),
    });
    stoppers.push(() => control.stop());

    return {
      urls: { webhooks, control: control.url, simulator: simulator?.url, sqs: sqs.endpoint, dynamodb: dynamo.endpoint, aws: aws.endpoint },
      accountId,
      simulator,
      aws,
      sqs,
      queues,
      tables,
      events,
      traces,
      timeline,
      invokeC2m,
      invokeConnector,
      invokeFunnel,
      funnelRuns: () => [...funnelRuns],
      faults: {
        sqsAvailable: (available) => sqsProxy.setAvailable(available),
        crashProcessorAfter: (records) => {
          crashAfter = records;
        },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The messaging route's last segment is its secret token: never shown. */
export function maskWebhookPath(path: string): string {
  return path.replace(/^(\/webhooks\/messaging\/)[^/]+$/, '$1****');
}

/** Headers as a console may show them: the signature (an HMAC of the body by the client secret) masked. */
export function maskWebhookHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // The algorithm stays readable (sha1=, Bearer): it says which check applies, and nothing of the secret.
    masked[name] = /^(x-liveperson-signature|authorization)$/i.test(name) ? `${/^[\w-]+[= ]/.exec(value)?.[0] ?? ''}****` : value;
  }
  return masked;
}

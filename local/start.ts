/**
 * `npm start`: the local stack on fixed loopback ports, with one readable line per component and
 * per event that flows through. Ctrl-C stops everything.
 *
 *   npm start                                   against the LivePerson simulator
 *   npm start -- --funnel-seconds 15            the C2M funnel counted every 15 s (default 60, 0 = only on request)
 *   npm start -- --liveperson real --account 12345678 --credentials ./lp-credentials.json
 *                                               against a real LivePerson account (still no AWS)
 */
import { readFileSync } from 'node:fs';
import { parseArgs, styleText } from 'node:util';
import { z } from 'zod';
import { credentialsSecretSchema } from '#functions/lib/aws/config.ts';
import type { FunnelRunSummary } from '#functions/lib/ivr/funnel.ts';
import { logSafeReason } from '#functions/lib/log-mask.ts';
import { SIMULATOR_DEFAULTS } from '#simulator/index.ts';
import { startLocalStack, type LocalStackEvent, type RealLivePerson } from './stack.ts';
import { renderTrace } from './trace.ts';

const USAGE = `usage: npm start [-- options]
  --simulator-port <n>   LivePerson simulator port (default 4040)
  --gateway-port <n>     webhook endpoint port (default 3000)
  --control-port <n>     control endpoint port (default 3001)
  --liveperson real      use a real LivePerson account instead of the simulator; needs:
  --account <id>         the LivePerson account (site) id
  --credentials <file>   a JSON file shaped like the credentials secret ({"clientId": ..., "clientSecret": ...})
  --csds-url <url>       Domain API (default https://api.liveperson.net)
  --funnel-seconds <n>   run the C2M funnel (c2m-funnel) every n seconds (default 60; 0: only on POST /c2m/funnel)
  --verbose              the handlers' INFO logs too (their warnings and errors are always shown), and the trace
                         of each webhook, C2M call and command as a tree of timings`;

function port(option: string, value: string): number {
  const parsed = z.coerce.number().int().min(0).max(65535).safeParse(value);
  if (!parsed.success) throw new Error(`--${option} must be a port number from 0 to 65535, got "${value}"`);
  return parsed.data;
}

/** At most a day: the deployed schedule is every 5 to 60 minutes, and the local one is for watching. */
const MAX_FUNNEL_SECONDS = 86_400;

function seconds(option: string, value: string): number {
  const parsed = z.coerce.number().int().min(0).max(MAX_FUNNEL_SECONDS).safeParse(value);
  if (!parsed.success)
    throw new Error(`--${option} must be a whole number of seconds from 0 (off) to ${MAX_FUNNEL_SECONDS}, got "${value}"`);
  return parsed.data;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      'simulator-port': { type: 'string', default: '4040' },
      'gateway-port': { type: 'string', default: '3000' },
      'control-port': { type: 'string', default: '3001' },
      liveperson: { type: 'string', default: 'simulator' },
      account: { type: 'string' },
      credentials: { type: 'string' },
      'csds-url': { type: 'string' },
      'funnel-seconds': { type: 'string', default: '60' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let livePerson: RealLivePerson | undefined;
  if (values.liveperson === 'real') {
    if (!values.account || !/^\d+$/.test(values.account))
      throw new Error('--liveperson real needs --account <LivePerson account id, digits>');
    if (!values.credentials) throw new Error('--liveperson real needs --credentials <file with clientId and clientSecret>');
    const text = readFileSync(values.credentials, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${values.credentials} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const parsed = credentialsSecretSchema.safeParse(json);
    if (!parsed.success)
      throw new Error(`${values.credentials}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    livePerson = { accountId: values.account, secret: text, ...(values['csds-url'] ? { csdsUrl: values['csds-url'] } : {}) };
  } else if (values.liveperson !== 'simulator') {
    throw new Error(`--liveperson must be "simulator" or "real", got "${values.liveperson}"`);
  }
  return {
    ports: {
      simulator: port('simulator-port', values['simulator-port']),
      gateway: port('gateway-port', values['gateway-port']),
      control: port('control-port', values['control-port']),
    },
    livePerson,
    funnelSeconds: seconds('funnel-seconds', values['funnel-seconds']),
    verbose: values.verbose,
  };
}

const dim = (text: string) => styleText('dim', text);
const label = (color: Parameters<typeof styleText>[0], text: string) => styleText(color, text.padEnd(10));

export function describeEvent(event: LocalStackEvent): string {
  switch (event.kind) {
    case 'webhook': {
      const ok = event.status === 200;
      return `${label(ok ? 'green' : 'red', 'webhook')} ${event.resource} → ${event.status} ${dim(`${event.durationMs.toFixed(1)} ms`)}`;
    }
    case 'batch': {
      const queue = event.queue === 'events' ? 'processed' : 'outbound';
      const failures = event.failed > 0 ? styleText('red', ` ${event.failed} failed (retried)`) : '';
      const error = event.error ? styleText('red', ` ${event.error}`) : '';
      return `${label(event.failed > 0 || event.error ? 'yellow' : 'cyan', queue)} ${event.records} record(s)${failures}${error}`;
    }
    case 'published': {
      const detail = event.event.detail as PublishedDetail;
      const line = `${label('magenta', 'published')} ${event.event.detailType} ${dim(detail.conversationId ?? '')} ${describePublished(detail)}`;
      const problems = event.schemaProblems ?? [];
      if (problems.length === 0) return line;
      return `${line}\n${label('red', 'schema')} ${styleText('red', `${event.event.detailType} does not match schemas/events/${event.event.detailType}.json: ${problems.join('; ')}`)}`;
    }
    case 'c2m': {
      const { result, callId, errorCode, errorMessage } = event.output;
      const masked = `***${event.phoneNumber.slice(-4)}`;
      const outcome =
        result === 'ERROR' ? styleText('red', `${result} ${errorCode ?? ''} ${errorMessage ?? ''}`) : styleText('green', String(result));
      return `${label('blue', 'c2m')} ${event.action} ${masked} → ${outcome} ${dim(callId ?? '')}`;
    }
    case 'connector': {
      const command = event.command as { type?: string; consumerId?: string };
      return `${label('blue', 'connector')} ${command.type ?? '?'} ${dim(command.consumerId ?? '')} → ${JSON.stringify(event.result)}`;
    }
    case 'funnel':
      return describeFunnel(event.summary);
    case 'trace':
      return renderTrace(event.trace)
        .map((line, index) => (index === 0 ? `${label('gray', 'trace')} ${line.replace(/^trace /, '')}` : dim(`      ${line}`)))
        .join('\n');
  }
}

/** The step names as the console line writes them, in the funnel's order. */
const FUNNEL_LINE_STEPS = [
  ['attempted', 'attempted'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['failed', 'failed'],
  ['conversationCreated', 'conversations'],
] as const;

/** One line about a funnel run: its window (local time) and what it counted, per step and per channel. */
export function describeFunnel(summary: FunnelRunSummary): string {
  const window = `${clock(summary.from, summary.to)}–${clock(summary.to)}`;
  switch (summary.status) {
    case 'nothing-due':
      return `${label('blue', 'funnel')} ${dim(`nothing due yet (counted until ${clock(summary.to)})`)}`;
    case 'claimed-elsewhere':
      return `${label('yellow', 'funnel')} ${window} ${styleText('yellow', 'claimed by another run: nothing published by this one')}`;
    case 'counted': {
      const totals = summary.totals;
      const steps = FUNNEL_LINE_STEPS.map(([step, name]) => `${name} ${totals?.[step] ?? 0}`).join(' · ');
      const channels = Object.entries(summary.byChannel ?? {})
        .map(([channel, counts]) => `${channel} ${counts.attempted}`)
        .join(', ');
      const notes = [
        channels === '' ? undefined : dim(`attempted by channel: ${channels}`),
        dim(`${summary.invitesRead ?? 0} invite(s) read`),
        summary.unreadableTimes ? styleText('yellow', `${summary.unreadableTimes} unreadable time(s) left out`) : undefined,
        summary.skippedFrom === undefined
          ? undefined
          : styleText('yellow', `skipped steps since ${summary.skippedFrom} (older than CloudWatch takes)`),
      ].filter((note) => note !== undefined);
      const counted = FUNNEL_LINE_STEPS.some(([step]) => (totals?.[step] ?? 0) > 0);
      return `${label('blue', 'funnel')} ${window}  ${counted ? steps : dim(steps)}  ${notes.join('  ')}`;
    }
  }
}

/** HH:MM:SS in local time; with the date when it is not the day of `sameDayAs` (a first run counts the past day). */
function clock(iso: string | undefined, sameDayAs?: string): string {
  if (iso === undefined) return '?';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  const two = (value: number) => String(value).padStart(2, '0');
  const hms = `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
  const other = sameDayAs === undefined ? undefined : new Date(sameDayAs);
  if (other === undefined || other.toDateString() === time.toDateString()) return hms;
  return `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ${hms}`;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      ports: options.ports,
      ...(options.livePerson ? { livePerson: options.livePerson } : {}),
      handlerLogLevel: options.verbose ? 'INFO' : 'WARN',
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      code === 'EADDRINUSE'
        ? `cannot start: ${message}. Another program (another npm start?) holds that port: stop it, or choose other ports with --simulator-port, --gateway-port, --control-port.`
        : `cannot start the local stack: ${message}`,
    );
    process.exit(1);
  }
  const line = (name: string, url: string | undefined, note = '') => url && console.log(`${label('bold', name)} ${url} ${dim(note)}`);
  line(
    'liveperson',
    stack.urls.simulator ?? 'real account',
    stack.simulator ? `simulator, account ${stack.accountId}` : `account ${stack.accountId}`,
  );
  line('webhooks', `${stack.urls.webhooks}/connector`, 'POST, signed (the simulator delivers here)');
  line(
    'webhooks',
    `${stack.urls.webhooks}/messaging/${stack.simulator ? SIMULATOR_DEFAULTS.webhookToken : '<webhookToken>'}`,
    'POST, unsigned, guarded by the URL token',
  );
  line('c2m', `${stack.urls.control}/connect/c2m`, 'POST {"phoneNumber": "+12065550100", "parameters": {"action": "deflect"}}');
  line('connector', `${stack.urls.control}/connector/commands`, 'POST a command; or queue it on the outbound queue');
  line('events', `${stack.urls.control}/events`, 'GET what was published to EventBridge');
  line(
    'funnel',
    `${stack.urls.control}/c2m/funnel`,
    `POST counts the C2M funnel now, GET lists the runs; ${options.funnelSeconds > 0 ? `runs every ${options.funnelSeconds} s` : 'no interval (--funnel-seconds 0)'}`,
  );
  line('sqs', stack.urls.sqs, `event queue ${stack.queues.events}`);
  line('dynamodb', stack.urls.dynamodb, `tables ${stack.tables.state}, ${stack.tables.idempotency}, ${stack.tables.funnel}`);
  line('aws', stack.urls.aws, 'Secrets Manager, SSM, EventBridge stand-ins');
  line('console', `${stack.urls.control}/`, 'open in a browser: the flow as it happens, with buttons for the story');
  const demo = options.ports.control === 3001 ? 'npm run demo' : `npm run demo -- --url ${stack.urls.control}`;
  console.log(dim(`ready: ${demo} plays a full story against this stack; Ctrl-C stops it`));
  // A trace is printed with --verbose only: the tree of timings of each webhook, C2M call and command.
  stack.events.on('event', (event) => {
    if (event.kind !== 'trace' || options.verbose) console.log(describeEvent(event));
  });

  let stopping = false;
  // The funnel's schedule: the next run is timed from the end of the last, so runs never pile up.
  let funnelTimer: NodeJS.Timeout | undefined;
  const scheduleFunnel = () => {
    if (options.funnelSeconds === 0 || stopping) return;
    funnelTimer = setTimeout(() => {
      stack
        .invokeFunnel()
        .catch((error: unknown) => {
          if (!stopping)
            console.error(
              `${label('red', 'funnel')} ${styleText('red', `run failed: ${logSafeReason(error)}`)} ${dim('(next run as scheduled)')}`,
            );
        })
        .finally(scheduleFunnel);
    }, options.funnelSeconds * 1000);
  };
  scheduleFunnel();

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(funnelTimer);
    console.log(dim(`stopping (${signal})`));
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (import.meta.main) await main();

/** The fields of a published event's detail that the console line shows. */
interface PublishedDetail {
  readonly conversationId?: string;
  readonly message?: unknown;
  readonly content?: { readonly kind?: string; readonly fileType?: string };
  readonly quickReplies?: { readonly replies?: readonly unknown[] };
  readonly state?: string;
  readonly stage?: string;
  readonly changeType?: string;
  readonly originatorRole?: string;
}

/** One line about a published event: its text, or what kind of content it carries, or its state. */
function describePublished(detail: PublishedDetail): string {
  const who = detail.originatorRole === undefined ? '' : ` (${detail.originatorRole})`;
  const replies = detail.quickReplies?.replies?.length;
  const offered = replies === undefined ? '' : ` with ${replies} quick replies`;
  if (typeof detail.message === 'string') return `"${detail.message}"${offered}${who}`;
  if (detail.content?.kind !== undefined)
    return `${detail.content.kind}${detail.content.fileType ? ` ${detail.content.fileType}` : ''}${who}`;
  if (detail.changeType !== undefined && detail.state === undefined) return detail.changeType;
  return [detail.state, detail.stage === undefined || detail.stage === detail.state ? undefined : `stage ${detail.stage}`]
    .filter(Boolean)
    .join(', ');
}

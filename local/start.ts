/**
 * `npm start`: the local stack on fixed loopback ports, with one readable line per component and
 * per event that flows through. Ctrl-C stops everything.
 *
 *   npm start                                   against the LivePerson simulator
 *   npm start -- --liveperson real --account 12345678 --credentials ./lp-credentials.json
 *                                               against a real LivePerson account (still no AWS)
 */
import { readFileSync } from 'node:fs';
import { parseArgs, styleText } from 'node:util';
import { z } from 'zod';
import { credentialsSecretSchema } from '#functions/lib/aws/config.ts';
import { SIMULATOR_DEFAULTS } from '#simulator/index.ts';
import { startLocalStack, type LocalStackEvent, type RealLivePerson } from './stack.ts';

const USAGE = `usage: npm start [-- options]
  --simulator-port <n>   LivePerson simulator port (default 4040)
  --gateway-port <n>     webhook endpoint port (default 3000)
  --control-port <n>     control endpoint port (default 3001)
  --liveperson real      use a real LivePerson account instead of the simulator; needs:
  --account <id>         the LivePerson account (site) id
  --credentials <file>   a JSON file shaped like the credentials secret ({"clientId": ..., "clientSecret": ...})
  --csds-url <url>       Domain API (default https://api.liveperson.net)
  --verbose              the handlers' INFO logs too (their warnings and errors are always shown)`;

function port(option: string, value: string): number {
  const parsed = z.coerce.number().int().min(0).max(65535).safeParse(value);
  if (!parsed.success) throw new Error(`--${option} must be a port number from 0 to 65535, got "${value}"`);
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
      return `${label('magenta', 'published')} ${event.event.detailType} ${dim(detail.conversationId ?? '')} ${describePublished(detail)}`;
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
  }
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
  line('sqs', stack.urls.sqs, `event queue ${stack.queues.events}`);
  line('dynamodb', stack.urls.dynamodb, `tables ${stack.tables.state}, ${stack.tables.idempotency}`);
  line('aws', stack.urls.aws, 'Secrets Manager, SSM, EventBridge stand-ins');
  const demo = options.ports.control === 3001 ? 'npm run demo' : `npm run demo -- --url ${stack.urls.control}`;
  console.log(dim(`ready: ${demo} plays a full story against this stack; Ctrl-C stops it`));
  stack.events.on('event', (event) => console.log(describeEvent(event)));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
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

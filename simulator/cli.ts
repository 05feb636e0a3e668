// Starts the simulator from the command line:
//   node simulator/cli.ts [--port 4040] [--host 127.0.0.1] [--account 12345678]
// Prints one JSON line with the url, the account and the credentials to use; stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startLivePersonSimulator } from './server.ts';
import { SIMULATOR_DEFAULTS } from './types.ts';

const USAGE = [
  'usage: node simulator/cli.ts [--port 4040] [--host 127.0.0.1] [--account 12345678]',
  '',
  'One port serves every simulated LivePerson service, routed by path:',
  '  CSDS       /api/account/{account}/service/[{name}/]baseURI.json (every service points here)',
  '  Sentinel   /sentinel/api/account/{account}/app/token',
  '  IdP        /api/account/{account}/consumer',
  '  Connector  /api/account/{account}/messaging/consumer/conversation[/send]',
  '             (conversations, events with metadata, SDEs, file URLs, dialog and stage closes)',
  '  swift      /v1/AUTH_async-images/{account}/{file} (PUT/GET with Swift TempURL signatures)',
  '  C2M        /api/account/{account}/... (Connect-to-Messaging)',
].join('\n');

function parseOptions(): { port: number; host: string; accountId: string } {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4040' },
      host: { type: 'string', default: '127.0.0.1' },
      account: { type: 'string', default: SIMULATOR_DEFAULTS.accountId },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  return { port, host: values.host, accountId: values.account };
}

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions();
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}

const simulator = await startLivePersonSimulator(options);
console.log(
  JSON.stringify({
    message: 'LivePerson simulator listening',
    url: simulator.url,
    accountId: simulator.accountId,
    ...simulator.credentials,
    webhookToken: SIMULATOR_DEFAULTS.webhookToken,
  }),
);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  await simulator.close();
  console.error(`LivePerson simulator stopped (${signal})`);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, (received) => {
    stop(received).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  });
}

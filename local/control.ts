/**
 * The local stack's control endpoint: what Amazon Connect, a brand's backend and a tester would do
 * to the stack, over HTTP, so a demo or a person can drive a stack running in another process.
 *
 *   GET  /health                      the stack's URLs
 *   POST /connect/c2m                 {"phoneNumber": "+1...", "parameters": {"action": "deflect", ...}} → the C2M handler's output
 *   POST /connector/commands          a connector command → the connector handler's result (direct invocation)
 *   POST /c2m/funnel                  runs the c2m-funnel handler now → its run summary (what it counted, in which window)
 *   GET  /c2m/funnel                  the funnel's last runs in this stack, oldest first (the scheduled ones too)
 *   GET  /events[?conversationId=]    events published to EventBridge so far
 *   GET  /simulator/invites           C2M invites the simulator received
 *   POST /simulator/consumer-reply    {"callId": "...", "text": "..."}: the invited consumer answers
 *   POST /simulator/agent-reply       {"conversationId": "...", "text": "...", "quickReplies"?: ["Yes", "No"]}: the agent answers
 *   POST /simulator/consumer-message  {"conversationId": "...", "text": "...", "metadata"?: [...]}: the consumer writes (or taps a quick reply)
 *   POST /simulator/consumer-file     {"conversationId": "...", "fileType": "JPG", "caption"?: "..."}: the consumer shares a file
 *   POST /simulator/agent-file        {"conversationId": "...", "fileType": "PNG", "base64"?: "...", "caption"?: "..."}: the agent shares a file
 *   POST /simulator/survey            {"conversationId": "..."}: the agent ends the dialog; the post-conversation survey asks
 *   POST /simulator/notification      any JSON: LivePerson sends it, signed, to the connector webhook (e.g. a type not known yet)
 *
 * and the web console (GET /, /console/*: console/server.ts). Requests from a browser page of another
 * origin, or naming another host (DNS rebinding), are refused: a website open in the same browser
 * must not drive the stack.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { LivePersonSimulator } from '#simulator/index.ts';
import { quickRepliesContent } from '#simulator/notifications.ts';
import type { FunnelRunSummary } from '#functions/lib/ivr/funnel.ts';
import type { AwsStandIns } from './aws-standins.ts';
import { ONE_PIXEL_PNG_BASE64 } from './sample-files.ts';
import { ConsoleRequestError, type ConsoleRoutes } from './console/server.ts';

export interface ControlServer {
  readonly url: string;
  stop(): Promise<void>;
}

const c2mRequest = z.object({
  phoneNumber: z.string().min(1, 'phoneNumber is required'),
  parameters: z.record(z.string(), z.string()).default({}),
});
const consumerReply = z.object({ callId: z.string().min(1), text: z.string().min(1) });
const agentReply = z.object({
  conversationId: z.string().min(1),
  text: z.string().min(1),
  quickReplies: z.array(z.string().min(1)).min(1).optional(),
});
const consumerMessage = z.object({
  conversationId: z.string().min(1),
  text: z.string().min(1),
  metadata: z.array(z.record(z.string(), z.unknown())).optional(),
});
const consumerFile = z.object({
  conversationId: z.string().min(1),
  fileType: z.string().regex(/^[A-Za-z0-9]{1,10}$/, 'fileType is an extension such as JPG'),
  caption: z.string().optional(),
});
const agentFile = z.object({
  conversationId: z.string().min(1),
  fileType: z.enum(['JPG', 'JPEG', 'PNG', 'GIF']),
  base64: z.base64().optional(),
  caption: z.string().optional(),
});
const survey = z.object({ conversationId: z.string().min(1) });

class RequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startControlServer(options: {
  port: number;
  simulator: LivePersonSimulator | undefined;
  aws: AwsStandIns;
  invokeC2m(phoneNumber: string, parameters: Record<string, string>): Promise<unknown>;
  invokeConnector(command: unknown): Promise<unknown>;
  invokeFunnel(): Promise<FunnelRunSummary>;
  funnelRuns(): readonly FunnelRunSummary[];
  /** Where the simulator sends Connector webhooks. */
  connectorWebhookUrl(): string;
  info(): Record<string, unknown>;
  /** The web console's routes. */
  console?: ConsoleRoutes;
}): Promise<ControlServer> {
  const simulator = () => {
    if (!options.simulator) throw new RequestError(409, 'the local stack runs against a real LivePerson account: no simulator');
    return options.simulator;
  };

  async function route(method: string, url: URL, body: () => Promise<unknown>): Promise<unknown> {
    const key = `${method} ${url.pathname}`;
    switch (key) {
      case 'GET /health':
        return { ok: true, ...options.info() };
      case 'POST /connect/c2m': {
        const request = parse(c2mRequest, await body());
        return options.invokeC2m(request.phoneNumber, request.parameters);
      }
      case 'POST /connector/commands':
        return options.invokeConnector(await body());
      case 'POST /c2m/funnel':
        return options.invokeFunnel();
      case 'GET /c2m/funnel':
        return options.funnelRuns();
      case 'GET /events': {
        const conversationId = url.searchParams.get('conversationId');
        return options.aws
          .events()
          .filter((event) => conversationId === null || (event.detail as { conversationId?: string }).conversationId === conversationId);
      }
      case 'GET /simulator/invites':
        return simulator().c2m.invites();
      case 'POST /simulator/consumer-reply': {
        const reply = parse(consumerReply, await body());
        return simulator().c2m.consumerReplies(reply.callId, reply.text);
      }
      case 'POST /simulator/agent-reply': {
        const reply = parse(agentReply, await body());
        const quickReplies = reply.quickReplies === undefined ? {} : { quickReplies: quickRepliesContent(reply.quickReplies) };
        return { sequence: simulator().connector.sendAgentMessage(reply.conversationId, reply.text, quickReplies) };
      }
      case 'POST /simulator/consumer-message': {
        const message = parse(consumerMessage, await body());
        const metadata = message.metadata === undefined ? {} : { metadata: message.metadata };
        return { sequence: simulator().connector.consumerSays(message.conversationId, message.text, metadata) };
      }
      case 'POST /simulator/consumer-file': {
        const file = parse(consumerFile, await body());
        return simulator().connector.consumerSharesFile(file.conversationId, {
          fileType: file.fileType,
          ...(file.caption === undefined ? {} : { caption: file.caption }),
        });
      }
      case 'POST /simulator/agent-file': {
        const file = parse(agentFile, await body());
        return simulator().connector.sendAgentFile(file.conversationId, {
          fileType: file.fileType,
          bytes: Buffer.from(file.base64 ?? ONE_PIXEL_PNG_BASE64, 'base64'),
          ...(file.caption === undefined ? {} : { caption: file.caption }),
        });
      }
      case 'POST /simulator/survey':
        return simulator().connector.startSurvey(parse(survey, await body()).conversationId);
      case 'POST /simulator/notification': {
        const delivery = await simulator().webhooks.send(options.connectorWebhookUrl(), JSON.stringify(await body()));
        return { state: delivery.state, status: delivery.attempts.at(-1)?.status };
      }
      default:
        throw new RequestError(404, `no control route ${key}`);
    }
  }

  const server = createServer((request, response) => void answer(request, response));
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      const refusal = foreignRequest(request, port);
      if (refusal) throw new RequestError(403, refusal);
      if (await options.console?.handle(request, response, url, () => readJson(request))) return;
      const result = await route(request.method ?? 'GET', url, () => readJson(request));
      send(response, 200, result ?? null);
    } catch (error) {
      if (response.headersSent) return void response.end();
      const status = error instanceof RequestError || error instanceof ConsoleRequestError ? error.status : 500;
      send(response, status, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      options.console?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Why a request must be refused, or undefined: its Host must be this server on loopback, and a browser's
 * Origin (sent on every cross-origin request) this server's own. curl and the demo send no Origin.
 */
export function foreignRequest(request: IncomingMessage, port: number): string | undefined {
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const host = request.headers.host;
  if (host !== undefined && !allowed.has(host.toLowerCase())) return `Host ${host} is not this local stack's (127.0.0.1:${port})`;
  const origin = request.headers.origin;
  if (origin !== undefined && !allowed.has(origin.toLowerCase().replace(/^http:\/\//, ''))) {
    return `requests from pages of ${origin} are refused: the console is served at http://127.0.0.1:${port}/`;
  }
  return undefined;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new RequestError(400, z.prettifyError(result.error).replaceAll('\n', '; '));
  return result.data;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, 'body is not JSON');
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

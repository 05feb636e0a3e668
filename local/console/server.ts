/**
 * The console's HTTP side, mounted on the control server: the page and its two files (no build
 * step: plain browser modules from this folder), the live timeline as server-sent events, and the
 * reads and actions the page's buttons use. The page's other actions are the control routes.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { z } from 'zod';
import type { Timeline, TimelineItem } from './timeline.ts';

const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/console/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Everything the page loads comes from this server: no other origin can inject into it or be reached. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Seconds between SSE comments that keep an idle connection open through proxies. */
const KEEP_ALIVE_MS = 15_000;

export const CONSOLE_FAULTS = ['sqs-down', 'sqs-up', 'liveperson-5xx', 'liveperson-429', 'liveperson-slow', 'clear'] as const;
export type ConsoleFault = (typeof CONSOLE_FAULTS)[number];

export type DeadLetterQueueName = 'events' | 'outbound';

export interface ConsoleOptions {
  readonly timeline: Timeline;
  conversations(): Promise<unknown[]>;
  deadLetters(): Promise<unknown>;
  redrive(queue: DeadLetterQueueName): Promise<number>;
  /** Applies a fault and says what it did, in a sentence. */
  fault(fault: ConsoleFault): Promise<string>;
  /** Sends a received webhook's body again, signed afresh, to the route it came in on. */
  replay(item: TimelineItem): Promise<{ state: string; status: number | undefined }>;
}

export class ConsoleRequestError extends Error {
  override readonly name = 'ConsoleRequestError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const faultRequest = z.object({ fault: z.enum(CONSOLE_FAULTS, { error: `fault must be one of ${CONSOLE_FAULTS.join(', ')}` }) });
const replayRequest = z.object({ id: z.string().min(1, 'id (a webhook item of the timeline) is required') });
const redriveRequest = z.object({ queue: z.enum(['events', 'outbound'], { error: 'queue must be events or outbound' }) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConsoleRequestError(400, z.prettifyError(result.error).replaceAll('\n', '; '));
  return result.data;
}

export interface ConsoleRoutes {
  /** Serves the request when it is the console's; false when it is not (the control server's route then). */
  handle(request: IncomingMessage, response: ServerResponse, url: URL, body: () => Promise<unknown>): Promise<boolean>;
  /** Ends the open event streams (the server cannot close while they stay open). */
  close(): void;
}

export function consoleRoutes(options: ConsoleOptions): ConsoleRoutes {
  /** The open event streams, each with what detaches it from the timeline. */
  const streams = new Map<ServerResponse, () => void>();
  const folder = import.meta.dirname;

  function json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  }

  function stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Sent now, not with the first item: an EventSource counts as open once the headers arrive.
    response.write('retry: 2000\n\n');
    const write = (text: string) => {
      if (!response.writableEnded && !response.destroyed) response.write(text);
    };
    const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    // The backlog first, then what happens; the page replaces an item it has by its id.
    for (const item of options.timeline.items()) send('item', item);
    const offItem = options.timeline.onItem((item) => send('item', item));
    const offReset = options.timeline.onReset(() => send('reset', {}));
    const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const end = () => {
      clearInterval(keepAlive);
      offItem();
      offReset();
      streams.delete(response);
    };
    streams.set(response, end);
    request.on('close', end);
    response.on('close', end);
    response.on('error', end);
  }

  return {
    async handle(request, response, url, body) {
      const key = `${request.method ?? 'GET'} ${url.pathname}`;
      const file = request.method === 'GET' ? STATIC_FILES[url.pathname] : undefined;
      if (file) {
        const content = await readFile(path.join(folder, file.file)).catch(() => undefined);
        if (content === undefined) throw new ConsoleRequestError(404, `the console's ${file.file} is missing from local/console/`);
        response
          .writeHead(200, {
            'content-type': file.type,
            'cache-control': 'no-cache',
            'content-security-policy': CONTENT_SECURITY_POLICY,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
          })
          .end(content);
        return true;
      }
      switch (key) {
        case 'GET /console/stream':
          stream(request, response);
          return true;
        case 'GET /console/items':
          json(response, 200, options.timeline.items());
          return true;
        case 'GET /console/conversations':
          json(response, 200, await options.conversations());
          return true;
        case 'GET /console/dead-letters':
          json(response, 200, await options.deadLetters());
          return true;
        case 'POST /console/dead-letters/redrive': {
          const { queue } = parse(redriveRequest, await body());
          const moved = await options.redrive(queue);
          options.timeline.add({
            kind: 'dead-letter',
            lane: 'queue',
            title: `redrive ${queue} dead letters: ${moved} moved back`,
            status: 'ok',
            details: { queue, moved },
          });
          json(response, 200, { queue, moved });
          return true;
        }
        case 'POST /console/faults': {
          const { fault } = parse(faultRequest, await body());
          const description = await options.fault(fault);
          options.timeline.add({
            kind: 'fault',
            lane: 'control',
            title: `fault: ${description}`,
            status: fault === 'sqs-up' || fault === 'clear' ? 'ok' : 'warn',
            details: { fault, description },
          });
          json(response, 200, { fault, description });
          return true;
        }
        case 'POST /console/webhooks/replay': {
          const { id } = parse(replayRequest, await body());
          const item = options.timeline.get(id);
          if (!item || item.kind !== 'webhook')
            throw new ConsoleRequestError(404, `no webhook ${id} in the timeline (it may have been cleared)`);
          const delivery = await options.replay(item);
          options.timeline.add({
            kind: 'replay',
            lane: 'control',
            title: `replayed ${id} (${item.title}): ${delivery.state}${delivery.status === undefined ? '' : ` ${delivery.status}`}`,
            status: delivery.state === 'delivered' ? 'ok' : 'error',
            ...(item.conversationId ? { conversationId: item.conversationId } : {}),
            details: { of: id, delivery },
          });
          json(response, 200, { delivery });
          return true;
        }
        case 'POST /console/clear':
          options.timeline.clear();
          json(response, 200, {});
          return true;
        default:
          return false;
      }
    },
    close() {
      for (const [response, end] of [...streams]) {
        end();
        response.end();
      }
    },
  };
}

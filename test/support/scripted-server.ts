/**
 * A loopback HTTP server whose answers a test scripts one by one, recording what it received
 * and on which connection, for tests of the HTTP layer itself.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  connection: number;
}

export interface ScriptedServer {
  url: string;
  received: ReceivedRequest[];
  /** Answers to give, in order; when none are left, the fallback answers. */
  script(...answers: ScriptedAnswer[]): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startScriptedServer(fallback: ScriptedAnswer = { status: 200, body: {} }): Promise<ScriptedServer> {
  const queue: ScriptedAnswer[] = [];
  const received: ReceivedRequest[] = [];
  let connectionCount = 0;
  const connectionIds = new WeakMap<object, number>();

  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: connectionIds.get(request.socket) ?? -1,
      });
      const answer = queue.shift() ?? fallback;
      if (answer.delayMs) await sleep(answer.delayMs);
      if (response.destroyed) return;
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(body);
    })();
  });
  server.on('connection', (socket) => connectionIds.set(socket, ++connectionCount));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (...answers) => queue.push(...answers),
    connections: () => connectionCount,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

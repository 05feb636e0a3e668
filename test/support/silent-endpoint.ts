/**
 * Sick AWS endpoints on loopback, for the timeout tests: one that accepts connections and never
 * writes a byte, one that answers the headers and then stalls the body, and a proxy that forwards
 * to a real endpoint (dynalite, fauxqs) but swallows the requests a test picks.
 */
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A vitest test's time limit for one AWS call: the client's worst case (every attempt timing out,
 * plus back-off) and room for a loaded test machine. No test asserts durations; this only stops a
 * call that hangs.
 */
export const callBound = (budget: { readonly maxAttempts: number; readonly requestTimeoutMs: number }) => ({
  timeout: budget.maxAttempts * (budget.requestTimeoutMs + 1_000) + 3_000,
});

export interface SilentEndpoint {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return `http://127.0.0.1:${address.port}`;
}

async function endpoint(onConnection: (socket: Socket) => void): Promise<SilentEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    onConnection(socket);
  });
  const url = await listen(server, sockets);
  return {
    url,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Accepts every connection, reads what is sent, never answers. */
export function startSilentEndpoint(): Promise<SilentEndpoint> {
  return endpoint((socket) => socket.resume());
}

/** Answers every request's headers (200, a body announced) at once, then never sends the body. */
export function startStallingBodyEndpoint(): Promise<SilentEndpoint> {
  return endpoint((socket) => {
    let answered = false;
    socket.on('data', () => {
      if (answered) return;
      answered = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 1000\r\n\r\n{');
    });
  });
}

export interface SwallowingProxy {
  /** http://127.0.0.1:PORT: the value for AWS_ENDPOINT_URL_<SERVICE>. */
  readonly url: string;
  /** Requests swallowed so far. */
  swallowed(): number;
  close(): Promise<void>;
}

/**
 * Forwards HTTP requests to `target`, except those `swallow` picks (it sees the headers and the
 * body): those are read and never answered, as by a hung endpoint.
 */
export async function startSwallowingProxy(
  target: string,
  swallow: (request: { headers: IncomingHttpHeaders; body: string }) => boolean,
): Promise<SwallowingProxy> {
  const sockets = new Set<Socket>();
  const upstream = new URL(target);
  let swallowed = 0;
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (swallow({ headers: req.headers, body: body.toString('utf8') })) {
        swallowed++;
        return;
      }
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
  const url = await listen(server, sockets);
  return {
    url,
    swallowed: () => swallowed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

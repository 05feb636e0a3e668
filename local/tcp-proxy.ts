/**
 * A loopback TCP proxy that can be switched off, to take a dependency away from the handlers
 * (an SQS outage, say) while the test harness keeps talking to it directly. It can also model the
 * network: each chunk a client sends reaches the upstream `latencyMs` later (the benchmark's AWS-like
 * latency per call), and a tap sees the bytes clients send (the benchmark counts calls with it).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Off: open connections are cut and new ones are closed at once, like a service that is down. */
  setAvailable(available: boolean): void;
  stop(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Each chunk from a client is passed to the upstream this many ms later, in order per connection. @default 0 */
  readonly latencyMs?: number;
  /** Told of each chunk a client sends, as it arrives; `connection` numbers the client connections from 1. */
  readonly onClientData?: (chunk: Buffer, connection: number) => void;
}

export async function startTcpProxy(target: { host: string; port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const latencyMs = options.latencyMs ?? 0;
  let available = true;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!available) {
      client.destroy();
      return;
    }
    const connection = ++connections;
    // No Nagle delay on either leg: the proxy must add no latency but the modelled one.
    client.setNoDelay(true);
    const upstream = createConnection({ ...target, noDelay: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    if (options.onClientData) {
      const tap = options.onClientData;
      client.on('data', (chunk: Buffer) => tap(chunk, connection));
    }
    if (latencyMs > 0) delayed(client, upstream, latencyMs);
    else client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy did not start on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    setAvailable(value) {
      available = value;
      if (!value) for (const socket of sockets) socket.destroy();
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Passes what `from` sends (and its end) to `to`, each chunk `latencyMs` after it arrived, in arrival order. */
function delayed(from: Socket, to: Socket, latencyMs: number): void {
  // One queue and one timer per connection, rather than a timer per chunk: the order cannot depend on timer ties.
  const queue: Array<{ readonly due: number; readonly chunk: Buffer | 'end' }> = [];
  let timer: NodeJS.Timeout | undefined;
  const deliver = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk === 'end') to.end();
      else to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(deliver, queue[0]!.due - now);
  };
  const enqueue = (chunk: Buffer | 'end') => {
    queue.push({ due: performance.now() + latencyMs, chunk });
    timer ??= setTimeout(deliver, latencyMs);
  };
  from.on('data', (chunk: Buffer) => enqueue(chunk));
  from.on('end', () => enqueue('end'));
  to.on('close', () => {
    clearTimeout(timer);
    queue.length = 0;
  });
}

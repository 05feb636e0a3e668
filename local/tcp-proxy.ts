/**
 * A loopback TCP proxy that can be switched off, to take a dependency away from the handlers
 * (an SQS outage, say) while the test harness keeps talking to it directly.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Off: open connections are cut and new ones are closed at once, like a service that is down. */
  setAvailable(available: boolean): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let available = true;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!available) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
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

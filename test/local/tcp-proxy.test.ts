import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '#local/tcp-proxy.ts';

const servers: Array<{ close(): unknown }> = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
  for (const server of servers.splice(0)) server.close();
});

async function listen<S extends Server | ReturnType<typeof createServer>>(server: S): Promise<{ host: string; port: number }> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

async function proxy(target: { host: string; port: number }, options?: Parameters<typeof startTcpProxy>[1]) {
  const started = await startTcpProxy(target, options);
  proxies.push(started);
  return started;
}

/** Sends the chunks one by one on one connection and collects what comes back until it is as long as what was sent. */
function exchange(url: string, chunks: readonly string[]): Promise<string> {
  const { port } = new URL(url);
  const expected = Buffer.byteLength(chunks.join(''));
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port: Number(port) });
    let received = '';
    socket.on('data', (data: Buffer) => {
      received += data.toString('utf8');
      if (Buffer.byteLength(received) < expected) return;
      socket.destroy();
      resolve(received);
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** A plain HTTP POST through `url`, answered with the body it sent. */
function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const echoHttp = () =>
  createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => res.end(`echo:${body}`));
  });

/** Echoes every byte back. */
const echoTcp = () => createServer((socket) => socket.pipe(socket));

describe('startTcpProxy', () => {
  it('passes a request through and its answer back, on 127.0.0.1', async () => {
    const through = await proxy(await listen(echoHttp()));
    expect(through.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await post(through.url, 'hello')).toEqual({ status: 200, body: 'echo:hello' });
  });

  it('when switched off, cuts connections and refuses new ones until switched on again', async () => {
    const through = await proxy(await listen(echoHttp()));
    through.setAvailable(false);
    await expect(post(through.url, 'down')).rejects.toThrow();
    through.setAvailable(true);
    expect(await post(through.url, 'up')).toEqual({ status: 200, body: 'echo:up' });
  });

  describe('with modelled latency', () => {
    it('still answers, no sooner than the latency', async () => {
      const through = await proxy(await listen(echoHttp()), { latencyMs: 40 });
      const started = performance.now();
      expect(await post(through.url, 'slow')).toEqual({ status: 200, body: 'echo:slow' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    });

    it('keeps the order of the chunks of a connection', async () => {
      const through = await proxy(await listen(echoTcp()), { latencyMs: 5 });
      const chunks = Array.from({ length: 200 }, (_, i) => `<${i}>`);
      expect(await exchange(through.url, chunks)).toBe(chunks.join(''));
    });

    it('is switched off all the same', async () => {
      const through = await proxy(await listen(echoHttp()), { latencyMs: 5 });
      through.setAvailable(false);
      await expect(post(through.url, 'down')).rejects.toThrow();
      through.setAvailable(true);
      expect(await post(through.url, 'up')).toEqual({ status: 200, body: 'echo:up' });
    });
  });

  it('shows the tap every byte a client sends, by connection', async () => {
    const seen = new Map<number, string>();
    const through = await proxy(await listen(echoTcp()), {
      latencyMs: 2,
      onClientData: (chunk, connection) => seen.set(connection, (seen.get(connection) ?? '') + chunk.toString('utf8')),
    });
    await exchange(through.url, ['first ', 'connection']);
    await exchange(through.url, ['second']);
    expect([...seen.entries()]).toEqual([
      [1, 'first connection'],
      [2, 'second'],
    ]);
  });
});

// A loopback webhook receiver for the simulator's webhook tests. It checks the signature on its own
// (node:crypto over the raw bytes: HMAC of the body with the client secret, sha1= or sha256= + Base64) and records what came.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  text: string;
  json: unknown;
  /** 'sha1' or 'sha256' when the signature matched the raw bytes, else undefined. */
  verifiedWith: 'sha1' | 'sha256' | undefined;
  /** What the receiver answered (0 when it never answered). */
  status: number;
  receivedAt: number;
}

/** How to answer one request: a status, optionally after a delay; 'hang' never answers. */
export type Answer = number | { status: number; delayMs?: number } | 'hang';

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Bodies of the requests answered 200/201, parsed. */
  accepted(): unknown[];
  close(): Promise<void>;
}

export function verifySignature(raw: Buffer, header: string | undefined, secret: string): 'sha1' | 'sha256' | undefined {
  const match = /^(sha1|sha256)=([A-Za-z0-9+/]+={0,2})$/.exec(header ?? '');
  if (match === null) return undefined;
  const algorithm = match[1] as 'sha1' | 'sha256';
  const given = Buffer.from(match[2] ?? '', 'base64');
  const expected = createHmac(algorithm, secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? algorithm : undefined;
}

export async function startWebhookReceiver(
  secret: string,
  answer: (request: ReceivedWebhook) => Answer = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const stop = new AbortController();
  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const header = request.headers['x-liveperson-signature'];
      const record: ReceivedWebhook = {
        headers: request.headers,
        raw,
        text,
        json,
        verifiedWith: verifySignature(raw, typeof header === 'string' ? header : undefined, secret),
        status: 0,
        receivedAt: Date.now(),
      };
      received.push(record);
      const decided = answer(record);
      if (decided === 'hang') return;
      const { status, delayMs } = typeof decided === 'number' ? { status: decided, delayMs: 0 } : decided;
      if (delayMs !== undefined && delayMs > 0) await sleep(delayMs, undefined, { signal: stop.signal }).catch(() => undefined);
      if (response.destroyed) return;
      record.status = status;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status < 300 ? 'ok' : 'nope');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    accepted: () => received.filter((request) => request.status === 200 || request.status === 201).map((request) => request.json),
    close: () =>
      new Promise<void>((resolve) => {
        stop.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DeadlineExceededError,
  LivePersonApiError,
  LivePersonNetworkError,
  LivePersonResponseError,
} from '#functions/lib/liveperson/errors.ts';
import { LIVEPERSON_RETRY_POLICY, LivePersonHttpClient, QUICK_RETRY_POLICY, type RetryNotice } from '#functions/lib/liveperson/http.ts';
import { startScriptedServer, type ScriptedServer } from '#test/support/scripted-server.ts';

const okSchema = z.object({ ok: z.boolean() });

/** What Node's fetch throws when it could not connect: a TypeError whose cause carries the system error. */
function connectFailure(code: string, syscall?: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`${syscall ?? ''} ${code}`), { code, syscall }) });
}

/** A fetch that throws `failures` first, then passes calls to the real one. */
function fetchFailingFirst(...failures: Error[]): typeof fetch {
  return (input, init) => {
    const failure = failures.shift();
    return failure ? Promise.reject(failure) : fetch(input, init);
  };
}

/** A server that reads each request, then resets the connection without answering. */
async function startResettingServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((request) => {
    request.resume();
    request.on('end', () => {
      requests++;
      request.socket.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('LivePersonHttpClient', () => {
  let server: ScriptedServer;
  let waits: number[];
  let notices: RetryNotice[];
  let client: LivePersonHttpClient;

  beforeAll(async () => {
    server = await startScriptedServer({ status: 200, body: { ok: true } });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.received.length = 0;
    waits = [];
    notices = [];
    client = new LivePersonHttpClient({
      timeoutMs: 1_000,
      // Record the waits instead of sleeping, so the policy is checked exactly and quickly.
      sleep: async (ms) => void waits.push(ms),
      onRetry: (notice) => notices.push(notice),
    });
  });

  it('returns a validated JSON answer', async () => {
    await expect(client.requestJson({ operation: 'test call', url: `${server.url}/x` }, okSchema)).resolves.toEqual({ ok: true });
    expect(server.received[0]).toMatchObject({ method: 'GET', url: '/x' });
  });

  it('sends JSON and form bodies with their content types', async () => {
    await client.request({ operation: 'json', url: server.url, json: { a: 'é😀' } });
    await client.request({ operation: 'form', url: server.url, form: { client_id: 'a b', client_secret: 'c&d' } });
    expect(server.received[0]).toMatchObject({ method: 'POST', body: '{"a":"é😀"}' });
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
    expect(server.received[1]?.body).toBe('client_id=a+b&client_secret=c%26d');
    expect(server.received[1]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('builds headers afresh for every attempt when given a function', async () => {
    server.script({ status: 503 }, { status: 200, body: { ok: true } });
    let calls = 0;
    await client.request({ operation: 'signed', url: server.url, headers: () => ({ authorization: `attempt-${++calls}` }) });
    expect(server.received.map((r) => r.headers.authorization)).toEqual(['attempt-1', 'attempt-2']);
  });

  it('reuses one kept-alive connection for sequential calls', async () => {
    const before = server.connections();
    for (let i = 0; i < 5; i++) await client.request({ operation: 'keep-alive', url: server.url });
    // Five calls open at most one new connection: the rest ride on kept-alive sockets.
    expect(server.connections() - before).toBeLessThanOrEqual(1);
    expect(new Set(server.received.map((r) => r.connection)).size).toBeLessThan(5);
  });

  it('rejects an answer that breaks the contract with a LivePersonResponseError', async () => {
    server.script({ status: 200, body: { ok: 'yes' } }, { status: 200, body: 'not json' });
    const bad = client.requestJson({ operation: 'contract', url: server.url }, okSchema);
    await expect(bad).rejects.toBeInstanceOf(LivePersonResponseError);
    await expect(bad).rejects.toThrow(/contract: unexpected answer: .*ok/);
    await expect(client.requestJson({ operation: 'contract', url: server.url }, okSchema)).rejects.toThrow('answer is not JSON');
  });

  it('does not retry a 4xx and reads C2M, Connector (object and array) and OAuth error bodies', async () => {
    server.script(
      { status: 400, body: { errorCode: 1001, errorMessage: 'Invalid customerPhoneNumber' } },
      { status: 401, body: { kind: 'resp', code: 401, body: { errorCode: 40102, message: 'expired' } } },
      { status: 401, body: { error: 'invalid_client', error_description: 'bad client' } },
      { status: 404, body: '<html>nope</html>' },
      {
        status: 400,
        body: [
          { code: 'OK', body: {} },
          { code: 400, body: { errorCode: 'CONVERSATION_ALREADY_OPEN', message: 'open already' } },
        ],
      },
    );
    const errors = [];
    for (let i = 0; i < 5; i++) errors.push(await client.request({ operation: 'four', url: server.url }).catch((e: unknown) => e));
    expect(server.received).toHaveLength(5);
    expect(waits).toEqual([]);
    expect(errors.map((e) => e instanceof LivePersonApiError && [e.status, e.code, e.apiMessage, e.retryable])).toEqual([
      [400, '1001', 'Invalid customerPhoneNumber', false],
      [401, '40102', 'expired', false],
      [401, 'invalid_client', 'bad client', false],
      [404, undefined, undefined, false],
      [400, 'CONVERSATION_ALREADY_OPEN', 'open already', false],
    ]);
    expect(String(errors[0])).toContain('four: HTTP 400 (LivePerson error 1001): Invalid customerPhoneNumber');
  });

  it('retries a 5xx three times, 5, 10 and 15 s apart, then gives up', async () => {
    server.script({ status: 503 }, { status: 500 }, { status: 502 }, { status: 504, body: { errorCode: 5000 } });
    const error = await client.request({ operation: 'five', url: server.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivePersonApiError);
    expect(error).toMatchObject({ status: 504, code: '5000', retryable: true });
    expect(server.received).toHaveLength(4);
    expect(waits).toEqual([5_000, 10_000, 15_000]);
    expect(notices.map((n) => [n.retry, n.delayMs])).toEqual([
      [1, 5_000],
      [2, 10_000],
      [3, 15_000],
    ]);
  });

  it('succeeds when a retry does', async () => {
    server.script({ status: 500 }, { status: 200, body: { ok: true } });
    await expect(client.requestJson({ operation: 'flaky', url: server.url }, okSchema)).resolves.toEqual({ ok: true });
    expect(waits).toEqual([5_000]);
  });

  it('waits at least 1 s after a 429, longer when Retry-After says so', async () => {
    server.script({ status: 429 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 200, body: { ok: true } });
    await client.request({ operation: 'limited', url: server.url });
    expect(waits).toEqual([1_000, 7_000]);
  });

  it('follows a per-request retry policy', async () => {
    server.script({ status: 429 }, { status: 429 }, { status: 429 });
    const error = await client
      .request({ operation: 'c2m', url: server.url, retry: { serverErrorDelaysMs: [], rateLimitDelaysMs: [5_000, 10_000] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429 });
    expect(waits).toEqual([5_000, 10_000]);
    expect(server.received).toHaveLength(3);
  });

  it('times an attempt out and retries it like a 5xx', async () => {
    const quick = new LivePersonHttpClient({ timeoutMs: 50, sleep: async (ms) => void waits.push(ms) });
    server.script({ status: 200, delayMs: 400 }, { status: 200, body: { ok: true } });
    await expect(quick.requestJson({ operation: 'slow', url: server.url }, okSchema)).resolves.toEqual({ ok: true });
    expect(waits).toEqual([5_000]);
  });

  it('times out a body that stops half way, after the headers', async () => {
    const stalling = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"ok":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      const quick = new LivePersonHttpClient({ timeoutMs: 100, retry: { serverErrorDelaysMs: [], rateLimitDelaysMs: [] } });
      const url = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}/`;
      const error = await quick.requestJson({ operation: 'stall', url }, okSchema).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LivePersonNetworkError);
      expect(error).toMatchObject({ timedOut: true });
      expect(String(error)).toContain('stall: no answer within 100 ms');
    } finally {
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });

  it('leaves nothing armed once a call is over: its request is never aborted afterwards', async () => {
    const signals: AbortSignal[] = [];
    const recording = new LivePersonHttpClient({
      timeoutMs: 30,
      fetch: (input, init) => {
        if (init?.signal) signals.push(init.signal);
        return fetch(input, init);
      },
    });
    await recording.request({ operation: 'quick', url: server.url });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = await startScriptedServer();
    const url = closed.url;
    await closed.close();
    const noRetry = new LivePersonHttpClient({ retry: { serverErrorDelaysMs: [], rateLimitDelaysMs: [] } });
    const error = await noRetry.request({ operation: 'refused', url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivePersonNetworkError);
    expect(error).toMatchObject({ retryable: true, timedOut: false });
    expect(String(error)).toMatch(/refused: request failed: ECONNREFUSED/);
  });

  describe('a non-idempotent call (idempotent: false)', () => {
    it('is not repeated when its attempt timed out: LivePerson may have applied it', async () => {
      const quick = new LivePersonHttpClient({ timeoutMs: 50, sleep: async (ms) => void waits.push(ms) });
      server.script({ status: 200, delayMs: 400, body: { ok: true } });
      const error = await quick
        .request({ operation: 'publish', url: server.url, json: { m: 1 }, idempotent: false })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LivePersonNetworkError);
      expect(error).toMatchObject({ timedOut: true, neverSent: false, retryable: true });
      expect(String(error)).toContain('publish: no answer within 50 ms (not repeated: it may have reached LivePerson)');
      expect(waits).toEqual([]);
      expect(server.received).toHaveLength(1);
    });

    it('is not repeated after a reset that came once the request was sent; an idempotent call is', async () => {
      const resetting = await startResettingServer();
      try {
        const once = await client
          .request({ operation: 'invite', url: resetting.url, json: {}, idempotent: false })
          .catch((e: unknown) => e);
        expect(once).toBeInstanceOf(LivePersonNetworkError);
        expect(once).toMatchObject({ timedOut: false, neverSent: false });
        expect(resetting.requests()).toBe(1);
        expect(waits).toEqual([]);

        const retried = await client
          .request({ operation: 'lookup', url: resetting.url, retry: { serverErrorDelaysMs: [5_000], rateLimitDelaysMs: [] } })
          .catch((e: unknown) => e);
        expect(retried).toBeInstanceOf(LivePersonNetworkError);
        expect(resetting.requests()).toBe(3);
        expect(waits).toEqual([5_000]);
      } finally {
        await resetting.close();
      }
    });

    it('is repeated, promptly, when the connection was refused: nothing was sent', async () => {
      const closed = await startScriptedServer();
      const url = closed.url;
      await closed.close();
      const error = await client.request({ operation: 'refused', url, json: {}, idempotent: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LivePersonNetworkError);
      expect(error).toMatchObject({ neverSent: true, timedOut: false });
      expect(String(error)).not.toContain('not repeated');
      expect(waits).toEqual(LIVEPERSON_RETRY_POLICY.connectionErrorDelaysMs);
      expect(waits.every((ms) => ms < 5_000)).toBe(true);
    });

    it.each([
      ['a DNS failure', connectFailure('ENOTFOUND', 'getaddrinfo')],
      ['a DNS timeout', connectFailure('EAI_AGAIN', 'getaddrinfo')],
      ['a connect timeout', connectFailure('UND_ERR_CONNECT_TIMEOUT')],
      ['an unreachable network', connectFailure('ENETUNREACH', 'connect')],
      ['a connect that timed out', connectFailure('ETIMEDOUT', 'connect')],
      [
        'every address refusing (IPv6 and IPv4)',
        new TypeError('fetch failed', {
          cause: new AggregateError([connectFailure('ECONNREFUSED', 'connect').cause, connectFailure('ETIMEDOUT', 'connect').cause]),
        }),
      ],
    ])('is repeated after %s, then succeeds', async (_name, failure) => {
      const flaky = new LivePersonHttpClient({ fetch: fetchFailingFirst(failure), sleep: async (ms) => void waits.push(ms) });
      await expect(flaky.requestJson({ operation: 'invite', url: server.url, json: {}, idempotent: false }, okSchema)).resolves.toEqual({
        ok: true,
      });
      expect(waits).toEqual([250]);
      expect(server.received).toHaveLength(1);
    });

    it('is not repeated after a reset of a kept-alive socket (ECONNRESET on read)', async () => {
      const flaky = new LivePersonHttpClient({
        fetch: fetchFailingFirst(connectFailure('ECONNRESET', 'read')),
        sleep: async (ms) => void waits.push(ms),
      });
      const error = await flaky.request({ operation: 'publish', url: server.url, json: {}, idempotent: false }).catch((e: unknown) => e);
      expect(error).toMatchObject({ neverSent: false });
      expect(server.received).toHaveLength(0);
      expect(waits).toEqual([]);
    });

    it("keeps LivePerson's policy for a 5xx and a 429: LivePerson answered, and advises the retry", async () => {
      server.script({ status: 503 }, { status: 429 }, { status: 200, body: { ok: true } });
      await client.request({ operation: 'publish', url: server.url, json: {}, idempotent: false });
      expect(waits).toEqual([5_000, 1_000]);
      expect(server.received).toHaveLength(3);
    });
  });

  it('makes at most one quick retry of each kind under QUICK_RETRY_POLICY', async () => {
    server.script({ status: 503 }, { status: 503 });
    await expect(client.request({ operation: 'queued', url: server.url, retry: QUICK_RETRY_POLICY })).rejects.toMatchObject({
      status: 503,
    });
    server.script({ status: 429 }, { status: 429 });
    await expect(client.request({ operation: 'queued', url: server.url, retry: QUICK_RETRY_POLICY })).rejects.toMatchObject({
      status: 429,
    });
    expect(waits).toEqual([1_000, 1_000]);
    expect(server.received).toHaveLength(4);
  });

  describe('with a deadline', () => {
    it('starts no attempt when the deadline leaves too little time', async () => {
      const error = await client.request({ operation: 'late', url: server.url, deadline: Date.now() + 20 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect(server.received).toHaveLength(0);
    });

    it('starts no wait that cannot finish before the deadline, and keeps the last failure as the cause', async () => {
      server.script({ status: 503, body: { errorCode: 5001 } });
      const error = await client.request({ operation: 'budget', url: server.url, deadline: Date.now() + 2_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as DeadlineExceededError).cause).toMatchObject({ status: 503, code: '5001' });
      expect(String(error)).toContain('no time left to retry after HTTP 503');
      expect(waits).toEqual([]);
      expect(server.received).toHaveLength(1);
    });

    it('makes the retries that fit', async () => {
      server.script({ status: 429 }, { status: 200, body: { ok: true } });
      await client.request({ operation: 'fits', url: server.url, deadline: Date.now() + 3_000 });
      expect(waits).toEqual([1_000]);
    });

    it('cuts an attempt short at the deadline', async () => {
      server.script({ status: 200, delayMs: 1_000 });
      const started = Date.now();
      const error = await client.request({ operation: 'cut', url: server.url, deadline: started + 250 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect((error as DeadlineExceededError).cause).toBeInstanceOf(LivePersonNetworkError);
    });
  });
});

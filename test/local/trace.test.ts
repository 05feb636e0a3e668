/**
 * The local stack's in-process traces (local/trace.ts) against real loopback servers and real clients:
 * node:http calls and AWS SDK calls become AWS spans named by X-Amz-Target and carry the trace in
 * X-Amzn-Trace-Id, the LivePerson client's calls become LivePerson spans, each trace sees only its own
 * calls, stragglers and calls outside an invocation are left out, and nothing of a call's path,
 * headers or body reaches a trace.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createServer, request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LivePersonHttpClient, livePersonCalls } from '#functions/lib/liveperson/http.ts';
import { awsCallName, LocalTraces, newTraceId, renderTrace, traceView, type Span, type Trace } from '#local/trace.ts';
import { startScriptedServer, type ScriptedServer } from '#test/support/scripted-server.ts';

/** A node:http call, resolved with the status once the whole answer is read. */
function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'POST', headers: options.headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/**
 * A server that holds each request until `size` are waiting, then answers them all: concurrent callers'
 * calls are in flight together, without relying on delays.
 */
async function startBarrierServer(size: number) {
  const received: IncomingHttpHeaders[] = [];
  let waiting: ServerResponse[] = [];
  const server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      received.push(incoming.headers);
      waiting.push(response);
      if (waiting.length < size) return;
      for (const held of waiting.splice(0)) held.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      waiting = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The trace a run made, with its (only) invocation. */
function onlyInvocation(trace: Trace): Span {
  expect(trace.root.children).toHaveLength(1);
  const invocation = trace.root.children[0];
  if (invocation === undefined) throw new Error('no invocation');
  return invocation;
}

const names = (spans: readonly Span[]) => spans.map((span) => span.name);

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const noSleep = async () => undefined;

let traces: LocalTraces;
let server: ScriptedServer;

beforeEach(async () => {
  traces = new LocalTraces();
  server = await startScriptedServer({ status: 200, body: {} });
});

afterEach(async () => {
  traces.close();
  await server.close();
});

describe('AWS calls over node:http', () => {
  it('hangs a call under its invocation under its root, named by X-Amz-Target, and sends the trace id along', async () => {
    server.script({ status: 201, body: {} });
    const trace = await traces.trace('POST /webhooks/connector', async (made) => {
      await traces.invocation('webhook-receiver', () => call(server.url, { headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem' } }));
      return made;
    });

    expect(trace.root).toMatchObject({ name: 'POST /webhooks/connector', kind: 'root' });
    const invocation = onlyInvocation(trace);
    expect(invocation).toMatchObject({ name: 'webhook-receiver', kind: 'invocation' });
    expect(invocation.durationMs).toBeDefined();
    expect(invocation.children).toHaveLength(1);
    expect(invocation.children[0]).toMatchObject({ name: 'DynamoDB PutItem', kind: 'aws', status: 201, note: undefined, children: [] });
    expect(invocation.children[0]?.durationMs).toBeDefined();

    expect(server.received).toHaveLength(1);
    const header = server.received[0]?.headers['x-amzn-trace-id'];
    expect(header).toBe(`Root=${trace.id};Sampled=1`);
  });

  it('names a call without X-Amz-Target by its method and host', async () => {
    const trace = await traces.trace('root', async (made) => {
      await traces.invocation('fn', () => call(`${server.url}/anything`, { method: 'GET' }));
      return made;
    });
    const { host } = new URL(server.url);
    expect(names(onlyInvocation(trace).children)).toEqual([`GET ${host}`]);
  });

  it('names the services it knows by their console names, others by the target prefix', () => {
    expect(awsCallName('DynamoDB_20120810.PutItem', 'POST', 'h')).toBe('DynamoDB PutItem');
    expect(awsCallName('AmazonSQS.SendMessage', 'POST', 'h')).toBe('SQS SendMessage');
    expect(awsCallName('AWSEvents.PutEvents', 'POST', 'h')).toBe('EventBridge PutEvents');
    expect(awsCallName('secretsmanager.GetSecretValue', 'POST', 'h')).toBe('SecretsManager GetSecretValue');
    expect(awsCallName('AmazonSSM.GetParameter', 'POST', 'h')).toBe('SSM GetParameter');
    expect(awsCallName('Kinesis_20131202.PutRecord', 'POST', 'h')).toBe('Kinesis_20131202 PutRecord');
    expect(awsCallName(undefined, 'PUT', 'bucket.s3.amazonaws.com')).toBe('PUT bucket.s3.amazonaws.com');
    expect(awsCallName(undefined, 'GET', undefined)).toBe('GET ?');
  });

  it('names a real AWS SDK v3 call by its operation', async () => {
    const dynamo = await startScriptedServer({ status: 200, body: {}, headers: { 'content-type': 'application/x-amz-json-1.0' } });
    const client = new DynamoDBClient({
      endpoint: dynamo.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const trace = await traces.trace('root', async (made) => {
        await traces.invocation('fn', () => client.send(new ListTablesCommand({})));
        return made;
      });
      const invocation = onlyInvocation(trace);
      expect(invocation.children).toHaveLength(1);
      expect(invocation.children[0]).toMatchObject({ name: 'DynamoDB ListTables', kind: 'aws', status: 200 });
      expect(dynamo.received[0]?.headers['x-amz-target']).toBe('DynamoDB_20120810.ListTables');
      expect(dynamo.received[0]?.headers['x-amzn-trace-id']).toBe(`Root=${trace.id};Sampled=1`);
    } finally {
      client.destroy();
      await dynamo.close();
    }
  });
});

describe('which trace a call belongs to', () => {
  it('keeps two concurrent traces apart while their calls are in flight together', async () => {
    const barrier = await startBarrierServer(2);
    const run = (name: string, targets: readonly string[]) =>
      traces.trace(name, async (made) => {
        await traces.invocation(`${name}-fn`, async () => {
          for (const target of targets) await call(barrier.url, { headers: { 'x-amz-target': target } });
        });
        return made;
      });
    try {
      const [a, b] = await Promise.all([
        run('A', ['DynamoDB_20120810.GetItem', 'DynamoDB_20120810.PutItem']),
        run('B', ['AmazonSQS.SendMessage', 'AmazonSQS.DeleteMessage']),
      ]);

      expect(names(onlyInvocation(a).children)).toEqual(['DynamoDB GetItem', 'DynamoDB PutItem']);
      expect(names(onlyInvocation(b).children)).toEqual(['SQS SendMessage', 'SQS DeleteMessage']);
      expect(onlyInvocation(a).name).toBe('A-fn');
      expect(onlyInvocation(b).name).toBe('B-fn');
      // Each call carried its own trace's id, and the two traces' calls were held together in pairs.
      expect(barrier.received).toHaveLength(4);
      for (const headers of barrier.received) {
        const own = String(headers['x-amz-target']).startsWith('DynamoDB_') ? a : b;
        expect(headers['x-amzn-trace-id']).toBe(`Root=${own.id};Sampled=1`);
      }
      const rootsOf = (pair: IncomingHttpHeaders[]) => new Set(pair.map((headers) => headers['x-amzn-trace-id']));
      expect(rootsOf(barrier.received.slice(0, 2)).size).toBe(2);
      expect(rootsOf(barrier.received.slice(2, 4)).size).toBe(2);
    } finally {
      await barrier.close();
    }
  });

  it('records no call made outside any trace, or under a root with no invocation', async () => {
    await call(server.url, { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } });
    await traces.invocation('no-trace', () => call(server.url, { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } }));
    expect(traces.list()).toEqual([]);

    const trace = await traces.trace('root', async (made) => {
      await call(server.url, { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } });
      return made;
    });
    expect(trace.root.children).toEqual([]);

    expect(server.received).toHaveLength(3);
    for (const { headers } of server.received) expect(headers['x-amzn-trace-id']).toBeUndefined();
  });

  it('records no straggler: a call its invocation started a timer for, after the invocation ended', async () => {
    let straggler: Promise<number> | undefined;
    const trace = await traces.trace('root', async (made) => {
      await traces.invocation('fn', async () => {
        // The timer keeps the invocation's context; it fires after the invocation returned.
        straggler = new Promise((resolve, reject) => {
          setTimeout(() => {
            call(server.url, { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } }).then(resolve, reject);
          }, 0);
        });
      });
      return made;
    });
    expect(await straggler).toBe(200);

    const invocation = onlyInvocation(trace);
    expect(invocation.durationMs).toBeDefined();
    expect(invocation.children).toEqual([]);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.headers['x-amzn-trace-id']).toBeUndefined();
  });
});

describe('LivePerson calls', () => {
  it('makes one span per call, retries included, with the last status and the retries in its note', async () => {
    server.script({ status: 503, body: {} }, { status: 200, body: { ok: true } });
    const client = new LivePersonHttpClient({ sleep: noSleep });
    const trace = await traces.trace('root', async (made) => {
      await traces.invocation('fn', () => client.request({ operation: 'C2M eligibility', url: `${server.url}/eligibility` }));
      return made;
    });

    expect(server.received).toHaveLength(2);
    const invocation = onlyInvocation(trace);
    // fetch is not node:http: the call is its LivePerson span alone.
    expect(invocation.children).toHaveLength(1);
    expect(invocation.children[0]).toMatchObject({ name: 'LivePerson C2M eligibility', kind: 'liveperson', status: 200, note: '1 retry' });
    expect(invocation.children[0]?.durationMs).toBeDefined();
  });

  it('notes the error class of a call that failed, with the status LivePerson answered', async () => {
    server.script({ status: 400, body: { errorCode: 'BAD', errorMessage: 'bad request' } });
    const client = new LivePersonHttpClient({ sleep: noSleep });
    let thrown: unknown;
    const trace = await traces.trace('root', async (made) => {
      await traces.invocation('fn', async () => {
        thrown = await client.request({ operation: 'Send message', url: `${server.url}/send` }).catch((error: unknown) => error);
      });
      return made;
    });

    expect(thrown).toMatchObject({ name: 'LivePersonApiError', status: 400 });
    const [only] = onlyInvocation(trace).children;
    expect(only).toMatchObject({ name: 'LivePerson Send message', kind: 'liveperson', status: 400 });
    expect(only?.note).toMatch(/^LivePersonApiError/);
    expect(only?.durationMs).toBeDefined();
  });

  it('records no LivePerson call outside an invocation', async () => {
    const client = new LivePersonHttpClient({ sleep: noSleep });
    const trace = await traces.trace('root', async (made) => {
      await client.request({ operation: 'C2M eligibility', url: `${server.url}/eligibility` });
      return made;
    });
    expect(trace.root.children).toEqual([]);
    expect(server.received).toHaveLength(1);
  });

  it('stops listening to the LivePerson channel when closed', () => {
    expect(livePersonCalls.hasSubscribers).toBe(true);
    traces.close();
    expect(livePersonCalls.hasSubscribers).toBe(false);
  });
});

describe('invocations and roots', () => {
  it('hangs one invocation under several traces, its calls showing under each', async () => {
    const a = await traces.trace('A', async (made) => made);
    const b = await traces.trace('B', async (made) => made);
    await traces.invocation('webhook-processor', () => call(server.url, { headers: { 'x-amz-target': 'AWSEvents.PutEvents' } }), {
      traces: [a, b],
      note: 'queued 3 ms',
    });

    const invocation = onlyInvocation(a);
    expect(onlyInvocation(b)).toBe(invocation);
    expect(invocation).toMatchObject({ name: 'webhook-processor', kind: 'invocation', note: 'queued 3 ms' });
    expect(invocation.durationMs).toBeDefined();
    expect(names(invocation.children)).toEqual(['EventBridge PutEvents']);
    // The call carries one trace id: the first trace's.
    expect(server.received[0]?.headers['x-amzn-trace-id']).toBe(`Root=${a.id};Sampled=1`);
  });

  it('notes the error class of an invocation that threw, and rethrows', async () => {
    const trace = await traces.trace('root', async (made) => {
      await expect(
        traces.invocation('fn', async () => {
          throw new RangeError('out of range');
        }),
      ).rejects.toThrow('out of range');
      return made;
    });
    const invocation = onlyInvocation(trace);
    expect(invocation.note).toBe('RangeError');
    expect(invocation.durationMs).toBeDefined();
  });

  it('rethrows what the root run threw, its name in the root note', async () => {
    class WebhookRejectedError extends Error {
      constructor() {
        super('rejected');
        this.name = 'WebhookRejectedError';
      }
    }
    let made: Trace | undefined;
    let ended: Trace | undefined;
    await expect(
      traces.trace(
        'POST /webhooks/connector',
        async (trace) => {
          made = trace;
          throw new WebhookRejectedError();
        },
        { onEnd: (trace) => (ended = trace) },
      ),
    ).rejects.toBeInstanceOf(WebhookRejectedError);
    expect(made?.root.note).toBe('WebhookRejectedError');
    expect(made?.root.status).toBeUndefined();
    expect(made?.root.durationMs).toBeDefined();
    expect(ended).toBe(made);
  });

  it('sets the root status from the result, and tells onEnd once the root has its duration', async () => {
    const seenAtEnd: Array<{ durationMs: number | undefined; status: number | undefined }> = [];
    const result = await traces.trace('POST /c2m', async () => ({ statusCode: 202 }), {
      status: (answer) => answer.statusCode,
      onEnd: (trace) => seenAtEnd.push({ durationMs: trace.root.durationMs, status: trace.root.status }),
    });
    expect(result).toEqual({ statusCode: 202 });
    expect(seenAtEnd).toHaveLength(1);
    expect(seenAtEnd[0]?.durationMs).toBeTypeOf('number');
    expect(seenAtEnd[0]?.status).toBe(202);
    expect(traces.list().at(-1)?.root.status).toBe(202);
  });
});

describe('the traces kept', () => {
  it('drops the oldest beyond keep, finds by id, and makes X-Ray-style ids', async () => {
    const kept = new LocalTraces({ keep: 2 });
    try {
      const made: Trace[] = [];
      for (const name of ['first', 'second', 'third']) made.push(await kept.trace(name, async (trace) => trace));
      const [first, second, third] = made;
      expect(kept.list()).toEqual([second, third]);
      expect(kept.get(first?.id ?? '')).toBeUndefined();
      expect(kept.get(third?.id ?? '')).toBe(third);
      for (const trace of made) expect(trace.id).toMatch(TRACE_ID);
      expect(new Set(made.map((trace) => trace.id)).size).toBe(3);
    } finally {
      kept.close();
    }
  });

  it('puts the epoch seconds in the id, as X-Ray does', () => {
    const id = newTraceId(Date.UTC(2026, 11, 2, 13, 40) + 999);
    expect(id).toMatch(TRACE_ID);
    expect(id.split('-')[1]).toBe(Math.floor(Date.UTC(2026, 11, 2, 13, 40) / 1000).toString(16));
  });
});

describe('renderTrace and traceView', () => {
  const step = (name: string, kind: Span['kind'], start: number, fields: Partial<Span> = {}): Span => ({
    name,
    kind,
    start,
    durationMs: undefined,
    status: undefined,
    note: undefined,
    children: [],
    ...fields,
  });

  it('draws the tree with its offsets, durations, statuses and notes', () => {
    const trace: Trace = {
      id: '1-6a2d1a00-0123456789abcdef01234567',
      startedAt: '2026-12-02T13:40:00.000Z',
      root: step('POST /webhooks/connector', 'root', 1000, {
        durationMs: 12.34,
        status: 200,
        children: [
          step('webhook-receiver', 'invocation', 1000.5, {
            durationMs: 11.6,
            children: [step('SQS SendMessage', 'aws', 1001.5, { durationMs: 9.8, status: 200 })],
          }),
          step('webhook-processor', 'invocation', 1014, { note: 'queued 2 ms' }),
        ],
      }),
    };
    expect(renderTrace(trace)).toEqual([
      'trace 1-6a2d1a00-0123456789abcdef01234567  2026-12-02T13:40:00.000Z',
      'POST /webhooks/connector  200     +0.0 ms    12.3 ms',
      '├─ webhook-receiver               +0.5 ms    11.6 ms',
      '│  └─ SQS SendMessage     200     +1.5 ms     9.8 ms',
      '└─ webhook-processor             +14.0 ms    running  queued 2 ms',
    ]);
  });

  it('draws a real trace: a root with two invocations, the first with a call', async () => {
    const trace = await traces.trace(
      'POST /webhooks/connector',
      async (made) => {
        await traces.invocation('webhook-receiver', () => call(server.url, { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } }));
        await traces
          .invocation('webhook-processor', async () => {
            throw new TypeError('bad body');
          })
          .catch(() => undefined);
        return made;
      },
      { status: () => 200 },
    );

    const lines = renderTrace(trace);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`trace ${trace.id}  ${trace.startedAt}`);
    expect(lines[1]).toMatch(/^POST \/webhooks\/connector\s+200\s+\+0\.0 ms\s+\d+\.\d ms$/);
    expect(lines[2]).toMatch(/^├─ webhook-receiver\s+\+\d+\.\d ms\s+\d+\.\d ms$/);
    expect(lines[3]).toMatch(/^│ {2}└─ SQS SendMessage\s+200\s+\+\d+\.\d ms\s+\d+\.\d ms$/);
    expect(lines[4]).toMatch(/^└─ webhook-processor\s+\+\d+\.\d ms\s+\d+\.\d ms {2}TypeError$/);

    const view = traceView(trace);
    expect(view.root.startMs).toBe(0);
    const starts = (node: typeof view.root): number[] => node.children.flatMap((child) => [child.startMs, ...starts(child)]);
    expect(starts(view.root)).toHaveLength(3);
    for (const startMs of starts(view.root)) expect(startMs).toBeGreaterThanOrEqual(0);
  });
});

describe('privacy', () => {
  it('keeps no path, query, header or body of a call', async () => {
    const secrets = { headers: { authorization: 'Bearer xyz', 'content-type': 'application/json' }, body: '{"to":"+12065550100"}' };
    const client = new LivePersonHttpClient({ sleep: noSleep });
    const trace = await traces.trace('POST /webhooks/connector', async (made) => {
      await traces.invocation('fn', async () => {
        await call(`${server.url}/secret-path?token=abc`, {
          ...secrets,
          headers: { ...secrets.headers, 'x-amz-target': 'AmazonSQS.SendMessage' },
        });
        await call(`${server.url}/secret-path?token=abc`, secrets);
        await client.request({
          operation: 'Send SMS',
          url: `${server.url}/secret-path?token=abc`,
          headers: { authorization: 'Bearer xyz' },
          json: { to: '+12065550100' },
        });
      });
      return made;
    });

    // The calls did carry them, and the trace has their three spans.
    expect(
      server.received.map((received) => [received.url, received.headers.authorization, received.body.includes('+12065550100')]),
    ).toEqual(Array(3).fill(['/secret-path?token=abc', 'Bearer xyz', true]));
    expect(onlyInvocation(trace).children).toHaveLength(3);

    const json = JSON.stringify(traceView(trace));
    for (const secret of ['secret-path', 'token=abc', 'Bearer', 'xyz', '+12065550100', '12065550100']) expect(json).not.toContain(secret);
    for (const line of renderTrace(trace)) expect(line).not.toMatch(/secret-path|token=abc|Bearer|xyz|12065550100/);
  });
});

/**
 * The web console's server side against a running local stack: the live timeline over server-sent
 * events, a webhook's flow as the page sees it (masked, traced, published), the page's actions
 * (replay, faults, dead-letter redrive, clear), the conversations view, and the refusal of requests
 * from other origins or naming another host.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#local/console/timeline.ts';
import { startLocalStack, type LocalStack } from '#local/stack.ts';
import type { SpanView, TraceView } from '#local/trace.ts';
import { SIMULATOR_DEFAULTS } from '#simulator/index.ts';

const CONSOLE_FOLDER = path.join(import.meta.dirname, '../../local/console');

interface Frame {
  readonly event: string;
  readonly data: unknown;
}

/** GET /console/stream read as it comes: each SSE frame parsed, waited for by predicate. */
class EventStream {
  readonly frames: Frame[] = [];
  readonly #abort: AbortController;
  #wake: () => void = () => undefined;
  #ended: Error | undefined;
  readonly status: number;
  readonly contentType: string | null;

  private constructor(response: Response, abort: AbortController) {
    this.#abort = abort;
    this.status = response.status;
    this.contentType = response.headers.get('content-type');
    void this.#read(response);
  }

  static async open(url: string): Promise<EventStream> {
    const abort = new AbortController();
    const response = await fetch(`${url}/console/stream`, { signal: abort.signal });
    return new EventStream(response, abort);
  }

  async #read(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      if (!response.body) throw new Error('the stream has no body');
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue; // a keep-alive comment
            if (line.startsWith('event:')) event = line.slice('event:'.length).trim();
            else if (line.startsWith('data:')) data.push(line.slice('data:'.length).trimStart());
          }
          if (data.length > 0) this.frames.push({ event, data: JSON.parse(data.join('\n')) as unknown });
        }
        this.#wake();
      }
      this.#ended = new Error('the event stream ended');
    } catch (error) {
      this.#ended = error instanceof Error ? error : new Error(String(error));
    }
    this.#wake();
  }

  /** The first frame from `from` on that `match` accepts; fails after `timeoutMs` or when the stream ends. */
  async next(what: string, match: (frame: Frame) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    const until = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.frames.slice(options.from ?? 0).find(match);
      if (found) return found;
      if (this.#ended) throw new Error(`${what}: the stream ended first (${this.#ended.message})`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`${what}: not seen on the stream within ${options.timeoutMs ?? 10_000} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.#abort.abort();
  }
}

/** Polls until `probe` answers something other than undefined; fails saying what it waited for. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function spans(span: SpanView): SpanView[] {
  return [span, ...span.children.flatMap(spans)];
}

function traceOf(item: TimelineItem | undefined): TraceView | undefined {
  return item?.details.trace as TraceView | undefined;
}

describe('local web console (server side)', () => {
  let stack: LocalStack;
  let call: <T = unknown>(method: 'GET' | 'POST', route: string, body?: unknown) => Promise<{ status: number; body: T }>;
  const items = async () => (await call<TimelineItem[]>('GET', '/console/items')).body;
  /** Plain node:http, which sends the Host and Origin headers it is given. */
  const raw = (route: string, headers: Record<string, string>, method = 'GET') =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const request = httpRequest(`${stack.urls.control}${route}`, { method, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });

  // Shared by the steps below, in order: the invited call, the consumer's conversation, its webhook.
  let callId = '';
  let conversationId = '';
  let webhook: TimelineItem | undefined;

  beforeAll(async () => {
    // The 503 step's retry and failure are WARNs of the C2M handler, expected here.
    stack = await startLocalStack({ handlerLogLevel: 'ERROR' });
    call = async <T = unknown>(method: 'GET' | 'POST', route: string, body?: unknown) => {
      const response = await fetch(`${stack.urls.control}${route}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    };
  });
  afterAll(() => stack.stop());

  it('streams a C2M call as it happens: an item with its trace, the LivePerson calls in it', async () => {
    // Opened on an empty timeline: the headers come at once, not with a first item or keep-alive.
    expect(stack.timeline.items()).toEqual([]);
    const stream = await EventStream.open(stack.urls.control);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      const from = stream.frames.length;
      const { status, body: output } = await call<Record<string, string>>('POST', '/connect/c2m', {
        phoneNumber: '+12065550100',
        parameters: { action: 'deflect' },
      });
      expect(status).toBe(200);
      expect(output).toMatchObject({ result: 'INVITED', callId: expect.any(String) });
      callId = output.callId ?? '';

      const isC2m = (candidate: Frame) => candidate.event === 'item' && (candidate.data as TimelineItem).kind === 'c2m';
      const frame = await stream.next('the c2m item', isC2m, { from });
      const item = frame.data as TimelineItem;
      expect(item).toMatchObject({
        lane: 'c2m',
        status: 'ok',
        title: 'deflect ***0100 → INVITED',
        details: { action: 'deflect', phoneNumber: '***0100', parameters: { action: 'deflect' }, output },
      });
      const trace = traceOf(item);
      expect(trace?.id).toBe(item.traceId);
      expect(trace?.root.name).toBe('Amazon Connect deflect');
      const names = spans(trace?.root as SpanView).map((span) => span.name);
      expect(names).toEqual(expect.arrayContaining(['c2m-invite', 'LivePerson C2M eligibility', 'LivePerson C2M invite']));
      expect(JSON.stringify(item)).not.toContain('+1206');
    } finally {
      stream.close();
    }
  });

  it("shows the consumer's webhooks masked, each traced into the processor, and what they published", async () => {
    const reply = await call<{ conversationId: string }>('POST', '/simulator/consumer-reply', { callId, text: 'Yes, text me please' });
    expect(reply.status).toBe(200);
    conversationId = reply.body.conversationId;

    webhook = await waitFor('a processed webhook of the conversation', async () =>
      (await items()).find(
        (item) =>
          item.kind === 'webhook' &&
          item.conversationId === conversationId &&
          traceOf(item)?.root.children.some((step) => step.name === 'event-processor'),
      ),
    );
    expect(webhook).toMatchObject({
      lane: 'webhook',
      status: 'ok',
      title: 'POST /webhooks/connector → 200',
      traceId: traceOf(webhook)?.id,
      details: { resource: '/webhooks/connector', path: '/webhooks/connector', answer: { status: 200 } },
    });
    const headers = webhook.details.headers as Record<string, string>;
    // The simulator sends the header names in lower case, and the stand-in passes them on as sent.
    expect(headers['x-liveperson-signature']).toBe('sha1=****');
    expect(headers['x-liveperson-account-id']).toBe(stack.accountId);
    expect(traceOf(webhook)?.root.children.map((step) => step.name)).toEqual(
      expect.arrayContaining(['webhook-receiver', 'event-processor']),
    );

    const published = await waitFor('an event published by that webhook', async () =>
      (await items()).find((item) => item.kind === 'published' && item.traceId === webhook?.traceId),
    );
    expect(published).toMatchObject({ lane: 'eventbridge', status: 'ok', conversationId, details: { schemaProblems: [] } });
    expect(published.details.trace).toBeUndefined();

    // The body is kept exactly for a replay, and the page gets it parsed; the signature only masked.
    const original = stack.timeline.original(webhook.id);
    expect(original?.resource).toBe('/webhooks/connector');
    expect(webhook.details.body).toEqual(JSON.parse(original?.body ?? 'null'));
    const signature = createHmac('sha1', SIMULATOR_DEFAULTS.clientSecret)
      .update(original?.body ?? '')
      .digest('base64');
    const everything = JSON.stringify(await items());
    for (const secret of [signature, SIMULATOR_DEFAULTS.clientSecret, SIMULATOR_DEFAULTS.webhookToken])
      expect(everything).not.toContain(secret);
  });

  it('replays a webhook: signed afresh, delivered again, both shown', async () => {
    const id = webhook?.id ?? '';
    const replayed = await call<{ delivery: { state: string; status?: number } }>('POST', '/console/webhooks/replay', { id });
    expect(replayed).toEqual({ status: 200, body: { delivery: { state: 'delivered', status: 200 } } });
    const after = await waitFor('the replay and the webhook it delivered', async () => {
      const all = await items();
      const replay = all.find((item) => item.kind === 'replay' && (item.details as { of?: string }).of === id);
      const again = all.find(
        (item) =>
          item.kind === 'webhook' &&
          item.seq > (webhook?.seq ?? 0) &&
          stack.timeline.original(item.id)?.body === stack.timeline.original(id)?.body,
      );
      return replay && again ? { replay, again } : undefined;
    });
    expect(after.replay).toMatchObject({
      lane: 'control',
      status: 'ok',
      conversationId,
      details: { of: id, delivery: { state: 'delivered', status: 200 } },
    });
    expect(after.again).toMatchObject({ status: 'ok', conversationId, details: { headers: { 'x-liveperson-signature': 'sha1=****' } } });

    const unknown = await call<{ error: string }>('POST', '/console/webhooks/replay', { id: 'i-999999' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no webhook i-999999 in the timeline/);
    const notWebhook = await call<{ error: string }>('POST', '/console/webhooks/replay', { id: after.replay.id });
    expect(notWebhook.status).toBe(404);
    const missing = await call<{ error: string }>('POST', '/console/webhooks/replay', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/id/);
  });

  it('applies each fault the page offers, says what it did, and records it', async () => {
    const faults = ['sqs-down', 'sqs-up', 'liveperson-5xx', 'liveperson-429', 'liveperson-slow', 'clear'] as const;
    try {
      for (const fault of faults) {
        const answer = await call<{ fault: string; description: string }>('POST', '/console/faults', { fault });
        expect(answer.status, fault).toBe(200);
        expect(answer.body).toEqual({ fault, description: expect.stringMatching(/\w/) });
        const recorded = (await items()).filter((item) => item.kind === 'fault' && (item.details as { fault?: string }).fault === fault);
        expect(recorded.at(-1), fault).toMatchObject({
          lane: 'control',
          title: `fault: ${answer.body.description}`,
          status: fault === 'sqs-up' || fault === 'clear' ? 'ok' : 'warn',
          details: { fault, description: answer.body.description },
        });
      }
    } finally {
      await call('POST', '/console/faults', { fault: 'clear' });
    }
    const unknown = await call<{ error: string }>('POST', '/console/faults', { fault: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/sqs-down, sqs-up, liveperson-5xx/);
  });

  it('with LivePerson answering 503, a C2M call retries within its budget, then answers ERROR, the retry in its trace', async () => {
    let output: Record<string, string>;
    try {
      expect((await call('POST', '/console/faults', { fault: 'liveperson-5xx' })).status).toBe(200);
      const answer = await call<Record<string, string>>('POST', '/connect/c2m', {
        phoneNumber: '+12065550101',
        parameters: { action: 'eligibility' },
      });
      expect(answer.status).toBe(200);
      output = answer.body;
    } finally {
      await call('POST', '/console/faults', { fault: 'clear' });
    }
    // C2M's 5xx policy waits 5 s before its first retry: it fits the handler's 6 s, the second (10 s) does not.
    expect(output).toMatchObject({
      result: 'ERROR',
      errorCode: 'TIMEOUT',
      errorMessage: expect.stringMatching(/no time left to retry after HTTP 503/),
    });
    const item = (await items()).findLast((candidate) => candidate.kind === 'c2m');
    expect(item).toMatchObject({ status: 'error', title: expect.stringMatching(/^eligibility \*\*\*0101 → ERROR/), details: { output } });
    const eligibility = spans(traceOf(item)?.root as SpanView).find((span) => span.name === 'LivePerson C2M eligibility');
    expect(eligibility).toMatchObject({ kind: 'liveperson', status: 503, note: expect.stringMatching(/1 retry/) });
  });

  it('lists a dead letter with its reason and parsed body, and redrives it to its queue', async () => {
    const body = stack.timeline.original(webhook?.id ?? '')?.body ?? '';
    expect(body).not.toBe('');
    const sent = await stack.sqs.client.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.eventsDeadLetter,
        MessageBody: body,
        MessageGroupId: conversationId,
        MessageDeduplicationId: `console-test-${Date.now()}`,
        MessageAttributes: {
          route: { DataType: 'String', StringValue: 'connector' },
          deadLetterReason: { DataType: 'String', StringValue: 'test reason' },
        },
      }),
    );
    type DeadLetters = {
      queues: Array<{
        queue: string;
        url: string;
        messages: Array<{ messageId: string; groupId?: string; reason: string; body: unknown; attributes: Record<string, string> }>;
      }>;
    };
    const listed = await call<DeadLetters>('GET', '/console/dead-letters');
    expect(listed.status).toBe(200);
    expect(listed.body.queues.map((queue) => [queue.queue, queue.url])).toEqual([
      ['events', stack.queues.eventsDeadLetter],
      ['outbound', stack.queues.outboundDeadLetter],
    ]);
    const events = listed.body.queues.find((queue) => queue.queue === 'events');
    expect(events?.messages).toEqual([
      expect.objectContaining({
        messageId: sent.MessageId,
        groupId: conversationId,
        reason: 'test reason',
        body: JSON.parse(body) as unknown,
        attributes: { route: 'connector', deadLetterReason: 'test reason' },
      }),
    ]);

    const redriven = await call('POST', '/console/dead-letters/redrive', { queue: 'events' });
    expect(redriven).toEqual({ status: 200, body: { queue: 'events', moved: 1 } });
    const after = await call<DeadLetters>('GET', '/console/dead-letters');
    expect(after.body.queues.find((queue) => queue.queue === 'events')?.messages).toEqual([]);
    expect((await items()).findLast((item) => item.kind === 'dead-letter')).toMatchObject({
      lane: 'queue',
      status: 'ok',
      details: { queue: 'events', moved: 1 },
    });

    const bad = await call<{ error: string }>('POST', '/console/dead-letters/redrive', { queue: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/events or outbound/);
  });

  it("lists the consumer's conversation as LivePerson holds it, with the processor's state", async () => {
    type Conversation = { conversationId: string; state?: string; processor?: Record<string, unknown> };
    const conversation = await waitFor('the conversation with its processor state', async () =>
      (await call<Conversation[]>('GET', '/console/conversations')).body.find(
        (candidate) => candidate.conversationId === conversationId && candidate.processor !== undefined,
      ),
    );
    expect(conversation).toMatchObject({ state: 'OPEN', processor: expect.objectContaining({ conversationId }) });
    expect(typeof conversation.processor).toBe('object');
  });

  it('refuses requests from pages of other origins and naming other hosts, and serves its page locked down', async () => {
    const foreign = await raw('/console/items', { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((JSON.parse(foreign.body) as { error: string }).error).toContain('http://evil.example');
    // Refused before anything is done.
    const before = (await items()).length;
    expect((await raw('/console/clear', { origin: 'http://evil.example' }, 'POST')).status).toBe(403);
    expect((await items()).length).toBeGreaterThanOrEqual(before);

    const port = new URL(stack.urls.control).port;
    const rebound = await raw('/console/items', { host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect((JSON.parse(rebound.body) as { error: string }).error).toContain('evil.example');
    expect((await raw('/health', { host: 'evil.example' })).status).toBe(403);

    for (const origin of [stack.urls.control, `http://localhost:${port}`]) {
      const own = await raw('/console/items', { origin });
      expect(own.status, origin).toBe(200);
      expect(Array.isArray(JSON.parse(own.body))).toBe(true);
    }

    // The page's files are another author's and may not exist yet: their headers are checked when they do.
    for (const [route, file, type] of [
      ['/', 'index.html', 'text/html'],
      ['/console/app.js', 'app.js', 'text/javascript'],
      ['/console/app.css', 'app.css', 'text/css'],
    ] as const) {
      if (!existsSync(path.join(CONSOLE_FOLDER, file))) continue;
      const served = await raw(route, {});
      expect(served.status, route).toBe(200);
      expect(served.headers['content-type'], route).toContain(type);
      expect(served.headers['content-security-policy'], route).toContain("default-src 'none'");
      expect(served.headers['x-content-type-options'], route).toBe('nosniff');
    }
  });

  it('clears the timeline: the stream is told to reset and nothing is kept', async () => {
    const stream = await EventStream.open(stack.urls.control);
    try {
      // On connect the backlog comes first, oldest first.
      const first = await stream.next('the backlog', (frame) => frame.event === 'item');
      expect((first.data as TimelineItem).seq).toBe((await items())[0]?.seq);
      // What the earlier steps set going (the redriven record, the replay's processing) ends first.
      let last = -1;
      await waitFor('a quiet timeline', async () => {
        const count = (await items()).length;
        const quiet = count === last;
        last = count;
        if (!quiet) await new Promise((resolve) => setTimeout(resolve, 300));
        return quiet ? true : undefined;
      });

      const from = stream.frames.length;
      expect(await call('POST', '/console/clear')).toEqual({ status: 200, body: {} });
      const reset = await stream.next('the reset', (frame) => frame.event === 'reset', { from });
      expect(reset.data).toEqual({});
      expect(await items()).toEqual([]);
      expect(stack.timeline.original(webhook?.id ?? '')).toBeUndefined();
    } finally {
      stream.close();
    }
  });
});

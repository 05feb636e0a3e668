/**
 * The console's timeline on its own: each event of the local stack as the item the page shows,
 * traces joining their items (before or after them), and what it keeps (2000 items, webhook bodies).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCounts } from '#functions/lib/ivr/funnel.ts';
import { conversationIdIn, Timeline, TIMELINE_ITEMS_KEPT, type TimelineItem } from '#local/console/timeline.ts';
import type { LocalStackEvent } from '#local/stack.ts';
import { LocalTraces, type Trace, type TraceView } from '#local/trace.ts';

/** A finished trace with one invocation under its root, as the stack makes them. */
async function finishedTrace(traces: LocalTraces, name: string): Promise<Trace> {
  let made: Trace | undefined;
  await traces.trace(name, async (trace) => {
    made = trace;
    await traces.invocation('c2m-invite', async () => undefined);
  });
  if (!made) throw new Error('no trace was made');
  expect(traces.list()).toContain(made);
  return made;
}

const WEBHOOK_BODY =
  '{"kind":"notification","body":{"changes":[{"result":{"convId":"conv-1","effectiveTtr":-1}}]},"type":"cqm.ExConversationChangeNotification"}';

function webhook(overrides: Partial<Extract<LocalStackEvent, { kind: 'webhook' }>> = {}): LocalStackEvent {
  return {
    kind: 'webhook',
    resource: '/webhooks/connector',
    path: '/webhooks/connector',
    status: 200,
    durationMs: 12.5,
    headers: { 'content-type': 'application/json', 'x-liveperson-signature': 'sha1=****' },
    body: WEBHOOK_BODY,
    answer: '{"accepted":true}',
    ...overrides,
  };
}

describe('console timeline', () => {
  let timeline: Timeline;
  let traces: LocalTraces;
  let emitted: TimelineItem[];
  beforeEach(() => {
    timeline = new Timeline();
    traces = new LocalTraces();
    emitted = [];
    timeline.onItem((item) => emitted.push(item));
  });
  afterEach(() => traces.close());

  it('records a webhook with its headers, parsed body and answer, its conversation and trace id', () => {
    timeline.record(webhook({ traceId: '1-abc-def' }));
    const [item] = timeline.items();
    expect(item).toMatchObject({
      id: 'i-1',
      seq: 1,
      kind: 'webhook',
      lane: 'webhook',
      title: 'POST /webhooks/connector → 200',
      status: 'ok',
      conversationId: 'conv-1',
      traceId: '1-abc-def',
      durationMs: 12.5,
      details: {
        resource: '/webhooks/connector',
        path: '/webhooks/connector',
        headers: { 'content-type': 'application/json', 'x-liveperson-signature': 'sha1=****' },
        body: JSON.parse(WEBHOOK_BODY) as unknown,
        answer: { status: 200, body: { accepted: true } },
        durationMs: 12.5,
      },
    });
    expect(Date.parse(item?.time ?? '')).not.toBeNaN();
    expect(emitted).toEqual([item]);
  });

  it('records a refused webhook as an error, and a body that is not JSON as text', () => {
    timeline.record(webhook({ status: 401, body: 'not json', answer: '' }));
    const [item] = timeline.items();
    expect(item).toMatchObject({
      status: 'error',
      title: 'POST /webhooks/connector → 401',
      details: { body: 'not json', answer: { status: 401, body: '' } },
    });
    expect(item?.conversationId).toBeUndefined();
    expect(item?.traceId).toBeUndefined();
  });

  it('keeps the exact body of a webhook for a replay, whatever its parsed form', () => {
    const body = '{ "b": 1,\n  "a": "é"  }';
    timeline.record(webhook({ resource: '/webhooks/messaging/{token}', path: '/webhooks/messaging/****', body }));
    const [item] = timeline.items();
    expect(timeline.original(item?.id ?? '')).toEqual({ resource: '/webhooks/messaging/{token}', body });
    expect(timeline.original('i-999')).toBeUndefined();
  });

  it('records batches of either queue, failed ones as warnings', () => {
    timeline.record({ kind: 'batch', queue: 'events', records: 3, failed: 0 });
    timeline.record({ kind: 'batch', queue: 'outbound', records: 2, failed: 1 });
    timeline.record({ kind: 'batch', queue: 'events', records: 1, failed: 0, error: 'simulated crash' });
    expect(timeline.items().map(({ lane, title, status, details }) => ({ lane, title, status, details }))).toEqual([
      { lane: 'processor', title: 'event-processor: 3 record(s)', status: 'ok', details: { queue: 'events', records: 3, failed: 0 } },
      {
        lane: 'connector',
        title: 'connector-send: 2 record(s), 1 failed (retried)',
        status: 'warn',
        details: { queue: 'outbound', records: 2, failed: 1 },
      },
      {
        lane: 'processor',
        title: 'event-processor: 1 record(s): simulated crash',
        status: 'warn',
        details: { queue: 'events', records: 1, failed: 0, error: 'simulated crash' },
      },
    ]);
  });

  it('records a published event, as an error when it does not match its schema', () => {
    const event = {
      eventId: 'eb-1',
      eventBusName: 'liveperson-123',
      source: 'liveperson',
      detailType: 'ContentEvent',
      detail: { conversationId: 'conv-2', eventId: 'ev-9', message: 'hi' },
      time: '2026-01-02T03:04:05.000Z',
      traceId: '1-abc-def',
    };
    timeline.record({ kind: 'published', event });
    timeline.record({ kind: 'published', event, schemaProblems: ['/message must be string'] });
    const [valid, invalid] = timeline.items();
    expect(valid).toMatchObject({
      kind: 'published',
      lane: 'eventbridge',
      title: 'ContentEvent',
      status: 'ok',
      conversationId: 'conv-2',
      traceId: '1-abc-def',
      time: '2026-01-02T03:04:05.000Z',
      details: {
        detailType: 'ContentEvent',
        source: 'liveperson',
        eventBusName: 'liveperson-123',
        eventId: 'ev-9',
        detail: event.detail,
        schemaProblems: [],
      },
    });
    expect(invalid).toMatchObject({
      title: 'ContentEvent (does not match its schema)',
      status: 'error',
      details: { schemaProblems: ['/message must be string'] },
    });
  });

  it('records a C2M call with the phone number masked to its last four digits', () => {
    timeline.record({
      kind: 'c2m',
      phoneNumber: '+12065550123',
      action: 'deflect',
      parameters: { action: 'deflect' },
      output: { result: 'INVITED', callId: 'call-1' },
    });
    timeline.record({
      kind: 'c2m',
      phoneNumber: '+12065550124',
      action: 'eligibility',
      output: { result: 'ERROR', errorCode: 'LP_UNAVAILABLE' },
    });
    timeline.record({ kind: 'c2m', phoneNumber: '+12065550125', action: 'eligibility', output: { result: 'NOT_ELIGIBLE' } });
    const [invited, failed, notEligible] = timeline.items();
    expect(invited).toMatchObject({
      kind: 'c2m',
      lane: 'c2m',
      title: 'deflect ***0123 → INVITED',
      status: 'ok',
      details: {
        action: 'deflect',
        phoneNumber: '***0123',
        parameters: { action: 'deflect' },
        output: { result: 'INVITED', callId: 'call-1' },
      },
    });
    expect(failed).toMatchObject({ title: 'eligibility ***0124 → ERROR LP_UNAVAILABLE', status: 'error', details: { parameters: {} } });
    expect(notEligible).toMatchObject({ status: 'warn' });
    expect(JSON.stringify(timeline.items())).not.toContain('+1206');
  });

  it('records a connector command, its failure with the error code', () => {
    timeline.record({
      kind: 'connector',
      command: { type: 'sendText', consumerId: 'app-1', text: 'hello' },
      result: { ok: true, conversationId: 'conv-3' },
      traceId: '1-conn',
    });
    timeline.record({ kind: 'connector', command: { type: 'sendText' }, result: { ok: false, error: { code: 'CONVERSATION_CLOSED' } } });
    timeline.record({ kind: 'connector', command: null, result: { ok: false, error: {} } });
    const [ok, failed, bare] = timeline.items();
    expect(ok).toMatchObject({
      kind: 'connector',
      lane: 'connector',
      title: 'sendText for app-1 → ok',
      status: 'ok',
      conversationId: 'conv-3',
      traceId: '1-conn',
      details: { command: { type: 'sendText', consumerId: 'app-1', text: 'hello' }, result: { ok: true, conversationId: 'conv-3' } },
    });
    expect(failed).toMatchObject({ title: 'sendText → failed CONVERSATION_CLOSED', status: 'error' });
    expect(bare).toMatchObject({ title: 'command → failed', status: 'error' });
  });

  it('records a funnel run with its totals', () => {
    const totals = { ...emptyCounts(), attempted: 2, sent: 2, delivered: 1, conversationCreated: 1 };
    timeline.record({ kind: 'funnel', summary: { status: 'counted', totals } });
    timeline.record({ kind: 'funnel', summary: { status: 'nothing-due' } });
    expect(timeline.items().map(({ kind, lane, title, status }) => ({ kind, lane, title, status }))).toEqual([
      { kind: 'funnel', lane: 'funnel', title: 'funnel run: counted, 2 attempted, 1 delivered, 1 conversation(s)', status: 'ok' },
      { kind: 'funnel', lane: 'funnel', title: 'funnel run: nothing-due', status: 'ok' },
    ]);
    expect(timeline.items()[0]?.details).toEqual({ summary: { status: 'counted', totals } });
  });

  it("joins a trace to its item's details and sends the item again with the same id", async () => {
    const trace = await finishedTrace(traces, 'POST /webhooks/connector');
    timeline.record(webhook({ traceId: trace.id }));
    // A published event of the same webhook shares the trace id but never gets the trace.
    timeline.record({
      kind: 'published',
      event: {
        eventId: 'e',
        eventBusName: 'b',
        source: 'liveperson',
        detailType: 'ContentEvent',
        detail: {},
        time: new Date().toISOString(),
        traceId: trace.id,
      },
    });
    const [item, published] = timeline.items();
    timeline.record({ kind: 'trace', trace });

    expect(emitted.map((sent) => sent.id)).toEqual([item?.id, published?.id, item?.id]);
    const updated = emitted.at(-1);
    const view = updated?.details.trace as TraceView;
    expect(view).toMatchObject({ id: trace.id, startedAt: trace.startedAt, root: { name: 'POST /webhooks/connector', kind: 'root' } });
    expect(view.root.children.map((child) => child.name)).toEqual(['c2m-invite']);
    expect(updated).toMatchObject({ ...item, details: { ...item?.details, trace: view } });
    expect(timeline.get(item?.id ?? '')).toEqual(updated);
    expect(timeline.items()).toEqual([updated, published]);
    expect(timeline.get(published?.id ?? '')?.details.trace).toBeUndefined();
  });

  it('keeps a trace that comes before its item and attaches it when the item is added', async () => {
    const trace = await finishedTrace(traces, 'Amazon Connect deflect');
    timeline.record({ kind: 'trace', trace });
    expect(timeline.items()).toEqual([]);
    expect(emitted).toEqual([]);

    timeline.record({ kind: 'c2m', phoneNumber: '+12065550100', action: 'deflect', output: { result: 'INVITED' }, traceId: trace.id });
    const [item] = timeline.items();
    expect(item?.details.trace).toMatchObject({ id: trace.id, root: { name: 'Amazon Connect deflect' } });
    expect(emitted).toEqual([item]);

    // Taken once: a later item of the same id gets nothing.
    timeline.record({ kind: 'c2m', phoneNumber: '+12065550100', action: 'deflect', output: { result: 'INVITED' }, traceId: trace.id });
    expect(timeline.items()[1]?.details.trace).toBeUndefined();
  });

  it('finds the conversation id as conversationId, convId or dialogId, nested in objects and arrays', () => {
    expect(conversationIdIn({ conversationId: 'a' })).toBe('a');
    expect(conversationIdIn({ body: { changes: [{ result: { convId: 'b' } }] } })).toBe('b');
    expect(conversationIdIn([{ other: 1 }, { event: { dialogId: 'c' } }])).toBe('c');
    expect(conversationIdIn({ conversationId: '', nested: { convId: 'd' } })).toBe('d');
    expect(conversationIdIn({ conversationId: 42 })).toBeUndefined();
    expect(conversationIdIn('conversationId')).toBeUndefined();
    expect(conversationIdIn(null)).toBeUndefined();
    // Six levels below the body are read; what lies deeper is not.
    expect(conversationIdIn({ a: { b: { c: { d: { e: { f: { convId: 'deep' } } } } } } })).toBe('deep');
    expect(conversationIdIn({ a: { b: { c: { d: { e: { f: { g: { convId: 'too deep' } } } } } } } })).toBeUndefined();
  });

  it(`keeps the last ${TIMELINE_ITEMS_KEPT} items: the oldest goes, with the body kept for its replay`, () => {
    timeline.record(webhook());
    const [first] = timeline.items();
    for (let i = 0; i < TIMELINE_ITEMS_KEPT - 1; i++) timeline.record({ kind: 'batch', queue: 'events', records: 1, failed: 0 });
    expect(timeline.items()).toHaveLength(TIMELINE_ITEMS_KEPT);
    expect(timeline.original(first?.id ?? '')).toBeDefined();

    timeline.record({ kind: 'batch', queue: 'events', records: 1, failed: 0 });
    const items = timeline.items();
    expect(items).toHaveLength(TIMELINE_ITEMS_KEPT);
    expect(items[0]?.seq).toBe(2);
    expect(items.at(-1)?.seq).toBe(TIMELINE_ITEMS_KEPT + 1);
    expect(timeline.get(first?.id ?? '')).toBeUndefined();
    expect(timeline.original(first?.id ?? '')).toBeUndefined();
  });

  it('clears: tells its listeners to reset and keeps nothing', async () => {
    const resets: number[] = [];
    timeline.onReset(() => resets.push(timeline.items().length));
    timeline.record(webhook({ traceId: 'pending-for-nothing' }));
    const [item] = timeline.items();
    // A trace still waiting for its item goes too.
    const trace = await finishedTrace(traces, 'connector command');
    timeline.record({ kind: 'trace', trace });

    timeline.clear();
    expect(resets).toEqual([0]);
    expect(timeline.items()).toEqual([]);
    expect(timeline.get(item?.id ?? '')).toBeUndefined();
    expect(timeline.original(item?.id ?? '')).toBeUndefined();
    timeline.record({ kind: 'connector', command: { type: 'sendText' }, result: { ok: true }, traceId: trace.id });
    expect(timeline.items()[0]?.details.trace).toBeUndefined();
    // Ids keep counting: the page never confuses an item from before the clear with a new one.
    expect(timeline.items()[0]?.seq).toBeGreaterThan(item?.seq ?? 0);
  });

  it('stops telling a listener that unsubscribed', () => {
    const seen: string[] = [];
    const off = timeline.onItem((item) => seen.push(item.id));
    timeline.record({ kind: 'batch', queue: 'events', records: 1, failed: 0 });
    off();
    timeline.record({ kind: 'batch', queue: 'events', records: 1, failed: 0 });
    expect(seen).toEqual(['i-1']);
  });
});

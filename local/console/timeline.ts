/**
 * The console's timeline: every event of the local stack (a webhook and its answer, a processor
 * batch, a published event, a C2M call, a connector command, a funnel run) and every console action
 * (a fault, a redrive, a replay) as one item with its details, kept for the page and pushed to it as
 * it happens. A trace joins the item it belongs to when it completes (a webhook's once the processor
 * handled its body), so an item is sent again with the same id.
 */
import { EventEmitter } from 'node:events';
import { maskPhoneNumber } from '#functions/lib/log-mask.ts';
import type { LocalStackEvent } from '../stack.ts';
import { traceView, type TraceView } from '../trace.ts';

export type TimelineLane = 'webhook' | 'queue' | 'processor' | 'eventbridge' | 'c2m' | 'connector' | 'funnel' | 'control';
export type TimelineKind = 'webhook' | 'batch' | 'published' | 'c2m' | 'connector' | 'funnel' | 'fault' | 'dead-letter' | 'replay';

export interface TimelineItem {
  readonly id: string;
  readonly seq: number;
  readonly time: string;
  readonly kind: TimelineKind;
  readonly lane: TimelineLane;
  readonly title: string;
  readonly status: 'ok' | 'warn' | 'error';
  readonly conversationId?: string;
  readonly traceId?: string;
  readonly durationMs?: number;
  readonly details: Readonly<Record<string, unknown>>;
}

export type NewTimelineItem = Omit<TimelineItem, 'id' | 'seq' | 'time'> & { readonly time?: string };

/** What the console keeps of a webhook to replay it: its route and exact body (never shown masked). */
export interface WebhookOriginal {
  readonly resource: string;
  readonly body: string;
}

export const TIMELINE_ITEMS_KEPT = 2000;

function parsed(text: string | undefined): unknown {
  if (text === undefined || text === '') return text ?? '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The first conversation id anywhere in a LivePerson body (conversationId, convId, dialogId), a few levels deep. */
export function conversationIdIn(value: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const entry of value) {
      const found = conversationIdIn(entry, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of ['conversationId', 'convId', 'dialogId']) {
    const candidate = record[key];
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  for (const entry of Object.values(record)) {
    const found = conversationIdIn(entry, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export class Timeline {
  readonly #items: TimelineItem[] = [];
  readonly #byId = new Map<string, TimelineItem>();
  readonly #originals = new Map<string, WebhookOriginal>();
  /** Traces that completed before their item was made (a C2M call's ends just before its answer is emitted). */
  readonly #pendingTraces = new Map<string, TraceView>();
  readonly #events = new EventEmitter<{ item: [TimelineItem]; reset: [] }>();
  #seq = 0;

  /** Every item kept, oldest first. */
  items(): readonly TimelineItem[] {
    return [...this.#items];
  }

  get(id: string): TimelineItem | undefined {
    return this.#byId.get(id);
  }

  original(id: string): WebhookOriginal | undefined {
    return this.#originals.get(id);
  }

  onItem(listener: (item: TimelineItem) => void): () => void {
    this.#events.on('item', listener);
    return () => this.#events.off('item', listener);
  }

  onReset(listener: () => void): () => void {
    this.#events.on('reset', listener);
    return () => this.#events.off('reset', listener);
  }

  clear(): void {
    this.#items.length = 0;
    this.#byId.clear();
    this.#originals.clear();
    this.#pendingTraces.clear();
    this.#events.emit('reset');
  }

  add(item: NewTimelineItem): TimelineItem {
    const seq = ++this.#seq;
    let full: TimelineItem = { ...item, id: `i-${seq}`, seq, time: item.time ?? new Date().toISOString() };
    const trace = full.traceId === undefined ? undefined : this.#pendingTraces.get(full.traceId);
    if (trace && full.traceId !== undefined && full.kind !== 'published') {
      this.#pendingTraces.delete(full.traceId);
      full = { ...full, details: { ...full.details, trace } };
    }
    this.#items.push(full);
    this.#byId.set(full.id, full);
    if (this.#items.length > TIMELINE_ITEMS_KEPT) {
      const dropped = this.#items.shift();
      if (dropped) {
        this.#byId.delete(dropped.id);
        this.#originals.delete(dropped.id);
      }
    }
    this.#events.emit('item', full);
    return full;
  }

  update(id: string, change: (item: TimelineItem) => TimelineItem): void {
    const item = this.#byId.get(id);
    if (!item) return;
    const next = change(item);
    this.#byId.set(id, next);
    const index = this.#items.indexOf(item);
    if (index >= 0) this.#items[index] = next;
    this.#events.emit('item', next);
  }

  /** Takes one event of the local stack. */
  record(event: LocalStackEvent): void {
    switch (event.kind) {
      case 'webhook': {
        const body = parsed(event.body);
        const item = this.add({
          kind: 'webhook',
          lane: 'webhook',
          title: `POST ${event.path ?? event.resource} → ${event.status}`,
          status: event.status >= 200 && event.status < 300 ? 'ok' : 'error',
          ...optional('conversationId', conversationIdIn(body)),
          ...optional('traceId', event.traceId),
          durationMs: event.durationMs,
          details: {
            resource: event.resource,
            path: event.path ?? event.resource,
            headers: event.headers ?? {},
            body,
            answer: { status: event.status, body: parsed(event.answer) },
            durationMs: event.durationMs,
          },
        });
        if (event.body !== undefined) this.#originals.set(item.id, { resource: event.resource, body: event.body });
        return;
      }
      case 'batch': {
        const processor = event.queue === 'events';
        const failed = event.failed > 0 || event.error !== undefined;
        this.add({
          kind: 'batch',
          lane: processor ? 'processor' : 'connector',
          title: `${processor ? 'event-processor' : 'connector-send'}: ${event.records} record(s)${event.failed > 0 ? `, ${event.failed} failed (retried)` : ''}${event.error ? `: ${event.error}` : ''}`,
          status: failed ? 'warn' : 'ok',
          details: { queue: event.queue, records: event.records, failed: event.failed, ...optional('error', event.error) },
        });
        return;
      }
      case 'published': {
        const detail = event.event.detail as { conversationId?: unknown; eventId?: unknown };
        const problems = event.schemaProblems ?? [];
        this.add({
          kind: 'published',
          lane: 'eventbridge',
          title: `${event.event.detailType}${problems.length > 0 ? ' (does not match its schema)' : ''}`,
          status: problems.length > 0 ? 'error' : 'ok',
          ...optional('conversationId', typeof detail.conversationId === 'string' ? detail.conversationId : undefined),
          ...optional('traceId', event.event.traceId),
          time: event.event.time,
          details: {
            detailType: event.event.detailType,
            source: event.event.source,
            eventBusName: event.event.eventBusName,
            eventId: typeof detail.eventId === 'string' ? detail.eventId : undefined,
            detail: event.event.detail,
            schemaProblems: problems,
          },
        });
        return;
      }
      case 'c2m': {
        const result = event.output.result ?? 'none';
        this.add({
          kind: 'c2m',
          lane: 'c2m',
          title: `${event.action} ${maskPhoneNumber(event.phoneNumber) ?? ''} → ${result}${event.output.errorCode ? ` ${event.output.errorCode}` : ''}`,
          status: result === 'ERROR' ? 'error' : result === 'NOT_ELIGIBLE' ? 'warn' : 'ok',
          ...optional('traceId', event.traceId),
          details: {
            action: event.action,
            phoneNumber: maskPhoneNumber(event.phoneNumber),
            parameters: event.parameters ?? {},
            output: event.output,
          },
        });
        return;
      }
      case 'connector': {
        const command = event.command as { type?: unknown; consumerId?: unknown } | null;
        const result = event.result as { ok?: unknown; error?: { code?: unknown } } | null;
        const failed = result !== null && typeof result === 'object' && result.ok === false;
        const code = failed && typeof result.error?.code === 'string' ? ` ${result.error.code}` : '';
        this.add({
          kind: 'connector',
          lane: 'connector',
          title: `${typeof command?.type === 'string' ? command.type : 'command'}${typeof command?.consumerId === 'string' ? ` for ${command.consumerId}` : ''} → ${failed ? `failed${code}` : 'ok'}`,
          status: failed ? 'error' : 'ok',
          ...optional('conversationId', conversationIdIn(event.result)),
          ...optional('traceId', event.traceId),
          details: { command: event.command, result: event.result },
        });
        return;
      }
      case 'funnel': {
        const { summary } = event;
        const totals = summary.totals;
        this.add({
          kind: 'funnel',
          lane: 'funnel',
          title: `funnel run: ${summary.status}${totals ? `, ${totals.attempted} attempted, ${totals.delivered} delivered, ${totals.conversationCreated} conversation(s)` : ''}`,
          status: 'ok',
          details: { summary },
        });
        return;
      }
      case 'trace': {
        const view = traceView(event.trace);
        const owner = [...this.#items].reverse().find((item) => item.traceId === view.id && item.kind !== 'published');
        if (owner) this.update(owner.id, (item) => ({ ...item, details: { ...item.details, trace: view } }));
        else {
          this.#pendingTraces.set(view.id, view);
          if (this.#pendingTraces.size > 100) this.#pendingTraces.delete(this.#pendingTraces.keys().next().value as string);
        }
        return;
      }
    }
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

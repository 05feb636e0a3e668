import { beforeEach, describe, expect, it } from 'vitest';
import { SchemaViolation, type LivePersonEvent } from '#functions/lib/liveperson/events.ts';
import {
  EventInProgressError,
  type BusEntry,
  type ClaimResult,
  type ConversationStateStore,
  type EventLedger,
  type StateUpdateResult,
} from '#functions/lib/processing/ports.ts';
import { processNotification, type QueuedNotification } from '#functions/lib/processing/process-notification.ts';
import { EventHandlerRegistry, publishToEventBridge } from '#functions/lib/processing/registry.ts';
import { chatStateNotification, contentNotification, conversationNotification, conversationUpdate } from '#test/support/notifications.ts';

class FakeLedger implements EventLedger {
  readonly status = new Map<string, 'in-progress' | 'done'>();
  readonly claims: string[] = [];
  async claim(identity: string): Promise<ClaimResult> {
    this.claims.push(identity);
    const current = this.status.get(identity);
    if (current === 'done') return 'already-done';
    if (current === 'in-progress') throw new EventInProgressError(identity);
    this.status.set(identity, 'in-progress');
    return 'claimed';
  }
  async complete(identity: string) {
    this.status.set(identity, 'done');
  }
  async release(identity: string) {
    this.status.delete(identity);
  }
}

describe('processNotification', () => {
  let ledger: FakeLedger;
  let published: BusEntry[][];
  let publishFails: boolean;
  let stateResult: StateUpdateResult;
  let seen: string[];
  let registry: EventHandlerRegistry;

  let applied: string[];
  const state: ConversationStateStore = {
    apply: async (event) => {
      applied.push(`${event.conversationId}:${event.state}:${event.lastUpdateTs}`);
      return stateResult;
    },
    get: async () => undefined,
  };
  const publisher = {
    publish: async (entries: readonly BusEntry[]) => {
      if (publishFails) throw new Error('EventBridge down');
      published.push([...entries]);
    },
  };
  const NOW = Date.parse('2026-11-23T10:00:00.000Z');
  const run = (body: unknown, observer = {}, route: 'connector' | 'messaging' = 'connector') =>
    processNotification({ body: JSON.stringify(body), route, receivedAt: '2026-11-23T10:00:00.000Z' } satisfies QueuedNotification, {
      accountId: '12345678',
      ledger,
      state,
      registry,
      publisher,
      remainingTimeMs: () => 30_000,
      observer,
      now: () => NOW,
    });

  beforeEach(() => {
    ledger = new FakeLedger();
    published = [];
    publishFails = false;
    stateResult = 'applied';
    applied = [];
    seen = [];
    registry = new EventHandlerRegistry()
      .on('*', (event) => void seen.push(event.identity ?? `${event.type}:no-identity`))
      .on('*', publishToEventBridge);
  });

  it('hands every change to the handlers in order and publishes them in one batch', async () => {
    const body = contentNotification('conv-a', 'one', 1);
    body.body.changes.push({ ...contentNotification('conv-a', 'two', 2).body.changes[0]! });
    const result = await run(body);
    expect(seen).toEqual(['ContentEvent:conv-a:1', 'ContentEvent:conv-a:2']);
    expect(published).toHaveLength(1);
    expect(published[0]?.map((e) => [e.source, e.detailType])).toEqual([
      ['liveperson', 'ContentEvent'],
      ['liveperson', 'ContentEvent'],
    ]);
    expect(published[0]?.[0]?.detail).toMatchObject({
      accountId: '12345678',
      conversationId: 'conv-a',
      message: 'one',
      receivedAt: '2026-11-23T10:00:00.000Z',
    });
    expect(published[0]?.[0]?.detail).not.toHaveProperty('identity');
    // The bus is at-least-once: subscribers drop repeats by eventId.
    expect(published[0]?.map((e) => (e.detail as { eventId?: string }).eventId)).toEqual([
      'ContentEvent:conv-a:1',
      'ContentEvent:conv-a:2',
    ]);
    expect(result.handled).toHaveLength(2);
    expect([...ledger.status.values()]).toEqual(['done', 'done']);
  });

  it('skips events already handled', async () => {
    const duplicates: LivePersonEvent[] = [];
    await run(contentNotification('conv-a', 'one', 1));
    const result = await run(contentNotification('conv-a', 'one', 1), { duplicate: (e: LivePersonEvent) => duplicates.push(e) });
    expect(result.duplicates).toHaveLength(1);
    expect(duplicates).toHaveLength(1);
    expect(seen).toEqual(['ContentEvent:conv-a:1']);
    expect(published).toHaveLength(1);
  });

  it('releases every claim when a handler fails, so the retry handles the whole notification', async () => {
    registry.on('ContentEvent', (event) => {
      if (event.sequence === 2) throw new Error('CRM down');
    });
    const body = contentNotification('conv-a', 'one', 1);
    body.body.changes.push({ ...contentNotification('conv-a', 'two', 2).body.changes[0]! });
    await expect(run(body)).rejects.toThrow('CRM down');
    expect(published).toEqual([]);
    expect(ledger.status.size).toBe(0);
  });

  it('releases every claim when publishing fails', async () => {
    publishFails = true;
    await expect(run(contentNotification('conv-a'))).rejects.toThrow('EventBridge down');
    expect(ledger.status.size).toBe(0);
    publishFails = false;
    await run(contentNotification('conv-a'));
    expect(published).toHaveLength(1);
  });

  it('reports an event another invocation holds, and leaves its claim alone', async () => {
    ledger.status.set('ContentEvent:conv-a:1', 'in-progress');
    await expect(run(contentNotification('conv-a'))).rejects.toBeInstanceOf(EventInProgressError);
    expect(ledger.status.get('ContentEvent:conv-a:1')).toBe('in-progress');
  });

  it('updates the conversation state before the handlers', async () => {
    const order: string[] = [];
    const tracked: ConversationStateStore = { apply: async () => (order.push('state'), 'applied'), get: async () => undefined };
    registry.on('ExConversationChangeNotification', () => void order.push('handler'));
    await processNotification(
      { body: JSON.stringify(conversationNotification('conv-s', 'CLOSE')), route: 'connector', receivedAt: undefined },
      { accountId: '12345678', ledger, state: tracked, registry, publisher, remainingTimeMs: () => 30_000 },
    );
    expect(order).toEqual(['state', 'handler']);
    expect(published[0]?.[0]?.detailType).toBe('ExConversationChangeNotification');
  });

  // Behaviour change: a stale update used to be dispatched and published anyway, so subscribers saw the state go back.
  it('tells of an update older than the stored state, marks it done and neither dispatches nor publishes it', async () => {
    const stale: LivePersonEvent[] = [];
    stateResult = 'stale';
    const result = await run(conversationNotification('conv-s', 'CLOSE'), { staleState: (e: LivePersonEvent) => stale.push(e) });
    expect(stale.map((e) => e.conversationId)).toEqual(['conv-s']);
    expect(result).toMatchObject({ handled: [], stale: [expect.objectContaining({ conversationId: 'conv-s' })] });
    expect(seen).toEqual([]);
    expect(published).toEqual([]);
    expect([...ledger.status.values()]).toEqual(['done']);
  });

  it('handles every chat state without sequence or timestamp, repeats included, claiming nothing and giving no eventId', async () => {
    const duplicates: LivePersonEvent[] = [];
    const observer = { duplicate: (e: LivePersonEvent) => duplicates.push(e) };
    await run(chatStateNotification('conv-t', 'COMPOSING'), observer);
    await run(chatStateNotification('conv-t', 'ACTIVE'), observer);
    await run(chatStateNotification('conv-t', 'COMPOSING'), observer);
    expect(published.map((batch) => (batch[0]?.detail as { chatState?: string }).chatState)).toEqual(['COMPOSING', 'ACTIVE', 'COMPOSING']);
    expect(published[0]?.[0]?.detail).not.toHaveProperty('eventId');
    expect(duplicates).toEqual([]);
    expect(ledger.claims).toEqual([]);
  });

  it('counts a change repeated within one notification as a duplicate, claimed once, instead of waiting on its own claim', async () => {
    const duplicates: LivePersonEvent[] = [];
    const body = contentNotification('conv-r', 'twice', 4);
    body.body.changes.push({ ...body.body.changes[0]! });
    const result = await run(body, { duplicate: (e: LivePersonEvent) => duplicates.push(e) });
    expect(result.handled).toHaveLength(1);
    expect(result.duplicates).toHaveLength(1);
    expect(duplicates).toHaveLength(1);
    expect(ledger.claims).toEqual(['ContentEvent:conv-r:4']);
    expect(ledger.status.get('ContentEvent:conv-r:4')).toBe('done');
    expect(published[0]).toHaveLength(1);
  });

  it('lets a schema violation through untouched, claiming nothing', async () => {
    await expect(
      run({
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: { changes: [{ dialogId: 'c', sequence: -1, event: { type: 'ContentEvent', message: 'x' } }] },
      }),
    ).rejects.toBeInstanceOf(SchemaViolation);
    expect(ledger.status.size).toBe(0);
  });

  describe('the unsigned messaging route cannot pass for the signed one', () => {
    it('keeps a Connector-shaped body raw: its own event type, its own identity, no state change', async () => {
      const forgedClose = conversationUpdate('conv-m', 'CLOSE', NOW + 365 * 24 * 3_600_000);
      const result = await run(forgedClose, {}, 'messaging');
      expect(result.handled.map((event) => event.type)).toEqual(['MessagingSubscriptionEvent']);
      expect(result.handled[0]?.identity).toMatch(/^MessagingSubscriptionEvent:[0-9a-f]{64}$/);
      expect(applied).toEqual([]);
      expect(published[0]?.[0]).toMatchObject({
        detailType: 'MessagingSubscriptionEvent',
        detail: { route: 'messaging', conversationId: 'conv-m' },
      });
    });

    it('cannot suppress the genuine signed event by sending its dialog and sequence first', async () => {
      const forged = contentNotification('conv-m', 'send me your password', 7);
      forged.body.changes[0]!.originatorMetadata = { id: 'agent-1', role: 'ASSIGNED_AGENT' };
      await run(forged, {}, 'messaging');
      const genuine = await run(contentNotification('conv-m', 'hello', 7));
      expect(genuine.duplicates).toEqual([]);
      expect(genuine.handled.map((event) => event.identity)).toEqual(['ContentEvent:conv-m:7']);
      expect(published.map((batch) => [batch[0]?.detailType, (batch[0]?.detail as { route: string }).route])).toEqual([
        ['MessagingSubscriptionEvent', 'messaging'],
        ['ContentEvent', 'connector'],
      ]);
    });
  });

  describe('round trips', () => {
    /** Claims wait until the test lets them go: what was asked before any answer came is what runs at once. */
    class GatedLedger extends FakeLedger {
      readonly #gates: Array<() => void> = [];
      override async claim(identity: string): Promise<ClaimResult> {
        await new Promise<void>((resolve) => this.#gates.push(resolve));
        return super.claim(identity);
      }
      /** Claims asked and not answered yet. */
      get waiting() {
        return this.#gates.length;
      }
      open() {
        for (const gate of this.#gates.splice(0)) gate();
      }
    }
    const threeChanges = () => {
      const body = contentNotification('conv-a', 'one', 1);
      for (const sequence of [2, 3])
        body.body.changes.push({ ...contentNotification('conv-a', `m${sequence}`, sequence).body.changes[0]! });
      return body;
    };

    it('claims every event of a notification at once, and stores the state alongside, before any claim answers', async () => {
      const gated = new GatedLedger();
      ledger = gated;
      const pending = run(threeChanges());
      await new Promise((resolve) => setImmediate(resolve));
      // All three asked, none answered: one round trip, not three.
      expect(gated.waiting).toBe(3);
      gated.open();
      await pending;
      expect(gated.claims).toEqual(['ContentEvent:conv-a:1', 'ContentEvent:conv-a:2', 'ContentEvent:conv-a:3']);
      expect(seen).toEqual(gated.claims);
      expect([...gated.status.values()]).toEqual(['done', 'done', 'done']);

      const update = new GatedLedger();
      ledger = update;
      const stateFirst = run(conversationUpdate('conv-s', 'CLOSE', NOW));
      await new Promise((resolve) => setImmediate(resolve));
      expect(update.waiting).toBe(1);
      expect(applied).toEqual([`conv-s:CLOSE:${NOW}`]); // stored while its claim is still out
      update.open();
      await stateFirst;
      expect(seen).toHaveLength(4);
    });

    it('when one claim fails, releases the others, reports the duplicates before it and handles nothing', async () => {
      ledger.status.set('ContentEvent:conv-a:1', 'done');
      ledger.status.set('ContentEvent:conv-a:2', 'in-progress');
      const duplicates: LivePersonEvent[] = [];
      await expect(run(threeChanges(), { duplicate: (e: LivePersonEvent) => duplicates.push(e) })).rejects.toBeInstanceOf(
        EventInProgressError,
      );
      expect(duplicates.map((e) => e.identity)).toEqual(['ContentEvent:conv-a:1']);
      // The third was claimed in the same round, and let go again for the retry.
      expect(ledger.claims).toContain('ContentEvent:conv-a:3');
      expect(ledger.status.has('ContentEvent:conv-a:3')).toBe(false);
      expect(ledger.status.get('ContentEvent:conv-a:2')).toBe('in-progress');
      expect(seen).toEqual([]);
      expect(published).toEqual([]);
    });

    it('releases the claims and throws when storing the state fails', async () => {
      const failing: ConversationStateStore = { apply: async () => Promise.reject(new Error('DynamoDB down')), get: async () => undefined };
      await expect(
        processNotification(
          { body: JSON.stringify(conversationUpdate('conv-s', 'OPEN', NOW)), route: 'connector', receivedAt: undefined },
          { accountId: '12345678', ledger, state: failing, registry, publisher, remainingTimeMs: () => 30_000 },
        ),
      ).rejects.toThrow('DynamoDB down');
      expect(ledger.claims).toHaveLength(1);
      expect(ledger.status.size).toBe(0);
      expect(seen).toEqual([]);
    });

    it('stores a repeated update again (same state: no change) but hands it to nobody', async () => {
      const update = conversationUpdate('conv-s', 'CLOSE', NOW);
      await run(update);
      const again = await run(update);
      expect(again).toMatchObject({ handled: [], duplicates: [expect.objectContaining({ conversationId: 'conv-s' })] });
      expect(applied).toEqual([`conv-s:CLOSE:${NOW}`, `conv-s:CLOSE:${NOW}`]);
      expect(seen).toHaveLength(1);
      expect(published).toHaveLength(1);
    });

    it('stores several updates of one notification one after another, in its order', async () => {
      const body = conversationUpdate('conv-s', 'OPEN', NOW - 2);
      body.body.changes.push(structuredClone(conversationUpdate('conv-s', 'CLOSE', NOW - 1).body.changes[0]!));
      let storing = 0;
      const order: string[] = [];
      const tracked: ConversationStateStore = {
        apply: async (event) => {
          expect(storing).toBe(0); // never two at once
          storing++;
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`${event.state}:${event.lastUpdateTs}`);
          storing--;
          return 'applied';
        },
        get: async () => undefined,
      };
      await processNotification(
        { body: JSON.stringify(body), route: 'connector', receivedAt: undefined },
        { accountId: '12345678', ledger, state: tracked, registry, publisher, remainingTimeMs: () => 30_000, now: () => NOW },
      );
      expect(order).toEqual([`OPEN:${NOW - 2}`, `CLOSE:${NOW - 1}`]);
    });
  });

  it('does not order by a timestamp further in the future than the clock skew allows', async () => {
    await run(conversationUpdate('conv-f', 'CLOSE', NOW + 24 * 3_600_000));
    await run(conversationUpdate('conv-f', 'OPEN', NOW + 60_000));
    // The first is handled (LivePerson signed it) but not stored: stored, it would make every later update stale.
    expect(applied).toEqual([`conv-f:OPEN:${NOW + 60_000}`]);
    expect(seen).toHaveLength(2);
  });
});

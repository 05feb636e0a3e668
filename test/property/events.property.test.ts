/** Property-based tests of the event schemas: any input is typed events or a SchemaViolation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNotification, SchemaViolation } from '#functions/lib/liveperson/events.ts';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const messagingEvent = fc.oneof(
  fc.record({ type: fc.constant('ContentEvent'), message: text, contentType: fc.constant('text/plain') }),
  fc.record({ type: fc.constant('RichContentEvent'), content: fc.dictionary(fc.string(), fc.jsonValue()) }),
  fc.record({ type: fc.constant('AcceptStatusEvent'), status: fc.constantFrom('ACCEPT', 'READ'), sequenceList: fc.array(fc.nat()) }),
  fc.record({ type: fc.constant('ChatStateEvent'), chatState: fc.constantFrom('COMPOSING', 'ACTIVE', 'GONE') }),
);
const messagingChange = fc.record(
  {
    sequence: fc.nat(),
    originatorId: fc.uuid(),
    serverTimestamp: fc.nat(),
    event: messagingEvent,
    conversationId: fc.uuid(),
    dialogId: fc.uuid(),
  },
  { requiredKeys: ['event', 'conversationId'] },
);
const messagingNotification = fc.record({
  kind: fc.constant('notification'),
  type: fc.constant('ms.MessagingEventNotification'),
  body: fc.record({ changes: fc.array(messagingChange, { minLength: 1, maxLength: 5 }) }),
});

describe('event schema properties', () => {
  it('splits every valid messaging notification into one typed event per change', () => {
    fc.assert(
      fc.property(messagingNotification, (notification) => {
        const events = parseNotification(JSON.stringify(notification), 'connector');
        expect(events).toHaveLength(notification.body.changes.length);
        events.forEach((event, i) => {
          const source = notification.body.changes[i];
          expect(event.type).toBe(source?.event.type);
          expect(event.conversationId).toBe(source?.conversationId);
          // Only a change with neither sequence nor server timestamp goes without identity (never deduplicated).
          if (source?.sequence === undefined && source?.serverTimestamp === undefined) expect(event.identity).toBeUndefined();
          else expect(event.identity?.startsWith(`${event.type}:`)).toBe(true);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same change the same identity, and changes with different sequences different ones', () => {
    fc.assert(
      fc.property(messagingChange, fc.nat(), fc.nat(), (change, a, b) => {
        fc.pre(a !== b);
        const identity = (sequence: number) =>
          parseNotification(
            JSON.stringify({ kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [{ ...change, sequence }] } }),
            'connector',
          )[0]?.identity;
        expect(identity(a)).toBe(identity(a));
        expect(identity(a)).not.toBe(identity(b));
      }),
      { numRuns: 500 },
    );
  });

  it('answers anything else with typed events or a SchemaViolation, nothing else', () => {
    const anything = fc.oneof(
      fc.string(),
      fc.json(),
      messagingNotification.chain((n) => fc.jsonValue().map((junk) => JSON.stringify({ ...n, body: { changes: [junk] } }))),
      messagingNotification.map((n) => JSON.stringify({ ...n, type: 'cqm.ExConversationChangeNotification' })),
    );
    fc.assert(
      fc.property(anything, fc.constantFrom('connector' as const, 'messaging' as const), (body, route) => {
        try {
          const events = parseNotification(body, route);
          expect(Array.isArray(events)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(SchemaViolation);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

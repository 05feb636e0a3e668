import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '#functions/lib/errors.ts';
import { LivePersonApiError } from '#functions/lib/liveperson/errors.ts';
import { SchemaViolation } from '#functions/lib/liveperson/events.ts';
import {
  EntryTooLargeError,
  EventInProgressError,
  type BusEntry,
  type DeadLetterRecord,
  type EventLedger,
  type QueuedMessage,
} from '#functions/lib/processing/ports.ts';
import { failureReason, handleQueuedNotification, type QueuedNotificationObserver } from '#functions/lib/processing/queued-notification.ts';
import { EventHandlerRegistry, publishToEventBridge } from '#functions/lib/processing/registry.ts';
import { contentNotification } from '#test/support/notifications.ts';

const ledger: EventLedger = { claim: async () => 'claimed', complete: async () => undefined, release: async () => undefined };
const state = { apply: async () => 'applied' as const, get: async () => undefined };

describe('handleQueuedNotification', () => {
  let parked: Array<{ record: DeadLetterRecord; reason: string }>;
  let published: BusEntry[];
  let reports: string[];
  let registry: EventHandlerRegistry;
  let publisherError: Error | undefined;

  const observer: QueuedNotificationObserver = {
    handled: (event) => void reports.push(`handled ${event.type}`),
    deadLettered: (_error, reason) => void reports.push(`dead-lettered ${reason}`),
    failed: (_error, reason) => void reports.push(`failed ${reason}`),
  };
  const message = (body: unknown, attributes: Record<string, string | undefined> = {}): QueuedMessage => ({
    messageId: 'm-1',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    groupId: 'conv-a',
    deduplicationId: 'dedup-1',
    attributes: {
      route: 'connector',
      eventType: 'ms.MessagingEventNotification.ContentEvent',
      receivedAt: '2026-11-23T10:00:00.000Z',
      accountId: '12345678',
      ...attributes,
    },
  });
  const handle = (queued: QueuedMessage) =>
    handleQueuedNotification(queued, {
      accountId: '12345678',
      ledger,
      state,
      registry,
      publisher: {
        publish: async (entries) => {
          if (publisherError) throw publisherError;
          published.push(...entries);
        },
      },
      deadLetters: { send: async (record, reason) => void parked.push({ record, reason }) },
      remainingTimeMs: () => 30_000,
      observer,
    });

  beforeEach(() => {
    parked = [];
    published = [];
    reports = [];
    publisherError = undefined;
    registry = new EventHandlerRegistry().on('*', publishToEventBridge);
  });

  it('processes the notification with the route and receive time of its attributes', async () => {
    await handle(message(contentNotification('conv-a', 'hi', 1), { route: 'messaging' }));
    // The messaging route's bodies are MessagingSubscriptionEvents whatever they hold.
    expect(published.map((entry) => entry.detail)).toEqual([
      expect.objectContaining({ type: 'MessagingSubscriptionEvent', route: 'messaging', receivedAt: '2026-11-23T10:00:00.000Z' }),
    ]);
    expect(reports).toEqual(['handled MessagingSubscriptionEvent']);
  });

  it('takes a message without a route attribute as the connector route', async () => {
    await handle(message(contentNotification('conv-a', 'hi', 1), { route: undefined }));
    expect(published.map((entry) => entry.detail)).toEqual([
      expect.objectContaining({ type: 'ContentEvent', route: 'connector', message: 'hi' }),
    ]);
  });

  it('dead-letters a schema violation with its reason and the receiver attributes only, and does not throw', async () => {
    const broken = message(
      { kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [{ event: { type: 'ContentEvent' } }] } },
      { extra: 'not kept' },
    );
    await handle(broken);
    expect(parked).toHaveLength(1);
    expect(parked[0]?.reason).toContain('names no conversation');
    expect(parked[0]?.record).toEqual({
      messageId: 'm-1',
      body: broken.body,
      groupId: 'conv-a',
      deduplicationId: 'dedup-1',
      attributes: {
        route: 'connector',
        eventType: 'ms.MessagingEventNotification.ContentEvent',
        receivedAt: '2026-11-23T10:00:00.000Z',
        accountId: '12345678',
      },
    });
    expect(reports).toEqual(['dead-lettered schema-violation']);
  });

  it('dead-letters an entry too large for the bus as entry-too-large', async () => {
    publisherError = new EntryTooLargeError('ContentEvent', 300_000, 262_144);
    await handle(message(contentNotification('conv-a')));
    expect(parked.map((p) => p.reason)).toEqual([
      'the EventBridge entry of a ContentEvent is 300000 bytes; EventBridge accepts at most 262144',
    ]);
    expect(reports).toEqual(['dead-lettered entry-too-large']);
  });

  it.each([
    ['an error of no kind', new Error('downstream unavailable'), 'Error'],
    ['a temporary IntegrationError', new ConfigurationError('secret unreadable'), 'ConfigurationError'],
    ['an event in progress elsewhere', new EventInProgressError('ContentEvent:conv-a:1'), 'EventInProgressError'],
    // A handler's permanent-looking error is retried all the same: handlers are told "throw and it comes again",
    // and a 401 while a rotated secret propagates must not park the conversation's events.
    ['a permanent LivePerson error from a handler', new LivePersonApiError('Connector API send', { status: 401 }), 'LivePersonApiError'],
  ])('throws %s for the queue to retry, and parks nothing', async (_name, error, reason) => {
    registry.on('ContentEvent', () => {
      throw error;
    });
    await expect(handle(message(contentNotification('conv-a')))).rejects.toBe(error);
    expect(parked).toEqual([]);
    expect(reports).toEqual([`failed ${reason}`]);
  });

  it('throws when the dead-letter queue does not take the record, so nothing is lost', async () => {
    const failing = {
      accountId: '12345678',
      ledger,
      state,
      registry,
      publisher: { publish: async () => undefined },
      deadLetters: { send: async () => Promise.reject(new Error('SQS down')) },
      remainingTimeMs: () => 30_000,
    };
    await expect(handleQueuedNotification(message('not json'), failing)).rejects.toThrow('SQS down');
  });
});

describe('failureReason', () => {
  it('names the kind of a permanent failure and the class of any other', () => {
    expect(failureReason(new SchemaViolation('broken'))).toBe('schema-violation');
    expect(failureReason(new EntryTooLargeError('ContentEvent', 2, 1))).toBe('entry-too-large');
    expect(failureReason(new TypeError('bug'))).toBe('TypeError');
    expect(failureReason('thrown text')).toBe('unknown');
  });
});

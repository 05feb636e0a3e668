/**
 * LivePerson's published notifications, end to end on the local stack: each one signed by the
 * simulator and POSTed to the connector webhook → the real receiver → SQS FIFO → the real processor →
 * EventBridge. Nothing is refused, nothing reaches the dead-letter queue, and every event comes out
 * once, in order within its conversation. Notifications of types this code does not know yet go
 * the same way, as UnknownEvents.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotification } from '#functions/lib/liveperson/events.ts';
import { startLocalStack, type LocalStack } from '#local/stack.ts';
import { latestTimestamp, notificationFixtures } from '../support/fixtures.ts';

/** Types LivePerson may add: a messaging event and a whole notification type this code has never seen. */
const NOT_YET_KNOWN = [
  {
    name: 'an unknown messaging event type',
    notification: {
      kind: 'notification',
      type: 'ms.MessagingEventNotification',
      body: {
        changes: [
          {
            sequence: 7,
            serverTimestamp: 1_700_000_000_000,
            originatorId: 'agent-x',
            event: { type: 'ReactionEvent', reaction: '👍', targetSequence: 3 },
            dialogId: 'conv-future',
          },
        ],
      },
    },
  },
  {
    name: 'an unknown notification type',
    notification: {
      kind: 'notification',
      type: 'cqm.ExConversationTransferNotification',
      body: { changes: [{ type: 'UPSERT', result: { convId: 'conv-future', skillId: '42' } }] },
    },
  },
];

interface Expected {
  readonly name: string;
  readonly type: string;
  readonly conversationId: string | undefined;
  readonly eventId: string | undefined;
}

describe("LivePerson's published notifications through the whole pipeline", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack?.stop());

  it('processes every one: nothing refused, nothing dead-lettered, each event published once and in order', async () => {
    const corpus = [
      ...notificationFixtures()
        .map((fixture) => ({ name: fixture.name, notification: fixture.notification as unknown }))
        // Oldest first: several examples are updates of one conversation, which must not look stale.
        .sort((a, b) => latestTimestamp(a.notification) - latestTimestamp(b.notification)),
      ...NOT_YET_KNOWN,
    ];
    // What must come out: every event once; an identity met earlier in the corpus is a duplicate.
    const seen = new Set<string>();
    const expected: Expected[] = [];
    for (const { name, notification } of corpus) {
      for (const event of parseNotification(JSON.stringify(notification), 'connector')) {
        if (event.identity !== undefined && seen.has(event.identity)) continue;
        if (event.identity !== undefined) seen.add(event.identity);
        expected.push({ name, type: event.type, conversationId: event.conversationId, eventId: event.identity });
      }
    }
    expect(expected.filter((event) => event.type === 'UnknownEvent').map((event) => event.name)).toEqual(
      NOT_YET_KNOWN.map((known) => known.name),
    );
    // No example hides behind another's identity: every change of every fixture is expected on the bus.
    const changeCount = corpus.reduce(
      (total, { notification }) => total + (notification as { body: { changes: unknown[] } }).body.changes.length,
      0,
    );
    expect(expected).toHaveLength(changeCount);
    for (const { name, notification } of corpus) {
      if ((notification as { body: { changes: unknown[] } }).body.changes.length > 0)
        expect(
          expected.some((event) => event.name === name),
          name,
        ).toBe(true);
    }

    const simulator = stack.simulator!;
    const url = `${stack.urls.webhooks}/connector`;
    for (const { notification } of corpus) {
      const delivery = await simulator.webhooks.send(url, JSON.stringify(notification), {
        redelivery: { policy: 'legacy', maxRetries: 0 },
      });
      expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([200]);
    }

    const published = () =>
      stack.aws
        .events()
        .map((event) => ({ type: event.detailType, detail: event.detail as { conversationId?: string; eventId?: string } }));
    const until = Date.now() + 30_000;
    while (published().length < expected.length && Date.now() < until) await sleep(100);
    await sleep(500); // anything beyond the expected would show up now
    const actual = published().map(({ type, detail }) => ({ type, conversationId: detail.conversationId, eventId: detail.eventId }));
    expect(actual).toHaveLength(expected.length);

    // Once: the same events, whatever the interleaving of conversations.
    const key = (event: { type: string; conversationId: string | undefined; eventId: string | undefined }) =>
      `${event.type}|${event.conversationId}|${event.eventId}`;
    expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
    // In order within each conversation.
    const conversations = new Set(expected.map((event) => event.conversationId));
    for (const conversationId of conversations) {
      expect(actual.filter((event) => event.conversationId === conversationId).map(key)).toEqual(
        expected.filter((event) => event.conversationId === conversationId).map(key),
      );
    }

    const { Messages = [] } = await stack.sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: stack.queues.eventsDeadLetter, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toEqual([]);
  });
});

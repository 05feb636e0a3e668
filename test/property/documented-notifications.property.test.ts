/**
 * No genuine signed notification is refused or dead-lettered: every form LivePerson documents, and
 * every type it may add, is queued by the receiver and turned by the processor into events (typed,
 * or UnknownEvent), never into a SchemaViolation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '#functions/lib/aws/event-bus.ts';
import { parseNotification } from '#functions/lib/liveperson/events.ts';
import type { BusEntry, ConversationStateStore, EventLedger } from '#functions/lib/processing/ports.ts';
import { processNotification } from '#functions/lib/processing/process-notification.ts';
import { EventHandlerRegistry, publishToEventBridge } from '#functions/lib/processing/registry.ts';
import { signedConnectorRequest } from '../support/signed-webhook.ts';
import { receiveWebhook } from '#functions/lib/webhooks/receive-webhook.ts';
import type { QueuedEvent } from '#functions/lib/webhooks/ports.ts';
import { documentedNotification, notYetKnownNotification } from './documented-notifications.ts';

const ACCOUNT = '12345678';
const credentials = { clientId: 'client-1', clientSecret: 'secret-1' };

async function receive(body: unknown): Promise<QueuedEvent | undefined> {
  const raw = Buffer.from(JSON.stringify(body), 'utf8');
  const queued: QueuedEvent[] = [];
  const outcome = await receiveWebhook(signedConnectorRequest(raw, { accountId: ACCOUNT, ...credentials }), {
    accountId: ACCOUNT,
    credentials,
    queue: { send: async (event) => void queued.push(event) },
    maxBodyBytes: 256 * 1024,
  });
  expect(outcome).toMatchObject({ accepted: true, status: 200 });
  return queued[0];
}

/** The processor with in-memory stores: what it publishes, or the error it throws. */
async function process(body: string, route: 'connector' | 'messaging' = 'connector') {
  const done = new Set<string>();
  const ledger: EventLedger = {
    claim: async (identity) => (done.has(identity) ? 'already-done' : 'claimed'),
    complete: async (identity) => void done.add(identity),
    release: async () => undefined,
  };
  const stateChanges: string[] = [];
  const state: ConversationStateStore = {
    apply: async (event) => (stateChanges.push(event.conversationId), 'applied'),
    get: async () => undefined,
  };
  const published: BusEntry[] = [];
  const result = await processNotification(
    { body, route, receivedAt: undefined },
    {
      accountId: ACCOUNT,
      ledger,
      state,
      registry: new EventHandlerRegistry().on('*', publishToEventBridge),
      // The real publisher, so an entry EventBridge would refuse for its size fails the property.
      publisher: new EventBridgePublisher({
        busName: 'bus',
        client: {
          send: async (command: PutEventsCommand) => {
            for (const entry of command.input.Entries ?? [])
              published.push({
                source: entry.Source ?? '',
                detailType: entry.DetailType ?? '',
                detail: JSON.parse(entry.Detail ?? 'null'),
              });
            return { FailedEntryCount: 0, Entries: [] };
          },
        } as unknown as EventBridgeClient,
      }),
      remainingTimeMs: () => 30_000,
    },
  );
  return { result, published, stateChanges };
}

describe('documented notification properties', () => {
  it('queues and processes every documented form into typed events, one per change, none unknown', async () => {
    await fc.assert(
      fc.asyncProperty(documentedNotification, async (notification) => {
        const queued = await receive(notification);
        const { result, published } = await process(queued!.body);
        const changes = notification.body.changes;
        // Within one notification a repeated identity is handled once (a duplicate, not an error).
        expect(result.handled.length + result.duplicates.length).toBe(changes.length);
        expect(result.handled.every((event) => event.type !== 'UnknownEvent')).toBe(true);
        expect(published.map((entry) => entry.detailType)).toEqual(result.handled.map((event) => event.type));
        for (const event of result.handled) expect(event.conversationId).toEqual(expect.any(String));
      }),
      { numRuns: 1500 },
    );
  });

  it('queues and processes what LivePerson may add tomorrow, passing on what it does not know as UnknownEvent', async () => {
    await fc.assert(
      fc.asyncProperty(notYetKnownNotification, async (notification) => {
        const queued = await receive(notification);
        const { result } = await process(queued!.body);
        const events = parseNotification(queued!.body, 'connector');
        expect(result.handled.length + result.duplicates.length).toBe(events.length);
        // An UnknownEvent carries its raw change (or the whole body when there are no changes), unaltered.
        const raw = JSON.parse(queued!.body) as { body?: { changes?: unknown } };
        const changes = Array.isArray(raw.body?.changes) ? (raw.body.changes as unknown[]) : [raw];
        for (const event of events) if (event.type === 'UnknownEvent') expect(changes).toContainEqual(event.change);
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps the routes apart: a body sent by the messaging route is one raw event, never a typed one, never sharing an identity, never a state change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(documentedNotification, notYetKnownNotification), async (notification) => {
        fc.pre(typeof notification === 'object' && notification !== null && !Array.isArray(notification));
        const body = JSON.stringify(notification);
        const viaMessaging = await process(body, 'messaging');
        expect(viaMessaging.result.handled.map((event) => event.type)).toEqual(['MessagingSubscriptionEvent']);
        expect(viaMessaging.stateChanges).toEqual([]);
        expect(viaMessaging.published.every((entry) => (entry.detail as { route?: string }).route === 'messaging')).toBe(true);
        const viaConnector = await process(body, 'connector');
        const connectorIdentities = new Set(viaConnector.result.handled.map((event) => event.identity));
        for (const event of viaMessaging.result.handled) expect(connectorIdentities.has(event.identity)).toBe(false);
        expect(viaConnector.published.every((entry) => (entry.detail as { route?: string }).route === 'connector')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * The detail schemas of contract/events.ts and the detail publishToEventBridge builds have the same
 * type: every field, its type and whether it may be absent. The type checks run in `npm run
 * typecheck` (tsc fails on a mismatch: a field added to an event but not to its schema, or the
 * other way round); the runtime checks parse what busDetail builds for the documented
 * notifications with the schemas.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { LIVEPERSON_DETAIL_SCHEMAS, LIVEPERSON_DETAIL_TYPES, type LivePersonDetail, type LivePersonDetailType } from '#contract/events.ts';
import * as z from '#contract/zod.ts';
import { LIVEPERSON_EVENT_TYPES, parseNotification, type LivePersonEventType } from '#functions/lib/liveperson/events.ts';
import { busDetail, type EventOf } from '#functions/lib/processing/registry.ts';
import { notificationFixtures } from '#test/support/fixtures.ts';
import type {
  LivePersonBusDetail,
  LivePersonBusEvent,
  LivePersonContentEventDetail,
  LivePersonEventBridgeEvent,
  LivePersonExConversationChangeNotificationDetail,
} from '../../events/index.ts';
import type { LivePersonEventBridgeEvent as PackageEventBridgeEvent } from 'liveperson-aws-integrations/events';
import * as localEvents from '../../events/index.ts';

/** Keys whose value may be undefined: JSON.stringify leaves them out, so on the wire they are optional. */
type UndefinedKeys<T> = { [K in keyof T]-?: unknown extends T[K] ? never : undefined extends T[K] ? K : never }[keyof T];
type Flat<T> = { [K in keyof T]: T[K] };
/** A value as it reaches a subscriber: through JSON.stringify and JSON.parse, readonly gone. */
type Jsonified<T> = unknown extends T
  ? unknown
  : T extends string | number | boolean | null
    ? T
    : T extends readonly (infer Item)[]
      ? Jsonified<Item>[]
      : T extends object
        ? string extends keyof T
          ? T extends Readonly<Record<string, infer Value>>
            ? Record<string, Jsonified<Value>>
            : never
          : Flat<
              { -readonly [K in Exclude<keyof T, UndefinedKeys<T>>]: Jsonified<T[K]> } & {
                -readonly [K in UndefinedKeys<T>]?: Jsonified<Exclude<T[K], undefined>>;
              }
            >
        : never;

/**
 * The detail busDetail builds for one event type, as it reaches a subscriber. `eventId` is the
 * event's identity when it has one (busDetail copies it only then): required for the types whose
 * identity is always a string, which the compiler cannot see through busDetail's spread.
 */
type EventIdOf<E extends { readonly identity: string | undefined }> = undefined extends E['identity']
  ? { eventId?: string }
  : { eventId: string };
type Published<T extends LivePersonEventType> = Jsonified<
  Omit<Extract<ReturnType<typeof busDetail>, { type: T }>, 'eventId'> & EventIdOf<EventOf<T>>
>;

describe('the detail schemas and what publishToEventBridge builds', () => {
  it('name the same detail-types as the processor has event types', () => {
    expectTypeOf<LivePersonDetailType>().toEqualTypeOf<LivePersonEventType>();
    expect([...LIVEPERSON_DETAIL_TYPES]).toEqual([...LIVEPERSON_EVENT_TYPES]);
  });

  it('have the same type for every detail-type', () => {
    expectTypeOf<LivePersonDetail<'ContentEvent'>>().toEqualTypeOf<Published<'ContentEvent'>>();
    expectTypeOf<LivePersonDetail<'RichContentEvent'>>().toEqualTypeOf<Published<'RichContentEvent'>>();
    expectTypeOf<LivePersonDetail<'AcceptStatusEvent'>>().toEqualTypeOf<Published<'AcceptStatusEvent'>>();
    expectTypeOf<LivePersonDetail<'ChatStateEvent'>>().toEqualTypeOf<Published<'ChatStateEvent'>>();
    expectTypeOf<LivePersonDetail<'ExConversationChangeNotification'>>().toEqualTypeOf<Published<'ExConversationChangeNotification'>>();
    expectTypeOf<LivePersonDetail<'MessagingSubscriptionEvent'>>().toEqualTypeOf<Published<'MessagingSubscriptionEvent'>>();
    expectTypeOf<LivePersonDetail<'UnknownEvent'>>().toEqualTypeOf<Published<'UnknownEvent'>>();
    // The types above are the ones whose identity decides eventId's presence.
    expectTypeOf<EventOf<'ExConversationChangeNotification'>['identity']>().toEqualTypeOf<string>();
    expectTypeOf<EventOf<'ContentEvent'>['identity']>().toEqualTypeOf<string | undefined>();
  });

  it('parse, with the schemas, the detail busDetail builds from every documented notification, by either route', () => {
    let parsed = 0;
    for (const fixture of notificationFixtures()) {
      const body = JSON.stringify(fixture.notification);
      for (const route of ['connector', 'messaging'] as const) {
        for (const event of parseNotification(body, route)) {
          const detail: unknown = JSON.parse(JSON.stringify(busDetail(event, { accountId: '12345678', route, receivedAt: undefined })));
          const result = z.safeParse(LIVEPERSON_DETAIL_SCHEMAS[event.type], detail);
          expect(result.success ? [] : result.error.issues, `${fixture.name} (${route}): ${event.type}`).toEqual([]);
          parsed += 1;
        }
      }
    }
    expect(parsed).toBeGreaterThan(notificationFixtures().length);
  });
});

describe('the types a brand imports (events/index.ts)', () => {
  it('fit the EventBridgeEvent of @types/aws-lambda, detail and all', () => {
    expectTypeOf<LivePersonEventBridgeEvent<'ContentEvent'>>().toExtend<EventBridgeEvent<'ContentEvent', LivePersonContentEventDetail>>();
    expectTypeOf<LivePersonEventBridgeEvent<'ContentEvent'>['detail']>().toEqualTypeOf<LivePersonContentEventDetail>();
    expectTypeOf<LivePersonEventBridgeEvent<'ContentEvent'>['detail-type']>().toEqualTypeOf<'ContentEvent'>();
    expectTypeOf<LivePersonEventBridgeEvent['source']>().toEqualTypeOf<'liveperson'>();
    const event = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'ExConversationChangeNotification',
      source: 'liveperson',
      account: '123456789012',
      time: '2026-11-23T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        accountId: '12345678',
        route: 'connector',
        eventId: 'ExConversationChangeNotification:0',
        type: 'ExConversationChangeNotification',
        conversationId: 'c-1',
        changeType: 'UPSERT',
        state: 'OPEN',
        participants: [],
        dialogs: [],
      },
    } satisfies LivePersonBusEvent;
    expect(z.safeParse(LIVEPERSON_DETAIL_SCHEMAS[event['detail-type']], event.detail).success).toBe(true);
  });

  it("are what the package's ./events export names, as a brand's code imports them", async () => {
    expectTypeOf<PackageEventBridgeEvent<'ContentEvent'>>().toEqualTypeOf<LivePersonEventBridgeEvent<'ContentEvent'>>();
    // Node resolves the package's own name through its exports map to the same module.
    const byName = (await import('liveperson-aws-integrations/events')) as typeof localEvents;
    expect(byName.LIVEPERSON_DETAIL_TYPES).toBe(localEvents.LIVEPERSON_DETAIL_TYPES);
    expect(byName.EVENT_SOURCE).toBe('liveperson');
  });

  it('narrow by detail-type and by the detail type', () => {
    const conversationOf = (event: LivePersonBusEvent): string | undefined => {
      if (event['detail-type'] === 'ExConversationChangeNotification') {
        expectTypeOf(event.detail).toEqualTypeOf<LivePersonExConversationChangeNotificationDetail>();
        return event.detail.conversationId;
      }
      return undefined;
    };
    const textOf = (detail: LivePersonBusDetail): string | undefined =>
      detail.type === 'ContentEvent' && typeof detail.message === 'string' ? detail.message : undefined;
    expect(
      conversationOf({ 'detail-type': 'ExConversationChangeNotification', detail: { conversationId: 'c-1' } } as LivePersonBusEvent),
    ).toBe('c-1');
    expect(textOf({ type: 'ContentEvent', message: 'hi' } as LivePersonBusDetail)).toBe('hi');
  });
});

/**
 * The types of the events the event processor publishes to the `liveperson-<accountId>` bus
 * (source `liveperson`, detail-type = the LivePerson event type), for a brand's subscribers:
 *
 *   import type { LivePersonEventBridgeEvent } from '<this package>/events';
 *   export const handler = async (event: LivePersonEventBridgeEvent<'ContentEvent'>) => event.detail.message;
 *
 * Every type is the output of a zod schema in contract/events.ts, the same schemas the checked-in
 * JSON Schemas (schemas/events/) are generated from, so the types, the schemas and what is
 * published cannot drift apart (test/contract/event-schemas.test.ts).
 */
import type * as z from '#contract/zod.ts';
import type { eventBridgeEventSchema, LivePersonDetail, LivePersonDetailType } from '#contract/events.ts';

export { EVENT_SOURCE } from '#contract/constants.ts';
export { LIVEPERSON_DETAIL_SCHEMAS, LIVEPERSON_DETAIL_TYPES } from '#contract/events.ts';
export type { LivePersonDetail, LivePersonDetailType } from '#contract/events.ts';

export type LivePersonContentEventDetail = LivePersonDetail<'ContentEvent'>;
export type LivePersonRichContentEventDetail = LivePersonDetail<'RichContentEvent'>;
export type LivePersonAcceptStatusEventDetail = LivePersonDetail<'AcceptStatusEvent'>;
export type LivePersonChatStateEventDetail = LivePersonDetail<'ChatStateEvent'>;
export type LivePersonExConversationChangeNotificationDetail = LivePersonDetail<'ExConversationChangeNotification'>;
export type LivePersonMessagingSubscriptionEventDetail = LivePersonDetail<'MessagingSubscriptionEvent'>;
export type LivePersonUnknownEventDetail = LivePersonDetail<'UnknownEvent'>;

/** Any detail: switch on its `type` (the detail-type). */
export type LivePersonBusDetail = { [T in LivePersonDetailType]: LivePersonDetail<T> }[LivePersonDetailType];

// The schema lets EventBridge add envelope fields; a type is clearer with only the known ones.
type KnownKeys<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/**
 * A whole EventBridge event of one detail-type, as a rule's target (a Lambda function, a queue)
 * receives it. It fits `EventBridgeEvent<T, LivePersonDetail<T>>` of @types/aws-lambda.
 */
export type LivePersonEventBridgeEvent<T extends LivePersonDetailType = LivePersonDetailType> = KnownKeys<
  z.output<ReturnType<typeof eventBridgeEventSchema<T>>>
>;

/** Any event on the bus: switch on its `detail-type`. */
export type LivePersonBusEvent = { [T in LivePersonDetailType]: LivePersonEventBridgeEvent<T> }[LivePersonDetailType];

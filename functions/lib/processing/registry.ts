/**
 * The brand's event handlers: `on(type, handler)` registers a typed handler for one event type
 * (or '*' for all). Handlers run in registration order; what they publish goes to an outbox
 * that the processor sends to EventBridge once every handler of the record has succeeded.
 */
import { EVENT_SOURCE } from '#contract/constants.ts';
import type { ContentEvent, LivePersonEvent, LivePersonEventType } from '../liveperson/events.ts';
import type { MessageContent } from '../liveperson/message-content.ts';
import type { BusEntry } from './ports.ts';

export interface HandlerContext {
  readonly accountId: string;
  /**
   * The webhook route the event came by: `connector` (signed by LivePerson) or `messaging` (only
   * guarded by its URL token; its events are always MessagingSubscriptionEvent).
   */
  readonly route: 'connector' | 'messaging';
  /** When the webhook reached the receiver (ISO time), if known. */
  readonly receivedAt: string | undefined;
  /** Queues an EventBridge entry; sent after all handlers of the record succeed. */
  publish(entry: BusEntry): void;
}

export type EventOf<T extends LivePersonEventType> = Extract<LivePersonEvent, { type: T }>;
export type EventHandler<E extends LivePersonEvent = LivePersonEvent> = (event: E, context: HandlerContext) => void | Promise<void>;

export class EventHandlerRegistry {
  readonly #handlers: Array<{ type: LivePersonEventType | '*'; handler: EventHandler }> = [];

  on<T extends LivePersonEventType>(type: T, handler: EventHandler<EventOf<T>>): this;
  on(type: '*', handler: EventHandler): this;
  on(type: LivePersonEventType | '*', handler: EventHandler<never>): this {
    this.#handlers.push({ type, handler: handler as EventHandler });
    return this;
  }

  /** Runs every handler registered for the event's type, in order; the first failure stops it. */
  async dispatch(event: LivePersonEvent, context: HandlerContext): Promise<void> {
    for (const { type, handler } of this.#handlers) {
      if (type === '*' || type === event.type) await handler(event, context);
    }
  }
}

/**
 * The default handler: one EventBridge event per LivePerson event, detail-type = event type,
 * with the conversation id and the route it came by in the detail for rules to match on. The bus is at-least-once (a
 * retried notification publishes again), so the detail carries the event's identity as
 * `eventId` for subscribers to drop repeats; events never deduplicated (chat states without
 * sequence or timestamp) have none.
 */
export const publishToEventBridge: EventHandler = (event, context) => {
  context.publish({ source: EVENT_SOURCE, detailType: event.type, detail: busDetail(event, context) });
};

/**
 * The detail publishToEventBridge sends for an event. Its type is left to the compiler: the event
 * types test (test/contract/event-types.test.ts) holds contract/events.ts's detail schemas to it.
 */
export function busDetail(event: LivePersonEvent, context: Pick<HandlerContext, 'accountId' | 'route' | 'receivedAt'>) {
  const { identity, ...fields } = busFields(event);
  return {
    accountId: context.accountId,
    route: context.route,
    receivedAt: context.receivedAt,
    ...(identity === undefined ? {} : { eventId: identity }),
    ...fields,
  };
}

/** A ContentEvent's typed content as the bus carries it: a text message's is `{kind: "text"}` alone. */
type BusMessageContent = Exclude<MessageContent, { kind: 'text' }> | { readonly kind: 'text' };

/**
 * The event's fields for the bus. A text message's `content` is `{kind: "text"}` there: its text is
 * `message` already, and sending it twice would halve the largest text that fits in an entry.
 */
function busFields(
  event: LivePersonEvent,
): Exclude<LivePersonEvent, ContentEvent> | (Omit<ContentEvent, 'content'> & { content: BusMessageContent }) {
  if (event.type !== 'ContentEvent') return event;
  const { content } = event;
  return content.kind === 'text' ? { ...event, content: { kind: 'text' } } : { ...event, content };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  conversationOf,
  envelopeFieldsSchema,
  hasDeliveryIdentity,
  routeConnectorNotification,
  routeMessagingNotification,
  type ConnectorEnvelope,
} from '#functions/lib/liveperson/notification-envelope.ts';
import { isRecord, nonEmpty } from '#functions/lib/liveperson/values.ts';

const messaging = (...changes: Array<Record<string, unknown>>): ConnectorEnvelope => ({
  kind: 'notification',
  type: 'ms.MessagingEventNotification',
  body: { changes },
});

describe('conversationOf', () => {
  it('takes conversationId, then result.convId, then dialogId, then convId', () => {
    const all = { conversationId: 'a', result: { convId: 'b' }, dialogId: 'c', convId: 'd' };
    expect(conversationOf(all)).toBe('a');
    expect(conversationOf({ ...all, conversationId: undefined })).toBe('b');
    expect(conversationOf({ ...all, conversationId: ' ', result: {} })).toBe('c');
    expect(conversationOf({ convId: 'd', dialogId: 42 })).toBe('d');
    expect(conversationOf({})).toBeUndefined();
    expect(conversationOf('not an object')).toBeUndefined();
  });
});

describe('routeConnectorNotification', () => {
  it('groups a post-conversation survey message with its conversation, not its own dialog', () => {
    const survey = { conversationId: 'conv-1', dialogId: 'survey-dialog-1', sequence: 7, event: { type: 'ContentEvent' } };
    expect(routeConnectorNotification(messaging(survey))).toMatchObject({
      conversationId: 'conv-1',
      eventType: 'ms.MessagingEventNotification.ContentEvent',
    });
  });

  it('deduplicates by body unless no messaging change has a sequence or a server timestamp', () => {
    const typing = { conversationId: 'c', event: { type: 'ChatStateEvent', chatState: 'COMPOSING' } };
    expect(routeConnectorNotification(messaging(typing)).deduplicateByBody).toBe(false);
    expect(routeConnectorNotification(messaging(typing, { ...typing })).deduplicateByBody).toBe(false);
    expect(routeConnectorNotification(messaging(typing, { ...typing, serverTimestamp: 1 })).deduplicateByBody).toBe(true);
    expect(routeConnectorNotification(messaging({ ...typing, sequence: 0 })).deduplicateByBody).toBe(true);
    // A conversation notification carries the whole state: the same body is the same update.
    const conversation: ConnectorEnvelope = {
      kind: 'notification',
      type: 'cqm.ExConversationChangeNotification',
      body: { changes: [{ result: { convId: 'c' } }] },
    };
    expect(routeConnectorNotification(conversation).deduplicateByBody).toBe(true);
  });
});

describe('routeMessagingNotification', () => {
  it('routes a subscription body by its top-level conversation fields, conversation first', () => {
    expect(routeMessagingNotification({ type: 'MessageEvent', dialogId: 'survey', conversationId: 'conv-9' })).toEqual({
      eventType: 'MessageEvent',
      conversationId: 'conv-9',
      deduplicateByBody: true,
    });
  });
});

describe('hasDeliveryIdentity', () => {
  it('needs a sequence or a server timestamp', () => {
    expect(hasDeliveryIdentity({})).toBe(false);
    expect(hasDeliveryIdentity({ sequence: 0 })).toBe(true);
    expect(hasDeliveryIdentity({ serverTimestamp: 0 })).toBe(true);
  });
});

// The routing reads its fields in place; these schemas say what it must read (a string field is
// taken only when it is a string, a nested object only when it is an object), and the readers must
// agree with them on any JSON, whatever its shape.
const optionalString = z.string().optional().catch(undefined);
const conversationFieldsSchema = z.looseObject({
  conversationId: optionalString,
  result: z.looseObject({ convId: optionalString }).optional().catch(undefined),
  dialogId: optionalString,
  convId: optionalString,
});
const eventFieldsSchema = z.looseObject({ event: z.looseObject({ type: optionalString }).optional().catch(undefined) });

function conversationBySchema(value: unknown): string | undefined {
  const fields = conversationFieldsSchema.safeParse(value);
  if (!fields.success) return undefined;
  const { conversationId, result, dialogId, convId } = fields.data;
  return nonEmpty(conversationId) ?? nonEmpty(result?.convId) ?? nonEmpty(dialogId) ?? nonEmpty(convId);
}

function routeBySchema(body: unknown) {
  const envelope = envelopeFieldsSchema.safeParse(body);
  const type = envelope.success ? nonEmpty(envelope.data.type) : undefined;
  const changes = envelope.success ? envelope.data.body?.changes : undefined;
  const first = changes?.[0];
  const eventName = eventFieldsSchema.safeParse(first).data?.event?.type;
  const messaging = type === 'ms.MessagingEventNotification';
  return {
    eventType: messaging && eventName ? `${type}.${eventName}` : (type ?? 'unknown'),
    conversationId: conversationBySchema(changes === undefined ? body : first),
    deduplicateByBody: !messaging || changes === undefined || changes.some((change) => !isRecord(change) || hasDeliveryIdentity(change)),
  };
}

describe('routing readers', () => {
  // Values of the right and of the wrong kinds where the readers look, and anything elsewhere.
  const field = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', ' ', 'conv-1'), fc.jsonValue({ maxDepth: 1 }));
  const change = fc.oneof(
    fc.record(
      {
        conversationId: field,
        result: fc.oneof(fc.record({ convId: field }, { requiredKeys: [] }), field),
        dialogId: field,
        convId: field,
        sequence: fc.oneof(fc.integer(), fc.constant(null)),
        serverTimestamp: fc.oneof(fc.integer(), fc.constant(null)),
        event: fc.oneof(fc.record({ type: field }, { requiredKeys: [] }), field),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const runs = { numRuns: 1_000 };
  const body = fc.oneof(
    fc.record(
      {
        kind: fc.constantFrom('notification', 'other'),
        type: fc.oneof(
          { weight: 3, arbitrary: fc.constant('ms.MessagingEventNotification') },
          fc.constantFrom('cqm.ExConversationChangeNotification', ''),
          field,
        ),
        body: fc.oneof(
          { weight: 3, arbitrary: fc.record({ changes: fc.oneof({ weight: 3, arbitrary: fc.array(change, { maxLength: 3 }) }, field) }) },
          field,
        ),
        conversationId: field,
        dialogId: field,
      },
      { requiredKeys: [] },
    ),
    change,
  );

  it('find the conversation the schema reading finds, for any JSON', () => {
    fc.assert(
      fc.property(fc.oneof(change, body), (value) => {
        expect(conversationOf(value)).toBe(conversationBySchema(value));
      }),
      runs,
    );
  });

  it('route a Connector body as the schema reading routes it, for any JSON', () => {
    fc.assert(
      fc.property(body, (value) => {
        expect(routeConnectorNotification(value)).toEqual(routeBySchema(value));
      }),
      runs,
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  conversationOf,
  hasDeliveryIdentity,
  routeConnectorNotification,
  routeMessagingNotification,
  type ConnectorEnvelope,
} from '#functions/lib/liveperson/notification-envelope.ts';

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

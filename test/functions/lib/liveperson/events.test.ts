import { describe, expect, it } from 'vitest';
import { parseNotification, SchemaViolation } from '../../../../functions/lib/liveperson/events.ts';
import { chatStateNotification, contentNotification, conversationNotification } from '../../../support/notifications.ts';

const json = (value: unknown) => JSON.stringify(value);

describe('parseNotification', () => {
  it('types a ContentEvent with its identity from dialog, sequence and type', () => {
    const [event, ...rest] = parseNotification(json(contentNotification('conv-1', 'héllo 😀', 39)), 'connector');
    expect(rest).toEqual([]);
    expect(event).toEqual({
      type: 'ContentEvent',
      identity: 'ContentEvent:conv-1:39',
      conversationId: 'conv-1',
      dialogId: 'conv-1',
      sequence: 39,
      serverTimestamp: 1_700_000_000_000,
      originatorId: 'consumer-1',
      originatorRole: 'CONSUMER',
      message: 'héllo 😀',
      contentType: 'text/plain',
    });
  });

  it('types rich content, accept status and chat state events', () => {
    const rich = contentNotification('c', 'x', 2);
    Object.assign(rich.body.changes[0]!, { event: { type: 'RichContentEvent', content: { type: 'vertical', elements: [] } } });
    const accept = contentNotification('c', 'x', 3);
    Object.assign(accept.body.changes[0]!, { event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [1, 2] } });
    expect(parseNotification(json(rich), 'connector')[0]).toMatchObject({ type: 'RichContentEvent', content: { type: 'vertical' } });
    expect(parseNotification(json(accept), 'connector')[0]).toMatchObject({ type: 'AcceptStatusEvent', status: 'READ', sequenceList: [1, 2] });
    const [typing] = parseNotification(json(chatStateNotification('c')), 'connector');
    expect(typing).toMatchObject({ type: 'ChatStateEvent', chatState: 'COMPOSING', sequence: undefined, serverTimestamp: undefined });
  });

  it('gives no identity to a change with neither sequence nor server timestamp: a genuine repeat looks the same', () => {
    const [typing] = parseNotification(json(chatStateNotification('c')), 'connector');
    expect(typing).toHaveProperty('identity', undefined);
  });

  it('identifies a change with a server timestamp but no sequence by its digest', () => {
    const at = (serverTimestamp: number) => {
      const body = chatStateNotification('c');
      Object.assign(body.body.changes[0]!, { serverTimestamp });
      return parseNotification(json(body), 'connector')[0]?.identity;
    };
    expect(at(1)).toMatch(/^ChatStateEvent:[0-9a-f]{64}$/);
    expect(at(1)).toBe(at(1));
    expect(at(2)).not.toBe(at(1));
  });

  it('splits a body with several changes into one event per change, in order', () => {
    const body = contentNotification('conv-a', 'first', 1);
    body.body.changes.push({ ...contentNotification('conv-b', 'second', 7).body.changes[0]! });
    expect(parseNotification(json(body), 'connector').map((e) => e.identity)).toEqual(['ContentEvent:conv-a:1', 'ContentEvent:conv-b:7']);
  });

  it('types a conversation change with its whole state', () => {
    const [event] = parseNotification(json(conversationNotification('conv-2', 'CLOSE')), 'connector');
    expect(event).toMatchObject({
      type: 'ExConversationChangeNotification',
      conversationId: 'conv-2',
      changeType: 'UPSERT',
      state: 'CLOSE',
      participants: [{ id: 'consumer-1', role: 'CONSUMER' }],
      lastUpdateTs: 1_700_000_000_500,
    });
  });

  it('routes a subscription event by its conversation before its dialog, as the receiver groups it', () => {
    const [event] = parseNotification('{"dialogId":"survey-dialog","conversationId":"conv-m"}', 'messaging');
    expect(event?.conversationId).toBe('conv-m');
    expect(parseNotification('{"dialogId":"survey-dialog"}', 'messaging')[0]?.conversationId).toBe('survey-dialog');
  });

  it('keeps a Messaging REST API subscription event raw, on its route only', () => {
    const [event] = parseNotification('{"conversationId":"conv-m","anything":1}', 'messaging');
    expect(event).toMatchObject({ type: 'MessagingSubscriptionEvent', conversationId: 'conv-m', body: { anything: 1 } });
    expect(() => parseNotification('{"conversationId":"conv-m"}', 'connector')).toThrow(SchemaViolation);
  });

  it.each([
    ['not JSON', '{', 'body is not JSON'],
    ['an unknown type', json({ kind: 'notification', type: 'ms.Unknown', body: { changes: [{}] } }), 'unknown notification type "ms.Unknown"'],
    ['a change without conversation', json({ ...contentNotification('c'), body: { changes: [{ event: { type: 'ContentEvent', message: 'x', contentType: 'text/plain' } }] } }), 'body.changes.0.conversationId'],
    ['an unknown event type', json({ ...contentNotification('c'), body: { changes: [{ conversationId: 'c', event: { type: 'Telepathy' } }] } }), 'body.changes.0.event.type'],
    ['a conversation change without state', json({ kind: 'notification', type: 'cqm.ExConversationChangeNotification', body: { changes: [{ type: 'UPSERT', result: { convId: 'c', conversationDetails: { metaDataLastUpdateTs: 1 } } }] } }), 'conversationDetails.state'],
  ])('reports %s as a schema violation', (_name, body, message) => {
    expect(() => parseNotification(body, 'connector')).toThrow(SchemaViolation);
    expect(() => parseNotification(body, 'connector')).toThrow(message);
  });
});

// The notification builders: LivePerson's webhook bodies, field for field.
import { describe, expect, it } from 'vitest';
import {
  acceptStatusEventChange,
  chatStateEventChange,
  contentEventChange,
  conversationChange,
  conversationNotification,
  messagingNotification,
  richContentEventChange,
} from '#simulator/index.ts';

const who = { conversationId: 'conv-1', originatorId: 'consumer-1', role: 'CONSUMER' as const };

describe('messaging notifications', () => {
  it('ContentEvent: the documented body, keys in the documented order', () => {
    const body = messagingNotification(contentEventChange({ ...who, sequence: 39, serverTimestamp: 1641916856713, message: 'hi' }));
    expect(JSON.stringify(body)).toBe(
      '{"kind":"notification","type":"ms.MessagingEventNotification","body":{"changes":[{"sequence":39,"originatorId":"consumer-1",' +
        '"originatorMetadata":{"id":"consumer-1","role":"CONSUMER"},"serverTimestamp":1641916856713,' +
        '"event":{"type":"ContentEvent","message":"hi","contentType":"text/plain"},"conversationId":"conv-1","dialogId":"conv-1",' +
        '"messageAudience":"ALL"}]}}',
    );
  });

  it('RichContentEvent, AcceptStatusEvent and ChatStateEvent (the last without sequence and serverTimestamp)', () => {
    const agent = { conversationId: 'conv-1', dialogId: 'dialog-9', originatorId: 'agent-1', role: 'ASSIGNED_AGENT' as const };
    const content = { type: 'vertical', elements: [{ type: 'text', text: 'Pick one' }] };
    const rich = richContentEventChange({ ...agent, sequence: 4, serverTimestamp: 10, content });
    const accept = acceptStatusEventChange({ ...who, sequence: 5, serverTimestamp: 11, status: 'READ', sequenceList: [3, 4] });
    const typing = chatStateEventChange({ ...who, chatState: 'COMPOSING' });
    const body = messagingNotification(rich, accept, typing);

    expect(body.body.changes).toEqual([
      {
        sequence: 4,
        originatorId: 'agent-1',
        originatorMetadata: { id: 'agent-1', role: 'ASSIGNED_AGENT' },
        serverTimestamp: 10,
        event: { type: 'RichContentEvent', content },
        conversationId: 'conv-1',
        dialogId: 'dialog-9',
        messageAudience: 'ALL',
      },
      {
        sequence: 5,
        originatorId: 'consumer-1',
        originatorMetadata: { id: 'consumer-1', role: 'CONSUMER' },
        serverTimestamp: 11,
        event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [3, 4] },
        conversationId: 'conv-1',
        dialogId: 'conv-1',
        messageAudience: 'ALL',
      },
      {
        originatorId: 'consumer-1',
        originatorMetadata: { id: 'consumer-1', role: 'CONSUMER' },
        event: { type: 'ChatStateEvent', chatState: 'COMPOSING' },
        conversationId: 'conv-1',
        dialogId: 'conv-1',
        messageAudience: 'ALL',
      },
    ]);
    expect(Object.keys(typing)).not.toContain('sequence');
    expect(Object.keys(typing)).not.toContain('serverTimestamp');
    // The builder copies what it is given: changing the input later does not change the body.
    content.elements.length = 0;
    expect(body.body.changes[0]?.event).toMatchObject({ content: { elements: [{ type: 'text' }] } });
  });

  it('refuses a notification without changes', () => {
    expect(() => messagingNotification()).toThrow(/at least one change/);
    expect(() => conversationNotification()).toThrow(/at least one change/);
  });
});

describe('conversation notifications', () => {
  it('carry the whole state; several changes of different conversations fit in one body', () => {
    const open = conversationChange({
      convId: 'conv-1',
      effectiveTTR: 1_000_600_000,
      skillId: '-1',
      participants: [{ id: 'consumer-1', role: 'CONSUMER' }],
      brandId: '12345678',
      state: 'OPEN',
      startTs: 1_000_000_000,
      metaDataLastUpdateTs: 1_000_000_000,
    });
    const closed = conversationChange({
      type: 'DELETE',
      convId: 'conv-2',
      participants: [
        { id: 'consumer-2', role: 'CONSUMER' },
        { id: 'agent-1', role: 'ASSIGNED_AGENT' },
      ],
      brandId: '12345678',
      state: 'CLOSE',
      closeReason: 'AGENT',
      startTs: 1,
      metaDataLastUpdateTs: 2,
    });
    const body = conversationNotification(open, closed);
    expect(JSON.stringify(body)).toBe(
      '{"kind":"notification","type":"cqm.ExConversationChangeNotification","body":{"changes":[' +
        '{"type":"UPSERT","result":{"convId":"conv-1","effectiveTTR":1000600000,"conversationDetails":{"skillId":"-1",' +
        '"participants":[{"id":"consumer-1","role":"CONSUMER"}],"brandId":"12345678","state":"OPEN","startTs":1000000000,' +
        '"metaDataLastUpdateTs":1000000000}}},' +
        '{"type":"DELETE","result":{"convId":"conv-2","conversationDetails":{"participants":[{"id":"consumer-2","role":"CONSUMER"},' +
        '{"id":"agent-1","role":"ASSIGNED_AGENT"}],"brandId":"12345678","state":"CLOSE","closeReason":"AGENT","startTs":1,' +
        '"metaDataLastUpdateTs":2}}}]}}',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parseNotification, SchemaViolation } from '#functions/lib/liveperson/events.ts';
import { chatStateNotification, contentNotification, conversationNotification } from '#test/support/notifications.ts';

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
      messageAudience: 'ALL',
      metadata: undefined,
      message: 'héllo 😀',
      contentType: 'text/plain',
      content: { kind: 'text', text: 'héllo 😀' },
      quickReplies: undefined,
    });
  });

  it('types rich content, accept status and chat state events', () => {
    const rich = contentNotification('c', 'x', 2);
    Object.assign(rich.body.changes[0]!, { event: { type: 'RichContentEvent', content: { type: 'vertical', elements: [] } } });
    const accept = contentNotification('c', 'x', 3);
    Object.assign(accept.body.changes[0]!, { event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [1, 2] } });
    expect(parseNotification(json(rich), 'connector')[0]).toMatchObject({ type: 'RichContentEvent', content: { type: 'vertical' } });
    expect(parseNotification(json(accept), 'connector')[0]).toMatchObject({
      type: 'AcceptStatusEvent',
      status: 'READ',
      sequenceList: [1, 2],
    });
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
    // On the connector route the same body is passed on whole as an UnknownEvent.
    expect(parseNotification('{"conversationId":"conv-m"}', 'connector')).toEqual([
      {
        type: 'UnknownEvent',
        identity: expect.stringMatching(/^UnknownEvent:/),
        notificationType: undefined,
        changeType: undefined,
        conversationId: 'conv-m',
        change: { conversationId: 'conv-m' },
      },
    ]);
  });

  it.each([
    ['not JSON', '{', 'body is not JSON'],
    [
      'a change without conversation',
      json({
        ...contentNotification('c'),
        body: { changes: [{ event: { type: 'ContentEvent', message: 'x', contentType: 'text/plain' } }] },
      }),
      'body.changes.0: names no conversation',
    ],
    [
      'a negative sequence',
      json({
        ...contentNotification('c'),
        body: { changes: [{ dialogId: 'c', sequence: -1, event: { type: 'ContentEvent', message: 'x' } }] },
      }),
      'body.changes.0.sequence: a sequence cannot be negative',
    ],
    [
      'a sequence beyond a safe integer',
      json({
        ...contentNotification('c'),
        body: { changes: [{ dialogId: 'c', sequence: 1e300, event: { type: 'ContentEvent', message: 'x' } }] },
      }),
      'body.changes.0.sequence',
    ],
    [
      'a timestamp beyond a Date',
      json({
        ...contentNotification('c'),
        body: { changes: [{ dialogId: 'c', serverTimestamp: 9e15, event: { type: 'ChatStateEvent', chatState: 'ACTIVE' } }] },
      }),
      'body.changes.0.serverTimestamp: timestamp out of range',
    ],
    [
      'a ContentEvent message that is a number',
      json({ ...contentNotification('c'), body: { changes: [{ dialogId: 'c', event: { type: 'ContentEvent', message: 7 } }] } }),
      'body.changes.0.event.message',
    ],
    [
      'a read receipt of fractional sequences',
      json({
        ...contentNotification('c'),
        body: { changes: [{ dialogId: 'c', event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [0.5] } }] },
      }),
      'body.changes.0.event.sequenceList.0',
    ],
    [
      'a conversation change without state',
      json({
        kind: 'notification',
        type: 'cqm.ExConversationChangeNotification',
        body: { changes: [{ type: 'UPSERT', result: { convId: 'c', conversationDetails: { metaDataLastUpdateTs: 1 } } }] },
      }),
      'body.changes.0.result.conversationDetails.state',
    ],
  ])('reports %s as a schema violation', (_name, body, message) => {
    expect(() => parseNotification(body, 'connector')).toThrow(SchemaViolation);
    expect(() => parseNotification(body, 'connector')).toThrow(message);
  });

  it("takes the conversation from dialogId when a change has no conversationId, as LivePerson's examples send it", () => {
    const [event] = parseNotification(
      json({
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: {
          changes: [
            { sequence: 0, serverTimestamp: 1, dialogId: 'd-1', event: { type: 'ContentEvent', message: 'hi', contentType: 'text/plain' } },
          ],
        },
      }),
      'connector',
    );
    expect(event).toMatchObject({ type: 'ContentEvent', conversationId: 'd-1', dialogId: 'd-1', identity: 'ContentEvent:d-1:0' });
  });

  it('keeps the dialog apart from the conversation when both are given (a survey dialog)', () => {
    const [event] = parseNotification(
      json({
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: {
          changes: [
            {
              sequence: 4,
              conversationId: 'conv',
              dialogId: 'survey',
              event: { type: 'ContentEvent', message: 'rate us', contentType: 'text/plain' },
            },
          ],
        },
      }),
      'connector',
    );
    expect(event).toMatchObject({ conversationId: 'conv', dialogId: 'survey', identity: 'ContentEvent:survey:4' });
  });

  it.each([
    [
      'an unknown event type',
      {
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: { changes: [{ dialogId: 'c', sequence: 3, event: { type: 'Telepathy', thought: 1 } }] },
      },
      'ms.MessagingEventNotification',
      'Telepathy',
      'c',
    ],
    [
      'an unknown notification type',
      { kind: 'notification', type: 'ms.Unknown', body: { changes: [{ convId: 'c2', type: 'X' }] } },
      'ms.Unknown',
      'X',
      'c2',
    ],
    [
      'a messaging change without an event',
      { kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [{ dialogId: 'c', sequence: 1 }] } },
      'ms.MessagingEventNotification',
      undefined,
      'c',
    ],
  ])('passes on %s as an UnknownEvent with its raw change', (_name, body, notificationType, changeType, conversationId) => {
    const [event, ...rest] = parseNotification(json(body), 'connector');
    expect(rest).toEqual([]);
    expect(event).toEqual({
      type: 'UnknownEvent',
      identity: expect.stringMatching(/^UnknownEvent:[0-9a-f]{64}$/),
      notificationType,
      changeType,
      conversationId,
      change: body.body.changes[0],
    });
  });

  it('passes on a body without changes whole, as one UnknownEvent', () => {
    expect(parseNotification('[1,2]', 'connector')).toMatchObject([
      { type: 'UnknownEvent', notificationType: undefined, conversationId: undefined, change: [1, 2] },
    ]);
    expect(parseNotification(json({ kind: 'notification', type: 'ms.Future', body: { items: [] } }), 'connector')).toMatchObject([
      { type: 'UnknownEvent', notificationType: 'ms.Future', change: { body: { items: [] } } },
    ]);
    // An empty list of changes is nothing to handle, whatever the type.
    expect(
      parseNotification(json({ kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [] } }), 'connector'),
    ).toEqual([]);
  });

  it('gives an unknown messaging change without sequence or timestamp no identity, as a chat state', () => {
    const [event] = parseNotification(
      json({
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: { changes: [{ dialogId: 'c', event: { type: 'PresenceEvent' } }] },
      }),
      'connector',
    );
    expect(event).toMatchObject({ type: 'UnknownEvent', identity: undefined });
  });

  it('types a conversation change with its dialogs, handler, campaign and TTR', () => {
    const body = conversationNotification('conv-3', 'OPEN');
    Object.assign(body.body.changes[0]!.result, { effectiveTTR: -1 });
    Object.assign(body.body.changes[0]!.result.conversationDetails, {
      skillId: 3801636938,
      stage: 'OPEN',
      dialogs: [
        { dialogId: 'conv-3', dialogType: 'MAIN', channelType: 'MESSAGING', state: 'CLOSE', participantsDetails: [] },
        { dialogId: 'survey-3', dialogType: 'POST_SURVEY', channelType: 'MESSAGING', state: 'OPEN' },
      ],
      ttr: { ttrType: 'PRIORITIZED', value: 600 },
      conversationHandlerDetails: { accountId: '12345678', skillId: '42' },
      campaignInfo: { campaignId: 1, engagementId: '2' },
      participants: [{ id: 'bot', role: 'CONTROLLER' }],
    });
    expect(parseNotification(json(body), 'connector')[0]).toMatchObject({
      skillId: '3801636938',
      stage: 'OPEN',
      effectiveTTR: -1,
      dialogs: [
        { dialogId: 'conv-3', dialogType: 'MAIN', channelType: 'MESSAGING', state: 'CLOSE' },
        { dialogId: 'survey-3', dialogType: 'POST_SURVEY', channelType: 'MESSAGING', state: 'OPEN' },
      ],
      ttr: { ttrType: 'PRIORITIZED', value: 600 },
      handler: { accountId: '12345678', skillId: '42' },
      campaign: { campaignId: '1', engagementId: '2' },
      participants: [{ id: 'bot', role: 'CONTROLLER' }],
    });
  });

  it('reads null as absent in every optional field, as LivePerson sends it', () => {
    const [message] = parseNotification(
      json({
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: {
          changes: [
            {
              sequence: 3,
              serverTimestamp: 1,
              originatorId: null,
              originatorMetadata: null,
              conversationId: null,
              dialogId: 'd-1',
              messageAudience: null,
              metadata: null,
              event: { type: 'ContentEvent', message: 'hi', contentType: null, quickReplies: null },
            },
          ],
        },
      }),
      'connector',
    );
    expect(message).toMatchObject({
      type: 'ContentEvent',
      conversationId: 'd-1',
      contentType: 'text/plain',
      quickReplies: undefined,
      originatorId: undefined,
      metadata: undefined,
    });
    const body = conversationNotification('conv-n', 'OPEN');
    Object.assign(body.body.changes[0]!.result, { effectiveTTR: null });
    Object.assign(body.body.changes[0]!.result.conversationDetails, {
      skillId: null,
      closeReason: null,
      dialogs: null,
      stage: null,
      ttr: null,
      campaignInfo: null,
      brandId: null,
    });
    expect(parseNotification(json(body), 'connector')[0]).toMatchObject({
      type: 'ExConversationChangeNotification',
      skillId: undefined,
      dialogs: [],
      effectiveTTR: undefined,
      state: 'OPEN',
    });
  });

  it('types a DELETE that carries the conversation id alone, without a state', () => {
    const [event] = parseNotification(
      json({
        kind: 'notification',
        type: 'cqm.ExConversationChangeNotification',
        body: { changes: [{ type: 'DELETE', result: { convId: 'conv-d' } }] },
      }),
      'connector',
    );
    expect(event).toMatchObject({
      type: 'ExConversationChangeNotification',
      changeType: 'DELETE',
      conversationId: 'conv-d',
      state: undefined,
      lastUpdateTs: undefined,
      participants: [],
    });
    expect(
      parseNotification(
        json({
          kind: 'notification',
          type: 'cqm.ExConversationChangeNotification',
          body: { changes: [{ type: 'DELETE', result: { convId: 'conv-d', conversationDetails: null } }] },
        }),
        'connector',
      )[0],
    ).toMatchObject({ changeType: 'DELETE' });
  });

  it('passes on a conversation change of a type not known yet as an UnknownEvent', () => {
    const change = { type: 'TRANSFER', result: { convId: 'conv-t', from: 'a', to: 'b' } };
    expect(
      parseNotification(
        json({ kind: 'notification', type: 'cqm.ExConversationChangeNotification', body: { changes: [change] } }),
        'connector',
      ),
    ).toEqual([
      {
        type: 'UnknownEvent',
        identity: expect.stringMatching(/^UnknownEvent:/),
        notificationType: 'cqm.ExConversationChangeNotification',
        changeType: 'TRANSFER',
        conversationId: 'conv-t',
        change,
      },
    ]);
  });

  it('refuses, as a schema violation rather than a crash, JSON nested deeper than the engine can walk and a conversation id DynamoDB cannot key', () => {
    const deep = `{"kind":"notification","type":"x","body":{"changes":[${'['.repeat(200_000)}${']'.repeat(200_000)}]}}`;
    expect(() => parseNotification(deep, 'connector')).toThrow(SchemaViolation);
    const long = conversationNotification('c'.repeat(600), 'OPEN');
    expect(() => parseNotification(json(long), 'connector')).toThrow('a conversation id is at most 512 characters');
  });
});

/** Minimal LivePerson webhook bodies for receiver tests (the simulator builds the full ones). */
export function contentNotification(conversationId: string, message = 'hello', sequence = 1) {
  return {
    kind: 'notification',
    type: 'ms.MessagingEventNotification',
    body: {
      changes: [
        {
          sequence,
          originatorId: 'consumer-1',
          originatorMetadata: { id: 'consumer-1', role: 'CONSUMER' },
          serverTimestamp: 1_700_000_000_000,
          event: { type: 'ContentEvent', message, contentType: 'text/plain' },
          conversationId,
          dialogId: conversationId,
          messageAudience: 'ALL',
        },
      ],
    },
  };
}

export function conversationNotification(convId: string, state: 'OPEN' | 'CLOSE' = 'OPEN') {
  return {
    kind: 'notification',
    type: 'cqm.ExConversationChangeNotification',
    body: {
      changes: [
        {
          type: 'UPSERT',
          result: {
            convId,
            conversationDetails: {
              participants: [{ id: 'consumer-1', role: 'CONSUMER' }],
              brandId: '12345678',
              state,
              startTs: 1_700_000_000_000,
              metaDataLastUpdateTs: 1_700_000_000_500,
            },
          },
        },
      ],
    },
  };
}

export function chatStateNotification(conversationId: string, chatState = 'COMPOSING') {
  return {
    kind: 'notification',
    type: 'ms.MessagingEventNotification',
    body: {
      changes: [
        {
          originatorId: 'consumer-1',
          originatorMetadata: { id: 'consumer-1', role: 'CONSUMER' },
          event: { type: 'ChatStateEvent', chatState },
          conversationId,
          dialogId: conversationId,
        },
      ],
    },
  };
}

export function conversationUpdate(convId: string, state: 'OPEN' | 'CLOSE', lastUpdateTs: number) {
  const notification = conversationNotification(convId, state);
  notification.body.changes[0]!.result.conversationDetails.metaDataLastUpdateTs = lastUpdateTs;
  return notification;
}

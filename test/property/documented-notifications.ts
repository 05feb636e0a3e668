/**
 * fast-check arbitraries of every notification form LivePerson documents (see
 * test/fixtures/liveperson/notifications): messaging changes naming the conversation, only the
 * dialog, or both; text, files, forms, quick replies, metadata (or null), structured content as an
 * object or JSON-encoded; read receipts of any status; chat states with and without sequence;
 * conversation changes with full details or the consumer-side participantsPId form; empty change
 * lists; and event and notification types this code does not know yet.
 */
import fc from 'fast-check';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const id = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_-]{8,24}$/));
const timestamp = fc.integer({ min: 1_400_000_000_000, max: 2_000_000_000_000 });
const sequence = fc.nat({ max: 100_000 });
const role = fc.constantFrom('CONSUMER', 'ASSIGNED_AGENT', 'AGENT', 'MANAGER', 'READER', 'CONTROLLER');
const metadataItem = fc.oneof(
  fc.record({ type: fc.constant('ExternalId'), id }),
  fc.record({ type: fc.constant('Answer'), questionId: fc.uuid(), id: fc.uuid(), provider: fc.constant('AC') }),
  fc.record({
    type: fc.constant('Question'),
    id: fc.uuid(),
    groupId: fc.uuid(),
    surveyId: fc.uuid(),
    provider: fc.constant('AC'),
    replies: fc.array(fc.uuid(), { maxLength: 3 }),
  }),
);
const quickReplies = fc.record({
  type: fc.constant('quickReplies'),
  itemsPerRow: fc.integer({ min: 1, max: 8 }),
  replies: fc.array(
    text.map((title) => ({
      type: 'button',
      tooltip: title,
      title,
      click: { actions: [{ type: 'publishText', text: title }], metadata: [{ type: 'ExternalId', id: 'x' }] },
    })),
    { minLength: 1, maxLength: 4 },
  ),
});
const card = fc.record({
  type: fc.constant('vertical'),
  elements: fc.array(
    text.map((t) => ({ type: 'text', text: t })),
    { minLength: 1, maxLength: 3 },
  ),
});

const contentEvent = fc.oneof(
  fc.record({ type: fc.constant('ContentEvent'), message: text, contentType: fc.constantFrom('text/plain', 'text/html') }),
  fc.record(
    { type: fc.constant('ContentEvent'), message: text, contentType: fc.constant('text/plain'), quickReplies },
    { requiredKeys: ['type', 'message', 'contentType'] },
  ),
  fc.record({
    type: fc.constant('ContentEvent'),
    contentType: fc.constant('hosted/file'),
    message: fc.record(
      {
        caption: text,
        relativePath: id.map((name) => `/v1/AUTH_async-images/le123/${name}.JPG`),
        fileType: fc.constantFrom('JPG', 'PNG', 'PDF'),
        preview: fc.constant('data:image/jpeg;base64,AAAA'),
      },
      { requiredKeys: ['relativePath', 'fileType'] },
    ),
  }),
  fc.record({
    type: fc.constant('ContentEvent'),
    contentType: fc.constant('forms/secure-invitation'),
    message: fc.record({ invitationId: id, title: text }),
  }),
  fc.record({
    type: fc.constant('ContentEvent'),
    contentType: fc.constant('forms/secure-submission'),
    message: fc.record({ invitationId: id }),
  }),
  // An object message of a content type not documented yet: typed `other`, never refused.
  fc.record({
    type: fc.constant('ContentEvent'),
    contentType: fc.constant('application/x-new'),
    message: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
  }),
);
const richContentEvent = fc.record(
  {
    type: fc.constant('RichContentEvent'),
    content: fc.oneof(
      card,
      card.map((c) => JSON.stringify(c)),
    ),
    quickReplies,
  },
  { requiredKeys: ['type', 'content'] },
);
const acceptStatusEvent = fc.record({
  type: fc.constant('AcceptStatusEvent'),
  status: fc.constantFrom('ACCEPT', 'READ', 'ACCESS', 'NACK', 'ACTION'),
  sequenceList: fc.array(sequence, { minLength: 1, maxLength: 4 }),
});
const chatStateEvent = fc.record({
  type: fc.constant('ChatStateEvent'),
  chatState: fc.constantFrom('COMPOSING', 'ACTIVE', 'INACTIVE', 'GONE', 'PAUSE', 'BACKGROUND'),
});
/** An event type LivePerson may add. */
export const unknownEvent = fc.record({
  type: fc
    .stringMatching(/^[A-Z][A-Za-z]{2,20}Event$/)
    .filter((t) => !['ContentEvent', 'RichContentEvent', 'AcceptStatusEvent', 'ChatStateEvent'].includes(t)),
  value: fc.jsonValue({ maxDepth: 2 }),
});

/** Where a change says it belongs: the conversation only, the dialog only (LivePerson's webhook examples), or both (a survey dialog). */
const placement = fc.oneof(
  id.map((dialogId) => ({ dialogId })),
  id.map((conversationId) => ({ conversationId })),
  fc.record({ conversationId: id, dialogId: id }),
);

function messagingChange(event: fc.Arbitrary<Record<string, unknown>>, stamped: boolean) {
  return fc
    .tuple(
      placement,
      fc.record(
        {
          ...(stamped ? { sequence, serverTimestamp: timestamp } : {}),
          originatorId: id,
          originatorMetadata: fc.record({ id, role }),
          messageAudience: fc.constantFrom('ALL', 'AGENTS_AND_MANAGERS'),
          metadata: fc.oneof(fc.constant(null), fc.array(metadataItem, { minLength: 1, maxLength: 2 })),
          event,
        },
        { requiredKeys: ['event'] },
      ),
    )
    .map(([where, change]) => ({ ...change, ...where }));
}

export const documentedMessagingChange = fc.oneof(
  messagingChange(contentEvent, true),
  messagingChange(richContentEvent, true),
  messagingChange(acceptStatusEvent, true),
  // Chat states: LivePerson sends them without sequence and timestamp; other sources with them.
  messagingChange(chatStateEvent, false),
  messagingChange(chatStateEvent, true),
);

const dialog = fc.record(
  {
    dialogId: id,
    participantsDetails: fc.array(fc.record({ id, role }), { maxLength: 3 }),
    dialogType: fc.constantFrom('MAIN', 'POST_SURVEY'),
    channelType: fc.constant('MESSAGING'),
    state: fc.constantFrom('OPEN', 'CLOSE'),
    creationTs: timestamp,
    endTs: timestamp,
    metaDataLastUpdateTs: timestamp,
    closedBy: fc.constantFrom('CONSUMER', 'AGENT'),
    closedCause: text,
  },
  { requiredKeys: ['dialogId'] },
);
const fullDetails = fc.record(
  {
    skillId: fc.oneof(fc.constant('-1'), fc.stringMatching(/^\d{1,10}$/)),
    participants: fc.array(fc.record({ id, role }), { maxLength: 5 }),
    dialogs: fc.array(dialog, { maxLength: 2 }),
    brandId: fc.stringMatching(/^\d{8}$/),
    state: fc.constantFrom('OPEN', 'CLOSE'),
    stage: fc.constantFrom('OPEN', 'CLOSE'),
    closeReason: fc.constantFrom('CONSUMER', 'AGENT', 'SYSTEM'),
    startTs: timestamp,
    endTs: timestamp,
    metaDataLastUpdateTs: timestamp,
    ttr: fc.record({ ttrType: fc.constantFrom('NORMAL', 'URGENT', 'PRIORITIZED'), value: fc.nat({ max: 86_400 }) }),
    // Seen in recordings of LivePerson traffic (agent side): ids as numbers or strings.
    campaignInfo: fc.record({
      campaignId: fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,10}$/)),
      engagementId: fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,10}$/)),
    }),
    conversationHandlerDetails: fc.record({ accountId: fc.stringMatching(/^\d{8}$/), skillId: fc.stringMatching(/^\d{1,10}$/) }),
  },
  { requiredKeys: ['state', 'metaDataLastUpdateTs'] },
);
// The consumer-side form: participantsPId, no brandId, the update time on the result.
const consumerSideDetails = fc.record({
  participantsPId: fc.dictionary(role, fc.array(id, { minLength: 1, maxLength: 2 }), { maxKeys: 3 }),
  state: fc.constantFrom('OPEN', 'CLOSE'),
  startTs: timestamp,
});

/** A DELETE may come with the conversation's id alone. */
const bareDelete = fc.record({ type: fc.constant('DELETE'), result: fc.record({ convId: id }) });

export const documentedConversationChange = fc.oneof(
  bareDelete,
  fc.record({
    type: fc.constantFrom('UPSERT', 'DELETE'),
    result: fc.record(
      { convId: id, effectiveTTR: fc.oneof(fc.constant(-1), timestamp), conversationDetails: fullDetails },
      { requiredKeys: ['convId', 'conversationDetails'] },
    ),
  }),
  fc.record({
    type: fc.constant('UPSERT'),
    result: fc.record({ convId: id, conversationDetails: consumerSideDetails, lastUpdateTime: timestamp }),
  }),
);

/** Optional fields LivePerson may send as `null` instead of leaving them out. */
const NULLABLE_CHANGE_KEYS = ['originatorId', 'originatorMetadata', 'messageAudience', 'metadata', 'conversationId'];
const NULLABLE_EVENT_KEYS = ['quickReplies', 'contentType'];
const NULLABLE_DETAIL_KEYS = [
  'skillId',
  'closeReason',
  'stage',
  'brandId',
  'dialogs',
  'ttr',
  'endTs',
  'startTs',
  'campaignInfo',
  'conversationHandlerDetails',
];

/** The same change with some optional fields set to null. */
function withNulls<T>(change: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.tuple(change, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 })).map(([value, flags]) => {
    type Loose = Record<string, unknown> & {
      dialogId?: unknown;
      event?: Record<string, unknown>;
      result?: { conversationDetails?: Record<string, unknown> };
    };
    const copy = structuredClone(value) as Loose;
    const nullify = (target: Record<string, unknown> | undefined, keys: string[], offset: number) => {
      keys.forEach((key, index) => {
        if (target !== undefined && key in target && flags[(index + offset) % flags.length]) target[key] = null;
      });
    };
    // Keep what names the conversation: a change with neither conversationId nor dialogId is unusable.
    nullify(copy, copy.dialogId === undefined ? NULLABLE_CHANGE_KEYS.filter((key) => key !== 'conversationId') : NULLABLE_CHANGE_KEYS, 0);
    nullify(copy.event, NULLABLE_EVENT_KEYS, 5);
    nullify(copy.result?.conversationDetails, NULLABLE_DETAIL_KEYS, 2);
    return copy as T;
  });
}

const envelope = (type: string, change: fc.Arbitrary<unknown>, minLength: number) =>
  fc.record({
    kind: fc.constant('notification'),
    type: fc.constant(type),
    body: fc.record({ subscriptionId: fc.uuid(), changes: fc.array(change, { minLength, maxLength: 4 }) }, { requiredKeys: ['changes'] }),
  });

/** Every documented notification form, known event types only. */
export const documentedNotification = fc.oneof(
  envelope('ms.MessagingEventNotification', documentedMessagingChange, 1),
  envelope('cqm.ExConversationChangeNotification', documentedConversationChange, 1),
  envelope('ms.MessagingEventNotification', withNulls(documentedMessagingChange), 1),
  envelope('cqm.ExConversationChangeNotification', withNulls(documentedConversationChange), 1),
  // LivePerson sends empty change lists too.
  envelope('cqm.ExConversationChangeNotification', documentedConversationChange, 0).map((n) => ({
    ...n,
    body: { ...n.body, changes: [] },
  })),
);

/** What LivePerson may send tomorrow: unknown event types among known ones, unknown notification types, other envelopes. */
export const notYetKnownNotification = fc.oneof(
  // A conversation change type LivePerson may add.
  envelope(
    'cqm.ExConversationChangeNotification',
    fc.record({
      type: fc.constantFrom('TRANSFER', 'MERGE', 'UPDATE'),
      result: fc.record({ convId: id, anything: fc.jsonValue({ maxDepth: 2 }) }),
    }),
    1,
  ),
  envelope(
    'ms.MessagingEventNotification',
    fc.oneof(documentedMessagingChange, messagingChange(unknownEvent, true), messagingChange(unknownEvent, false)),
    1,
  ),
  envelope('ms.MessagingEventNotification', fc.oneof(documentedMessagingChange, messagingChange(unknownEvent, true)), 1).map((n) => ({
    ...n,
    type: 'ms.FutureNotification',
  })),
  fc.record({ kind: fc.constantFrom('notification', 'event'), type: fc.string({ maxLength: 30 }), body: fc.jsonValue({ maxDepth: 3 }) }),
);

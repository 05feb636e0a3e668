/**
 * The events the event processor publishes to the `liveperson-<accountId>` bus, as zod schemas: one
 * per detail-type, of the `detail` exactly as it goes on the wire (JSON, so a field the processor
 * leaves undefined is absent: optional here). The checked-in JSON Schemas (schemas/events/, written
 * by scripts/event-schemas.ts), the schema registry (lib/event-schemas.ts) and the brands' types
 * (events/index.ts) all come from these. test/contract/event-schemas.test.ts proves the types equal
 * what publishToEventBridge builds and every published example valid.
 *
 * The details are closed (no other property) where the processor builds them; what LivePerson sent
 * and the processor passes on as sent (a message object, structured content, metadata, a raw
 * change or body) stays open.
 */
import { EVENT_SOURCE } from './constants.ts';
import * as z from './zod.ts';

/** The detail-types, one per LivePerson event type. */
export const LIVEPERSON_DETAIL_TYPES = [
  'ContentEvent',
  'RichContentEvent',
  'AcceptStatusEvent',
  'ChatStateEvent',
  'ExConversationChangeNotification',
  'MessagingSubscriptionEvent',
  'UnknownEvent',
] as const;
export type LivePersonDetailType = (typeof LIVEPERSON_DETAIL_TYPES)[number];

const text = (description: string) => z.string().check(z.describe(description));
const optionalText = (description: string) => z.optional(text(description));
const epochMillis = (description: string) =>
  z.optional(z.number().check(z.int(), z.gte(0), z.describe(`${description} (ms since the epoch).`)));
const rawObject = z.record(z.string(), z.unknown());

/** What every detail carries. `eventId` is optional here; the detail-types that always have one require it. */
const common = {
  accountId: text('The LivePerson account (site) id.'),
  route: z
    .enum(['connector', 'messaging'])
    .check(z.describe('The webhook route the event came by: connector (signed by LivePerson) or messaging (its URL token only).')),
  receivedAt: optionalText('When the webhook reached the receiver (ISO 8601), when known.'),
  eventId: optionalText(
    'The event identity: the bus is at-least-once, so drop a detail whose eventId was seen. Absent for an event that is never deduplicated (a chat state without sequence or timestamp).',
  ),
};
const requiredEventId = text('The event identity: the bus is at-least-once, so drop a detail whose eventId was seen.');

/** The fields of every messaging event (ContentEvent, RichContentEvent, AcceptStatusEvent, ChatStateEvent). */
const messaging = {
  conversationId: text('The conversation.'),
  dialogId: text("The dialog: the conversation's id for its main dialog, another id for a survey dialog."),
  sequence: z.optional(z.number().check(z.int(), z.gte(0), z.describe("The change's sequence in its dialog."))),
  serverTimestamp: epochMillis('When LivePerson received the change'),
  originatorId: optionalText('Who sent the change.'),
  originatorRole: optionalText('The role of who sent it: CONSUMER, ASSIGNED_AGENT, AGENT, ...'),
  messageAudience: optionalText('Who may see it: ALL, or AGENTS_AND_MANAGERS for a private note.'),
  metadata: z.optional(
    z.array(rawObject).check(z.describe("The change's metadata (an ExternalId, a clicked button's metadata), as sent.")),
  ),
};

const quickReplies = z.optional(rawObject.check(z.describe('Quick replies offered with the message (structured content), as sent.')));

/** A ContentEvent's typed content: a text message's text is `message`, so its content is `{kind: "text"}` alone. */
const messageContent = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('text') }),
    z.object({
      kind: z.literal('hostedFile'),
      caption: z.optional(z.string()),
      relativePath: text("The file's path in LivePerson's storage: what the Connector API's download-URL request takes."),
      fileType: z.string(),
      preview: optionalText('A small base64 image LivePerson shows for images.'),
    }),
    z.object({ kind: z.literal('externalFile'), caption: z.optional(z.string()), uri: z.string(), fileType: z.optional(z.string()) }),
    z.object({
      kind: z.literal('secureFormInvitation'),
      invitationId: z.string(),
      title: z.optional(z.string()),
      formId: z.optional(z.string()),
    }),
    z.object({
      kind: z.literal('secureFormSubmission'),
      invitationId: z.string(),
      submissionId: z.optional(z.string()),
      formId: z.optional(z.string()),
    }),
    z.object({ kind: z.literal('other') }),
  ])
  .check(z.describe('The typed reading of message, by contentType: switch on kind. other: an object message of another content type.'));

const contentEventDetail = z.object({
  ...common,
  type: z.literal('ContentEvent'),
  ...messaging,
  message: z.union([z.string(), rawObject]).check(z.describe('As sent: a string for text, an object for files and forms (see content).')),
  contentType: text('text/plain, hosted/file, externalFile, forms/secure-invitation, forms/secure-submission, ...'),
  content: messageContent,
  quickReplies,
});

const richContentEventDetail = z.object({
  ...common,
  type: z.literal('RichContentEvent'),
  ...messaging,
  content: rawObject.check(z.describe('Structured content (cards, carousels, buttons, images, maps), as sent.')),
  quickReplies,
});

const acceptStatusEventDetail = z.object({
  ...common,
  type: z.literal('AcceptStatusEvent'),
  ...messaging,
  status: text('ACCEPT, READ, ACCESS, NACK, ACTION, ...'),
  sequenceList: z.array(z.number().check(z.int(), z.gte(0))).check(z.describe('The sequences of the messages it is about.')),
});

const chatStateEventDetail = z.object({
  ...common,
  type: z.literal('ChatStateEvent'),
  ...messaging,
  chatState: text('COMPOSING, ACTIVE, PAUSE, BACKGROUND, ...'),
});

const conversationChangeDetail = z.object({
  ...common,
  eventId: requiredEventId,
  type: z.literal('ExConversationChangeNotification'),
  conversationId: text('The conversation.'),
  changeType: text('UPSERT or DELETE.'),
  state: optionalText('OPEN or CLOSE; absent only for a DELETE that came with the conversation id alone.'),
  stage: optionalText('OPEN while a survey dialog is open after the main one closed.'),
  participants: z.array(z.object({ id: z.string(), role: z.string() })),
  dialogs: z.array(
    z.object({
      dialogId: z.string(),
      dialogType: optionalText('MAIN, POST_SURVEY, ...'),
      state: z.optional(z.string()),
      channelType: z.optional(z.string()),
    }),
  ),
  skillId: z.optional(z.string()),
  brandId: z.optional(z.string()),
  handler: z.optional(
    z
      .object({ accountId: z.optional(z.string()), skillId: z.optional(z.string()) })
      .check(z.describe('The account and skill handling the conversation now (after a transfer, the new skill).')),
  ),
  campaign: z.optional(z.object({ campaignId: z.optional(z.string()), engagementId: z.optional(z.string()) })),
  ttr: z.optional(z.object({ ttrType: z.optional(z.string()), value: z.optional(z.number()) })),
  effectiveTTR: z.optional(
    z.number().check(z.int(), z.gte(-1), z.describe("When the agent's answer is due (ms since the epoch), -1 when none is.")),
  ),
  startTs: epochMillis('When the conversation started'),
  lastUpdateTs: epochMillis('When the conversation was last updated: orders the updates of one conversation'),
  closeReason: z.optional(z.string()),
});

const messagingSubscriptionDetail = z.object({
  ...common,
  eventId: requiredEventId,
  type: z.literal('MessagingSubscriptionEvent'),
  conversationId: optionalText('The conversation the body names, when it names one.'),
  body: rawObject.check(z.describe('The body as it came by the messaging route: LivePerson documents no schema for it and signs nothing.')),
});

const unknownEventDetail = z.object({
  ...common,
  type: z.literal('UnknownEvent'),
  notificationType: optionalText("The notification's type (e.g. ms.MessagingEventNotification), when it has one."),
  changeType: optionalText("The change's own type: its event.type in a messaging notification, else its type."),
  conversationId: optionalText('The conversation, when the change names one.'),
  change: z.unknown().check(z.describe('The raw change, or the whole body when it has no body.changes.')),
});

/** The detail schema of each detail-type. */
export const LIVEPERSON_DETAIL_SCHEMAS = {
  ContentEvent: contentEventDetail,
  RichContentEvent: richContentEventDetail,
  AcceptStatusEvent: acceptStatusEventDetail,
  ChatStateEvent: chatStateEventDetail,
  ExConversationChangeNotification: conversationChangeDetail,
  MessagingSubscriptionEvent: messagingSubscriptionDetail,
  UnknownEvent: unknownEventDetail,
} as const satisfies { readonly [T in LivePersonDetailType]: z.ZodMiniType<{ type: T }> };

export type LivePersonDetailSchema<T extends LivePersonDetailType = LivePersonDetailType> = (typeof LIVEPERSON_DETAIL_SCHEMAS)[T];
/** The detail of a detail-type's event, as subscribers receive it. */
export type LivePersonDetail<T extends LivePersonDetailType = LivePersonDetailType> = z.output<LivePersonDetailSchema<T>>;

/** A whole EventBridge event of one detail-type, as a rule's target receives it. */
export function eventBridgeEventSchema<T extends LivePersonDetailType>(detailType: T) {
  return z
    .looseObject({
      version: z.string(),
      id: z.string(),
      'detail-type': z.literal(detailType),
      source: z.literal(EVENT_SOURCE),
      account: text('The AWS account of the bus.'),
      // EventBridge's own form (its AWS event schemas' `format: date-time`); EventBridge sets it, not the processor.
      time: z.string().check(z.meta({ format: 'date-time', description: 'When EventBridge received the event (ISO 8601, UTC).' })),
      region: z.string(),
      resources: z.array(z.string()),
      'replay-name': optionalText('The archive replay that sent the event again, if one did.'),
      detail: LIVEPERSON_DETAIL_SCHEMAS[detailType],
    })
    .check(
      z.meta({
        title: detailType,
        description: `A LivePerson ${detailType}, as the event processor publishes it to the liveperson-<accountId> bus.`,
      }),
    );
}

/** JSON Schema drafts: draft-04 is what EventBridge's schema registry takes (JSONSchemaDraft4). */
export type EventSchemaDraft = 'draft-04' | 'draft-07';

/** The JSON Schema of a detail-type's whole event. */
export function eventJsonSchema(detailType: LivePersonDetailType, target: EventSchemaDraft = 'draft-04'): Record<string, unknown> {
  const { $schema, title, description, ...schema } = z.toJSONSchema(eventBridgeEventSchema(detailType), { target, io: 'output' });
  // Title and description first: the file reads from the top.
  return { $schema, title, description, ...schema };
}

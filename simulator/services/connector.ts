// Connector API (asyncMessagingEnt), the consumer side: open a conversation, publish events (text,
// files, chat state, accept status with request metadata), set the user profile, ask for signed
// storage URLs, close a dialog or the conversation.
//
// Documented (https://developers.liveperson.com/connector-api-send-api-send.html, -conversation.html,
// -examples.html and the Messaging Window API's post-conversation survey tutorial):
// the 401 codes and shape; the request envelopes, with request `metadata` beside `body`; the success
// answers ({"code":"OK","body":{"msg":"OK User Profile set successfully"},"reqId"} for a profile,
// {"code":"OK","body":{"relativePath","queryParams":{"temp_url_sig","temp_url_expires"}},"reqId"} for a
// file URL); the file types JPG, JPEG, PNG, GIF, files up to 3MB and previews under 30KB; a hosted/file
// publish refused with "Check your file size and that its is not corrupted"; only the ctmrinfo and
// personal SDEs; ctmrinfo.customerId making the call fail; ExternalId ids up to 64 characters;
// DialogChange closing one dialog (the main one starting the survey) and Stage closing everything.
// Simulator-defined (LivePerson publishes no shape for these): every other error is answered
//   HTTP 4xx {"kind":"resp","code":<status>,"reqId"?:<id>,"body":{"errorCode":"<NAME>","message":"..."}}
// with a string errorCode: INVALID_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, CONVERSATION_NOT_FOUND,
// NOT_CONVERSATION_PARTICIPANT, CONVERSATION_CLOSED, DIALOG_NOT_FOUND, DIALOG_CLOSED;
// FILE_TOO_LARGE (an upload URL for more than 3MB: LivePerson documents only that "over-sized request
// will be rejected"), FILE_NOT_FOUND (a download URL for nothing stored), FILE_NOT_UPLOADED and
// PREVIEW_TOO_LARGE (a hosted/file publish naming no stored file, or a preview over 30KB; both with
// LivePerson's documented message). A consumer that already has an open conversation gets HTTP 400
// with the usual array whose second entry is
//   {"code":400,"reqId":<id>,"body":{"errorCode":"CONVERSATION_ALREADY_OPEN","message":"..."}}.
// Also simulator-defined: a SEND SetUserProfile updates the consumer's open conversation (400
// CONVERSATION_NOT_FOUND when there is none); file URLs need no conversation; the survey starts on a
// consumer's DialogChange only when one is configured (SimulatorOptions.survey) and the conversation's
// Client-Properties declare MULTI_DIALOG or were not sent (see ../client-features.ts); each SEND notes whether
// it carried its conversation's Client-Properties (ConversationSnapshot.sends).
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply, mediaType, parseJson } from '../http.ts';
import { lacksFeature } from '../client-features.ts';
import { beginSurvey, DEFAULT_SURVEY_QUESTION, surveyFor } from '../survey.ts';
import type { ClientPropertiesMatch, ConversationSnapshot, MessagingEvent } from '../types.ts';
import { MAX_PREVIEW_BYTES, MAX_UPLOAD_BYTES, UPLOAD_FILE_TYPES } from './storage.ts';

type RequestId = string | number;

export function connectorError(status: number, errorCode: string | number, message: string, reqId?: RequestId): SimReply {
  return { status, json: { kind: 'resp', code: status, ...(reqId === undefined ? {} : { reqId }), body: { errorCode, message } } };
}

export const CONNECTOR_AUTH_ERRORS = {
  appJwtInvalid: 40102,
  consumerJwsInvalid: 40103,
  appJwtMissing: 40104,
  consumerJwsMissing: 40105,
} as const;

/** The answer text of a successful userprofile.SetUserProfile (CONVERSATION page's example). */
export const USER_PROFILE_SET = 'OK User Profile set successfully';
/** The documented 400 of a hosted/file publish. */
export const HOSTED_FILE_REFUSED = 'Check your file size and that its is not corrupted';
/** "The supported SDEs for sending are the Customer Info and Personal Info SDEs." */
export const SUPPORTED_SDE_TYPES: readonly string[] = ['ctmrinfo', 'personal'];

const requestId = z.union([z.string().min(1), z.number()]);
const idLike = z.union([z.string().min(1), z.number()]);

// Request metadata: what ties a click to its button (ExternalId) or survey answer (Answer, ...).
const metadataItem = z
  .looseObject({ type: z.string().min(1) })
  .refine((item) => item.type !== 'ExternalId' || (typeof item.id === 'string' && item.id.length >= 1 && item.id.length <= 64), {
    message: 'ExternalId.id must be a string of 1 to 64 characters',
    path: ['id'],
  });

function envelope<Type extends string, Body extends z.ZodType>(type: Type, body: Body) {
  return z.object({
    kind: z.literal('req'),
    id: requestId,
    type: z.literal(type),
    body,
    metadata: z.array(metadataItem).optional(),
  });
}

const setUserProfileRequest = envelope('userprofile.SetUserProfile', z.record(z.string(), z.unknown()));
const consumerRequestConversationRequest = envelope(
  'cm.ConsumerRequestConversation',
  z.object({
    brandId: z.string().min(1),
    // Mandatory in the CONVERSATION page's table, left out of its minimal example.
    channelType: z.literal('MESSAGING').optional(),
    campaignInfo: z.object({ campaignId: idLike, engagementId: idLike }).optional(),
    skillId: idLike.optional(),
    ttrDefName: z.enum(['NORMAL', 'URGENT', 'PRIORITIZED']).optional(),
    conversationContext: z.record(z.string(), z.unknown()).optional(),
  }),
);
const openConversationRequests = z.tuple([setUserProfileRequest, consumerRequestConversationRequest]);

const messagingEvent = z.discriminatedUnion('type', [
  z.discriminatedUnion('contentType', [
    z.object({ type: z.literal('ContentEvent'), contentType: z.literal('text/plain'), message: z.string().min(1) }),
    // A file the connector uploaded to LivePerson's storage first.
    z.object({
      type: z.literal('ContentEvent'),
      contentType: z.literal('hosted/file'),
      message: z.object({
        caption: z.string().optional(),
        relativePath: z.string().min(1),
        fileType: z.enum(UPLOAD_FILE_TYPES),
        preview: z.string().optional(),
      }),
    }),
  ]),
  z.object({ type: z.literal('ChatStateEvent'), chatState: z.enum(['COMPOSING', 'ACTIVE', 'INACTIVE', 'GONE', 'PAUSE']) }),
  z.object({
    type: z.literal('AcceptStatusEvent'),
    status: z.enum(['ACCEPT', 'READ', 'ACCESS', 'NACK', 'ACTION']),
    sequenceList: z.array(z.number().int().nonnegative()).min(1),
  }),
]) satisfies z.ZodType<MessagingEvent>;

const conversationField = z.discriminatedUnion('field', [
  z.object({ field: z.literal('ConversationStateField'), conversationState: z.literal('CLOSE') }),
  // Closes the conversation and every dialog; no survey.
  z.object({ field: z.literal('Stage'), conversationState: z.literal('CLOSE') }),
  // Closes one dialog: the main one (the survey may follow) or the survey's.
  z.object({
    field: z.literal('DialogChange'),
    type: z.literal('UPDATE'),
    dialog: z.object({ dialogId: z.string().min(1), state: z.literal('CLOSE'), closedCause: z.string().optional() }),
  }),
]);

const sendRequest = z.discriminatedUnion('type', [
  envelope(
    'ms.PublishEvent',
    // The survey example names the conversation beside the (survey's) dialog.
    z.object({ dialogId: z.string().min(1), conversationId: z.string().min(1).optional(), event: messagingEvent }),
  ),
  envelope('cm.UpdateConversationField', z.object({ conversationId: z.string().min(1), conversationField })),
  envelope(
    'ms.GenerateURLForUploadFile',
    z.object({
      // A string in the schema; the examples send "1000" and 1000.
      fileSize: z.union([z.string().regex(/^\d+$/, 'fileSize must be a number of bytes'), z.number().int().nonnegative()]),
      fileType: z.enum(UPLOAD_FILE_TYPES),
    }),
  ),
  envelope('ms.GenerateURLForDownloadFile', z.object({ relativePath: z.string().min(1) })),
  envelope('userprofile.SetUserProfile', z.record(z.string(), z.unknown())),
]);
type SendRequest = z.infer<typeof sendRequest>;

/** Paths: /api/account/{accountId}/messaging/consumer/conversation[/send] */
export function handleConnector(request: SimRequest, context: SimContext): SimReply {
  const [, , accountId = '', , consumer, conversation, send, ...rest] = request.segments;
  const isOpen = consumer === 'consumer' && conversation === 'conversation' && send === undefined;
  const isSend = consumer === 'consumer' && conversation === 'conversation' && send === 'send' && rest.length === 0;
  if (!isOpen && !isSend) return connectorError(404, 'NOT_FOUND', `No Connector API resource at ${request.path}`);
  if (request.method !== 'POST') return connectorError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed; use POST`);

  const auth = authenticate(request, context, accountId);
  if (!auth.ok) return auth.reply;

  if (request.query.v !== '3') return connectorError(400, 'INVALID_REQUEST', 'Query parameter v=3 is required');
  if (mediaType(request.headers['content-type']) !== 'application/json') {
    return connectorError(400, 'INVALID_REQUEST', 'Content-Type must be application/json');
  }
  const clientProperties = parseClientProperties(request.headers['client-properties']);
  if (!clientProperties.ok) return connectorError(400, 'INVALID_REQUEST', clientProperties.message);
  const json = parseJson(request.body);
  if (!json.ok) return connectorError(400, 'INVALID_REQUEST', 'Body is not JSON');

  return isOpen
    ? openConversation(json.value, context, accountId, auth.consumerId, clientProperties.value)
    : sendToConversation(json.value, context, auth.consumerId, clientProperties.value);
}

function authenticate(
  request: SimRequest,
  context: SimContext,
  accountId: string,
): { ok: true; consumerId: string } | { ok: false; reply: SimReply } {
  const unauthorized = (errorCode: number, message: string) => ({ ok: false as const, reply: connectorError(401, errorCode, message) });

  // Raw AppJWT, no 'Bearer ' (a 'Bearer ...' value is an invalid token here).
  const appJwt = context.tokens.verifyAppJwt(request.headers.authorization);
  if (!appJwt.ok) {
    return appJwt.reason === 'missing'
      ? unauthorized(CONNECTOR_AUTH_ERRORS.appJwtMissing, 'Authorization header (AppJWT) is missing')
      : unauthorized(CONNECTOR_AUTH_ERRORS.appJwtInvalid, `AppJWT is ${appJwt.reason}`);
  }
  if (appJwt.claims.acct !== accountId) {
    return unauthorized(CONNECTOR_AUTH_ERRORS.appJwtInvalid, `AppJWT was not issued for account ${accountId}`);
  }
  const consumerJws = context.tokens.verifyConsumerJws(request.headers['x-lp-on-behalf']);
  if (!consumerJws.ok) {
    return consumerJws.reason === 'missing'
      ? unauthorized(CONNECTOR_AUTH_ERRORS.consumerJwsMissing, 'X-LP-ON-BEHALF header (consumer JWS) is missing')
      : unauthorized(CONNECTOR_AUTH_ERRORS.consumerJwsInvalid, 'Consumer JWS is invalid');
  }
  if (consumerJws.claims.acct !== accountId) {
    return unauthorized(CONNECTOR_AUTH_ERRORS.consumerJwsInvalid, `Consumer JWS was not issued for account ${accountId}`);
  }
  return { ok: true, consumerId: consumerJws.claims.sub };
}

function openConversation(
  body: unknown,
  context: SimContext,
  accountId: string,
  consumerId: string,
  clientProperties: Record<string, unknown> | undefined,
): SimReply {
  if (!Array.isArray(body)) return connectorError(400, 'INVALID_REQUEST', 'Body must be a JSON array of requests');
  const firstType: unknown = (body[0] as { type?: unknown } | undefined)?.type;
  if (firstType !== 'userprofile.SetUserProfile') {
    return connectorError(400, 'INVALID_REQUEST', 'The first request must be userprofile.SetUserProfile');
  }
  const parsed = openConversationRequests.safeParse(body);
  if (!parsed.success) {
    return connectorError(
      400,
      'INVALID_REQUEST',
      `Expected [userprofile.SetUserProfile, cm.ConsumerRequestConversation]: ${z.prettifyError(parsed.error)}`,
    );
  }
  const [profileRequest, conversationRequest] = parsed.data;
  const sdeProblem = userProfileProblem(profileRequest.body);
  if (sdeProblem !== undefined) return connectorError(400, 'INVALID_REQUEST', sdeProblem, profileRequest.id);
  const request = conversationRequest.body;
  if (request.brandId !== accountId) {
    return connectorError(400, 'INVALID_REQUEST', `brandId must be the account id ${accountId}`, conversationRequest.id);
  }

  const profileAnswer = { code: 'OK', body: { msg: USER_PROFILE_SET }, reqId: profileRequest.id };
  const opened = context.conversations.open({
    consumerId,
    userProfile: profileRequest.body,
    ...(request.skillId === undefined ? {} : { skillId: String(request.skillId) }),
    ...(request.campaignInfo === undefined ? {} : { campaignInfo: request.campaignInfo }),
    ...(request.ttrDefName === undefined ? {} : { ttrDefName: request.ttrDefName }),
    ...(request.conversationContext === undefined ? {} : { conversationContext: request.conversationContext }),
    ...(clientProperties === undefined ? {} : { clientProperties }),
  });
  if (!opened.ok) {
    return jsonReply(400, [
      profileAnswer,
      {
        code: 400,
        reqId: conversationRequest.id,
        body: {
          errorCode: 'CONVERSATION_ALREADY_OPEN',
          message: `Consumer already has an open conversation (${opened.openConversationId})`,
        },
      },
    ]);
  }
  return jsonReply(200, [
    profileAnswer,
    { code: 'OK', body: { conversationId: opened.conversation.conversationId }, reqId: conversationRequest.id },
  ]);
}

function sendToConversation(
  body: unknown,
  context: SimContext,
  consumerId: string,
  clientProperties: Record<string, unknown> | undefined,
): SimReply {
  const parsed = sendRequest.safeParse(body);
  if (!parsed.success) {
    const reqId = requestId.safeParse((body as { id?: unknown } | null)?.id);
    return connectorError(400, 'INVALID_REQUEST', z.prettifyError(parsed.error), reqId.success ? reqId.data : undefined);
  }
  const request = parsed.data;
  const note = (conversation: ConversationSnapshot) =>
    context.conversations.recordSend(conversation.conversationId, {
      reqId: String(request.id),
      type: request.type,
      clientProperties: compareClientProperties(conversation.clientProperties, clientProperties),
    });

  // Requests that name no conversation: noted against the consumer's open one, if any.
  if (
    request.type === 'ms.GenerateURLForUploadFile' ||
    request.type === 'ms.GenerateURLForDownloadFile' ||
    request.type === 'userprofile.SetUserProfile'
  ) {
    const active = context.conversations.activeConversationOf(consumerId);
    if (active !== undefined) note(active);
    return answerConsumerRequest(request, context, active);
  }

  // A publish names a dialog: the main one (the conversation's id) or a survey's, which is answered there.
  const target = request.type === 'ms.PublishEvent' ? request.body.dialogId : request.body.conversationId;
  const conversation = context.conversations.get(target) ?? context.conversations.conversationOfDialog(target);
  if (conversation === undefined) {
    return connectorError(400, 'CONVERSATION_NOT_FOUND', `No conversation ${target}`, request.id);
  }
  const { conversationId } = conversation;
  if (conversation.consumerId !== consumerId) {
    return connectorError(400, 'NOT_CONVERSATION_PARTICIPANT', `The consumer is not a participant of ${conversationId}`, request.id);
  }
  note(conversation);
  const closed = () => connectorError(400, 'CONVERSATION_CLOSED', `Conversation ${conversationId} is closed`, request.id);

  if (request.type === 'cm.UpdateConversationField') return updateConversationField(request, context, conversation, closed);

  if (request.body.conversationId !== undefined && request.body.conversationId !== conversationId) {
    return connectorError(
      400,
      'INVALID_REQUEST',
      `Dialog ${target} is not a dialog of conversation ${request.body.conversationId}`,
      request.id,
    );
  }
  // During a post-conversation survey the state is CLOSE and the stage OPEN: the survey dialog still takes answers.
  const open =
    conversation.dialogs.some((dialog) => dialog.dialogId === target && dialog.state === 'OPEN') ||
    (target === conversationId && conversation.state === 'OPEN');
  if (!open) return closed();
  const { event } = request.body;
  if (event.type === 'ContentEvent' && event.contentType === 'hosted/file') {
    if (!context.storage.has(event.message.relativePath)) {
      return connectorError(400, 'FILE_NOT_UPLOADED', HOSTED_FILE_REFUSED, request.id);
    }
    if (event.message.preview !== undefined && Buffer.byteLength(event.message.preview, 'utf8') > MAX_PREVIEW_BYTES) {
      return connectorError(400, 'PREVIEW_TOO_LARGE', HOSTED_FILE_REFUSED, request.id);
    }
  }
  const published = context.conversations.publish(conversationId, {
    originator: 'CONSUMER',
    originatorId: consumerId,
    event,
    dialogId: target,
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
  });
  if (!published.ok) return closed();
  return jsonReply(200, { kind: 'resp', reqId: request.id, code: 'OK', body: { sequence: published.message.sequence } });
}

function updateConversationField(
  request: Extract<SendRequest, { type: 'cm.UpdateConversationField' }>,
  context: SimContext,
  conversation: ConversationSnapshot,
  closed: () => SimReply,
): SimReply {
  const { conversationId } = conversation;
  const ok = () => jsonReply(200, { kind: 'resp', reqId: request.id, code: 'OK', body: {} });
  const field = request.body.conversationField;
  switch (field.field) {
    case 'ConversationStateField':
      if (conversation.state !== 'OPEN') return closed();
      context.conversations.close(conversationId, 'CONSUMER');
      return ok();
    case 'Stage':
      if (conversation.stage !== 'OPEN') return closed();
      context.conversations.close(conversationId, 'CONSUMER');
      return ok();
    case 'DialogChange': {
      const { dialogId, closedCause } = field.dialog;
      const dialog = conversation.dialogs.find((candidate) => candidate.dialogId === dialogId);
      if (dialog === undefined) {
        return connectorError(400, 'DIALOG_NOT_FOUND', `Conversation ${conversationId} has no dialog ${dialogId}`, request.id);
      }
      if (conversation.stage !== 'OPEN') return closed();
      if (dialog.state !== 'OPEN') return connectorError(400, 'DIALOG_CLOSED', `Dialog ${dialogId} is closed`, request.id);
      const survey = dialog.dialogType === 'MAIN' ? surveyFor(context, conversation) : undefined;
      if (survey !== undefined && !lacksFeature(conversation, 'MULTI_DIALOG')) {
        const question = { text: survey.text ?? DEFAULT_SURVEY_QUESTION.text, answers: survey.answers ?? DEFAULT_SURVEY_QUESTION.answers };
        const started = beginSurvey(context, conversationId, question, {
          closedBy: 'CONSUMER',
          ...(closedCause === undefined ? {} : { closedCause }),
        });
        if (!started.ok) return closed();
        return ok();
      }
      // The main dialog without a survey, or the survey's dialog: the conversation ends.
      context.conversations.close(conversationId, 'CONSUMER', closedCause);
      return ok();
    }
  }
}

/** The SEND requests that name no conversation: file URLs and the user profile. */
function answerConsumerRequest(
  request: Extract<SendRequest, { type: 'ms.GenerateURLForUploadFile' | 'ms.GenerateURLForDownloadFile' | 'userprofile.SetUserProfile' }>,
  context: SimContext,
  active: ConversationSnapshot | undefined,
): SimReply {
  const answer = (body: unknown) => jsonReply(200, { code: 'OK', body, reqId: String(request.id) });
  switch (request.type) {
    case 'ms.GenerateURLForUploadFile': {
      const fileSize = Number(request.body.fileSize);
      if (fileSize < 1) return connectorError(400, 'INVALID_REQUEST', 'fileSize must be at least 1 byte', request.id);
      if (fileSize > MAX_UPLOAD_BYTES) {
        return connectorError(400, 'FILE_TOO_LARGE', `A file may have up to ${MAX_UPLOAD_BYTES} bytes (3MB)`, request.id);
      }
      return answer(context.storage.uploadUrl(request.body.fileType, fileSize));
    }
    case 'ms.GenerateURLForDownloadFile': {
      const url = context.storage.downloadUrl(request.body.relativePath);
      if (url === undefined) return connectorError(400, 'FILE_NOT_FOUND', `No file at ${request.body.relativePath}`, request.id);
      return answer(url);
    }
    case 'userprofile.SetUserProfile': {
      const problem = userProfileProblem(request.body);
      if (problem !== undefined) return connectorError(400, 'INVALID_REQUEST', problem, request.id);
      if (active === undefined) return connectorError(400, 'CONVERSATION_NOT_FOUND', 'The consumer has no open conversation', request.id);
      context.conversations.updateUserProfile(active.conversationId, request.body);
      return answer({ msg: USER_PROFILE_SET });
    }
  }
}

/** Why a SetUserProfile body is refused: an SDE the Connector API does not take, or an authenticating one. */
function userProfileProblem(body: Record<string, unknown>): string | undefined {
  const data = body.authenticatedData;
  if (data === undefined) return undefined;
  if (!isRecord(data)) return 'authenticatedData must be an object';
  const sdes = data.lp_sdes;
  if (sdes === undefined) return undefined;
  if (!Array.isArray(sdes)) return 'authenticatedData.lp_sdes must be an array';
  for (const [index, sde] of sdes.entries()) {
    if (!isRecord(sde) || typeof sde.type !== 'string') return `lp_sdes[${index}] must be an object with a string type`;
    if (!SUPPORTED_SDE_TYPES.includes(sde.type)) {
      return `SDE type ${sde.type} is not supported: the Connector API takes ${SUPPORTED_SDE_TYPES.join(' and ')} only`;
    }
    // LivePerson: customerId makes the conversation authenticated, and an unauthenticated one's call fails.
    if (sde.type === 'ctmrinfo' && isRecord(sde.info) && sde.info.customerId !== undefined) {
      return 'ctmrinfo.info.customerId is not allowed: it marks the consumer as authenticated';
    }
  }
  return undefined;
}

/** The Client-Properties header: absent, or a JSON object whose `features`, if any, are strings. */
function parseClientProperties(
  header: string | undefined,
): { ok: true; value: Record<string, unknown> | undefined } | { ok: false; message: string } {
  if (header === undefined) return { ok: true, value: undefined };
  const json = parseJson(header);
  if (!json.ok || !isRecord(json.value)) return { ok: false, message: 'Client-Properties must be a JSON object' };
  const { features } = json.value;
  if (features !== undefined && !(Array.isArray(features) && features.every((feature) => typeof feature === 'string'))) {
    return { ok: false, message: 'Client-Properties features must be an array of strings' };
  }
  return { ok: true, value: json.value };
}

function compareClientProperties(
  ofConversation: Record<string, unknown> | undefined,
  ofSend: Record<string, unknown> | undefined,
): ClientPropertiesMatch {
  if (ofConversation !== undefined && ofSend === undefined) return 'MISSING';
  return isDeepStrictEqual(ofConversation, ofSend) ? 'SAME' : 'DIFFERENT';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

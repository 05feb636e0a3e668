// Connector API (asyncMessagingEnt), the consumer side: open a conversation, publish events, close it.
//
// Documented: the 401 codes and shape, the request envelopes and the success answers.
// Simulator-defined (LivePerson publishes no shape for these): every other error is answered
//   HTTP 4xx {"kind":"resp","code":<status>,"reqId"?:<id>,"body":{"errorCode":"<NAME>","message":"..."}}
// with a string errorCode (INVALID_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, CONVERSATION_NOT_FOUND,
// NOT_CONVERSATION_PARTICIPANT, CONVERSATION_CLOSED); and a consumer that already has an open conversation
// gets HTTP 400 with the usual array whose second entry is
//   {"code":400,"reqId":<id>,"body":{"errorCode":"CONVERSATION_ALREADY_OPEN","message":"..."}}.
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply, mediaType, parseJson } from '../http.ts';
import type { MessagingEvent } from '../types.ts';

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

const requestId = z.union([z.string().min(1), z.number()]);
const idLike = z.union([z.string().min(1), z.number()]);

function envelope<Type extends string, Body extends z.ZodType>(type: Type, body: Body) {
  return z.object({ kind: z.literal('req'), id: requestId, type: z.literal(type), body });
}

const setUserProfileRequest = envelope('userprofile.SetUserProfile', z.record(z.string(), z.unknown()));
const consumerRequestConversationRequest = envelope(
  'cm.ConsumerRequestConversation',
  z.object({
    brandId: z.string().min(1),
    channelType: z.literal('MESSAGING'),
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
        fileType: z.string().min(1),
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

const sendRequest = z.discriminatedUnion('type', [
  envelope('ms.PublishEvent', z.object({ dialogId: z.string().min(1), event: messagingEvent })),
  envelope(
    'cm.UpdateConversationField',
    z.object({
      conversationId: z.string().min(1),
      conversationField: z.object({ field: z.literal('ConversationStateField'), conversationState: z.literal('CLOSE') }),
    }),
  ),
]);

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
  const clientProperties = request.headers['client-properties'];
  if (clientProperties !== undefined && !isJsonObject(clientProperties)) {
    return connectorError(400, 'INVALID_REQUEST', 'Client-Properties must be a JSON object');
  }
  const json = parseJson(request.body);
  if (!json.ok) return connectorError(400, 'INVALID_REQUEST', 'Body is not JSON');

  return isOpen
    ? openConversation(json.value, context, accountId, auth.consumerId)
    : sendToConversation(json.value, context, auth.consumerId);
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

function openConversation(body: unknown, context: SimContext, accountId: string, consumerId: string): SimReply {
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
  const request = conversationRequest.body;
  if (request.brandId !== accountId) {
    return connectorError(400, 'INVALID_REQUEST', `brandId must be the account id ${accountId}`, conversationRequest.id);
  }

  const profileAnswer = { code: 'OK', body: {}, reqId: profileRequest.id };
  const opened = context.conversations.open({
    consumerId,
    userProfile: profileRequest.body,
    ...(request.skillId === undefined ? {} : { skillId: String(request.skillId) }),
    ...(request.campaignInfo === undefined ? {} : { campaignInfo: request.campaignInfo }),
    ...(request.ttrDefName === undefined ? {} : { ttrDefName: request.ttrDefName }),
    ...(request.conversationContext === undefined ? {} : { conversationContext: request.conversationContext }),
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

function sendToConversation(body: unknown, context: SimContext, consumerId: string): SimReply {
  const parsed = sendRequest.safeParse(body);
  if (!parsed.success) {
    const reqId = requestId.safeParse((body as { id?: unknown } | null)?.id);
    return connectorError(400, 'INVALID_REQUEST', z.prettifyError(parsed.error), reqId.success ? reqId.data : undefined);
  }
  const request = parsed.data;
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
  // During a post-conversation survey the state is CLOSE and the stage OPEN: the survey dialog still takes answers.
  const open =
    request.type === 'ms.PublishEvent'
      ? conversation.dialogs.some((dialog) => dialog.dialogId === target && dialog.state === 'OPEN') ||
        (target === conversationId && conversation.state === 'OPEN')
      : conversation.state === 'OPEN';
  if (!open) {
    return connectorError(400, 'CONVERSATION_CLOSED', `Conversation ${conversationId} is closed`, request.id);
  }

  if (request.type === 'cm.UpdateConversationField') {
    context.conversations.close(conversationId, 'CONSUMER');
    return jsonReply(200, { kind: 'resp', reqId: request.id, code: 'OK', body: {} });
  }
  const published = context.conversations.publish(conversationId, {
    originator: 'CONSUMER',
    originatorId: consumerId,
    event: request.body.event,
    dialogId: target,
  });
  if (!published.ok) return connectorError(400, 'CONVERSATION_CLOSED', `Conversation ${conversationId} is closed`, request.id);
  return jsonReply(200, { kind: 'resp', reqId: request.id, code: 'OK', body: { sequence: published.message.sequence } });
}

function isJsonObject(text: string): boolean {
  const json = parseJson(text);
  return json.ok && typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value);
}

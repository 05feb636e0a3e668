// Connect-to-Messaging (docs/liveperson.md#connect-to-messaging-c2m): eligibility and invite, with every error of C2M's published table
// that a brand's request can provoke. Error bodies: {"errorCode": <number>, "errorMessage": "..."}.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply, mediaType, parseJson } from '../http.ts';
import { isOAuth1Header, verifyOAuth1Header } from '../oauth1.ts';

interface C2mError {
  status: number;
  errorCode: number;
  errorMessage: string;
}

export const C2M_ERRORS = {
  invalidRequest: { status: 400, errorCode: 1000, errorMessage: 'Invalid request' },
  invalidPhoneNumber: { status: 400, errorCode: 1001, errorMessage: 'Invalid customerPhoneNumber' },
  invalidVersion: { status: 400, errorCode: 1002, errorMessage: 'Invalid version' },
  noInternalUser: { status: 400, errorCode: 1200, errorMessage: 'No internal user is available' },
  noInternalApp: { status: 400, errorCode: 1201, errorMessage: 'No internal app is available' },
  messageCannotBeSent: { status: 400, errorCode: 1400, errorMessage: 'Message cannot be sent' },
  noHandoff: { status: 400, errorCode: 1500, errorMessage: 'No handoff is available' },
  noHandoffChannel: { status: 400, errorCode: 1501, errorMessage: 'No handoff channel is available' },
  noSetting: { status: 400, errorCode: 1600, errorMessage: 'No setting is available' },
  overriddenChannelUnavailable: { status: 400, errorCode: 1900, errorMessage: 'Overridden channel is not available' },
  noEngagementForOverriddenSkill: { status: 400, errorCode: 1901, errorMessage: 'No engagement provided for the overridden skill' },
  invalidBearerToken: { status: 401, errorCode: 1100, errorMessage: 'Invalid Bearer token' },
  jwtExpired: { status: 401, errorCode: 1100, errorMessage: 'jwt expired' },
  notEnoughPrivilege: { status: 403, errorCode: 1101, errorMessage: 'Not enough privilege to perform this operation' },
  notFound: { status: 404, errorCode: 1004, errorMessage: 'Not Found' },
  methodNotAllowed: { status: 405, errorCode: 1005, errorMessage: 'Method Not Allowed' },
  unsupportedMediaType: { status: 415, errorCode: 1015, errorMessage: 'Unsupported Media Type' },
  rateLimitHit: { status: 429, errorCode: 1029, errorMessage: 'Rate limit hit' },
  internalServerError: { status: 500, errorCode: 5000, errorMessage: 'Internal Server Error' },
} as const satisfies Record<string, C2mError>;

/** Errors of a brand's account set-up (no request provokes them); switched on with c2m.setAccountSetupError. */
export const ACCOUNT_SETUP_ERRORS = {
  1200: C2M_ERRORS.noInternalUser,
  1201: C2M_ERRORS.noInternalApp,
  1600: C2M_ERRORS.noSetting,
} as const;
export type AccountSetupErrorCode = keyof typeof ACCOUNT_SETUP_ERRORS;

export function c2mError(error: C2mError, errorMessage: string = error.errorMessage): SimReply {
  return { status: error.status, json: { errorCode: error.errorCode, errorMessage } };
}

/** E.164 with the leading '+': at most 15 digits, no leading zero. */
const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_PHONE_NUMBER_LENGTH = 15;

const eligibilitySchema = z.object({
  skill: z.string().min(1).max(255),
  // Format and length are checked afterwards: they have their own error code (1001).
  consumerPhoneNumber: z.string(),
  handoffId: z.string().min(1).max(16),
  // LivePerson's SDE array: Customer Info and Personal Info, each {type, info}.
  sdes: z.array(z.object({ type: z.enum(['ctmrinfo', 'personal']), info: z.record(z.string(), z.unknown()) })).optional(),
  templateVariables: z.record(z.string(), z.string()).optional(),
  ivrNumber: z.string().optional(),
  consumerId: z.string().optional(),
});

const inviteSchema = z.object({
  callId: z.string().min(1),
  overrideChannel: z.string().min(1).optional(),
  overrideMessage: z.string().max(1600).optional(),
  overrideSkill: z.string().min(1).max(255).optional(),
});

/** Paths: /api/account/{accountId}/eligibility and /api/account/{accountId}/invite; anything else under the account is 404 1004. */
export function handleC2m(request: SimRequest, context: SimContext): SimReply {
  const [, , accountId = '', operation, ...rest] = request.segments;
  if ((operation !== 'eligibility' && operation !== 'invite') || rest.length > 0) return c2mError(C2M_ERRORS.notFound);
  if (!context.c2m.admit(accountId, context.config.c2mRateLimitPerSecond)) return c2mError(C2M_ERRORS.rateLimitHit);
  if (request.method !== 'POST') return c2mError(C2M_ERRORS.methodNotAllowed);
  if (request.query.v !== '2.0') return c2mError(C2M_ERRORS.invalidVersion);
  if (mediaType(request.headers['content-type']) !== 'application/json') return c2mError(C2M_ERRORS.unsupportedMediaType);

  const authFailure = checkAuthorization(request, context, accountId);
  if (authFailure !== undefined) return authFailure;

  const json = parseJson(request.body);
  if (!json.ok) return c2mError(C2M_ERRORS.invalidRequest);
  const setupError = context.c2m.accountSetupError;
  if (setupError !== undefined) return c2mError(ACCOUNT_SETUP_ERRORS[setupError]);
  return operation === 'eligibility' ? eligibility(json.value, context) : invite(json.value, context);
}

/** Either `Bearer <AppJWT>` or an OAuth 1.0a signed header made with the configured API key. */
function checkAuthorization(request: SimRequest, context: SimContext, accountId: string): SimReply | undefined {
  const authorization = request.headers.authorization;
  if (isOAuth1Header(authorization)) {
    const valid = verifyOAuth1Header({
      authorization,
      method: request.method,
      url: request.url,
      credentials: context.config.oauth1,
    });
    if (!valid) return c2mError(C2M_ERRORS.invalidBearerToken);
    // The API key belongs to the configured account only.
    return accountId === context.config.accountId ? undefined : c2mError(C2M_ERRORS.notEnoughPrivilege);
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const check = context.tokens.verifyAppJwt(bearer);
  if (!check.ok) return c2mError(check.reason === 'expired' ? C2M_ERRORS.jwtExpired : C2M_ERRORS.invalidBearerToken);
  return check.claims.acct === accountId ? undefined : c2mError(C2M_ERRORS.notEnoughPrivilege);
}

function eligibility(body: unknown, context: SimContext): SimReply {
  const parsed = eligibilitySchema.safeParse(body);
  if (!parsed.success) return c2mError(C2M_ERRORS.invalidRequest);
  const { skill, consumerPhoneNumber, handoffId, sdes, consumerId, templateVariables } = parsed.data;
  if (consumerPhoneNumber.length > MAX_PHONE_NUMBER_LENGTH || !E164.test(consumerPhoneNumber)) {
    return c2mError(C2M_ERRORS.invalidPhoneNumber);
  }
  if (!context.c2m.skills.has(skill))
    return c2mError({ status: 400, errorCode: 1300, errorMessage: `No engagement found for skill ${skill}` });
  if (!context.c2m.handoffs.has(handoffId)) return c2mError(C2M_ERRORS.noHandoff);

  const profile = context.c2m.profileOf(consumerPhoneNumber);
  const callId = randomUUID();
  context.c2m.rememberCall({
    callId,
    consumerPhoneNumber,
    skill,
    handoffId,
    profile,
    ...(sdes === undefined ? {} : { sdes }),
    ...(consumerId === undefined ? {} : { consumerId }),
    ...(templateVariables === undefined ? {} : { templateVariables }),
  });
  return jsonReply(200, {
    availableChannels: profile.availableChannels,
    recommendedChannelName: profile.recommendedChannelName,
    eligible: profile.eligible,
    callId,
  });
}

function invite(body: unknown, context: SimContext): SimReply {
  const parsed = inviteSchema.safeParse(body);
  if (!parsed.success) return c2mError(C2M_ERRORS.invalidRequest);
  const { callId, overrideChannel, overrideMessage, overrideSkill } = parsed.data;
  const call = context.c2m.call(callId);
  if (call === undefined) return c2mError(C2M_ERRORS.invalidRequest);

  // The profile as the eligibility call found it: that is what the callId correlates to.
  const { profile } = call;
  if (!profile.eligible || profile.availableChannels.length === 0) return c2mError(C2M_ERRORS.noHandoffChannel);

  let channel = profile.recommendedChannelName || profile.availableChannels[0] || '';
  if (overrideChannel !== undefined) {
    const match = profile.availableChannels.find((available) => sameChannel(available, overrideChannel));
    if (match === undefined) return c2mError(C2M_ERRORS.overriddenChannelUnavailable);
    channel = match;
  }
  // LivePerson: consumerId is mandatory for the INAPP channel (simulator: refused like any invalid request).
  if (channel.toLowerCase() === 'inapp' && call.consumerId === undefined) return c2mError(C2M_ERRORS.invalidRequest);
  if (overrideSkill !== undefined && !context.c2m.skills.has(overrideSkill)) {
    return c2mError(C2M_ERRORS.noEngagementForOverriddenSkill);
  }
  // An open conversation blocks delivery: one flagged by the test, or one opened through the Connector API
  // by a consumer whose ext_consumer_id is this phone number.
  const phone = call.consumerPhoneNumber;
  if (context.c2m.hasOpenConversationFlag(phone) || context.conversations.openConversationOf(phone) !== undefined) {
    return c2mError(C2M_ERRORS.messageCannotBeSent);
  }

  context.c2m.recordInvite({
    callId,
    consumerPhoneNumber: phone,
    channel,
    skill: overrideSkill ?? call.skill,
    handoffId: call.handoffId,
    ...(overrideMessage === undefined ? {} : { overrideMessage }),
    ...(call.sdes === undefined ? {} : { sdes: call.sdes }),
    ...(call.consumerId === undefined ? {} : { consumerId: call.consumerId }),
    ...(call.templateVariables === undefined ? {} : { templateVariables: call.templateVariables }),
    receivedAt: Date.now(),
  });
  return jsonReply(200, { callId });
}

/** 'sms' and 'twilio' name the same channel; otherwise channel names compare case-insensitively. */
function sameChannel(a: string, b: string): boolean {
  const canonical = (channel: string) => (channel.toLowerCase() === 'twilio' ? 'sms' : channel.toLowerCase());
  return canonical(a) === canonical(b);
}

// LivePerson's Outbound Reporting API for C2M (docs/liveperson.md#outbound-reporting-api-the-c2m-funnel),
// served from what the simulator really saw: each invite it sent is a transaction, and the
// conversation the invited consumer opened by answering counts as created (and closed once closed).
//
// Documented: the paths, `attemptedStartTime`/`attemptedEndTime` in epoch ms, the 24-hour and 60-day
// windows, the answers' shapes, `page` offsets, the error body {code, requestTraceId, message}.
// Simulator-defined (LivePerson documents none of it): the next page is asked with `offset`, pages
// hold `reportingPageSize` records (default 100), every invite is sent and delivered at once (SMS
// reports no read), and each step shows `reportingDelayMs` after it happened (LivePerson documents a
// delay of up to 20 minutes, not how it shows). Auth as C2M: `Bearer <AppJWT>` or the OAuth 1.0a API key.
import { randomUUID } from 'node:crypto';
import type { SimContext } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply } from '../http.ts';
import { isOAuth1Header, verifyOAuth1Header } from '../oauth1.ts';
import type { ConversationSnapshot } from '../types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_TRANSACTIONS_WINDOW_MS = DAY_MS;
const MAX_ANALYTICS_WINDOW_MS = 60 * DAY_MS;

export function reportingError(status: number, message: string): SimReply {
  return { status, json: { code: status, requestTraceId: randomUUID(), message } };
}

/** Paths: /api/account/{accountId}/app/c2m/analytics/ and .../transactions/ */
export function handleOutboundReporting(request: SimRequest, context: SimContext): SimReply {
  const { reportingPageSize: pageSize, reportingDelayMs } = context.config;
  const [, , accountId = '', , app, resource, ...rest] = request.segments;
  if (app !== 'c2m' || (resource !== 'analytics' && resource !== 'transactions') || rest.some((part) => part !== '')) {
    return reportingError(404, `No Outbound Reporting resource at ${request.path}`);
  }
  if (request.method !== 'GET') return reportingError(405, `${request.method} is not allowed; use GET`);
  const denied = checkAuthorization(request, context, accountId);
  if (denied) return denied;
  const from = Number(request.query.attemptedStartTime);
  const to = Number(request.query.attemptedEndTime);
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    request.query.attemptedStartTime === undefined ||
    request.query.attemptedEndTime === undefined
  ) {
    return reportingError(400, 'attemptedStartTime and attemptedEndTime (epoch milliseconds) are required');
  }
  if (to <= from) return reportingError(400, 'attemptedEndTime must be after attemptedStartTime');
  const limit = resource === 'analytics' ? MAX_ANALYTICS_WINDOW_MS : MAX_TRANSACTIONS_WINDOW_MS;
  if (to - from > limit) return reportingError(400, `The time interval cannot exceed ${resource === 'analytics' ? '60 days' : '24 hours'}`);

  const visibleUntil = Date.now() - reportingDelayMs;
  const shown = (time: number | undefined) => time !== undefined && time < visibleUntil;
  const conversationOf = new Map(
    [...conversationsByCall(context.conversations.list())].filter(([, conversation]) => shown(conversation.startTs)),
  );
  const invites = context.c2m.invites().filter((invite) => invite.receivedAt >= from && invite.receivedAt < to && shown(invite.receivedAt));
  const requestMetadata = { accountId, app: 'c2m', attemptedStartTime: from, attemptedEndTime: to };
  if (resource === 'analytics') {
    const rows = new Map<string, Record<string, number | string>>();
    for (const invite of invites) {
      const day = dayOf(invite.receivedAt);
      const key = `${invite.channel}|${invite.skill}|${day}`;
      const row = rows.get(key) ?? {
        channel: invite.channel,
        skill: invite.skill,
        transactionday: day,
        attempted: 0,
        eligible: 0,
        skipped: 0,
        sent: 0,
        failed: 0,
        delivered: 0,
        read: 0,
        conversationscreated: 0,
        conversationsclosed: 0,
        csat: '',
      };
      for (const counter of ['attempted', 'eligible', 'sent', 'delivered'] as const) row[counter] = Number(row[counter]) + 1;
      const conversation = conversationOf.get(invite.callId);
      if (conversation) row.conversationscreated = Number(row.conversationscreated) + 1;
      if (conversation?.stage === 'CLOSE' && shown(conversation.closeTs)) row.conversationsclosed = Number(row.conversationsclosed) + 1;
      rows.set(key, row);
    }
    return jsonReply(200, { requestMetadata, analytics: [...rows.values()] });
  }
  const offset = request.query.offset === undefined ? 0 : Number(request.query.offset);
  if (!Number.isInteger(offset) || offset < 0) return reportingError(400, 'offset must be a whole number');
  const records = invites.map((invite) => {
    const time = new Date(invite.receivedAt).toISOString();
    const conversation = conversationOf.get(invite.callId);
    return {
      channel: invite.channel,
      skill: invite.skill,
      transactionId: invite.callId,
      attemptedTime: time,
      inviteTime: time,
      sentTime: time,
      deliveredTime: time,
      readTime: null,
      failedTime: null,
      errorCode: null,
      errorMessage: null,
      errorSource: null,
      conversationId: conversation?.conversationId ?? null,
      conversationsCreatedTime: conversation ? new Date(conversation.startTs).toISOString() : null,
      conversationsClosedTime: conversation && shown(conversation.closeTs) ? new Date(conversation.closeTs ?? 0).toISOString() : null,
      consumerId: invite.consumerId ?? null,
      handOffId: invite.handoffId,
    };
  });
  const page = records.slice(offset, offset + pageSize);
  const nextOffset = offset + pageSize < records.length ? offset + pageSize : -1;
  return jsonReply(200, {
    requestMetadata,
    page: { count: page.length, previousOffset: offset === 0 ? -1 : Math.max(0, offset - pageSize), currentOffset: offset, nextOffset },
    transactions: page,
  });
}

/** The conversation each C2M call led to: the one its consumer opened by answering the invite. */
function conversationsByCall(conversations: readonly ConversationSnapshot[]): Map<string, ConversationSnapshot> {
  const byCall = new Map<string, ConversationSnapshot>();
  for (const conversation of conversations) {
    const callId = (conversation.conversationContext as { type?: unknown; callId?: unknown } | undefined)?.callId;
    if (typeof callId === 'string') byCall.set(callId, conversation);
  }
  return byCall;
}

/** MM-DD-YYYY, as LivePerson's examples write the day (UTC). */
function dayOf(time: number): string {
  const date = new Date(time);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}-${date.getUTCFullYear()}`;
}

function checkAuthorization(request: SimRequest, context: SimContext, accountId: string): SimReply | undefined {
  const authorization = request.headers.authorization;
  if (isOAuth1Header(authorization)) {
    const valid = verifyOAuth1Header({ authorization, method: request.method, url: request.url, credentials: context.config.oauth1 });
    if (!valid) return reportingError(401, 'Invalid OAuth 1.0 signature');
    return accountId === context.config.accountId ? undefined : reportingError(403, 'Not allowed for this account');
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const check = context.tokens.verifyAppJwt(bearer);
  if (!check.ok) return reportingError(401, `AppJWT is ${check.reason}`);
  return check.claims.acct === accountId ? undefined : reportingError(403, 'Not allowed for this account');
}

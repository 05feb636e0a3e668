// The simulator's HTTP server: one port for every service, routed by path. Each request is parsed,
// recorded, checked against injected faults, then answered by its service's handler.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { C2mState } from './c2m-state.ts';
import type { SimContext, SimulatorConfig } from './context.ts';
import { plainError } from './context.ts';
import { ConversationStore, SIMULATED_AGENT_ID } from './conversation-store.ts';
import type { SimReply, SimRequest } from './http.ts';
import { firstQueryValues, flattenHeaders } from './http.ts';
import type { AccountSetupErrorCode } from './services/c2m.ts';
import { C2M_ERRORS, c2mError, handleC2m } from './services/c2m.ts';
import { connectorError, handleConnector } from './services/connector.ts';
import { handleCsds } from './services/csds.ts';
import { handleIdp } from './services/idp.ts';
import { handleSentinel, sentinelError } from './services/sentinel.ts';
import { quickRepliesContent, SIMULATED_SURVEY_BOT_ID } from './notifications.ts';
import { createTokenAuthority } from './tokens.ts';
import type { WebhookSender } from './webhooks.ts';
import { WebhookDispatcher } from './webhooks.ts';
import type {
  C2mConsumerProfile,
  C2mInvite,
  ConversationMessage,
  ConversationSnapshot,
  FaultRule,
  MessagingEvent,
  RecordedRequest,
  ServiceName,
  SimulatorCredentials,
  SimulatorEvents,
  SimulatorOptions,
} from './types.ts';
import { SIMULATOR_DEFAULTS } from './types.ts';

/** Bodies larger than this are refused with 413: nothing LivePerson accepts comes close. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface LivePersonSimulator {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  readonly accountId: string;
  readonly credentials: SimulatorCredentials;
  requests(filter?: { service?: ServiceName }): RecordedRequest[];
  clearRequests(): void;
  /** Injected faults, consumed in order by the requests of the matching service. */
  fail(rule: FaultRule): void;
  /** Every AppJWT issued so far is answered as expired from now on. */
  expireAppJwts(): void;
  /**
   * An AppJWT as Sentinel would issue it, for tests that need one Sentinel never gives out:
   * another account's (C2M answers 403 1101) or a short-lived one.
   */
  issueAppJwt(claims?: { accountId?: string; clientId?: string; ttlSeconds?: number }): string;
  readonly c2m: {
    setConsumer(phone: string, profile: C2mConsumerProfile): void;
    addSkill(skill: string): void;
    addHandoff(handoffId: string): void;
    invites(): C2mInvite[];
    setOpenConversation(phone: string, open: boolean): void;
    /** Simulates a broken account set-up: every C2M call answers 400 with this code until reset with undefined. */
    setAccountSetupError(errorCode: AccountSetupErrorCode | undefined): void;
    /**
     * The invited consumer answers on the messaging channel: opens their conversation (consumer id =
     * the phone number, skill of the invite) unless one is open, and publishes their text. This is what
     * C2M does when a consumer replies within the lookback period. Throws for an unknown callId.
     */
    consumerReplies(callId: string, text: string): { conversationId: string; sequence: number };
  };
  readonly connector: {
    conversations(): ConversationSnapshot[];
    /** As if the agent closed it; throws for an unknown conversation, does nothing to a closed one. */
    closeConversation(conversationId: string): void;
    /**
     * The simulated agent publishes a text message, with quick replies (structured content) when
     * given; returns its sequence. Throws unless the conversation is open.
     */
    sendAgentMessage(conversationId: string, message: string, options?: { quickReplies?: Record<string, unknown> }): number;
    /** The simulated agent publishes structured content (a card, a carousel ...); returns its sequence. */
    sendAgentRichContent(conversationId: string, content: Record<string, unknown>): number;
    /**
     * The consumer (on a channel LivePerson serves, such as SMS after C2M) sends text into the open
     * dialog, with metadata when given (e.g. that of the quick reply they tapped); returns its sequence.
     */
    consumerSays(conversationId: string, text: string, options?: { metadata?: Array<Record<string, unknown>> }): number;
    /**
     * The consumer shares a file: it is stored as LivePerson stores uploads and published as a
     * `hosted/file` ContentEvent. Returns its sequence and the file's relative path.
     */
    consumerSharesFile(
      conversationId: string,
      file: { caption?: string; fileType: string; preview?: string },
    ): { sequence: number; relativePath: string };
    /**
     * The agent ends the main dialog and the post-conversation survey starts in a POST_SURVEY
     * dialog, where the survey bot asks its question with quick replies. Returns the survey's dialog
     * id and the question's sequence.
     */
    startSurvey(conversationId: string, question?: { text: string; answers: string[] }): { dialogId: string; sequence: number };
  };
  /** 'conversation' (opened/closed) and 'message' (every published event): what a webhook sender listens to. */
  readonly events: EventEmitter<SimulatorEvents>;
  /** Connector API webhooks: the store's events, signed and POSTed to subscribed urls with LivePerson's redelivery. */
  readonly webhooks: WebhookSender;
  /**
   * Closes the server and every keep-alive connection; pending injected delays are cut short; webhook
   * tries in flight are aborted and pending deliveries dropped ('simulator-closed'). Idempotent.
   */
  close(): Promise<void>;
}

export async function startLivePersonSimulator(options: SimulatorOptions = {}): Promise<LivePersonSimulator> {
  const config: SimulatorConfig = {
    accountId: options.accountId ?? SIMULATOR_DEFAULTS.accountId,
    clientId: options.clientId ?? SIMULATOR_DEFAULTS.clientId,
    clientSecret: options.clientSecret ?? SIMULATOR_DEFAULTS.clientSecret,
    oauth1: { ...SIMULATOR_DEFAULTS.oauth1, ...options.oauth1 },
    appJwtTtlSeconds: options.appJwtTtlSeconds ?? 3600,
    c2mRateLimitPerSecond: options.c2mRateLimitPerSecond ?? 30,
    domains: { ...options.domains },
  };
  const events = new EventEmitter<SimulatorEvents>();
  let url = '';
  const context: SimContext = {
    config,
    baseUrl: () => url,
    tokens: createTokenAuthority(),
    conversations: new ConversationStore(events),
    c2m: new C2mState(),
  };
  const webhooks = new WebhookDispatcher({
    accountId: config.accountId,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    agentId: SIMULATED_AGENT_ID,
    events,
    conversation: (conversationId) => context.conversations.get(conversationId),
  });
  const recorded: RecordedRequest[] = [];
  const faults: Array<FaultRule & { remaining: number }> = [];
  const shutdown = new AbortController();
  let closing: Promise<void> | undefined;

  function conversationOrThrow(conversationId: string): ConversationSnapshot {
    const conversation = context.conversations.get(conversationId);
    if (conversation === undefined) throw new Error(`No conversation ${conversationId}`);
    return conversation;
  }
  function publishOrThrow(conversationId: string, input: Parameters<ConversationStore['publish']>[1]): ConversationMessage {
    const published = context.conversations.publish(conversationId, input);
    if (!published.ok) throw new Error(`Cannot publish to conversation ${conversationId}: ${published.reason}`);
    return published.message;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) write(res, plainError(500, `Simulator error: ${String(error)}`));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const { body, tooLarge } = await readBody(req);
    const parsedUrl = new URL(req.url ?? '/', 'http://simulator.invalid');
    const request: SimRequest = {
      method: req.method ?? 'GET',
      path: parsedUrl.pathname,
      segments: pathSegments(parsedUrl.pathname),
      query: firstQueryValues(parsedUrl.searchParams),
      headers: flattenHeaders(req.headers),
      body,
      // OAuth 1.0a signs the URL the client addressed: the simulator is plain HTTP, the host is the client's.
      url: `http://${req.headers.host ?? new URL(url).host}${req.url ?? '/'}`,
    };
    const service = serviceOf(request.segments);
    const record: RecordedRequest = {
      service,
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body,
      status: 0,
      receivedAt,
    };
    recorded.push(record);

    let reply: SimReply;
    try {
      reply = await answer(request, service, tooLarge);
    } catch (error) {
      reply = plainError(500, `Simulator error: ${String(error)}`);
    }
    record.status = reply.status;
    if (!res.destroyed) write(res, reply);
  }

  async function answer(request: SimRequest, service: ServiceName | 'unrouted', tooLarge: boolean): Promise<SimReply> {
    const fault = service === 'unrouted' ? undefined : takeFault(service);
    if (fault?.delayMs !== undefined && fault.delayMs > 0) {
      try {
        await delay(fault.delayMs, undefined, { signal: shutdown.signal });
      } catch {
        return plainError(503, 'Simulator is shutting down');
      }
    }
    if (fault?.status !== undefined && service !== 'unrouted') return faultReply(service, fault.status, fault.body);
    if (tooLarge) return plainError(413, `Body larger than ${MAX_BODY_BYTES} bytes`);
    switch (service) {
      case 'csds':
        return handleCsds(request, context);
      case 'sentinel':
        return handleSentinel(request, context);
      case 'idp':
        return handleIdp(request, context);
      case 'asyncMessagingEnt':
        return handleConnector(request, context);
      case 'connectToMessagingDomain':
        return handleC2m(request, context);
      case 'unrouted':
        return plainError(404, `No simulated LivePerson service at ${request.path}`);
    }
  }

  function takeFault(service: ServiceName): FaultRule | undefined {
    const index = faults.findIndex((rule) => rule.service === undefined || rule.service === service);
    const rule = faults[index];
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) faults.splice(index, 1);
    return rule;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    url,
    accountId: config.accountId,
    credentials: { clientId: config.clientId, clientSecret: config.clientSecret, oauth1: { ...config.oauth1 } },
    requests(filter = {}) {
      return recorded
        .filter((record) => filter.service === undefined || record.service === filter.service)
        .map((record) => structuredClone(record));
    },
    clearRequests() {
      recorded.length = 0;
    },
    fail(rule) {
      faults.push({ ...rule, remaining: rule.times ?? 1 });
    },
    expireAppJwts() {
      context.tokens.expireIssuedAppJwts();
    },
    issueAppJwt(claims = {}) {
      return context.tokens.issueAppJwt({
        accountId: claims.accountId ?? config.accountId,
        clientId: claims.clientId ?? config.clientId,
        ttlSeconds: claims.ttlSeconds ?? config.appJwtTtlSeconds,
      });
    },
    c2m: {
      setConsumer: (phone, profile) => context.c2m.setConsumer(phone, profile),
      addSkill: (skill) => void context.c2m.skills.add(skill),
      addHandoff: (handoffId) => void context.c2m.handoffs.add(handoffId),
      invites: () => context.c2m.invites(),
      setOpenConversation: (phone, open) => context.c2m.setOpenConversation(phone, open),
      setAccountSetupError: (errorCode) => {
        context.c2m.accountSetupError = errorCode;
      },
      consumerReplies(callId, text) {
        const invite = context.c2m.invites().find((candidate) => candidate.callId === callId);
        if (invite === undefined) throw new Error(`No invite was sent for call ${callId}`);
        const consumerId = invite.consumerPhoneNumber;
        const opened = context.conversations.open({
          consumerId,
          skillId: invite.skill,
          conversationContext: { type: 'C2M', callId, channel: invite.channel },
        });
        const conversationId = opened.ok ? opened.conversation.conversationId : opened.openConversationId;
        const published = context.conversations.publish(conversationId, {
          originator: 'CONSUMER',
          originatorId: consumerId,
          event: { type: 'ContentEvent', contentType: 'text/plain', message: text },
        });
        if (!published.ok) throw new Error(`Cannot publish to conversation ${conversationId}: ${published.reason}`);
        return { conversationId, sequence: published.message.sequence };
      },
    },
    connector: {
      conversations: () => context.conversations.list(),
      closeConversation(conversationId) {
        const closed = context.conversations.close(conversationId, 'AGENT');
        if (!closed.ok && closed.reason === 'NOT_FOUND') throw new Error(`No conversation ${conversationId}`);
      },
      sendAgentMessage(conversationId, message, options = {}) {
        const event: MessagingEvent = {
          type: 'ContentEvent',
          contentType: 'text/plain',
          message,
          ...(options.quickReplies === undefined ? {} : { quickReplies: options.quickReplies }),
        };
        return publishOrThrow(conversationId, { originator: 'AGENT', originatorId: SIMULATED_AGENT_ID, event }).sequence;
      },
      sendAgentRichContent(conversationId, content) {
        return publishOrThrow(conversationId, {
          originator: 'AGENT',
          originatorId: SIMULATED_AGENT_ID,
          event: { type: 'RichContentEvent', content },
        }).sequence;
      },
      consumerSays(conversationId, text, options = {}) {
        const consumerId = conversationOrThrow(conversationId).consumerId;
        const event: MessagingEvent = { type: 'ContentEvent', contentType: 'text/plain', message: text };
        return publishOrThrow(conversationId, { originator: 'CONSUMER', originatorId: consumerId, event, ...options }).sequence;
      },
      consumerSharesFile(conversationId, file) {
        const consumerId = conversationOrThrow(conversationId).consumerId;
        const relativePath = hostedFilePath(config.accountId, file.fileType);
        const message = {
          ...(file.caption === undefined ? {} : { caption: file.caption }),
          relativePath,
          fileType: file.fileType,
          ...(file.preview === undefined ? {} : { preview: file.preview }),
        };
        const event: MessagingEvent = { type: 'ContentEvent', contentType: 'hosted/file', message };
        return {
          sequence: publishOrThrow(conversationId, { originator: 'CONSUMER', originatorId: consumerId, event }).sequence,
          relativePath,
        };
      },
      startSurvey(conversationId, question = { text: 'How would you rate this conversation?', answers: ['Very good', 'Good', 'Poor'] }) {
        const started = context.conversations.startSurvey(conversationId);
        if (!started.ok) throw new Error(`Cannot start a survey in conversation ${conversationId}: ${started.reason}`);
        const event: MessagingEvent = {
          type: 'ContentEvent',
          contentType: 'text/plain',
          message: question.text,
          quickReplies: quickRepliesContent(question.answers),
        };
        const published = publishOrThrow(conversationId, {
          originator: 'SURVEY_BOT',
          originatorId: SIMULATED_SURVEY_BOT_ID,
          event,
          dialogId: started.dialogId,
        });
        return { dialogId: started.dialogId, sequence: published.sequence };
      },
    },
    events,
    webhooks,
    close() {
      // Idempotent: a test may close explicitly and again in afterEach.
      closing ??= Promise.all([
        webhooks.close(),
        new Promise<void>((resolve, reject) => {
          shutdown.abort();
          server.close((error) => (error === undefined ? resolve() : reject(error)));
          server.closeAllConnections();
        }),
      ]).then(() => undefined);
      return closing;
    },
  };
}

/** Which service a path belongs to. Everything under /api/account/{id}/ not claimed by another service is C2M's. */
function serviceOf(segments: string[]): ServiceName | 'unrouted' {
  if (segments[0] === 'sentinel') {
    const [, api, account, accountId] = segments;
    return api === 'api' && account === 'account' && accountId !== undefined ? 'sentinel' : 'unrouted';
  }
  const [api, account, accountId, resource, subresource] = segments;
  if (api !== 'api' || account !== 'account' || accountId === undefined) return 'unrouted';
  switch (resource) {
    case 'service':
      return 'csds';
    case 'consumer':
      return subresource === undefined ? 'idp' : 'connectToMessagingDomain';
    case 'messaging':
      return 'asyncMessagingEnt';
    default:
      return 'connectToMessagingDomain';
  }
}

/** The body of an injected fault: the given one, or the service's usual error shape for that status. */
function faultReply(service: ServiceName, status: number, body: unknown): SimReply {
  if (body !== undefined) return typeof body === 'string' ? { status, text: body } : { status, json: body };
  const reason = STATUS_CODES[status] ?? 'Error';
  switch (service) {
    case 'connectToMessagingDomain': {
      const known = Object.values(C2M_ERRORS).find((error) => error.status === status);
      if (status >= 500) return c2mError({ ...C2M_ERRORS.internalServerError, status });
      return known === undefined ? { status, json: { errorCode: status, errorMessage: reason } } : c2mError(known);
    }
    case 'asyncMessagingEnt':
      // A 401 defaults to 40102 (AppJWT invalid/expired): the one a client must react to by refreshing.
      return connectorError(status, status === 401 ? 40102 : status, reason);
    case 'sentinel':
      return sentinelError(status, status === 401 ? 'invalid_client' : status < 500 ? 'invalid_request' : 'server_error', reason);
    case 'csds':
    case 'idp':
      return plainError(status, reason);
  }
}

function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/**
 * Where a shared file is kept, in the form of LivePerson's history examples:
 * `/v1/AUTH_async-images/le<account>/<uploader>_uuid_<uuid>_<dd-MM-yyyy_HH-mm-ss-SSS>.<TYPE>`.
 * The uploader part is a random id here: a consumer's id may be a phone number.
 */
function hostedFilePath(accountId: string, fileType: string, at = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${two(at.getUTCDate())}-${two(at.getUTCMonth() + 1)}-${at.getUTCFullYear()}_${two(at.getUTCHours())}-${two(at.getUTCMinutes())}-${two(at.getUTCSeconds())}-${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
  return `/v1/AUTH_async-images/le${accountId}/${randomUUID()}_uuid_${randomUUID()}_${stamp}.${fileType.toUpperCase()}`;
}

async function readBody(req: IncomingMessage): Promise<{ body: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Keep draining past the limit so the answer can still be written on this connection.
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(buffer);
  }
  return { body: Buffer.concat(chunks).toString('utf8'), tooLarge };
}

function write(res: ServerResponse, reply: SimReply): void {
  const isText = reply.json === undefined && reply.text !== undefined;
  const payload = isText ? (reply.text ?? '') : reply.json === undefined ? '' : JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

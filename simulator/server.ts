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
import { agentRichContentEvent, agentTextEvent, lacksFeature } from './client-features.ts';
import { connectorError, handleConnector } from './services/connector.ts';
import { handleCsds } from './services/csds.ts';
import { handleOutboundReporting, reportingError } from './services/outbound-reporting.ts';
import { handleIdp } from './services/idp.ts';
import { handleSentinel, sentinelError } from './services/sentinel.ts';
import { FileStorage, MAX_UPLOAD_BYTES, TEMP_URL_INVALID, UPLOAD_FILE_TYPES } from './services/storage.ts';
import { beginSurvey, DEFAULT_SURVEY_QUESTION } from './survey.ts';
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
  SurveyConfig,
} from './types.ts';
import { SIMULATOR_DEFAULTS } from './types.ts';

/** Bodies larger than this are refused with 413: nothing LivePerson accepts comes close... */
const MAX_BODY_BYTES = 1024 * 1024;
/** ...but a file PUT to storage (up to 3MB), with room for the 400 of a PUT larger than its URL allows. */
const MAX_STORAGE_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;

export interface LivePersonSimulator {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  readonly accountId: string;
  readonly credentials: SimulatorCredentials;
  requests(filter?: { service?: ServiceName }): RecordedRequest[];
  clearRequests(): void;
  /** Injected faults, consumed in order by the requests of the matching service. */
  fail(rule: FaultRule): void;
  /** Drops the injected faults not yet consumed. */
  clearFaults(): void;
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
     * given; returns its sequence. Throws unless the conversation is open. The quick replies are left
     * out when the conversation's Client-Properties lack QUICK_REPLIES (client-features.ts).
     */
    sendAgentMessage(conversationId: string, message: string, options?: { quickReplies?: Record<string, unknown> }): number;
    /**
     * The simulated agent publishes structured content (a card, a carousel ...); returns its sequence.
     * A client whose Client-Properties lack RICH_CONTENT gets it as text (client-features.ts).
     */
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
      file: { caption?: string; fileType: string; preview?: string; bytes?: Buffer },
    ): { sequence: number; relativePath: string };
    /**
     * The agent shares a file: it is stored (a JPG, JPEG, PNG or GIF of up to 3MB) and published as a
     * `hosted/file` ContentEvent {caption?, relativePath, fileType}, without preview, as agents publish
     * it. The consumer downloads it with ms.GenerateURLForDownloadFile. Throws unless the conversation
     * is open or for another file type.
     */
    sendAgentFile(
      conversationId: string,
      file: { caption?: string; fileType: string; bytes: Buffer },
    ): { sequence: number; relativePath: string };
    /**
     * The agent ends the main dialog and the post-conversation survey starts in a POST_SURVEY
     * dialog, where the survey bot asks its question with quick replies. Returns the survey's dialog
     * id and the question's sequence, and `surveyed: true`. A conversation opened with Client-Properties
     * lacking MULTI_DIALOG gets no survey: it simply closes, and the answer is
     * `{dialogId: <the conversation id>, sequence: -1, surveyed: false}`.
     */
    startSurvey(
      conversationId: string,
      question?: { text: string; answers: string[] },
    ): { dialogId: string; sequence: number; surveyed: boolean };
    /**
     * The account's post-conversation survey (replacing SimulatorOptions.survey; undefined: none): a
     * consumer's DialogChange closing the main dialog starts it.
     */
    configureSurvey(survey: SurveyConfig | undefined): void;
    /** Every storage URL issued so far (upload and download) is refused from now on: 401 "Temp URL invalid". */
    expireFileUrls(): void;
    /** What storage holds at a relative path (an upload, a shared file); undefined when nothing. */
    storedFile(relativePath: string): { fileType: string; bytes: Buffer } | undefined;
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
    fileUrlTtlSeconds: options.fileUrlTtlSeconds ?? 60,
    reportingPageSize: options.reportingPageSize ?? 100,
    reportingDelayMs: options.reportingDelayMs ?? 0,
    survey: options.survey === undefined ? undefined : structuredClone(options.survey),
  };
  const events = new EventEmitter<SimulatorEvents>();
  let url = '';
  const context: SimContext = {
    config,
    baseUrl: () => url,
    tokens: createTokenAuthority(),
    conversations: new ConversationStore(events),
    c2m: new C2mState(),
    storage: new FileStorage({ accountId: config.accountId, ttlSeconds: config.fileUrlTtlSeconds }),
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
    const parsedUrl = new URL(req.url ?? '/', 'http://simulator.invalid');
    const segments = pathSegments(parsedUrl.pathname);
    const service = serviceOf(segments);
    const limit = service === 'swift' ? MAX_STORAGE_BODY_BYTES : MAX_BODY_BYTES;
    const { rawBody, tooLarge } = await readBody(req, limit);
    const body = service === 'swift' ? '' : rawBody.toString('utf8');
    const request: SimRequest = {
      method: req.method ?? 'GET',
      path: parsedUrl.pathname,
      segments,
      query: firstQueryValues(parsedUrl.searchParams),
      headers: flattenHeaders(req.headers),
      body,
      rawBody,
      // OAuth 1.0a signs the URL the client addressed: the simulator is plain HTTP, the host is the client's.
      url: `http://${req.headers.host ?? new URL(url).host}${req.url ?? '/'}`,
    };
    const record: RecordedRequest = {
      service,
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body,
      ...(service === 'swift' ? { bodyBytes: rawBody.length } : {}),
      status: 0,
      receivedAt,
    };
    recorded.push(record);

    let reply: SimReply;
    try {
      reply = await answer(request, service, tooLarge ? limit : undefined);
    } catch (error) {
      reply = plainError(500, `Simulator error: ${String(error)}`);
    }
    record.status = reply.status;
    if (!res.destroyed) write(res, reply);
  }

  async function answer(request: SimRequest, service: ServiceName | 'unrouted', tooLargeFor: number | undefined): Promise<SimReply> {
    const fault = service === 'unrouted' ? undefined : takeFault(service);
    if (fault?.delayMs !== undefined && fault.delayMs > 0) {
      try {
        await delay(fault.delayMs, undefined, { signal: shutdown.signal });
      } catch {
        return plainError(503, 'Simulator is shutting down');
      }
    }
    if (fault?.status !== undefined && service !== 'unrouted') return faultReply(service, fault.status, fault.body);
    if (tooLargeFor !== undefined) return plainError(413, `Body larger than ${tooLargeFor} bytes`);
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
      case 'swift':
        return context.storage.handle(request);
      case 'outboundReporting':
        return handleOutboundReporting(request, context);
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
    clearFaults() {
      faults.length = 0;
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
          // The IVR's context reaches the agent with the conversation.
          ...(invite.sdes === undefined ? {} : { userProfile: { authenticatedData: { lp_sdes: invite.sdes } } }),
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
        const conversation = context.conversations.get(conversationId);
        const event: MessagingEvent =
          conversation === undefined
            ? { type: 'ContentEvent', contentType: 'text/plain', message }
            : agentTextEvent(conversation, message, options.quickReplies);
        return publishOrThrow(conversationId, { originator: 'AGENT', originatorId: SIMULATED_AGENT_ID, event }).sequence;
      },
      sendAgentRichContent(conversationId, content) {
        const conversation = context.conversations.get(conversationId);
        const event: MessagingEvent =
          conversation === undefined ? { type: 'RichContentEvent', content } : agentRichContentEvent(conversation, content);
        return publishOrThrow(conversationId, { originator: 'AGENT', originatorId: SIMULATED_AGENT_ID, event }).sequence;
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
        const sequence = publishOrThrow(conversationId, { originator: 'CONSUMER', originatorId: consumerId, event }).sequence;
        // Stored too, so that a download URL can be asked for it: the given bytes, or a stand-in.
        context.storage.put(relativePath, {
          fileType: file.fileType.toUpperCase(),
          bytes: file.bytes ?? Buffer.from(`simulated ${file.fileType} file`),
        });
        return { sequence, relativePath };
      },
      sendAgentFile(conversationId, file) {
        const fileType = UPLOAD_FILE_TYPES.find((type) => type === file.fileType);
        if (fileType === undefined) throw new Error(`File type ${file.fileType} is not one of ${UPLOAD_FILE_TYPES.join(', ')}`);
        if (file.bytes.length > MAX_UPLOAD_BYTES) throw new Error(`A file may have up to ${MAX_UPLOAD_BYTES} bytes`);
        const conversation = conversationOrThrow(conversationId);
        if (conversation.state !== 'OPEN') throw new Error(`Cannot publish to conversation ${conversationId}: CLOSED`);
        const relativePath = context.storage.newPath(fileType);
        context.storage.put(relativePath, { fileType, bytes: file.bytes });
        const message = { ...(file.caption === undefined ? {} : { caption: file.caption }), relativePath, fileType };
        const event: MessagingEvent = { type: 'ContentEvent', contentType: 'hosted/file', message };
        return {
          sequence: publishOrThrow(conversationId, { originator: 'AGENT', originatorId: SIMULATED_AGENT_ID, event }).sequence,
          relativePath,
        };
      },
      startSurvey(conversationId, question = { text: DEFAULT_SURVEY_QUESTION.text, answers: [...DEFAULT_SURVEY_QUESTION.answers] }) {
        const conversation = context.conversations.get(conversationId);
        if (conversation !== undefined && lacksFeature(conversation, 'MULTI_DIALOG')) {
          const closed = context.conversations.close(conversationId, 'AGENT');
          if (!closed.ok) throw new Error(`Cannot start a survey in conversation ${conversationId}: ${closed.reason}`);
          return { dialogId: conversationId, sequence: -1, surveyed: false };
        }
        const started = beginSurvey(context, conversationId, question, { closedBy: 'AGENT' });
        if (!started.ok) throw new Error(`Cannot start a survey in conversation ${conversationId}: ${started.reason}`);
        return { dialogId: started.dialogId, sequence: started.sequence, surveyed: true };
      },
      configureSurvey(survey) {
        config.survey = survey === undefined ? undefined : structuredClone(survey);
      },
      expireFileUrls() {
        context.storage.expireIssuedUrls();
      },
      storedFile: (relativePath) => context.storage.get(relativePath),
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
  // Storage objects: /v1/AUTH_async-images/{accountId}/{object}, as the Connector API's relativePath names them.
  if (segments[0] === 'v1' && segments[1] === 'AUTH_async-images') return 'swift';
  const [api, account, accountId, resource, subresource] = segments;
  if (api !== 'api' || account !== 'account' || accountId === undefined) return 'unrouted';
  switch (resource) {
    case 'service':
      return 'csds';
    case 'consumer':
      return subresource === undefined ? 'idp' : 'connectToMessagingDomain';
    case 'messaging':
      return 'asyncMessagingEnt';
    case 'app':
      return 'outboundReporting';
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
    case 'swift':
      // Swift answers text; a refused TempURL says why, as LivePerson documents it.
      return { status, text: status === 401 ? TEMP_URL_INVALID : reason };
    case 'outboundReporting':
      return reportingError(status, reason);
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

async function readBody(req: IncomingMessage, limit: number): Promise<{ rawBody: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Keep draining past the limit so the answer can still be written on this connection.
    if (size > limit) tooLarge = true;
    else chunks.push(buffer);
  }
  return { rawBody: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge };
}

function write(res: ServerResponse, reply: SimReply): void {
  if (reply.json === undefined && reply.text === undefined && reply.bytes !== undefined) {
    res.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/octet-stream',
      'content-length': reply.bytes.length,
    });
    res.end(reply.bytes);
    return;
  }
  const isText = reply.json === undefined && reply.text !== undefined;
  const payload = isText ? (reply.text ?? '') : reply.json === undefined ? '' : JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

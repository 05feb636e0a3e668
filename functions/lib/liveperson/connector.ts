/**
 * Connector API (asyncMessagingEnt), the consumer side: open a conversation, publish events into it
 * and close it, on behalf of one consumer. Every call carries the AppJWT (refreshed once on 401 40102)
 * and the consumer's JWS (dropped and fetched again once on 401 40103/40105). Knows nothing of Lambda or AWS.
 * LivePerson facts behind this: docs/liveperson.md#connector-api.
 */
import * as z from '#contract/zod.ts';
import type { AppJwtProvider } from './app-jwt.ts';
import type { ConsumerJwsProvider } from './consumer-jws.ts';
import type { CallOptions, DomainResolver } from './domains.ts';
import { isConsumerJwsRejection, LivePersonApiError, LivePersonResponseError } from './errors.ts';
import type { LivePersonHttpClient } from './http.ts';

export const CHAT_STATES = ['COMPOSING', 'ACTIVE', 'INACTIVE', 'GONE', 'PAUSE'] as const;
export type ChatState = (typeof CHAT_STATES)[number];
export const ACCEPT_STATUSES = ['ACCEPT', 'READ', 'ACCESS', 'NACK', 'ACTION'] as const;
export type AcceptStatus = (typeof ACCEPT_STATUSES)[number];
export const TTR_DEF_NAMES = ['NORMAL', 'URGENT', 'PRIORITIZED'] as const;
export type TtrDefName = (typeof TTR_DEF_NAMES)[number];

/**
 * File types a consumer may share through the Connector API, and the largest file and preview it takes
 * (docs/liveperson.md#file-sharing).
 */
export const SHAREABLE_FILE_TYPES = ['JPG', 'JPEG', 'PNG', 'GIF'] as const;
export type ShareableFileType = (typeof SHAREABLE_FILE_TYPES)[number];
export const MAX_SHARED_FILE_BYTES = 3 * 1024 * 1024;
export const MAX_FILE_PREVIEW_BYTES = 30 * 1024;

/** A file uploaded to LivePerson's storage, as a `hosted/file` ContentEvent names it. */
export interface HostedFileMessage {
  readonly caption?: string;
  /** Where the upload went (`ms.GenerateURLForUploadFile`'s relativePath). */
  readonly relativePath: string;
  readonly fileType: ShareableFileType;
  /** A small image as a data URL (`data:image/png;base64,…`), shown before the file is opened. */
  readonly preview?: string;
}

/**
 * Request metadata (`metadata`, beside `body`): what ties a click to the button or quick reply it came
 * from, e.g. `{type: "ExternalId", id: "Yes-1234"}` or a survey's `{type: "Answer", …}`, sent back as received.
 */
export type RequestMetadata = Readonly<Record<string, unknown>> & { readonly type: string };

/** An event the consumer publishes into a conversation (`ms.PublishEvent`). */
export type ConversationEvent =
  | { readonly type: 'ContentEvent'; readonly contentType: 'text/plain'; readonly message: string }
  | { readonly type: 'ContentEvent'; readonly contentType: 'hosted/file'; readonly message: HostedFileMessage }
  | { readonly type: 'ChatStateEvent'; readonly chatState: ChatState }
  | { readonly type: 'AcceptStatusEvent'; readonly status: AcceptStatus; readonly sequenceList: readonly number[] };

/** Where LivePerson routes a new conversation: a campaign's engagement, a skill, or both. */
export interface ConversationRouting {
  /** `"-1"` means any skill. */
  readonly skillId?: string;
  readonly campaignInfo?: { readonly campaignId: string; readonly engagementId: string };
}

export interface OpenConversationRequest {
  readonly routing: ConversationRouting;
  /** Engagement attributes (SDEs) shown to the agent, e.g. `{type: "personal", personal: {firstname: "Ada"}}`. */
  readonly sdes?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly ttrDefName?: TtrDefName;
}

/**
 * The consumer client's description (the `Client-Properties` header): its features switch on what
 * LivePerson sends it (quick replies, structured content, surveys in a second dialog...).
 */
export interface ClientProperties {
  readonly type: '.ClientProperties';
  readonly features: readonly string[];
  readonly [field: string]: unknown;
}

/** Where a signed storage URL points, as `ms.GenerateURLFor…File` answers it; valid about a minute. */
export interface FileUrlGrant {
  readonly relativePath: string;
  readonly tempUrlSig: string;
  /** Unix seconds. */
  readonly tempUrlExpires: number;
}

/** A publish's target and extras: a dialog other than the main one (a survey's), and request metadata. */
export interface PublishOptions extends CallOptions {
  /** The dialog to publish into; default the conversation's main dialog (whose id is the conversation's). */
  readonly dialogId?: string;
  readonly metadata?: readonly RequestMetadata[];
}

export interface ConnectorClientOptions {
  readonly accountId: string;
  /** Sent as `Client-Properties` on every call (LivePerson: on the CONVERSATION call and every SEND after it). */
  readonly clientProperties?: ClientProperties;
  readonly http: LivePersonHttpClient;
  readonly domains: Pick<DomainResolver, 'resolve'>;
  readonly appJwt: AppJwtProvider;
  readonly consumerJws: ConsumerJwsProvider;
  /**
   * Told when LivePerson rejected a consumer's JWS, after it left the memory cache: drop it from the
   * durable store too, so the fresh one fetched next is what every container uses.
   */
  readonly forgetConsumerJws?: (extConsumerId: string, jws: string) => Promise<void>;
}

/**
 * The conversation is closed (by the agent, the consumer or LivePerson's auto-close). LivePerson documents
 * no error code for this; the simulator answers HTTP 400 with `body.errorCode` CONVERSATION_CLOSED, and
 * that is the one answer matched here: any other 400 stays a rejection of the request itself.
 */
export function isConversationClosedError(error: unknown): error is LivePersonApiError {
  return error instanceof LivePersonApiError && error.status === 400 && error.code === 'CONVERSATION_CLOSED';
}

const codeSchema = z.union([z.string(), z.number()]);
// One answer per request of the batch: `{code: "OK", body, reqId}` (an error entry carries a numeric code).
const answerSchema = z.looseObject({ code: z.optional(codeSchema), reqId: z.optional(codeSchema), body: z.optional(z.unknown()) });
const openAnswerSchema = z.array(answerSchema).check(z.minLength(1, 'answer is an empty array'));
const answerErrorBodySchema = z.looseObject({ errorCode: z.optional(codeSchema), message: z.optional(z.string()) });
const conversationIdSchema = z.looseObject({ conversationId: z.string().check(z.minLength(1)) });
const sequenceSchema = z.looseObject({ sequence: z.optional(z.number().check(z.int()).check(z.nonnegative())) });
// `temp_url_expires` is Unix seconds, sent as a string in LivePerson's examples.
const fileUrlBodySchema = z.looseObject({
  relativePath: z.string().check(z.regex(/^\/\S+$/, 'relativePath must be a path starting with "/"')),
  queryParams: z.looseObject({
    temp_url_sig: z.string().check(z.minLength(1)),
    temp_url_expires: z.pipe(
      z.union([z.string().check(z.regex(/^\d+$/)), z.number()]),
      z.transform((value) => Number(value)),
    ),
  }),
});

const PROFILE_REQUEST_ID = '1';
const CONVERSATION_REQUEST_ID = '2';
const SEND_REQUEST_ID = '1';

export class ConnectorClient {
  readonly #options: ConnectorClientOptions;

  constructor(options: ConnectorClientOptions) {
    this.#options = options;
  }

  /** Opens a conversation for the consumer (SetUserProfile, then ConsumerRequestConversation) and returns its id. */
  async openConversation(extConsumerId: string, request: OpenConversationRequest, options: CallOptions = {}): Promise<string> {
    const operation = 'Connector API open conversation';
    const { routing } = request;
    const body = [
      {
        kind: 'req',
        id: PROFILE_REQUEST_ID,
        type: 'userprofile.SetUserProfile',
        // Mandatory and first, even when empty (https://developers.liveperson.com/connector-api-send-api-conversation.html).
        body: request.sdes && request.sdes.length > 0 ? { authenticatedData: { lp_sdes: request.sdes } } : {},
      },
      {
        kind: 'req',
        id: CONVERSATION_REQUEST_ID,
        type: 'cm.ConsumerRequestConversation',
        body: {
          brandId: this.#options.accountId,
          channelType: 'MESSAGING',
          ...(routing.campaignInfo ? { campaignInfo: routing.campaignInfo } : {}),
          ...(routing.skillId === undefined ? {} : { skillId: routing.skillId }),
          ...(request.ttrDefName ? { ttrDefName: request.ttrDefName } : {}),
        },
      },
    ];
    const answers = await this.#call(extConsumerId, operation, 'conversation?v=3', body, openAnswerSchema, options);
    const answer = answers.find((entry) => String(entry.reqId) === CONVERSATION_REQUEST_ID) ?? answers[1];
    if (answer === undefined) throw new LivePersonResponseError(operation, 'no answer to cm.ConsumerRequestConversation');
    throwIfNotOk(operation, answer);
    const parsed = conversationIdSchema.safeParse(answer.body);
    if (!parsed.success) throw new LivePersonResponseError(operation, 'answer to cm.ConsumerRequestConversation has no conversationId');
    return parsed.data.conversationId;
  }

  /** Publishes one event into the conversation; resolves with LivePerson's sequence number when it gives one. */
  async publish(
    extConsumerId: string,
    conversationId: string,
    event: ConversationEvent,
    options: PublishOptions = {},
  ): Promise<{ sequence: number | undefined }> {
    const operation = `Connector API publish ${event.type}`;
    const dialogId = options.dialogId ?? conversationId;
    // Into another dialog (a survey's), the body names the conversation too, as LivePerson's survey example does.
    const target = dialogId === conversationId ? { dialogId, event } : { dialogId, conversationId, event };
    const request = {
      kind: 'req',
      id: SEND_REQUEST_ID,
      type: 'ms.PublishEvent',
      body: target,
      ...(options.metadata && options.metadata.length > 0 ? { metadata: options.metadata } : {}),
    };
    const answer = await this.#call(extConsumerId, operation, 'conversation/send?v=3', request, answerSchema, options);
    throwIfNotOk(operation, answer);
    const body = sequenceSchema.safeParse(answer.body ?? {});
    return { sequence: body.success ? body.data.sequence : undefined };
  }

  /**
   * Closes the conversation as the consumer (`cm.UpdateConversationField`, state CLOSE). With
   * `wholeConversation`, its stage is closed instead: every dialog, a running survey's too, and no
   * survey follows (LivePerson's "Stage" field).
   */
  async closeConversation(
    extConsumerId: string,
    conversationId: string,
    options: CallOptions & { readonly wholeConversation?: boolean } = {},
  ): Promise<void> {
    const operation = 'Connector API close conversation';
    const conversationField = options.wholeConversation
      ? { field: 'Stage', conversationState: 'CLOSE' }
      : { field: 'ConversationStateField', conversationState: 'CLOSE' };
    const request = { kind: 'req', id: SEND_REQUEST_ID, type: 'cm.UpdateConversationField', body: { conversationId, conversationField } };
    throwIfNotOk(operation, await this.#call(extConsumerId, operation, 'conversation/send?v=3', request, answerSchema, options));
  }

  /** Engagement attributes (SDEs) for the consumer's profile during a conversation (`userprofile.SetUserProfile` on SEND). */
  async setUserProfile(
    extConsumerId: string,
    sdes: ReadonlyArray<Readonly<Record<string, unknown>>>,
    options: CallOptions = {},
  ): Promise<void> {
    const operation = 'Connector API set user profile';
    const request = {
      kind: 'req',
      id: SEND_REQUEST_ID,
      type: 'userprofile.SetUserProfile',
      body: { authenticatedData: { lp_sdes: sdes } },
    };
    throwIfNotOk(operation, await this.#call(extConsumerId, operation, 'conversation/send?v=3', request, answerSchema, options));
  }

  /** A signed URL to upload one file of this size and type to LivePerson's storage (`ms.GenerateURLForUploadFile`). */
  async requestUploadUrl(
    extConsumerId: string,
    file: { readonly fileSize: number; readonly fileType: ShareableFileType },
    options: CallOptions = {},
  ): Promise<FileUrlGrant> {
    return this.#fileUrl(
      extConsumerId,
      'Connector API upload URL',
      'ms.GenerateURLForUploadFile',
      {
        fileSize: String(file.fileSize),
        fileType: file.fileType,
      },
      options,
    );
  }

  /** A signed URL to download a file of the conversation, e.g. one the agent shared (`ms.GenerateURLForDownloadFile`). */
  async requestDownloadUrl(extConsumerId: string, relativePath: string, options: CallOptions = {}): Promise<FileUrlGrant> {
    return this.#fileUrl(extConsumerId, 'Connector API download URL', 'ms.GenerateURLForDownloadFile', { relativePath }, options);
  }

  async #fileUrl(
    extConsumerId: string,
    operation: string,
    type: string,
    body: Readonly<Record<string, string>>,
    options: CallOptions,
  ): Promise<FileUrlGrant> {
    const request = { kind: 'req', id: SEND_REQUEST_ID, type, body };
    const answer = await this.#call(extConsumerId, operation, 'conversation/send?v=3', request, answerSchema, options, true);
    throwIfNotOk(operation, answer);
    const parsed = fileUrlBodySchema.safeParse(answer.body);
    if (!parsed.success)
      throw new LivePersonResponseError(operation, `answer has no signed URL: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return {
      relativePath: parsed.data.relativePath,
      tempUrlSig: parsed.data.queryParams.temp_url_sig,
      tempUrlExpires: parsed.data.queryParams.temp_url_expires,
    };
  }

  async #call<T>(
    extConsumerId: string,
    operation: string,
    path: string,
    json: unknown,
    schema: z.ZodMiniType<T>,
    options: CallOptions,
    /** Only asks for something (a signed URL): repeating it changes nothing. */
    idempotent = false,
  ): Promise<T> {
    const { accountId, http, domains, appJwt, consumerJws, clientProperties } = this.#options;
    const clientHeaders: Record<string, string> = clientProperties ? { 'client-properties': JSON.stringify(clientProperties) } : {};
    const base = await domains.resolve('asyncMessagingEnt', options);
    const url = `${base}/api/account/${encodeURIComponent(accountId)}/messaging/consumer/${path}`;
    const send = (token: string, jws: string) =>
      http.requestJson(
        {
          operation,
          method: 'POST',
          url,
          // Raw tokens, no "Bearer " (https://developers.liveperson.com/connector-api-send-api-authorization-and-authentication.html).
          headers: { authorization: token, 'x-lp-on-behalf': jws, ...clientHeaders },
          json,
          deadline: options.deadline,
          retry: options.retry,
          // Every other call changes the conversation (a message, a new conversation, a close): one that
          // may have arrived is not repeated, else the consumer's message could reach the agent twice.
          idempotent,
        },
        schema,
      );

    // The outer withToken refreshes the AppJWT once on 40102; the inner retry replaces the consumer JWS once.
    return appJwt.withToken(async (token) => {
      const jws = await consumerJws.getJws(extConsumerId, options);
      try {
        return await send(token, jws);
      } catch (error) {
        if (!isConsumerJwsRejection(error)) throw error;
        consumerJws.invalidate(extConsumerId, jws);
        await this.#options.forgetConsumerJws?.(extConsumerId, jws);
        return send(token, await consumerJws.getJws(extConsumerId, options));
      }
    }, options);
  }
}

/** LivePerson may answer 200 with an error entry inside the batch: turn it into the error a non-2xx would give. */
function throwIfNotOk(operation: string, answer: z.infer<typeof answerSchema>): void {
  if (answer.code === undefined || answer.code === 'OK') return;
  const details = answerErrorBodySchema.safeParse(answer.body ?? {});
  const status = typeof answer.code === 'number' ? answer.code : Number.parseInt(answer.code, 10);
  throw new LivePersonApiError(operation, {
    status: Number.isInteger(status) && status >= 400 ? status : 400,
    code: details.success && details.data.errorCode !== undefined ? String(details.data.errorCode) : undefined,
    apiMessage: details.success ? details.data.message?.slice(0, 300) : undefined,
  });
}

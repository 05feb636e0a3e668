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

/** An event the consumer publishes into a conversation (`ms.PublishEvent`). */
export type ConversationEvent =
  | { readonly type: 'ContentEvent'; readonly contentType: 'text/plain'; readonly message: string }
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

export interface ConnectorClientOptions {
  readonly accountId: string;
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
    options: CallOptions = {},
  ): Promise<{ sequence: number | undefined }> {
    const operation = `Connector API publish ${event.type}`;
    const request = { kind: 'req', id: SEND_REQUEST_ID, type: 'ms.PublishEvent', body: { dialogId: conversationId, event } };
    const answer = await this.#call(extConsumerId, operation, 'conversation/send?v=3', request, answerSchema, options);
    throwIfNotOk(operation, answer);
    const body = sequenceSchema.safeParse(answer.body ?? {});
    return { sequence: body.success ? body.data.sequence : undefined };
  }

  /** Closes the conversation as the consumer (`cm.UpdateConversationField`, state CLOSE). */
  async closeConversation(extConsumerId: string, conversationId: string, options: CallOptions = {}): Promise<void> {
    const operation = 'Connector API close conversation';
    const request = {
      kind: 'req',
      id: SEND_REQUEST_ID,
      type: 'cm.UpdateConversationField',
      body: { conversationId, conversationField: { field: 'ConversationStateField', conversationState: 'CLOSE' } },
    };
    throwIfNotOk(operation, await this.#call(extConsumerId, operation, 'conversation/send?v=3', request, answerSchema, options));
  }

  async #call<T>(
    extConsumerId: string,
    operation: string,
    path: string,
    json: unknown,
    schema: z.ZodMiniType<T>,
    options: CallOptions,
  ): Promise<T> {
    const { accountId, http, domains, appJwt, consumerJws } = this.#options;
    const base = await domains.resolve('asyncMessagingEnt', options);
    const url = `${base}/api/account/${encodeURIComponent(accountId)}/messaging/consumer/${path}`;
    const send = (token: string, jws: string) =>
      http.requestJson(
        {
          operation,
          method: 'POST',
          url,
          // Raw tokens, no "Bearer " (https://developers.liveperson.com/connector-api-send-api-authorization-and-authentication.html).
          headers: { authorization: token, 'x-lp-on-behalf': jws },
          json,
          deadline: options.deadline,
          retry: options.retry,
          // Every call here changes the conversation (a message, a new conversation, a close): one that
          // may have arrived is not repeated, else the consumer's message could reach the agent twice.
          idempotent: false,
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

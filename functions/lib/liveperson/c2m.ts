/**
 * Connect-to-Messaging (C2M, docs/liveperson.md#connect-to-messaging-c2m): Eligibility and Invite. Knows the API's contract, its two
 * ways to authenticate (Bearer AppJWT or the OAuth 1.0a "API key"), where it lives (CSDS/SSM, the
 * region table as a last resort) and its limits; nothing of Lambda or Amazon Connect.
 * LivePerson facts behind this: docs/liveperson.md#connect-to-messaging-c2m.
 */
import * as z from '#contract/zod.ts';
import { C2M_LIMITS, type C2mRegion } from '#contract/constants.ts';
import type { AppJwtProvider } from './app-jwt.ts';
import type { DeadlineOption, DomainResolver } from './domains.ts';
import { messageOf } from '../errors.ts';
import { DeadlineExceededError, LivePersonError } from './errors.ts';
import { C2M_RETRY_POLICY, type LivePersonHttpClient, type RetryPolicy } from './http.ts';
import { oauth1AuthorizationHeader, type OAuth1Credentials } from './oauth1.ts';

/** CSDS service name of C2M. */
export const C2M_SERVICE = 'connectToMessagingDomain';
export const C2M_API_VERSION = '2.0';

export const C2M_OPERATIONS = { eligibility: 'C2M eligibility', invite: 'C2M invite' } as const;

/** Hosts named in the docs, one per region: only a fallback, CSDS is the authority. */
export const C2M_REGION_DOMAINS: Readonly<Record<C2mRegion, string>> = {
  va: 'va.connect-to-messaging.liveperson.net',
  lo: 'lo.connect-to-messaging.liveperson.net',
  sy: 'sy.connect-to-messaging.liveperson.net',
};
export { C2M_LIMITS, C2M_REGIONS, type C2mRegion } from '#contract/constants.ts';

/** C2M's published error table: C2M's own code → HTTP status and message. 5000-7000 are server errors. */
export const C2M_ERROR_CODES = {
  1000: { status: 400, message: 'Invalid request' },
  1001: { status: 400, message: 'Invalid customerPhoneNumber' },
  1002: { status: 400, message: 'Invalid version' },
  1004: { status: 404, message: 'Not Found' },
  1005: { status: 405, message: 'Method Not Allowed' },
  1015: { status: 415, message: 'Unsupported Media Type' },
  1029: { status: 429, message: 'Rate limit hit' },
  1100: { status: 401, message: 'Invalid Bearer token' },
  1101: { status: 403, message: 'Not enough privilege to perform this operation' },
  1200: { status: 400, message: 'No internal user is available' },
  1201: { status: 400, message: 'No internal app is available' },
  1300: { status: 400, message: 'No engagement found for skill «skill»' },
  1400: { status: 400, message: 'Message cannot be sent' },
  1500: { status: 400, message: 'No handoff is available' },
  1501: { status: 400, message: 'No handoff channel is available' },
  1600: { status: 400, message: 'No setting is available' },
  1900: { status: 400, message: 'Overridden channel is not available' },
  1901: { status: 400, message: 'No engagement provided for the overridden skill' },
} as const;
export type C2mErrorCode = keyof typeof C2M_ERROR_CODES;

/** E.164 with the leading "+": a non-zero country digit, at most 15 characters in all (C2M's limit). */
const E164 = /^\+[1-9]\d{1,13}$/;

export function isC2mPhoneNumber(value: string): boolean {
  return value.length <= C2M_LIMITS.consumerPhoneNumber && E164.test(value);
}

export interface C2mEligibilityRequest {
  /** E.164 with "+", at most 15 characters. */
  readonly consumerPhoneNumber: string;
  readonly skill: string;
  readonly handoffId: string;
  /** Template variables (SMS and WhatsApp). */
  readonly templateVariables?: Readonly<Record<string, string>>;
  /** Customer Info and Personal Info SDEs, shown to the agent (SMS and WhatsApp). */
  readonly sdes?: ReadonlyArray<{ readonly type: string; readonly info: Readonly<Record<string, unknown>> }>;
  /** The consumer's id in the brand's app: C2M needs it for the in-app channel. */
  readonly consumerId?: string;
  /** Which of the brand's IVR numbers, when it has several. */
  readonly ivrNumber?: string;
}

export interface C2mEligibility {
  readonly eligible: boolean;
  /** Correlates the invite to this eligibility answer. */
  readonly callId: string;
  /** May be empty. */
  readonly recommendedChannelName: string;
  readonly availableChannels: readonly string[];
}

export interface C2mInviteRequest {
  readonly callId: string;
  /** Defaults to the recommended channel; "sms" and "twilio" are the same. */
  readonly overrideChannel?: string;
  /** SMS only, at most 1600 characters. */
  readonly overrideMessage?: string;
  readonly overrideSkill?: string;
}

export interface C2mInvitation {
  readonly callId: string;
}

/**
 * How a call is authenticated: the OAuth 1.0a "API key" (four values from Campaign Builder), or
 * `Bearer <AppJWT>`, refreshed once when C2M answers 401.
 */
export type C2mAuth =
  | { readonly kind: 'api-key'; readonly credentials: OAuth1Credentials }
  | { readonly kind: 'app-jwt'; readonly appJwt: Pick<AppJwtProvider, 'withToken'> };

/** The API key when the credentials have one, else the AppJWT: how C2M and its reporting are called. */
export function c2mAuthOf(
  credentials: { readonly oauth1?: OAuth1Credentials | undefined },
  appJwt: Pick<AppJwtProvider, 'withToken'>,
): C2mAuth {
  return credentials.oauth1 ? { kind: 'api-key', credentials: credentials.oauth1 } : { kind: 'app-jwt', appJwt };
}

/**
 * Makes `send` with the Authorization header of `auth`: an OAuth 1.0a signature made for every
 * attempt (a retry carries a fresh nonce and timestamp, as OAuth 1.0a requires), or `Bearer <AppJWT>`,
 * refreshed once when the call answers 401.
 */
export function withC2mAuthorization<T>(
  auth: C2mAuth,
  request: { readonly method: 'GET' | 'POST'; readonly url: string },
  send: (authorization: () => string) => Promise<T>,
  options: DeadlineOption,
): Promise<T> {
  if (auth.kind === 'api-key') {
    const credentials = auth.credentials;
    return send(() => oauth1AuthorizationHeader(credentials, request));
  }
  return auth.appJwt.withToken((token) => send(() => `Bearer ${token}`), options);
}

export interface C2mClientOptions {
  readonly accountId: string;
  readonly http: LivePersonHttpClient;
  /** Base URL (with scheme) of C2M for the account, e.g. from c2mBaseUrlResolver. */
  readonly baseUrl: (options: DeadlineOption) => Promise<string>;
  /** Asked before every call, so a rotated secret (or a newly added API key) takes effect. */
  readonly auth: () => Promise<C2mAuth> | C2mAuth;
  /** @default C2M_RETRY_POLICY (429 from 5 s, as C2M advises); a deadline cuts it short. */
  readonly retry?: RetryPolicy;
  /** @default '2.0' */
  readonly apiVersion?: string;
}

// C2M's reference marks every field required; defaults keep an answer that omits an empty list usable.
const eligibilityAnswerSchema = z.object({
  eligible: z.boolean(),
  callId: z.string().check(z.minLength(1, 'callId is empty')),
  recommendedChannelName: z._default(z.string(), ''),
  availableChannels: z._default(z.array(z.string()), []),
});
const inviteAnswerSchema = z.object({ callId: z.optional(z.string().check(z.minLength(1))) });

export class C2mClient {
  readonly #options: C2mClientOptions;
  readonly #retry: RetryPolicy;
  readonly #apiVersion: string;

  constructor(options: C2mClientOptions) {
    this.#options = options;
    this.#retry = options.retry ?? C2M_RETRY_POLICY;
    this.#apiVersion = options.apiVersion ?? C2M_API_VERSION;
  }

  /** Whether the consumer can be reached by messaging; the answer's callId is the invite's key. */
  async eligibility(request: C2mEligibilityRequest, options: DeadlineOption = {}): Promise<C2mEligibility> {
    const body = {
      consumerPhoneNumber: request.consumerPhoneNumber,
      skill: request.skill,
      handoffId: request.handoffId,
      ...(request.templateVariables === undefined ? {} : { templateVariables: request.templateVariables }),
      ...(request.ivrNumber === undefined ? {} : { ivrNumber: request.ivrNumber }),
      ...(request.sdes === undefined ? {} : { sdes: request.sdes }),
      ...(request.consumerId === undefined ? {} : { consumerId: request.consumerId }),
    };
    // Repeating it costs a new callId, nothing the consumer sees: retried like any call.
    return this.#post(C2M_OPERATIONS.eligibility, 'eligibility', body, eligibilityAnswerSchema, options, true);
  }

  /** Sends the invitation for an eligibility answer's callId. */
  async invite(request: C2mInviteRequest, options: DeadlineOption = {}): Promise<C2mInvitation> {
    const body = {
      callId: request.callId,
      ...(request.overrideChannel === undefined ? {} : { overrideChannel: request.overrideChannel }),
      ...(request.overrideMessage === undefined ? {} : { overrideMessage: request.overrideMessage }),
      ...(request.overrideSkill === undefined ? {} : { overrideSkill: request.overrideSkill }),
    };
    // An invite that may have arrived is not repeated: the consumer would get the SMS or WhatsApp twice.
    const answer = await this.#post(C2M_OPERATIONS.invite, 'invite', body, inviteAnswerSchema, options, false);
    return { callId: answer.callId ?? request.callId };
  }

  async #post<T>(
    operation: string,
    resource: string,
    body: object,
    schema: z.ZodMiniType<T>,
    options: DeadlineOption,
    idempotent: boolean,
  ): Promise<T> {
    const { accountId, http } = this.#options;
    // Both are cached after the first call; in parallel they cost one round trip on a cold start.
    const [baseUrl, auth] = await Promise.all([this.#options.baseUrl(options), this.#options.auth()]);
    const url = `${baseUrl}/api/account/${encodeURIComponent(accountId)}/${resource}?v=${encodeURIComponent(this.#apiVersion)}`;
    const send = (authorization: () => string) =>
      http.requestJson(
        {
          operation,
          method: 'POST',
          url,
          json: body,
          headers: () => ({ authorization: authorization() }),
          deadline: options.deadline,
          retry: this.#retry,
          idempotent,
        },
        schema,
      );
    return withC2mAuthorization(auth, { method: 'POST', url }, send, options);
  }
}

/** Neither SSM nor CSDS gave C2M's domain, and no region hint allows a guess. */
export class C2mDomainUnavailableError extends LivePersonError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2M domain lookup', message, false, options);
    this.name = 'C2mDomainUnavailableError';
  }
}

export interface C2mBaseUrlOptions {
  readonly domains: Pick<DomainResolver, 'resolve'>;
  /** Region of the account, used only when the lookup fails. */
  readonly region?: C2mRegion | undefined;
  /**
   * With a region hint, the lookup may use at most this much of the caller's time, so the fallback
   * still leaves time for the C2M call itself. @default 2000
   */
  readonly lookupBudgetMs?: number;
  /** Told when the region table is used (e.g. to log it). */
  readonly onFallback?: (region: C2mRegion, error: unknown) => void;
}

/** C2M's base URL: SSM, then CSDS (the DomainResolver does both), then the region table if a hint is set. */
export function c2mBaseUrlResolver(options: C2mBaseUrlOptions): (options: DeadlineOption) => Promise<string> {
  const { domains, region } = options;
  const lookupBudgetMs = options.lookupBudgetMs ?? 2_000;
  return async ({ deadline } = {}) => {
    const lookupDeadline = region === undefined ? deadline : Math.min(deadline ?? Number.POSITIVE_INFINITY, Date.now() + lookupBudgetMs);
    try {
      return await domains.resolve(C2M_SERVICE, { deadline: lookupDeadline });
    } catch (error) {
      // Out of the caller's own time: a guessed domain would not help.
      if (error instanceof DeadlineExceededError && deadline !== undefined && Date.now() >= deadline) throw error;
      if (region === undefined) {
        throw new C2mDomainUnavailableError(`no ${C2M_SERVICE} from SSM or CSDS and no region hint: ${messageOf(error)}`, { cause: error });
      }
      options.onFallback?.(region, error);
      return `https://${C2M_REGION_DOMAINS[region]}`;
    }
  };
}

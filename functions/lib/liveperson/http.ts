/**
 * The one HTTP layer of every LivePerson call: keep-alive connections, a timeout on every
 * attempt, LivePerson's retry policy and an optional absolute deadline. A call marked
 * non-idempotent is only repeated when LivePerson answered (5xx, 429) or was never reached.
 *
 * Hand-written on top of the runtime's fetch because no retry library knows LivePerson's
 * rules (different schedules for 429 and 5xx, Retry-After, never a retry on other 4xx) together
 * with a hard deadline that forbids starting an attempt or a wait that cannot finish in time.
 * Node's fetch keeps connections alive by default, so a warm Lambda reuses its sockets.
 * LivePerson facts behind this: docs/liveperson.md#retries-and-timeouts.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from '#contract/zod.ts';
import {
  DeadlineExceededError,
  LivePersonApiError,
  LivePersonNetworkError,
  LivePersonResponseError,
  type LivePersonError,
} from './errors.ts';

export interface RetryPolicy {
  /**
   * Wait before each retry of a 5xx, or of a network failure after which the request may have reached
   * LivePerson (a timeout, a reset); the list's length is the number of retries.
   */
  readonly serverErrorDelaysMs: readonly number[];
  /** Wait before each retry of a 429; a longer Retry-After from LivePerson wins. */
  readonly rateLimitDelaysMs: readonly number[];
  /**
   * Wait before each retry of a failure to reach LivePerson at all (DNS, connection refused): nothing
   * was sent, so such a failure is retried even for a non-idempotent call, and soon, as there is no
   * server load to back off from. @default serverErrorDelaysMs
   */
  readonly connectionErrorDelaysMs?: readonly number[];
}

// A DNS blip or a refused connection (a host restarting) usually clears within a second or two.
const CONNECTION_ERROR_DELAYS_MS = [250, 1_000, 2_000];

/** LivePerson's general policy: 5xx retried 3 times 5, 10 and 15 s apart; 429 waits at least 1 s. */
export const LIVEPERSON_RETRY_POLICY: RetryPolicy = {
  serverErrorDelaysMs: [5_000, 10_000, 15_000],
  rateLimitDelaysMs: [1_000, 2_000, 4_000],
  connectionErrorDelaysMs: CONNECTION_ERROR_DELAYS_MS,
};

/** C2M's own advice for 429: three attempts with exponential delay from 5 s. */
export const C2M_RETRY_POLICY: RetryPolicy = {
  serverErrorDelaysMs: [5_000, 10_000, 15_000],
  rateLimitDelaysMs: [5_000, 10_000],
  connectionErrorDelaysMs: CONNECTION_ERROR_DELAYS_MS,
};

/**
 * At most one quick retry of each kind (a 429 still waits LivePerson's 1 s minimum), for callers with a
 * slower retry of their own: an SQS queue's visibility timeout and redrive make LivePerson's "then a
 * slower outer retry", so a failing call gives its invocation back after about a second, not 30.
 */
export const QUICK_RETRY_POLICY: RetryPolicy = {
  serverErrorDelaysMs: [1_000],
  rateLimitDelaysMs: [1_000],
  connectionErrorDelaysMs: [250],
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  /** Names the call in errors and retry notices, e.g. "C2M eligibility". */
  readonly operation: string;
  readonly method?: HttpMethod;
  readonly url: string | URL;
  /**
   * Request headers; a function is called again for every attempt, for headers that must change
   * per attempt (an OAuth 1.0a signature carries a fresh nonce and timestamp each time).
   */
  readonly headers?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);
  /** Sent as `application/json`. */
  readonly json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  readonly form?: Readonly<Record<string, string>>;
  /** Sent as they are (a file to LivePerson's storage). */
  readonly bytes?: { readonly data: Uint8Array; readonly contentType: string };
  /** Timeout of one attempt; defaults to the client's. */
  readonly timeoutMs?: number;
  /** Absolute time (epoch ms) by which the whole call, retries included, must be over. */
  readonly deadline?: number;
  /** Defaults to the client's policy. */
  readonly retry?: RetryPolicy;
  /**
   * False for a call that must not be applied twice (a message published, an SMS invitation sent):
   * after a failure where the request may have reached LivePerson (a timeout, a reset) it is not
   * repeated; a failure to connect at all still is. 5xx and 429 follow the policy either way, as
   * LivePerson advises. @default true
   */
  readonly idempotent?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface RetryNotice {
  readonly operation: string;
  /** The retry about to be made, counting from 1. */
  readonly retry: number;
  readonly delayMs: number;
  readonly error: LivePersonError;
}

/** What a tracer learns of one call, retries included: never its URL's path or query, headers or body. */
export interface TracedCall {
  /** e.g. "C2M eligibility". */
  readonly operation: string;
  /** LivePerson's host, e.g. va.connect-to-messaging.liveperson.net. */
  readonly host: string;
  /** The last answer's HTTP status; undefined when none came (a network failure). */
  status: number | undefined;
  /** Retries made after the first attempt. */
  retries: number;
}

/**
 * Each call on a Node diagnostics tracing channel too (start, asyncEnd, error), as undici and node:http
 * publish theirs: what observes a process from inside (the local stack's traces, an APM agent) sees the
 * calls by operation. It costs a property read while nothing subscribes.
 */
export const LIVEPERSON_CALL_CHANNEL = 'liveperson-aws:liveperson-call';
export const livePersonCalls = tracingChannel<object, { readonly call: TracedCall }>(LIVEPERSON_CALL_CHANNEL);

/** Wraps each call in a span of the caller's tracing (an X-Ray subsegment in a Lambda function). */
export interface CallTracer {
  trace<T>(call: TracedCall, run: () => Promise<T>): Promise<T>;
}

export interface HttpClientOptions {
  /** Timeout of one attempt (connect, headers and body). Default 5 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** An attempt is only started when at least this much time is left before the deadline. Default 100 ms. */
  readonly minAttemptMs?: number;
  /** Told before every retry, e.g. to log it. */
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Traces every call; none by default. */
  readonly tracer?: CallTracer | undefined;
  readonly fetch?: typeof fetch;
  /** How to wait between attempts (tests pass a recorder). */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

const USER_AGENT = 'liveperson-aws-integrations/0.1';

export class LivePersonHttpClient {
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #minAttemptMs: number;
  readonly #onRetry: ((notice: RetryNotice) => void) | undefined;
  readonly #tracer: CallTracer | undefined;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<unknown>;

  constructor(options: HttpClientOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#retry = options.retry ?? LIVEPERSON_RETRY_POLICY;
    this.#minAttemptMs = options.minAttemptMs ?? 100;
    this.#onRetry = options.onRetry;
    this.#tracer = options.tracer;
    this.#fetch = options.fetch ?? fetch;
    this.#sleep = options.sleep ?? sleep;
  }

  /** Makes the call, retrying per policy; resolves with a 2xx answer or throws a typed LivePersonError. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const observed = livePersonCalls.hasSubscribers;
    if (this.#tracer === undefined && !observed) return this.#request(request, undefined);
    const call: TracedCall = { operation: request.operation, host: hostOf(request.url), status: undefined, retries: 0 };
    const run = () => this.#request(request, call);
    // The channel's context is a wrapper: tracePromise writes the call's result (the answer, tokens and all) into it.
    const traced = observed ? () => livePersonCalls.tracePromise(run, { call }) : run;
    return this.#tracer ? this.#tracer.trace(call, traced) : traced();
  }

  async #request(request: HttpRequest, call: TracedCall | undefined): Promise<HttpResponse> {
    const policy = request.retry ?? this.#retry;
    let serverRetries = 0;
    let rateLimitRetries = 0;
    let connectionRetries = 0;
    let lastError: LivePersonError | undefined;

    for (let attempt = 1; ; attempt++) {
      const attemptTimeoutMs = this.#attemptTimeout(request, lastError);
      let error: LivePersonError;
      try {
        const response = await this.#attempt(request, attemptTimeoutMs);
        if (call) call.status = response.status;
        if (response.status >= 200 && response.status < 300) return response;
        error = toApiError(request.operation, response);
      } catch (caught) {
        if (!(caught instanceof LivePersonNetworkError)) throw caught;
        if (call) call.status = undefined;
        error = caught;
        if (caught.timedOut && request.deadline !== undefined && Date.now() >= request.deadline) {
          throw new DeadlineExceededError(request.operation, `deadline reached during attempt ${attempt}`, { cause: caught });
        }
      }
      if (!error.retryable) throw error;
      const networkError = error instanceof LivePersonNetworkError ? error : undefined;
      if (networkError && !networkError.neverSent && request.idempotent === false) throw error;

      let delayMs: number | undefined;
      if (error instanceof LivePersonApiError && error.status === 429) {
        const planned = policy.rateLimitDelaysMs[rateLimitRetries++];
        delayMs = planned === undefined ? undefined : Math.max(planned, (error.retryAfterSeconds ?? 0) * 1000);
      } else if (networkError?.neverSent) {
        delayMs = (policy.connectionErrorDelaysMs ?? policy.serverErrorDelaysMs)[connectionRetries++];
      } else {
        delayMs = policy.serverErrorDelaysMs[serverRetries++];
      }
      if (delayMs === undefined) throw error;
      if (request.deadline !== undefined && Date.now() + delayMs + this.#minAttemptMs > request.deadline) {
        throw new DeadlineExceededError(
          request.operation,
          `no time left to retry after ${describe(error)} (next retry would wait ${delayMs} ms)`,
          { cause: error },
        );
      }
      lastError = error;
      if (call) call.retries = attempt;
      this.#onRetry?.({ operation: request.operation, retry: attempt, delayMs, error });
      await this.#sleep(delayMs);
    }
  }

  /** Makes the call and validates its JSON answer; a body that breaks the contract is a LivePersonResponseError. */
  async requestJson<T>(request: HttpRequest, schema: z.ZodMiniType<T>): Promise<T> {
    const response = await this.request(request);
    return parseJsonBody(request.operation, response.text, schema);
  }

  #attemptTimeout(request: HttpRequest, lastError: LivePersonError | undefined): number {
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    if (request.deadline === undefined) return timeoutMs;
    const remainingMs = request.deadline - Date.now();
    if (remainingMs < this.#minAttemptMs) {
      throw new DeadlineExceededError(request.operation, `only ${Math.max(remainingMs, 0)} ms left before the deadline`, {
        cause: lastError,
      });
    }
    return Math.min(timeoutMs, remainingMs);
  }

  async #attempt(request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    const requestHeaders = typeof request.headers === 'function' ? request.headers() : request.headers;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json', ...requestHeaders };
    let body: string | Uint8Array | undefined;
    if (request.bytes !== undefined) {
      headers['content-type'] ??= request.bytes.contentType;
      body = request.bytes.data;
    } else if (request.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    // One timer for the whole attempt, cleared when it ends: AbortSignal.timeout's would stay armed and
    // fire later for every call made, each building a DOMException and running the abort steps.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    try {
      const response = await this.#fetch(request.url, {
        method: request.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
        signal: controller.signal,
      });
      // Reading the whole body frees the connection for reuse.
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (caught) {
      const timedOut = caught instanceof Error && (caught.name === 'TimeoutError' || caught.name === 'AbortError');
      // A timeout is never "not sent": the connection may have been up and the request on its way.
      const neverSent = !timedOut && caught instanceof Error && isConnectFailure(caught.cause);
      let reason = timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${networkReason(caught)}`;
      if (!neverSent && request.idempotent === false) reason += ' (not repeated: it may have reached LivePerson)';
      throw new LivePersonNetworkError(request.operation, reason, timedOut, { cause: caught, neverSent });
    } finally {
      clearTimeout(timer);
    }
  }
}

export function parseJsonBody<T>(operation: string, text: string, schema: z.ZodMiniType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LivePersonResponseError(operation, 'answer is not JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new LivePersonResponseError(operation, `unexpected answer: ${z.prettifyError(result.error).replaceAll('\n', '; ')}`);
  }
  return result.data;
}

// Error bodies differ per API: C2M `{errorCode, errorMessage}`, Connector `{body: {errorCode, message}}`,
// Sentinel/OAuth `{error, error_description}`. Any of them may be missing.
const codeValue = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
const errorBodySchema = z.object({
  errorCode: z.optional(codeValue),
  errorMessage: z.optional(z.string()),
  error: z.optional(z.union([z.string(), z.object({ code: z.optional(codeValue), message: z.optional(z.string()) })])),
  error_description: z.optional(z.string()),
  message: z.optional(z.string()),
  body: z.optional(z.object({ errorCode: z.optional(codeValue), message: z.optional(z.string()) })),
});

function toApiError(operation: string, response: HttpResponse): LivePersonApiError {
  let code: string | undefined;
  let apiMessage: string | undefined;
  try {
    let json: unknown = JSON.parse(response.text);
    // The Connector API answers a batch of requests with an array: the failing entry tells why.
    if (Array.isArray(json)) json = json.find((entry) => z.looseObject({ code: z.unknown() }).safeParse(entry).data?.code !== 'OK');
    const parsed = errorBodySchema.safeParse(json);
    if (parsed.success) {
      const b = parsed.data;
      const nestedError = typeof b.error === 'object' ? b.error : undefined;
      code = b.errorCode ?? b.body?.errorCode ?? nestedError?.code ?? (typeof b.error === 'string' ? b.error : undefined);
      apiMessage = b.errorMessage ?? b.body?.message ?? nestedError?.message ?? b.error_description ?? b.message;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone tells what happened.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new LivePersonApiError(operation, {
    status: response.status,
    code,
    apiMessage: apiMessage?.slice(0, 300),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  });
}

// Failures before any connection existed (fetch puts them in `cause`), so no byte of the request left:
// DNS, a refused connect, undici's connect timeout, and any error of the connect or lookup call itself
// (ETIMEDOUT, ENETUNREACH, EHOSTUNREACH there). A reset (ECONNRESET on read, undici's "other side
// closed") is not among them: it may come after the request was sent.
const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const CONNECT_SYSCALLS: ReadonlySet<string> = new Set(['connect', 'getaddrinfo']);

function isConnectFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string' && CONNECT_FAILURE_CODES.has(code)) return true;
  if (typeof syscall === 'string' && CONNECT_SYSCALLS.has(syscall)) return true;
  // Several addresses tried (IPv6 and IPv4): not sent only if none of them connected.
  return error instanceof AggregateError && error.errors.length > 0 && error.errors.every(isConnectFailure);
}

function networkReason(caught: unknown): string {
  if (!(caught instanceof Error)) return String(caught);
  const cause = caught.cause;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return `${cause.code} ${cause.message}`;
  return caught.message;
}

function describe(error: LivePersonError): string {
  return error instanceof LivePersonApiError ? `HTTP ${error.status}` : error.message;
}

function hostOf(url: string | URL): string {
  try {
    return (typeof url === 'string' ? new URL(url) : url).host;
  } catch {
    return 'invalid-url';
  }
}

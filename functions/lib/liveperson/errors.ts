/**
 * Typed errors of every LivePerson call. Callers branch on the class and on `retryable`;
 * messages name the operation and never carry a credential or token. They are logged as they are
 * (a handler's `{ error }`, a retry notice's reason), so what LivePerson says is masked on the way in:
 * a phone number it echoes (C2M's "invalid consumerPhoneNumber …", a Connector API message naming the
 * consumer) keeps its last four digits in `message`, `apiMessage` and the stack alike.
 * LivePerson facts behind this: docs/liveperson.md#connector-api-401-codes.
 */
import { IntegrationError } from '../errors.ts';
import { maskPhoneNumbers } from '../log-mask.ts';

export class LivePersonError extends IntegrationError {
  /** Whether the same call may succeed if made again later. */
  readonly retryable: boolean;
  /** What we were doing, e.g. "C2M eligibility" or "CSDS lookup of sentinel". */
  readonly operation: string;

  constructor(operation: string, message: string, retryable: boolean, options?: ErrorOptions) {
    super(maskPhoneNumbers(`${operation}: ${message}`), options);
    this.name = 'LivePersonError';
    this.operation = operation;
    this.retryable = retryable;
  }
}

/** LivePerson answered with a non-2xx HTTP status. */
export class LivePersonApiError extends LivePersonError {
  readonly status: number;
  /** LivePerson's own error code when the body carries one (C2M `errorCode`, Connector `body.errorCode`). */
  readonly code: string | undefined;
  /** LivePerson's error message when the body carries one, phone numbers masked (see log-mask.ts). */
  readonly apiMessage: string | undefined;
  /** Seconds from a Retry-After header, when LivePerson sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    operation: string,
    details: { status: number; code?: string | undefined; apiMessage?: string | undefined; retryAfterSeconds?: number | undefined },
  ) {
    const codePart = details.code === undefined ? '' : ` (LivePerson error ${details.code})`;
    const apiMessage = details.apiMessage === undefined ? undefined : maskPhoneNumbers(details.apiMessage);
    const messagePart = apiMessage === undefined ? '' : `: ${apiMessage}`;
    super(operation, `HTTP ${details.status}${codePart}${messagePart}`, isRetryableStatus(details.status));
    this.name = 'LivePersonApiError';
    this.status = details.status;
    this.code = details.code;
    this.apiMessage = apiMessage;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

export interface NetworkErrorOptions extends ErrorOptions {
  /** See LivePersonNetworkError.neverSent. Default false. */
  readonly neverSent?: boolean;
}

/** No answer: connection refused or reset, DNS failure, or the attempt's timeout elapsed. */
export class LivePersonNetworkError extends LivePersonError {
  readonly timedOut: boolean;
  /**
   * The request certainly never reached LivePerson (DNS failure, connection refused or unreachable), so
   * repeating it cannot apply it twice. False when it may have arrived: a timeout, a reset after sending.
   */
  readonly neverSent: boolean;

  constructor(operation: string, message: string, timedOut: boolean, options?: NetworkErrorOptions) {
    super(operation, message, true, options);
    this.name = 'LivePersonNetworkError';
    this.timedOut = timedOut;
    this.neverSent = options?.neverSent ?? false;
  }
}

/** LivePerson answered 2xx, but not with what its contract promises. */
export class LivePersonResponseError extends LivePersonError {
  constructor(operation: string, message: string, options?: ErrorOptions) {
    super(operation, message, false, options);
    this.name = 'LivePersonResponseError';
  }
}

/**
 * The caller's deadline leaves no time for another attempt or wait. Retryable: a later invocation,
 * with its own deadline, may well succeed (the processor and the connector retry it through SQS).
 * `cause` holds the last failure, when there was one.
 */
export class DeadlineExceededError extends LivePersonError {
  constructor(operation: string, message: string, options?: ErrorOptions) {
    super(operation, message, true, options);
    this.name = 'DeadlineExceededError';
  }
}

/** LivePerson (or its storage) answered this HTTP status to this operation. */
export function isApiErrorStatus(error: unknown, status: number, operation?: string): error is LivePersonApiError {
  return error instanceof LivePersonApiError && error.status === status && (operation === undefined || error.operation === operation);
}

/** 429 and 5xx are worth another try; other 4xx are not (LivePerson retry policy). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Connector API 401 codes that blame the consumer JWS (invalid, or missing), not the AppJWT (the Connector API's 401 error codes). */
const CONSUMER_JWS_ERROR_CODES: ReadonlySet<string> = new Set(['40103', '40105']);

/** LivePerson refused the consumer JWS: a new one from the IdP may pass, a new AppJWT would not. */
export function isConsumerJwsRejection(error: unknown): error is LivePersonApiError {
  return error instanceof LivePersonApiError && error.status === 401 && CONSUMER_JWS_ERROR_CODES.has(error.code ?? '');
}

/**
 * The one error base of the functions' code: every error raised on purpose says whether trying again
 * can help. Triggers branch on `retryable` (an SQS record is retried or dead-lettered, a command
 * failed or rejected), never on a list of classes. An error that is no IntegrationError (a bug, an
 * SDK error) counts as temporary: retrying is the safe default, the dead-letter queue the backstop.
 * How the triggers use it: docs/architecture.md#guarantees-and-where-they-live.
 */
export abstract class IntegrationError extends Error {
  /** True when the same input may succeed later (an outage, a timeout); false when it never will. */
  abstract readonly retryable: boolean;
}

/** A configuration that cannot work (environment, secret, SSM). The message names what is wrong, never a value. */
export class ConfigurationError extends IntegrationError {
  // Temporary: an unreadable secret or a missing parameter heals once it is fixed, without changing the input.
  readonly retryable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** Whether trying the same input again may help (see IntegrationError). */
export function isRetryable(error: unknown): boolean {
  return error instanceof IntegrationError ? error.retryable : true;
}

/** An error's message, or the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Exactly-once handling of LivePerson events on top of Powertools' idempotency persistence
 * (DynamoDB): claim an event before handling it, mark it done after, release it on failure.
 *
 * Powertools' makeIdempotent wraps one function call; here one SQS record carries several events
 * whose side effects (the EventBridge outbox) are committed together, so the three steps are
 * driven explicitly through the persistence layer's public API.
 */
import { IdempotencyConfig, IdempotencyItemAlreadyExistsError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';

export type ClaimResult = 'claimed' | 'already-done';

/** Another invocation is handling this event right now: retry later. */
export class EventInProgressError extends Error {
  constructor(identity: string) {
    super(`event ${identity} is being handled by another invocation`);
    this.name = 'EventInProgressError';
  }
}

/** What the processor needs from an idempotency store (a fake in unit tests). */
export interface EventLedger {
  claim(identity: string, remainingTimeMs: number): Promise<ClaimResult>;
  complete(identity: string): Promise<void>;
  release(identity: string): Promise<void>;
}

export class PowertoolsEventLedger implements EventLedger {
  readonly #persistence: BasePersistenceLayer;

  constructor(options: { persistence: BasePersistenceLayer; functionName: string; expiresAfterSeconds: number }) {
    this.#persistence = options.persistence;
    this.#persistence.configure({
      config: new IdempotencyConfig({ eventKeyJmesPath: 'identity', expiresAfterSeconds: options.expiresAfterSeconds }),
      functionName: options.functionName,
    });
  }

  async claim(identity: string, remainingTimeMs: number): Promise<ClaimResult> {
    try {
      await this.#persistence.saveInProgress({ identity }, remainingTimeMs);
      return 'claimed';
    } catch (error) {
      if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw error;
      // Stores that cannot return the old item on a failed condition leave it out: read it.
      const existing = error.existingRecord ?? (await this.#persistence.getRecord({ identity }));
      if (existing.getStatus() === IdempotencyRecordStatus.COMPLETED) return 'already-done';
      throw new EventInProgressError(identity);
    }
  }

  async complete(identity: string): Promise<void> {
    await this.#persistence.saveSuccess({ identity }, {});
  }

  async release(identity: string): Promise<void> {
    await this.#persistence.deleteRecord({ identity });
  }
}

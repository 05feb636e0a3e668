/**
 * Exactly-once handling of LivePerson events on top of Powertools' idempotency persistence
 * (DynamoDB): claim an event before handling it, mark it done after, release it on failure.
 *
 * Powertools' makeIdempotent wraps one function call; here one SQS record carries several events
 * whose side effects (the EventBridge outbox) are committed together, so the three steps are
 * driven explicitly through the persistence layer's public API.
 */
import { IdempotencyConfig, IdempotencyItemAlreadyExistsError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { EventInProgressError, type ClaimResult, type EventLedger } from '../processing/ports.ts';
import { dynamoDbClient } from './clients.ts';

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

/** The processor's ledger in its DynamoDB idempotency table, with the shared DynamoDB client. */
export function dynamoDbEventLedger(options: {
  tableName: string;
  expiresAfterSeconds: number;
  functionName?: string;
}): PowertoolsEventLedger {
  return new PowertoolsEventLedger({
    persistence: new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: dynamoDbClient() }),
    // The table is shared with connector-send: keys carry this function's name.
    functionName: options.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'event-processor',
    expiresAfterSeconds: options.expiresAfterSeconds,
  });
}

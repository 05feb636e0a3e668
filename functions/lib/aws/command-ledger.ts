/**
 * The connector's command ledger on Powertools idempotency (DynamoDB): a command is applied through
 * makeIdempotent, keyed by its commandId, with the whole (validated) command hashed too, so a
 * commandId reused for another command is refused. Powertools' errors become the connector's own.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { CommandSuccess, ConnectorCommand } from '../connector/commands.ts';
import { CommandIdReusedError, CommandInProgressError, type CommandLedger } from '../connector/ports.ts';
import { isRecord } from '../liveperson/values.ts';
import { dynamoDbClient } from './clients.ts';

export interface PowertoolsCommandLedgerOptions {
  readonly persistenceStore: BasePersistenceLayer;
  /** Prefix of the idempotency keys, so this function's keys never meet another's in the shared table. */
  readonly keyPrefix: string;
  /** How long a commandId is remembered; longer than a command can stay in the queue. */
  readonly expiresAfterSeconds: number;
}

export class PowertoolsCommandLedger implements CommandLedger {
  readonly #options: PowertoolsCommandLedgerOptions;

  constructor(options: PowertoolsCommandLedgerOptions) {
    this.#options = options;
  }

  async applyOnce(
    command: ConnectorCommand,
    apply: () => Promise<CommandSuccess>,
    remainingTimeMs?: () => number,
  ): Promise<CommandSuccess> {
    const { persistenceStore, keyPrefix, expiresAfterSeconds } = this.#options;
    // A config per call: the time left is this invocation's, and concurrent calls (the local stack) never share it.
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'commandId',
      // The whole (validated) command is hashed too: a commandId reused for another command is refused.
      payloadValidationJmesPath: '@',
      expiresAfterSeconds,
      // A repeat gets the first run's result, marked so the caller knows nothing was sent again.
      responseHook: (response) => (isRecord(response) ? { ...response, duplicate: true } : response),
      // Powertools reads only the remaining time of the Lambda context: when an in-progress claim expires.
      ...(remainingTimeMs === undefined
        ? {}
        : { lambdaContext: { getRemainingTimeInMillis: remainingTimeMs } as Partial<Context> as Context }),
    });
    // The command (the only argument) is the idempotency payload.
    const applyOnce = makeIdempotent((_command: ConnectorCommand) => apply(), { persistenceStore, config, keyPrefix });
    try {
      return await applyOnce(command);
    } catch (error) {
      if (error instanceof IdempotencyValidationError) throw new CommandIdReusedError(command.commandId, { cause: error });
      if (error instanceof IdempotencyAlreadyInProgressError) throw new CommandInProgressError(error.message, { cause: error });
      throw error;
    }
  }
}

/** The connector's ledger in the DynamoDB idempotency table, with the shared DynamoDB client. */
export function dynamoDbCommandLedger(options: {
  tableName: string;
  expiresAfterSeconds: number;
  functionName?: string;
}): PowertoolsCommandLedger {
  return new PowertoolsCommandLedger({
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: dynamoDbClient() }),
    // The idempotency table is shared with the processor: keys carry this function's name.
    keyPrefix: `${options.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'connector-send'}.command`,
    expiresAfterSeconds: options.expiresAfterSeconds,
  });
}

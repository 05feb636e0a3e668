/**
 * Runs one command from any trigger: validates it, applies it at most once per commandId (Powertools
 * idempotency on DynamoDB), and turns every failure into a CommandFailure that says whether the same
 * command may succeed later. The trigger decides what to do with that: the queue path parks a failure
 * that can never succeed in the dead-letter queue and lets SQS retry the rest; a direct invocation
 * returns it.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { CallOptions } from '../liveperson/domains.ts';
import { LivePersonApiError } from '../liveperson/errors.ts';
import { isConversationClosedError } from '../liveperson/connector.ts';
import {
  describeRawCommand,
  InvalidCommandError,
  parseCommand,
  type CommandErrorCode,
  type CommandFailure,
  type CommandOutcome,
  type CommandSuccess,
  type ConnectorCommand,
} from './commands.ts';
import { executeCommand, type ExecutionDependencies } from './execute.ts';

export interface CommandRunnerOptions {
  readonly execution: ExecutionDependencies;
  /** Where applied commands are remembered (the idempotency table shared with the processor). */
  readonly persistenceStore: BasePersistenceLayer;
  /** Prefix of the idempotency keys, so this function's keys never meet another's in the shared table. */
  readonly keyPrefix: string;
  /** How long a commandId is remembered; longer than a command can stay in the queue. */
  readonly expiresAfterSeconds: number;
}

/** HTTP statuses that blame the request itself: sending it again cannot help. */
const REJECTING_STATUSES = new Set([400, 413, 422]);

export class CommandRunner {
  readonly #config: IdempotencyConfig;
  readonly #applyOnce: (command: ConnectorCommand, options: CallOptions) => Promise<CommandSuccess>;

  constructor(options: CommandRunnerOptions) {
    this.#config = new IdempotencyConfig({
      eventKeyJmesPath: 'commandId',
      // The whole (validated) command is hashed too: a commandId reused for another command is refused.
      payloadValidationJmesPath: '@',
      expiresAfterSeconds: options.expiresAfterSeconds,
      // A repeat gets the first run's result, marked so the caller knows nothing was sent again.
      responseHook: (response) => (isObject(response) ? { ...response, duplicate: true } : response),
    });
    this.#applyOnce = makeIdempotent(
      // Only the command (the first argument) is the idempotency payload; the call options are not.
      (command: ConnectorCommand, callOptions: CallOptions) => executeCommand(command, options.execution, callOptions),
      { persistenceStore: options.persistenceStore, config: this.#config, keyPrefix: options.keyPrefix },
    );
  }

  /** Lets an in-progress claim expire with the invocation, should it crash half-way. */
  registerLambdaContext(context: Context): void {
    this.#config.registerLambdaContext(context);
  }

  /** Never throws: every outcome, failures included, is a value. `options` go to every LivePerson call. */
  async run(input: unknown, options: CallOptions = {}): Promise<CommandOutcome> {
    let command: ConnectorCommand;
    try {
      command = parseCommand(input);
    } catch (error) {
      const issues = error instanceof InvalidCommandError ? error.issues : [messageOf(error)];
      return {
        ok: false,
        ...describeRawCommand(input),
        error: { code: 'INVALID_COMMAND', message: `invalid command: ${issues.join('; ')}`, retryable: false, issues },
      };
    }
    try {
      return await this.#applyOnce(command, options);
    } catch (error) {
      return failureOf(command, error);
    }
  }
}

/** Sorts a failure into "never" (the dead-letter queue at once) and "later" (SQS retries it). */
export function failureOf(command: Pick<ConnectorCommand, 'commandId' | 'type' | 'consumerId'>, error: unknown): CommandFailure {
  const [code, retryable] = classify(error);
  const message =
    error instanceof IdempotencyValidationError
      ? `commandId ${command.commandId} was already used for a different command; give every command its own commandId`
      : messageOf(error);
  return { ok: false, commandId: command.commandId, type: command.type, consumerId: command.consumerId, error: { code, message, retryable } };
}

function classify(error: unknown): [CommandErrorCode, boolean] {
  if (error instanceof IdempotencyValidationError) return ['COMMAND_ID_REUSED', false];
  if (error instanceof IdempotencyAlreadyInProgressError) return ['IN_PROGRESS', true];
  // A conversation closed twice in a row is odd, not a reason to drop the command: try again later.
  if (error instanceof LivePersonApiError && REJECTING_STATUSES.has(error.status) && !isConversationClosedError(error)) {
    return ['REJECTED_BY_LIVEPERSON', false];
  }
  // 401 after a refresh, 403, 429, 5xx, timeouts, no time left, AWS and configuration errors: all may pass.
  return ['TEMPORARY_FAILURE', true];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Runs one command from any trigger: validates it, applies it at most once per commandId (through
 * the command ledger), and turns every failure into a CommandFailure that says whether the same
 * command may succeed later. The trigger decides what to do with that: the queue path parks a failure
 * that can never succeed in the dead-letter queue and lets SQS retry the rest; a direct invocation
 * returns it.
 */
import { messageOf } from '../errors.ts';
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
  type ConnectorCommand,
} from './commands.ts';
import { QUEUED_FILE_URL_PROBLEM } from './enqueue.ts';
import { executeCommand, type ExecutionDependencies } from './execute.ts';
import { CommandIdReusedError, CommandInProgressError, FileSourceError, type CommandLedger } from './ports.ts';

export interface CommandRunnerOptions {
  readonly execution: ExecutionDependencies;
  /** Where applied commands are remembered (the idempotency table shared with the processor). */
  readonly ledger: CommandLedger;
}

/** How one command is run: the options of every LivePerson call, and the invocation's time left. */
export interface RunOptions extends CallOptions {
  /** The time left in the invocation (ms), so a claim on the command expires with it should it crash half-way. */
  readonly remainingTimeMs?: () => number;
  /** From the outbound queue: a command whose answer nobody would get there (getFileUrl) is refused. */
  readonly queued?: boolean;
}

/** HTTP statuses that blame the request itself: sending it again cannot help. */
const REJECTING_STATUSES = new Set([400, 413, 422]);

export class CommandRunner {
  readonly #execution: ExecutionDependencies;
  readonly #ledger: CommandLedger;

  constructor(options: CommandRunnerOptions) {
    this.#execution = options.execution;
    this.#ledger = options.ledger;
  }

  /** Never throws: every outcome, failures included, is a value. */
  async run(input: unknown, options: RunOptions = {}): Promise<CommandOutcome> {
    let command: ConnectorCommand;
    try {
      command = parseCommand(input);
      // A getFileUrl put on the queue by hand (the queue helper refuses it too).
      if (options.queued && command.type === 'getFileUrl') throw new InvalidCommandError([QUEUED_FILE_URL_PROBLEM]);
    } catch (error) {
      const issues = error instanceof InvalidCommandError ? error.issues : [messageOf(error)];
      return {
        ok: false,
        ...describeRawCommand(input),
        error: { code: 'INVALID_COMMAND', message: `invalid command: ${issues.join('; ')}`, retryable: false, issues },
      };
    }
    const { remainingTimeMs, queued: _queued, ...callOptions } = options;
    try {
      // A read: nothing to apply twice, and its answer (a URL valid for a minute) is no result to replay.
      if (command.type === 'getFileUrl') return await executeCommand(command, this.#execution, callOptions);
      return await this.#ledger.applyOnce(command, () => executeCommand(command, this.#execution, callOptions), remainingTimeMs);
    } catch (error) {
      return failureOf(command, error);
    }
  }
}

/** Sorts a failure into "never" (the dead-letter queue at once) and "later" (SQS retries it). */
export function failureOf(command: Pick<ConnectorCommand, 'commandId' | 'type' | 'consumerId'>, error: unknown): CommandFailure {
  const [code, retryable] = classify(error);
  return {
    ok: false,
    commandId: command.commandId,
    type: command.type,
    consumerId: command.consumerId,
    error: { code, message: messageOf(error), retryable },
  };
}

function classify(error: unknown): [CommandErrorCode, boolean] {
  if (error instanceof CommandIdReusedError) return ['COMMAND_ID_REUSED', false];
  // Found only when applying it: a file.url whose object is not an image LivePerson takes, or cannot be read.
  if (error instanceof InvalidCommandError || error instanceof FileSourceError) return ['INVALID_COMMAND', false];
  if (error instanceof CommandInProgressError) return ['IN_PROGRESS', true];
  // A conversation closed twice in a row is odd, not a reason to drop the command: try again later.
  if (error instanceof LivePersonApiError && REJECTING_STATUSES.has(error.status) && !isConversationClosedError(error)) {
    return ['REJECTED_BY_LIVEPERSON', false];
  }
  // 401 after a refresh, 403, 429, 5xx, timeouts, no time left, AWS and configuration errors: all may pass.
  return ['TEMPORARY_FAILURE', true];
}

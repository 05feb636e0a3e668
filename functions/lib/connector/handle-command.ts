/**
 * A command from each trigger, start to end. From the queue: applied, retried or parked; a command
 * that can never succeed goes to the dead-letter queue at once, with its reason, so the consumer's
 * next commands go on, and any other failure is thrown so SQS retries it (holding back the rest of
 * the consumer's commands). From an EventBridge event: forwarded to the queue, grouped by consumer.
 * Directly: applied, and the outcome answered.
 */
import { ConfigurationError, IntegrationError } from '../errors.ts';
import { QUICK_RETRY_POLICY } from '../liveperson/http.ts';
import { describeRawCommand, InvalidCommandError, type CommandOutcome, type ConnectorCommandInput } from './commands.ts';
import { messageGroupIdFor } from './enqueue.ts';
import type { CommandDeadLetters, CommandEvent, CommandQueue, EnqueuedCommand, QueuedCommandMessage } from './ports.ts';
import type { CommandRunner } from './runner.ts';

export type CommandTrigger = 'queue' | 'event-bridge' | 'direct';

/** Told what became of each command, for logs and metrics. */
export interface CommandObserver {
  /** Every command run or refused, whatever the trigger. */
  outcome?(outcome: CommandOutcome, trigger: CommandTrigger): void;
  /** An event's command, queued. */
  forwarded?(event: CommandEvent, queued: EnqueuedCommand): void;
}

export interface CommandHandlingDependencies {
  readonly runner: Pick<CommandRunner, 'run'>;
  readonly deadLetters: CommandDeadLetters;
  /** The outbound queue the EventBridge route forwards to; unset where that route is not used. */
  readonly outbound?: CommandQueue | undefined;
  readonly observer?: CommandObserver;
}

/** The invocation's time: the deadline of the LivePerson calls, and the time left in the invocation. */
export interface InvocationTime {
  /** Epoch ms by which the last LivePerson attempt must be over, leaving time to record the outcome. */
  readonly deadline: number;
  readonly remainingTimeMs: () => number;
}

/** A queued command failed for now: SQS retries it, and holds back its consumer's later ones. */
export class CommandFailedError extends IntegrationError {
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

export type ForwardResult =
  CommandOutcome | { readonly ok: true; readonly forwarded: true; readonly commandId: string; readonly messageId: string };

export async function handleDirectCommand(
  input: unknown,
  deps: CommandHandlingDependencies,
  time: InvocationTime,
): Promise<CommandOutcome> {
  const outcome = await deps.runner.run(input, time);
  deps.observer?.outcome?.(outcome, 'direct');
  return outcome;
}

export async function handleQueuedCommand(
  message: QueuedCommandMessage,
  deps: CommandHandlingDependencies,
  time: InvocationTime,
): Promise<void> {
  // The FIFO processor runs records one after another: LivePerson's 5-10-15 s waits would hold every
  // other consumer of the batch (and bill the sleep). One quick retry here; SQS's visibility timeout
  // and redrive are the slow outer retry. Direct invocations keep the full policy: nobody retries them.
  const outcome = await deps.runner.run(message.body, { ...time, retry: QUICK_RETRY_POLICY, queued: true });
  deps.observer?.outcome?.(outcome, 'queue');
  if (outcome.ok) return;
  if (outcome.error.retryable) throw new CommandFailedError(outcome.error.message);
  // Retrying cannot help: park it with the reason, and let the consumer's next commands go on.
  await deps.deadLetters.send(
    {
      messageId: message.messageId,
      body: message.body,
      groupId: message.groupId,
      deduplicationId: message.deduplicationId,
      attributes: { commandId: outcome.commandId, commandType: outcome.type, errorCode: outcome.error.code },
    },
    outcome.error.message,
  );
}

/** A brand's EventBridge event: its detail is a command, queued under its consumer's group. */
export async function forwardCommandEvent(event: CommandEvent, deps: CommandHandlingDependencies): Promise<ForwardResult> {
  if (deps.outbound === undefined) {
    throw new ConfigurationError('OUTBOUND_QUEUE_URL is not set: the EventBridge route forwards commands to the outbound queue');
  }
  try {
    // Validated inside send(): the cast only satisfies the typed signature brands use.
    const queued = await deps.outbound.send(event.detail as ConnectorCommandInput);
    deps.observer?.forwarded?.(event, queued);
    return { ok: true, forwarded: true, commandId: queued.commandId, messageId: queued.messageId };
  } catch (error) {
    // Anything else (SQS unavailable) throws: Lambda retries the event, then its on-failure destination keeps it.
    if (!(error instanceof InvalidCommandError)) throw error;
    const described = describeRawCommand(event.detail);
    const outcome: CommandOutcome = {
      ok: false,
      ...described,
      error: { code: 'INVALID_COMMAND', message: error.message, retryable: false, issues: error.issues },
    };
    deps.observer?.outcome?.(outcome, 'event-bridge');
    await deps.deadLetters.send(
      {
        messageId: event.id,
        body: JSON.stringify(event.detail ?? null),
        groupId: described.consumerId === undefined ? 'event-bridge' : messageGroupIdFor(described.consumerId),
        deduplicationId: event.id,
        attributes: {
          commandId: described.commandId,
          commandType: described.type,
          errorCode: 'INVALID_COMMAND',
          eventSource: event.source,
          detailType: event.detailType,
        },
      },
      error.message,
    );
    return outcome;
  }
}

/**
 * connector-send's log lines and metrics: one line and one metric per command (ids, type and
 * outcome, never the text), and one per conversation opened or forwarded command. Ids and the type
 * are the brand's and a reason may quote LivePerson: all of them masked (log-mask.ts).
 */
import type { CommandOutcome } from '../connector/commands.ts';
import type { ExecutionObserver } from '../connector/execute.ts';
import type { CommandObserver, CommandTrigger } from '../connector/handle-command.ts';
import { logSafeId, logSafeText } from '../log-mask.ts';
import type { Telemetry } from './telemetry.ts';

export type ConnectorObserver = Required<CommandObserver> & Required<ExecutionObserver>;

export function connectorTelemetry(telemetry: Telemetry<'connector-send'>): ConnectorObserver {
  const { logger } = telemetry;
  return {
    conversationOpened: ({ consumerId, conversationId, replacedConversationId }) => {
      logger.info(replacedConversationId ? 'closed conversation replaced by a new one' : 'conversation opened', {
        consumerId: logSafeId(consumerId),
        conversationId: logSafeId(conversationId),
        replacedConversationId: logSafeId(replacedConversationId),
      });
      telemetry.count(replacedConversationId ? 'conversationsReopened' : 'conversationsOpened');
    },
    forwarded: (event, queued) => {
      logger.info('command forwarded to the outbound queue', {
        eventId: logSafeId(event.id),
        commandId: logSafeId(queued.commandId),
        messageGroupId: logSafeId(queued.messageGroupId),
      });
      telemetry.count('forwarded');
    },
    outcome: (outcome, trigger) => report(telemetry, outcome, trigger),
  };
}

function report(telemetry: Telemetry<'connector-send'>, outcome: CommandOutcome, trigger: CommandTrigger): void {
  const { logger } = telemetry;
  if (outcome.ok) {
    const { commandId, type, consumerId, conversationId, dialogId, openedConversation, sequence, skipped, duplicate } = outcome;
    const details = {
      trigger,
      commandId: logSafeId(commandId),
      commandType: logSafeText(type),
      consumerId: logSafeId(consumerId),
      conversationId: logSafeId(conversationId),
      dialogId: logSafeId(dialogId),
      openedConversation,
      sequence,
      skipped,
    };
    if (duplicate) {
      logger.info('command already applied; not sent again', details);
      telemetry.count('duplicate');
    } else {
      logger.info(skipped ? 'command needed no call' : 'command applied', details);
      telemetry.count('applied');
    }
    return;
  }
  const { commandId, type, consumerId, error } = outcome;
  const details = {
    trigger,
    commandId: logSafeId(commandId),
    commandType: logSafeText(type),
    consumerId: logSafeId(consumerId),
    errorCode: error.code,
    reason: logSafeText(error.message),
  };
  if (error.retryable) logger.warn('command failed; it may be retried', details);
  else logger.error(trigger === 'direct' ? 'command rejected' : 'command rejected; moved to the dead-letter queue', details);
  // Rejected: never retried (alarm on it); failed: SQS or the caller retries. The log line names the code.
  telemetry.count(error.retryable ? 'failed' : 'rejected');
}

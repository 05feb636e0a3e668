/**
 * What the connector needs from the outside world: the consumers' conversations (the state table),
 * the ledger of applied commands (the idempotency table), the outbound queue and its dead-letter
 * queue. The AWS adapters (../aws) implement these; unit tests pass fakes.
 */
import { IntegrationError } from '../errors.ts';
import type { CommandSuccess, ConnectorCommand, ConnectorCommandInput } from './commands.ts';

/** A conversation's state as the processor stores it from LivePerson's notifications. */
export type ConversationStateValue = 'OPEN' | 'CLOSE';

/** What the connector reads of the processor's conversation item. */
export interface ConversationView {
  /** The main dialog's state: CLOSE from the moment a post-conversation survey starts. */
  readonly state: ConversationStateValue;
  /** The post-conversation survey's dialog while it is open: the consumer's answers go there. */
  readonly surveyDialogId?: string;
}

/** What the connector's orchestration needs to know about a consumer's conversations. */
export interface ConsumerConversations {
  /** The conversation the connector last opened for the consumer and has not seen closed. */
  openConversationId(extConsumerId: string): Promise<string | undefined>;
  /** The processor's view of a conversation; undefined when no notification about it was processed yet. */
  conversationState(conversationId: string): Promise<ConversationView | undefined>;
  rememberOpenConversation(extConsumerId: string, conversationId: string): Promise<void>;
  /** Forgets the conversation if it is still the remembered one. */
  forgetOpenConversation(extConsumerId: string, conversationId: string): Promise<void>;
}

/** Remembers applied commands, so each commandId is applied at most once. */
export interface CommandLedger {
  /**
   * Runs `apply` unless the command was applied before; then answers that run's result, marked
   * `duplicate: true`, and applies nothing. Throws CommandIdReusedError when the commandId came before
   * with another command, CommandInProgressError while another invocation is applying it.
   * `remainingTimeMs` is the time left in the invocation: a claim left by a crash expires with it.
   */
  applyOnce(command: ConnectorCommand, apply: () => Promise<CommandSuccess>, remainingTimeMs?: () => number): Promise<CommandSuccess>;
}

/** The commandId was used before for a different command: this one can never be applied. */
export class CommandIdReusedError extends IntegrationError {
  readonly retryable = false;
  constructor(commandId: string, options?: ErrorOptions) {
    super(`commandId ${commandId} was already used for a different command; give every command its own commandId`, options);
    this.name = 'CommandIdReusedError';
  }
}

/** Another invocation is applying the same commandId right now: try again later. */
export class CommandInProgressError extends IntegrationError {
  readonly retryable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CommandInProgressError';
  }
}

/** A command on the outbound queue. */
export interface EnqueuedCommand {
  readonly messageId: string;
  readonly sequenceNumber: string | undefined;
  readonly messageGroupId: string;
  readonly messageDeduplicationId: string;
  readonly commandId: string;
}

/** The outbound FIFO queue. */
export interface CommandQueue {
  /** Validates the command (InvalidCommandError lists every problem) and queues it under its consumer. */
  send(input: ConnectorCommandInput | ConnectorCommand): Promise<EnqueuedCommand>;
}

/** A queued message, as the connector gets it (no SQS or Lambda types). */
export interface QueuedCommandMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
}

/** A message parked on the dead-letter queue, with the attributes that say what it was. */
export interface CommandDeadLetter extends QueuedCommandMessage {
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

/** The outbound dead-letter queue. */
export interface CommandDeadLetters {
  /** Parks the message with the reason it can never succeed. */
  send(record: CommandDeadLetter, reason: string): Promise<void>;
}

/** A brand's event (an EventBridge rule's), whose detail is a command. */
export interface CommandEvent {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

/** Where a sendFile command's `file.url` is read from (a presigned S3 URL of the brand's object). */
export interface FileSource {
  /**
   * The object's bytes; at most `maxBytes` are read (more is refused with FileSourceError, not
   * retryable). A 4xx (an expired or wrong presigned URL) is a FileSourceError too; a timeout or a
   * 5xx is temporary.
   */
  read(url: string, options: { readonly maxBytes: number; readonly deadline?: number | undefined }): Promise<Uint8Array>;
}

/** The brand's file cannot be read as given: sending the command again cannot help. */
export class FileSourceError extends IntegrationError {
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FileSourceError';
  }
}

/**
 * The brand's side of the outbound queue, without SQS: validates a command and gives what it is
 * queued with on the connector's FIFO queue: MessageGroupId = the consumer (one consumer's commands run in order, consumers in
 * parallel) and MessageDeduplicationId = a digest of the whole command: SQS drops a resend of the
 * same command within 5 minutes, while another command reusing a commandId still reaches the
 * connector, whose idempotency refuses it with COMMAND_ID_REUSED (dead-lettered, not lost). With the
 * commandId alone as deduplication id, SQS would drop that second command without a trace.
 * The send itself is ConnectorCommandQueue (functions/lib/aws/command-queue.ts).
 */
import { createHash } from 'node:crypto';
import { InvalidCommandError, parseCommand, type ConnectorCommand, type ConnectorCommandInput } from './commands.ts';

/** SQS's limit on a message: the body and the message attributes together. */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Room kept for message attributes: ours (commandType, commandId: under 200 bytes) and those a move
 * to the dead-letter queue adds to the same body (a reason of up to 1000 characters, the source
 * message id, the error code), so an accepted command always fits in both queues.
 */
const MESSAGE_ATTRIBUTE_ALLOWANCE_BYTES = 4 * 1024;

/** The largest command (its JSON, in UTF-8 bytes) the queue takes. */
export const MAX_COMMAND_BYTES = SQS_MAX_MESSAGE_BYTES - MESSAGE_ATTRIBUTE_ALLOWANCE_BYTES;

// SQS message group ids: 1 to 128 characters, letters, digits and punctuation.
const SQS_GROUP_ID = /^[\x21-\x7E]{1,128}$/;

/**
 * The FIFO message group of a consumer: the consumer id itself when SQS accepts it as a group id, else
 * a digest of it (a consumer id may be up to 256 characters of any kind); either way one group per consumer.
 */
export function messageGroupIdFor(consumerId: string): string {
  return SQS_GROUP_ID.test(consumerId) ? consumerId : `consumer-sha256-${createHash('sha256').update(consumerId, 'utf8').digest('hex')}`;
}

/** The SQS deduplication id of a command: the SHA-256 of its JSON (what `sha256sum` prints for the same bytes). */
export function deduplicationIdFor(commandJson: string): string {
  return createHash('sha256').update(commandJson, 'utf8').digest('hex');
}

/** A validated command, ready for the queue: its body and the FIFO ids SQS needs. */
export interface PreparedCommand {
  readonly command: ConnectorCommand;
  readonly body: string;
  readonly messageGroupId: string;
  readonly messageDeduplicationId: string;
}

/** getFileUrl answers a URL: from a queue, nobody would get it. */
export const QUEUED_FILE_URL_PROBLEM = 'getFileUrl is answered only to a direct invocation (its URL would reach nobody from the queue)';

/** Validates the command (InvalidCommandError lists every problem, its size included) and gives its body and ids. */
export function prepareCommand(input: ConnectorCommandInput | ConnectorCommand): PreparedCommand {
  const command = parseCommand(input);
  if (command.type === 'getFileUrl') throw new InvalidCommandError([QUEUED_FILE_URL_PROBLEM]);
  const body = JSON.stringify(command);
  if (Buffer.byteLength(body, 'utf8') > MAX_COMMAND_BYTES) {
    throw new InvalidCommandError([
      `the command is larger than ${MAX_COMMAND_BYTES} bytes, the most an SQS message holds beside its attributes`,
    ]);
  }
  return { command, body, messageGroupId: messageGroupIdFor(command.consumerId), messageDeduplicationId: deduplicationIdFor(body) };
}

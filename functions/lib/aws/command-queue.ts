/**
 * The outbound FIFO queue, for brands and for the connector's EventBridge route: a validated command
 * (prepareCommand) sent with its consumer as message group and the digest of the whole command as
 * deduplication id (see ../connector/enqueue.ts for why).
 *
 *   const outbound = new ConnectorCommandQueue({ queueUrl: process.env.OUTBOUND_QUEUE_URL! });
 *   await outbound.send({ type: 'sendText', commandId: randomUUID(), consumerId: 'customer-42', text: 'Hi' });
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ConnectorCommand, ConnectorCommandInput } from '../connector/commands.ts';
import { prepareCommand } from '../connector/enqueue.ts';
import type { CommandQueue, EnqueuedCommand } from '../connector/ports.ts';
import { sqsClient } from './clients.ts';

export class ConnectorCommandQueue implements CommandQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    if (!options.queueUrl) throw new Error('ConnectorCommandQueue needs the outbound queue URL (the stack output OutboundQueueUrl)');
    this.#queueUrl = options.queueUrl;
    // With the project's timeouts, so a hung SQS fails the send instead of waiting forever.
    this.#client = options.client ?? sqsClient();
  }

  /** Validates the command (InvalidCommandError lists every problem) and queues it. */
  async send(input: ConnectorCommandInput | ConnectorCommand): Promise<EnqueuedCommand> {
    const { command, body, messageGroupId, messageDeduplicationId } = prepareCommand(input);
    const result = await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: body,
        MessageGroupId: messageGroupId,
        MessageDeduplicationId: messageDeduplicationId,
        MessageAttributes: {
          commandType: { DataType: 'String', StringValue: command.type },
          commandId: { DataType: 'String', StringValue: command.commandId },
        },
      }),
    );
    if (!result.MessageId) throw new Error('SQS did not confirm the command (no MessageId)');
    return {
      messageId: result.MessageId,
      sequenceNumber: result.SequenceNumber,
      messageGroupId,
      messageDeduplicationId,
      commandId: command.commandId,
    };
  }
}

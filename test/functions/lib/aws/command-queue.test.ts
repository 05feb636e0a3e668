import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCommandError } from '#functions/lib/connector/commands.ts';
import { MAX_COMMAND_BYTES, messageGroupIdFor, SQS_MAX_MESSAGE_BYTES } from '#functions/lib/connector/enqueue.ts';
import { ConnectorCommandQueue } from '#functions/lib/aws/command-queue.ts';
import { SqsDeadLetterSink } from '#functions/lib/aws/dead-letter.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';

describe('ConnectorCommandQueue (local SQS)', () => {
  let sqs: LocalSqs;
  let queueUrl: string;
  let queue: ConnectorCommandQueue;

  beforeAll(async () => {
    sqs = await startLocalSqs();
    queueUrl = await sqs.createQueue('outbound.fifo', { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
    queue = new ConnectorCommandQueue({ queueUrl, client: sqs.client });
  });
  afterAll(() => sqs.stop());

  const receiveAll = async () => {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    return Messages;
  };

  it('queues a validated command under its consumer, deduplicated by the digest of the whole command', async () => {
    const sent = await queue.send({ type: 'sendText', commandId: 'cmd-1', consumerId: 'customer-42', text: 'Hello 👋' });
    const digest = createHash('sha256')
      .update(JSON.stringify({ type: 'sendText', commandId: 'cmd-1', consumerId: 'customer-42', text: 'Hello 👋' }))
      .digest('hex');
    expect(sent).toMatchObject({ messageGroupId: 'customer-42', messageDeduplicationId: digest, messageId: expect.any(String) });
    // The same commandId again within SQS's 5-minute window: accepted, but not queued twice.
    await queue.send({ type: 'sendText', commandId: 'cmd-1', consumerId: 'customer-42', text: 'Hello 👋' });

    const messages = await receiveAll();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes).toMatchObject({ MessageGroupId: 'customer-42', MessageDeduplicationId: digest });
    expect(messages[0]?.MessageAttributes?.commandType?.StringValue).toBe('sendText');
    expect(JSON.parse(messages[0]?.Body ?? '')).toEqual({
      type: 'sendText',
      commandId: 'cmd-1',
      consumerId: 'customer-42',
      text: 'Hello 👋',
    });
  });

  it('refuses an invalid command before anything reaches SQS', async () => {
    const sqsMock = mockClient(SQSClient);
    try {
      const mocked = new ConnectorCommandQueue({ queueUrl, client: new SQSClient({}) });
      const refused = await mocked
        .send({ type: 'sendText', commandId: 'has space', consumerId: 'c', text: '' } as never)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidCommandError);
      expect((refused as InvalidCommandError).issues).toHaveLength(2);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    } finally {
      sqsMock.restore();
    }
  });

  describe('at the size limit (queues that hold 256 KiB, body and attributes together)', () => {
    let limitedUrl: string;
    let deadLetterUrl: string;
    beforeAll(async () => {
      const limit = { MaximumMessageSize: String(SQS_MAX_MESSAGE_BYTES) };
      limitedUrl = await sqs.createQueue('outbound-limited.fifo', limit);
      deadLetterUrl = await sqs.createQueue('outbound-limited-dlq.fifo', limit);
    });

    /** A sendText whose JSON is exactly `bytes` long. */
    const commandOf = (bytes: number, commandId = 'c'.repeat(128)) => {
      const command = { type: 'sendText' as const, commandId, consumerId: 'customer-42', text: 'x' };
      const overhead = JSON.stringify(command).length - 1;
      return { ...command, text: 'x'.repeat(bytes - overhead) };
    };

    it('refuses a command that would fit only without its message attributes, before SQS does', async () => {
      const limited = new ConnectorCommandQueue({ queueUrl: limitedUrl, client: sqs.client });
      const refused = await limited.send(commandOf(SQS_MAX_MESSAGE_BYTES - 50)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidCommandError);
      expect(String(refused)).toContain(`larger than ${MAX_COMMAND_BYTES} bytes`);
    });

    it('queues the largest command it accepts, and it still fits the dead-letter queue with a long reason', async () => {
      const limited = new ConnectorCommandQueue({ queueUrl: limitedUrl, client: sqs.client });
      const largest = commandOf(MAX_COMMAND_BYTES);
      expect(Buffer.byteLength(JSON.stringify(largest))).toBe(MAX_COMMAND_BYTES);
      await expect(limited.send(largest)).resolves.toMatchObject({ messageId: expect.any(String) });
      await expect(limited.send(commandOf(MAX_COMMAND_BYTES + 1, 'd'.repeat(128)))).rejects.toBeInstanceOf(InvalidCommandError);

      const sink = new SqsDeadLetterSink({ queueUrl: deadLetterUrl, client: sqs.client });
      const record = {
        messageId: '4f1d4c3e-8a3b-4f7e-9a59-2f1b0e6c7d8a',
        body: JSON.stringify(largest),
        groupId: 'customer-42',
        deduplicationId: largest.commandId,
        attributes: { commandId: largest.commandId, commandType: 'closeConversation', errorCode: 'REJECTED_BY_LIVEPERSON' },
      };
      await expect(sink.send(record, 'é'.repeat(1_000))).resolves.toBeUndefined();
    });
  });

  it('turns a consumer id SQS cannot take as a group id into a stable digest', () => {
    expect(messageGroupIdFor('ada@example.com')).toBe('ada@example.com');
    expect(messageGroupIdFor('+15551234567')).toBe('+15551234567');
    const spaced = messageGroupIdFor('Ada Lovelace');
    expect(spaced).toMatch(/^consumer-sha256-[0-9a-f]{64}$/);
    expect(messageGroupIdFor('Ada Lovelace')).toBe(spaced);
    expect(messageGroupIdFor('x'.repeat(129))).toMatch(/^consumer-sha256-/);
  });

  it('queues consumers whose id needs a digest', async () => {
    await queue.send({ type: 'sendTyping', commandId: 'cmd-2', consumerId: 'Ada Lovelace' });
    const [message] = await receiveAll();
    expect(message?.Attributes?.MessageGroupId).toBe(messageGroupIdFor('Ada Lovelace'));
    expect(JSON.parse(message?.Body ?? '')).toMatchObject({ consumerId: 'Ada Lovelace', chatState: 'COMPOSING' });
  });
});

import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCommandError } from '../../../../functions/lib/connector/commands.ts';
import { ConnectorCommandQueue, messageGroupIdFor } from '../../../../functions/lib/connector/enqueue.ts';
import { startLocalSqs, type LocalSqs } from '../../../../local/sqs.ts';

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

  it('queues a validated command under its consumer, deduplicated by commandId', async () => {
    const sent = await queue.send({ type: 'sendText', commandId: 'cmd-1', consumerId: 'customer-42', text: 'Hello 👋' });
    expect(sent).toMatchObject({ messageGroupId: 'customer-42', messageDeduplicationId: 'cmd-1', messageId: expect.any(String) });
    // The same commandId again within SQS's 5-minute window: accepted, but not queued twice.
    await queue.send({ type: 'sendText', commandId: 'cmd-1', consumerId: 'customer-42', text: 'Hello 👋' });

    const messages = await receiveAll();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes).toMatchObject({ MessageGroupId: 'customer-42', MessageDeduplicationId: 'cmd-1' });
    expect(messages[0]?.MessageAttributes?.commandType?.StringValue).toBe('sendText');
    expect(JSON.parse(messages[0]?.Body ?? '')).toEqual({ type: 'sendText', commandId: 'cmd-1', consumerId: 'customer-42', text: 'Hello 👋' });
  });

  it('refuses an invalid command before anything reaches SQS', async () => {
    const sqsMock = mockClient(SQSClient);
    try {
      const mocked = new ConnectorCommandQueue({ queueUrl, client: new SQSClient({}) });
      const refused = await mocked.send({ type: 'sendText', commandId: 'has space', consumerId: 'c', text: '' } as never).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidCommandError);
      expect((refused as InvalidCommandError).issues).toHaveLength(2);
      expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    } finally {
      sqsMock.restore();
    }
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

import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';

describe('local SQS (fauxqs on loopback)', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(() => sqs.stop());

  it('listens on 127.0.0.1 and hands out queue URLs on that address', async () => {
    expect(sqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await sqs.createQueue('urls.fifo')).toBe(`${sqs.endpoint}/000000000000/urls.fifo`);
  });

  it('accepts the characters real SQS accepts, emoji included, and refuses the ones it refuses', async () => {
    const queueUrl = await sqs.createQueue('chars.fifo');
    const send = (body: string, id: string) =>
      sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: 'g', MessageDeduplicationId: id }));
    await send('emoji 😀 🇯🇵 and 中文', 'a');
    await expect(send('bad \uffff', 'b')).rejects.toThrow(/Invalid characters/);
    await expect(send('bad \u0001', 'c')).rejects.toThrow(/Invalid characters/);
    const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body)).toEqual(['emoji 😀 🇯🇵 and 中文']);
  });
});

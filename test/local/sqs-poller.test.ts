import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsPoller } from '#local/sqs-poller.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';

describe('local SQS poller (Lambda event source stand-in)', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(() => sqs.stop());

  it('delivers batches in group order, keeps failed records for redelivery, and dead-letters after max receives', async () => {
    const dlqUrl = await sqs.createQueue('poll-dlq.fifo');
    const { Attributes } = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const queueUrl = await sqs.createQueue('poll.fifo', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: '2' }),
    });
    for (const [group, body] of [
      ['a', 'a1'],
      ['a', 'a2'],
      ['b', 'b1'],
      ['c', 'poison'],
    ]) {
      await sqs.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body }),
      );
    }

    const handled: string[] = [];
    let failA2 = true;
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const failures: string[] = [];
      for (const record of event.Records) {
        expect(record.eventSource).toBe('aws:sqs');
        expect(record.attributes.MessageGroupId).toBeDefined();
        if (record.body === 'poison' || (record.body === 'a2' && failA2)) {
          if (record.body === 'a2') failA2 = false;
          failures.push(record.messageId);
          continue;
        }
        handled.push(record.body);
      }
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    };
    const poller = startSqsPoller({ client: sqs.client, queueUrl, handler, functionName: 'test' });
    try {
      await expect.poll(() => handled, { timeout: 8_000, interval: 100 }).toEqual(expect.arrayContaining(['a1', 'a2', 'b1']));
      expect(handled.indexOf('a1')).toBeLessThan(handled.indexOf('a2'));
      await expect
        .poll(
          async () => {
            const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
            return Messages.map((m) => m.Body);
          },
          { timeout: 8_000, interval: 200 },
        )
        .toEqual(['poison']);
    } finally {
      await poller.stop();
    }
  });
});

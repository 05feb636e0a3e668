import { readFileSync } from 'node:fs';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { describe, expect, it } from 'vitest';
import { eventBridgeEventSchema, sqsEventSchema, sqsRecordSchema } from '#functions/lib/lambda/aws-events.ts';
import { sqsRecord } from '../../../support/sqs-event.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/aws/${name}`, import.meta.url), 'utf8'));

const awsSqsEvent = fixture('sqs-event.json') as { Records: unknown[] };
const awsEventBridgeEvent = fixture('eventbridge-event.json') as Record<string, unknown>;
const fifoRecord = sqsRecord({ hello: 'world' }, { groupId: 'conversation-1' });

describe('SQS records (our schema in place of Powertools parser)', () => {
  it.each([
    ['AWS’s documented example', awsSqsEvent.Records[0]],
    ['a FIFO record as the receiver queues it', fifoRecord],
  ])('accepts %s, as Powertools’ SqsRecordSchema does', (_, record) => {
    expect(SqsRecordSchema.safeParse(record).success).toBe(true);
    const parsed = sqsRecordSchema.parse(record);
    expect(parsed.body).toBe((record as { body: string }).body);
  });

  it('reads the FIFO group and deduplication ids and the string attributes', () => {
    const parsed = sqsRecordSchema.parse(fifoRecord);
    expect(parsed.attributes.MessageGroupId).toBe('conversation-1');
    expect(parsed.attributes.MessageDeduplicationId).toBe(fifoRecord.attributes.MessageDeduplicationId);
    expect(parsed.messageAttributes.route?.stringValue).toBe('connector');
  });

  it.each([
    ['no body', { ...fifoRecord, body: undefined }],
    ['another event source', { ...fifoRecord, eventSource: 'aws:kinesis' }],
    ['a message attribute without its data type', { ...fifoRecord, messageAttributes: { route: { stringValue: 'x' } } }],
  ])('refuses a record with %s, as Powertools does', (_, record) => {
    expect(sqsRecordSchema.safeParse(record).success).toBe(false);
    expect(SqsRecordSchema.safeParse(record).success).toBe(false);
  });

  it('refuses an empty message id, which Powertools accepts: a batch item failure names the record by it', () => {
    expect(SqsRecordSchema.safeParse({ ...fifoRecord, messageId: '' }).success).toBe(true);
    expect(sqsRecordSchema.safeParse({ ...fifoRecord, messageId: '' }).success).toBe(false);
  });

  it('tells an SQS event from anything else', () => {
    expect(sqsEventSchema.safeParse(awsSqsEvent).success).toBe(true);
    expect(sqsEventSchema.safeParse({ Records: [] }).success).toBe(false);
    expect(sqsEventSchema.safeParse(awsEventBridgeEvent).success).toBe(false);
  });
});

describe('EventBridge events (our schema in place of Powertools parser)', () => {
  it('accepts AWS’s documented example, as Powertools’ EventBridgeSchema does', () => {
    expect(EventBridgeSchema.safeParse(awsEventBridgeEvent).success).toBe(true);
    expect(eventBridgeEventSchema.parse(awsEventBridgeEvent)['detail-type']).toBe('EC2 Instance State-change Notification');
  });

  it('accepts a replayed event (replay-name), as EventBridge sends it from an archive', () => {
    expect(eventBridgeEventSchema.safeParse({ ...awsEventBridgeEvent, 'replay-name': 'replay-1' }).success).toBe(true);
  });

  it.each([
    ['no detail-type', { ...awsEventBridgeEvent, 'detail-type': undefined }],
    ['a time that is not ISO 8601', { ...awsEventBridgeEvent, time: 'yesterday' }],
    ['no resources list', { ...awsEventBridgeEvent, resources: 'arn' }],
  ])('refuses an event with %s, as Powertools does', (_, event) => {
    expect(eventBridgeEventSchema.safeParse(event).success).toBe(false);
    expect(EventBridgeSchema.safeParse(event).success).toBe(false);
  });
});

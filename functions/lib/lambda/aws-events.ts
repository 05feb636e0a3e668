/**
 * The parts of Lambda's SQS and EventBridge events the handlers read, validated with zod.
 *
 * Hand-written rather than Powertools' parser schemas: those modules import zod as `{ z }`, which
 * defeats tree-shaking and put all of zod (its 40 locales included, ≈370 KiB) into every bundle
 * that used them. These check the fields the code relies on and accept whatever else AWS adds;
 * test/functions/lib/aws-events.test.ts checks them against AWS's examples and Powertools' schemas.
 */
import * as z from '#contract/zod.ts';

const sqsMessageAttribute = z.looseObject({
  dataType: z.string(),
  stringValue: z.nullish(z.string()),
});

export const sqsRecordSchema = z.looseObject({
  messageId: z.string().check(z.minLength(1)),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: z.looseObject({
    MessageGroupId: z.optional(z.string()),
    MessageDeduplicationId: z.optional(z.string()),
  }),
  messageAttributes: z.record(z.string(), sqsMessageAttribute),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
});

export const sqsEventSchema = z.object({ Records: z.array(z.looseObject({ eventSource: z.literal('aws:sqs') })).check(z.minLength(1)) });

/** An event as EventBridge hands it to a target (a rule's Lambda target included). */
export const eventBridgeEventSchema = z.looseObject({
  version: z.string(),
  id: z.string().check(z.minLength(1)),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
});

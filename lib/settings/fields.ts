/**
 * Field schemas more than one capability uses (Lambda and SQS limits), so each limit and its message
 * is written once. The capability schemas (ingestion.ts, processing.ts, …) compose them.
 */
import { Token } from 'aws-cdk-lib';
import { z } from 'zod';

/** AWS guidance for a queue driving a Lambda function: visibility timeout at least this many times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export const booleanField = () => z.boolean({ error: 'must be true or false' });

export const batchSizeField = () =>
  z
    .int({ error: 'must be a whole number of records' })
    .min(1, 'must be at least 1 record')
    .max(10, 'must be at most 10 records (the most a FIFO event source takes)');

export const maxConcurrencyField = () =>
  z
    .int({ error: 'must be a whole number of concurrent invocations' })
    .min(2, 'must be at least 2 (the Lambda minimum for an SQS event source)')
    .max(1000, 'must be at most 1000 (the Lambda maximum for an SQS event source)');

export const functionTimeoutField = () =>
  z
    .int({ error: 'must be a whole number of seconds' })
    .min(5, 'must be at least 5 seconds')
    .max(900, 'must be at most 900 seconds (the Lambda limit)');

export const hoursField = () => z.int({ error: 'must be a whole number of hours' }).min(1, 'must be at least 1 hour');

export const daysField = () => z.int({ error: 'must be a whole number of days' }).min(1, 'must be at least 1 day');

export const queueRetentionDaysField = () => daysField().max(14, 'must be at most 14 days (the SQS limit)');

export const maxReceiveCountField = () =>
  z.int({ error: 'must be a whole number of receives' }).min(1, 'must be at least 1').max(1000, 'must be at most 1000 (the SQS limit)');

/** Compare two fields only when both passed their own checks: one message per mistake (zod runs refinements anyway). */
export function bothValid(...pairs: ReadonlyArray<readonly [z.ZodType, unknown]>): boolean {
  return pairs.every(([schema, value]) => schema.safeParse(value).success);
}

/** A string matching `pattern`, or a CloudFormation token (a construct's attribute, checked by CloudFormation instead). */
export const patternOrToken = (pattern: RegExp, message: string) =>
  z.string({ error: 'must be a string' }).refine((value) => Token.isUnresolved(value) || pattern.test(value), message);

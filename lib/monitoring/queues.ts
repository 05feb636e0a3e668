// The SQS queue alarms and widget the ingestion and connector modules share.
import { GraphWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import type { AlarmFactory } from './alarms.ts';
import { FIVE_MINUTES, ONE_MINUTE } from './metrics.ts';

export function deadLetterAlarm(alarms: AlarmFactory, id: string, queue: IQueue, holds: string): void {
  alarms.alarm(id, {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: Stats.MAXIMUM }),
    threshold: 0,
    description:
      `A message is in a dead-letter queue holding ${holds}. Read it (the deadLetterReason attribute says why where set), fix the ` +
      'cause, then redrive it to its source queue or delete it.',
  });
}

export function queueStalledAlarm(
  alarms: AlarmFactory,
  id: string,
  queue: IQueue,
  maxAgeSeconds: number,
  consumer: LivePersonFunctionName,
): void {
  alarms.alarm(id, {
    metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM }),
    threshold: maxAgeSeconds,
    description:
      `The oldest message has waited more than ${maxAgeSeconds} s: ${consumer} is not keeping up or keeps failing on one message group. ` +
      `Check ${consumer}'s errors, throttles and log.`,
  });
}

export function queueWidget(title: string, queue: IQueue, deadLetterQueues: readonly IQueue[], maxAgeSeconds: number): GraphWidget {
  return new GraphWidget({
    title: `${title}: depth and age`,
    width: 8,
    left: [
      queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, label: 'waiting' }),
      queue.metricApproximateNumberOfMessagesNotVisible({ statistic: Stats.MAXIMUM, label: 'in flight' }),
      ...deadLetterQueues.map((dlq, index) =>
        dlq.metricApproximateNumberOfMessagesVisible({
          statistic: Stats.MAXIMUM,
          label: index === 0 ? 'dead letters' : 'event route dead letters',
        }),
      ),
    ],
    right: [queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, label: 'age of oldest (s)' })],
    rightAnnotations: [{ value: maxAgeSeconds, label: 'alarm' }],
  });
}

// Ingestion: webhook answers (API Gateway 4xx/5xx), the receiver's own counts, the event queue and
// its dead letters, and AWS WAF on the stage when it is on.
import { Aws } from 'aws-cdk-lib';
import { GraphWidget, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_DIMENSIONS } from '#contract/metrics.ts';
import type { LivePersonIngestion } from '../ingestion.ts';
import { WAF_RATE_RULE_NAME } from '../ingestion.ts';
import type { AlarmFactory, MonitoringThresholds } from './alarms.ts';
import { FIVE_MINUTES, breakdownSearch, customMetric, metricName } from './metrics.ts';
import { deadLetterAlarm, queueStalledAlarm, queueWidget } from './queues.ts';

function ingestionMetrics(ingestion: LivePersonIngestion) {
  const stage = ingestion.api.deploymentStage;
  return {
    clientErrors: stage.metricClientError({ period: FIVE_MINUTES, statistic: Stats.SUM }),
    serverErrors: stage.metricServerError({ period: FIVE_MINUTES, statistic: Stats.SUM }),
    accepted: customMetric('webhook-receiver', 'accepted', 'accepted'),
    rejected: customMetric('webhook-receiver', 'rejected', 'rejected'),
    credentialsUnavailable: customMetric('webhook-receiver', 'credentialsUnavailable', 'secret unreadable (503)'),
    rejectedByReason: breakdownSearch('webhook-receiver', 'rejectedByReason', [METRIC_DIMENSIONS.reason, METRIC_DIMENSIONS.route]),
  };
}

/** Creates the ingestion alarms; returns its dashboard row. */
export function watchIngestion(alarms: AlarmFactory, ingestion: LivePersonIngestion, t: MonitoringThresholds): IWidget[] {
  const metrics = ingestionMetrics(ingestion);
  deadLetterAlarm(
    alarms,
    'EventDeadLetters',
    ingestion.deadLetterQueue,
    'events the processor failed on repeatedly, or that break the event schema',
  );
  queueStalledAlarm(alarms, 'EventQueueStalled', ingestion.eventQueue, t.eventQueueMaxAgeSeconds, 'event-processor');
  alarms.alarm('WebhookClientErrors', {
    metric: metrics.clientErrors,
    threshold: t.webhookClientErrorsPer5Minutes,
    description:
      `More than ${t.webhookClientErrorsPer5Minutes} webhook calls answered 4xx in 5 minutes: bad signatures or URL tokens (a rotated ` +
      'client secret or webhook token not yet in the secret, or someone probing), wrong account, or throttling (429). ' +
      `Check the receiver log (reason field) and the ${metricName('webhook-receiver', 'rejectedByReason')} metric.`,
  });
  alarms.alarm('WebhookServerErrors', {
    metric: metrics.serverErrors,
    threshold: t.webhookServerErrorsPer5Minutes,
    description:
      'Webhook calls answered 5xx: the receiver could not read its secret or queue the event (LivePerson retries), or it failed. ' +
      `Check the receiver log, the ${metricName('webhook-receiver', 'credentialsUnavailable')} metric and the event queue.`,
  });
  return [
    new GraphWidget({
      title: 'Webhooks accepted / rejected',
      width: 8,
      left: [metrics.accepted, metrics.rejected, metrics.credentialsUnavailable],
      right: [metrics.clientErrors.with({ label: 'API 4xx' }), metrics.serverErrors.with({ label: 'API 5xx' })],
    }),
    new GraphWidget({ title: 'Webhooks rejected by route and reason', width: 8, left: [metrics.rejectedByReason] }),
    queueWidget('Event queue', ingestion.eventQueue, [ingestion.deadLetterQueue], t.eventQueueMaxAgeSeconds),
  ];
}

/** AWS WAF's counts for the web ACL on the webhook stage: the dashboard row after the functions'. */
export function wafWidget(webAclName: string): GraphWidget {
  const waf = (name: string, rule: string, label: string) =>
    new Metric({
      namespace: 'AWS/WAFV2',
      metricName: name,
      dimensionsMap: { WebACL: webAclName, Region: Aws.REGION, Rule: rule },
      statistic: Stats.SUM,
      label,
    });
  return new GraphWidget({
    title: 'AWS WAF on the webhook stage',
    width: 8,
    left: [waf('AllowedRequests', 'ALL', 'allowed'), waf('BlockedRequests', WAF_RATE_RULE_NAME, 'blocked by the rate limit')],
  });
}

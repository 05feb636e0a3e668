// Connector: the outbound queue, its dead letters (and the event route's), and connector-send's
// command and conversation counts.
import { GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { LivePersonConnector } from '../connector.ts';
import type { AlarmFactory, MonitoringThresholds } from './alarms.ts';
import { customMetric } from './metrics.ts';
import { deadLetterAlarm, queueStalledAlarm, queueWidget } from './queues.ts';

function connectorMetrics() {
  return {
    applied: customMetric('connector-send', 'applied', 'applied'),
    failed: customMetric('connector-send', 'failed', 'failed (retried)'),
    rejected: customMetric('connector-send', 'rejected', 'rejected'),
    duplicate: customMetric('connector-send', 'duplicate', 'duplicates'),
    forwarded: customMetric('connector-send', 'forwarded', 'forwarded from EventBridge'),
    conversationsOpened: customMetric('connector-send', 'conversationsOpened', 'opened'),
    conversationsReopened: customMetric('connector-send', 'conversationsReopened', 'reopened (was closed)'),
  };
}

/** Creates the connector's queue alarms; returns its dashboard row. */
export function watchConnector(alarms: AlarmFactory, connector: LivePersonConnector, t: MonitoringThresholds): IWidget[] {
  const metrics = connectorMetrics();
  deadLetterAlarm(
    alarms,
    'OutboundDeadLetters',
    connector.deadLetterQueue,
    'commands LivePerson refused (the reason is on the message) or that kept failing',
  );
  const routeDeadLetters = connector.eventRouteDeadLetterQueue;
  if (routeDeadLetters) {
    deadLetterAlarm(
      alarms,
      'EventRouteDeadLetters',
      routeDeadLetters,
      'command events EventBridge could not hand to connector-send, or it could not queue',
    );
  }
  queueStalledAlarm(alarms, 'OutboundQueueStalled', connector.outboundQueue, t.outboundQueueMaxAgeSeconds, 'connector-send');
  return [
    new GraphWidget({
      title: 'Connector commands',
      width: 8,
      left: [metrics.applied, metrics.failed, metrics.rejected, metrics.duplicate, metrics.forwarded],
    }),
    new GraphWidget({
      title: 'Connector conversations opened',
      width: 8,
      left: [metrics.conversationsOpened, metrics.conversationsReopened],
    }),
    queueWidget(
      'Outbound queue',
      connector.outboundQueue,
      [connector.deadLetterQueue, ...(routeDeadLetters ? [routeDeadLetters] : [])],
      t.outboundQueueMaxAgeSeconds,
    ),
  ];
}

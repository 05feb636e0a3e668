// Heartbeats: alarms for silence, not for errors. A stack that stopped receiving webhooks, whose
// domain refresh stopped running or whose contact flow stopped calling C2M raises no error at all:
// only the absence of a metric shows it. Each alarm reads the service-level total with missing
// periods filled as 0, over whole hours, and fires after the configured number of silent ones.
import { Duration } from 'aws-cdk-lib';
import { MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { LivePersonFunctionName } from '#contract/constants.ts';
import type { MetricKey } from '#contract/metrics.ts';
import type { HeartbeatSettings } from '../settings/monitoring.ts';
import type { AlarmFactory } from './alarms.ts';
import { customMetric, metricName } from './metrics.ts';

export interface HeartbeatTargets {
  readonly webhooks: boolean;
  /** Only when an Amazon Connect instance is configured: without one nobody calls C2M. */
  readonly c2m: boolean;
  /** The domain refresh interval in hours, when the domains construct is deployed. */
  readonly domainRefreshHours: number | undefined;
}

/**
 * 1 for a silent period (within business hours, when set), else 0. FILL gives every period a value,
 * so an hour without any datapoint is one, and HOUR() and DAY() read that period's time (UTC; DAY is
 * 1 for Monday to 7 for Sunday).
 */
export function silenceExpression(hours: HeartbeatSettings['businessHours']): string {
  const filled = 'FILL(m, 0)';
  if (hours === undefined) return `IF(${filled} == 0, 1, 0)`;
  const { startHourUtc: start, endHourUtc: end } = hours;
  const inHours =
    start < end ? `HOUR(${filled}) >= ${start} AND HOUR(${filled}) < ${end}` : `(HOUR(${filled}) >= ${start} OR HOUR(${filled}) < ${end})`;
  const onDays = hours.days === 'weekdays' ? ` AND DAY(${filled}) <= 5` : '';
  return `IF(${filled} == 0 AND ${inHours}${onDays}, 1, 0)`;
}

function silence<S extends LivePersonFunctionName>(
  service: S,
  key: MetricKey<S>,
  period: Duration,
  hours: HeartbeatSettings['businessHours'],
): MathExpression {
  const m: Metric = customMetric(service, key, metricName(service, key)).with({ period });
  return new MathExpression({ expression: silenceExpression(hours), usingMetrics: { m }, period, label: `no ${metricName(service, key)}` });
}

const hoursText = (hours: HeartbeatSettings['businessHours']) =>
  hours === undefined
    ? ''
    : ` (counting only ${String(hours.startHourUtc).padStart(2, '0')}:00–${String(hours.endHourUtc).padStart(2, '0')}:00 UTC` +
      `${hours.days === 'weekdays' ? ', Monday to Friday' : ''})`;

/** Creates the heartbeat alarms the settings and the deployed capabilities call for. */
export function watchHeartbeats(alarms: AlarmFactory, targets: HeartbeatTargets, settings: HeartbeatSettings): void {
  const hourly = Duration.hours(1);
  const { businessHours } = settings;
  if (targets.webhooks && settings.webhookSilenceHours !== false) {
    const silentHours = settings.webhookSilenceHours;
    alarms.alarm('WebhooksSilent', {
      metric: silence('webhook-receiver', 'accepted', hourly, businessHours),
      threshold: 0,
      periods: silentHours,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        `No webhook accepted for ${silentHours} hours${hoursText(businessHours)}. LivePerson may have stopped sending (the webhook ` +
        'subscription of the Connector app was removed or disabled after failed deliveries), or every call is refused: check ' +
        'WebhookRejected and the app installation in LivePerson, then send a test with `liveperson-aws webhook send`.',
    });
  }
  if (targets.c2m && settings.c2mSilenceHours !== false) {
    const silentHours = settings.c2mSilenceHours;
    alarms.alarm('C2mSilent', {
      metric: silence('c2m-invite', 'requests', hourly, businessHours),
      threshold: 0,
      periods: silentHours,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        `No C2M request for ${silentHours} hours${hoursText(businessHours)} although an Amazon Connect instance is configured: ` +
        'the contact flow no longer reaches c2m-invite (flow unpublished or changed, the Lambda block removed, the invoke ' +
        'permission lost). Make a test call and read the flow logs.',
    });
  }
  if (targets.domainRefreshHours !== undefined && settings.domainRefresh) {
    const interval = targets.domainRefreshHours;
    // Business hours do not apply: the refresh runs on its own schedule, day and night.
    alarms.alarm('DomainRefreshSilent', {
      metric: silence('domain-refresh', 'succeeded', Duration.hours(interval), undefined),
      threshold: 0,
      periods: 2,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        `No domain refresh succeeded for two intervals (${2 * interval} hours): its schedule rule is disabled or every run fails ` +
        'before it reports. The functions keep the domains in SSM; check the rule and the domain-refresh log, then run it by hand.',
    });
  }
}

// The one alarm factory every capability module uses: naming, actions, comparison and missing-data rule.
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { MonitoringSettings } from '../settings/monitoring.ts';

/** The thresholds the capability modules read (the construct's settings, defaults applied). */
export type MonitoringThresholds = Omit<MonitoringSettings, 'enabled' | 'alarmEmail'>;

export interface AlarmSpec {
  readonly metric: IMetric;
  /** Alarms above it (greater than, not equal). */
  readonly threshold: number;
  /** What it means and where to look: the notification carries it. */
  readonly description: string;
  /** Consecutive breaching periods that alarm (a heartbeat's silence lasts several). @default 1 */
  readonly periods?: number;
  /** @default NOT_BREACHING: the metric is reported only while something happens */
  readonly treatMissingData?: TreatMissingData;
}

export class AlarmFactory {
  readonly #scope: Construct;
  readonly #prefix: string;
  readonly #action: IAlarmAction;
  readonly #alarms: Alarm[] = [];

  /** Alarms are created in `scope` (their logical ids derive from it) and named `<prefix>-<id>`. */
  constructor(scope: Construct, prefix: string, action: IAlarmAction) {
    this.#scope = scope;
    this.#prefix = prefix;
    this.#action = action;
  }

  /** Every alarm created so far, in creation order (the dashboard's alarm status widget lists them so). */
  get alarms(): readonly Alarm[] {
    return this.#alarms;
  }

  alarm(id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this.#scope, id, {
      alarmName: `${this.#prefix}-${id}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.periods ?? 1,
      datapointsToAlarm: spec.periods ?? 1,
      // Each metric here is reported only while something happens (a request, an invocation, a message in the queue):
      // no data means nothing to report, not a failure. Heartbeats say otherwise.
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.#action);
    alarm.addOkAction(this.#action);
    this.#alarms.push(alarm);
    return alarm;
  }
}

// Every deployed function's errors and throttles: one alarm each, one graph for all.
import { GraphWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { LivePersonFunction } from '../lambda-function.ts';
import type { AlarmFactory, MonitoringThresholds } from './alarms.ts';
import { FIVE_MINUTES } from './metrics.ts';

/** Creates each function's Errors and Throttles alarms (domain-refresh's errors alarm in the domains module); returns the graphs. */
export function watchFunctions(alarms: AlarmFactory, functions: readonly LivePersonFunction[], t: MonitoringThresholds): IWidget[] {
  for (const { name, fn } of functions) {
    const id = pascalCase(name);
    // The domain refresh alarm counts this function's errors together with its own failures: one alarm per incident.
    if (name !== 'domain-refresh') {
      alarms.alarm(`${id}Errors`, {
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }),
        threshold: t.functionErrorsPer5Minutes,
        description: `${name} invocations failed (uncaught error or timeout). Check its log group for the error.`,
      });
    }
    alarms.alarm(`${id}Throttles`, {
      metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: Stats.SUM }),
      threshold: t.functionThrottlesPer5Minutes,
      description:
        `${name} invocations were throttled: its reserved concurrency or the account's concurrency is exhausted. ` +
        'Raise the limit, or find what drives the load.',
    });
  }
  return [
    new GraphWidget({
      title: 'Function errors',
      width: 8,
      left: functions.map(({ name, fn }) => fn.metricErrors({ period: FIVE_MINUTES, label: name })),
    }),
    new GraphWidget({
      title: 'Function throttles',
      width: 8,
      left: functions.map(({ name, fn }) => fn.metricThrottles({ period: FIVE_MINUTES, label: name })),
    }),
  ];
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}

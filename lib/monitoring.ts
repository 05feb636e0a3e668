// Monitoring: CloudWatch alarms on what breaks the flow (dead letters, stalled queues, webhook errors,
// function errors and throttles, C2M failures and slowness, domain refresh), one encrypted SNS topic
// they notify, and a dashboard of the flow at a glance. Every alarm watches a metric with a fixed
// dimension set (alarms cannot SEARCH): the handlers emit service-level totals for that.
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SearchExpression,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric, IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MONITORING_DEFAULTS } from './config.ts';
import type { LivePersonConnector } from './connector.ts';
import type { LivePersonDomains } from './domains.ts';
import type { LivePersonIngestion } from './ingestion.ts';
import { WAF_RATE_RULE_NAME } from './ingestion.ts';
import type { LivePersonIvrDeflection } from './ivr-deflection.ts';
import { CONNECT_LAMBDA_LIMIT_SECONDS } from './ivr-deflection.ts';
import { METRICS_NAMESPACE } from './lambda-function.ts';
import type { LivePersonFunction, LivePersonFunctionName } from './lambda-function.ts';
import type { LivePersonProcessing } from './processing.ts';

/** Powertools' default dimension: the function's POWERTOOLS_SERVICE_NAME. The alarmed custom metrics carry only it. */
export const SERVICE_DIMENSION = 'service';

const FIVE_MINUTES = Duration.minutes(5);
const ONE_MINUTE = Duration.minutes(1);

export interface LivePersonMonitoringProps {
  readonly accountId: string;
  /** Each construct given gets its alarms and dashboard widgets; leave out what the app does not deploy. */
  readonly domains?: LivePersonDomains;
  readonly ingestion?: LivePersonIngestion;
  readonly processing?: LivePersonProcessing;
  readonly ivrDeflection?: LivePersonIvrDeflection;
  readonly connector?: LivePersonConnector;
  /** Subscribed to the alarm topic (the address confirms the subscription from the first message). */
  readonly alarmEmail?: string;
  /** @default 300 */
  readonly eventQueueMaxAgeSeconds?: number;
  /** @default 300 */
  readonly outboundQueueMaxAgeSeconds?: number;
  /** @default 50 */
  readonly webhookClientErrorsPer5Minutes?: number;
  /** @default 0 (any) */
  readonly webhookServerErrorsPer5Minutes?: number;
  /** @default 0 (any) */
  readonly functionErrorsPer5Minutes?: number;
  /** @default 0 (any) */
  readonly functionThrottlesPer5Minutes?: number;
  /** @default 20 */
  readonly c2mErrorRatePercent?: number;
  /** @default 10 */
  readonly c2mMinimumRequests?: number;
  /** @default 6000, or 1 s under the c2m-invite timeout when that is shorter */
  readonly c2mP99DurationMs?: number;
  /** Also the prefix of every alarm name. @default the stack name */
  readonly name?: string;
}

interface Thresholds {
  readonly eventQueueMaxAgeSeconds: number;
  readonly outboundQueueMaxAgeSeconds: number;
  readonly webhookClientErrorsPer5Minutes: number;
  readonly webhookServerErrorsPer5Minutes: number;
  readonly functionErrorsPer5Minutes: number;
  readonly functionThrottlesPer5Minutes: number;
  readonly c2mErrorRatePercent: number;
  readonly c2mMinimumRequests: number;
}

export class LivePersonMonitoring extends Construct {
  /** Every alarm notifies it (ALARM and back to OK). Subscribe more endpoints as needed. */
  readonly alarmTopic: Topic;
  /** Customer managed: CloudWatch cannot publish to a topic under the AWS managed aws/sns key. */
  readonly alarmTopicKey: Key;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  readonly dashboardName: string;
  readonly dashboardUrl: string;
  readonly #alarms: Alarm[] = [];
  readonly #name: string;
  readonly #action: SnsAction;

  constructor(scope: Construct, id: string, props: LivePersonMonitoringProps) {
    super(scope, id);
    const thresholds: Thresholds = {
      eventQueueMaxAgeSeconds: props.eventQueueMaxAgeSeconds ?? MONITORING_DEFAULTS.eventQueueMaxAgeSeconds,
      outboundQueueMaxAgeSeconds: props.outboundQueueMaxAgeSeconds ?? MONITORING_DEFAULTS.outboundQueueMaxAgeSeconds,
      webhookClientErrorsPer5Minutes: props.webhookClientErrorsPer5Minutes ?? MONITORING_DEFAULTS.webhookClientErrorsPer5Minutes,
      webhookServerErrorsPer5Minutes: props.webhookServerErrorsPer5Minutes ?? MONITORING_DEFAULTS.webhookServerErrorsPer5Minutes,
      functionErrorsPer5Minutes: props.functionErrorsPer5Minutes ?? MONITORING_DEFAULTS.functionErrorsPer5Minutes,
      functionThrottlesPer5Minutes: props.functionThrottlesPer5Minutes ?? MONITORING_DEFAULTS.functionThrottlesPer5Minutes,
      c2mErrorRatePercent: props.c2mErrorRatePercent ?? MONITORING_DEFAULTS.c2mErrorRatePercent,
      c2mMinimumRequests: props.c2mMinimumRequests ?? MONITORING_DEFAULTS.c2mMinimumRequests,
    };
    validate(thresholds, props.c2mP99DurationMs);
    this.#name = props.name ?? Stack.of(this).stackName;
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(this.#name)) {
      throw new Error(`LivePersonMonitoring: name must be letters, digits, "-" or "_" (a dashboard name), got "${this.#name}"`);
    }

    this.alarmTopicKey = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the LivePerson alarm topic of account ${props.accountId}`,
      enableKeyRotation: true,
      // It only encrypts notifications while SNS holds them for delivery: nothing outlives the stack under it.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // The statement AWS documents for alarms on an encrypted topic, for CloudWatch acting for this account only
    // (aws:SourceAccount, against the confused deputy); the key serves this topic only.
    this.alarmTopicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `LivePerson ${props.accountId} alarms`,
      masterKey: this.alarmTopicKey,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, which let the account's alarms publish: allow them again, these alarms only.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${this.#name}-*` },
        },
      }),
    );
    if (props.alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.#action = new SnsAction(this.alarmTopic);

    const rows: IWidget[][] = [];
    if (props.ingestion) rows.push(this.watchIngestion(props.ingestion, thresholds));
    if (props.processing) rows.push(this.watchProcessing(props.processing));
    if (props.ivrDeflection) rows.push(this.watchIvrDeflection(props.ivrDeflection, thresholds, props.c2mP99DurationMs));
    if (props.connector) rows.push(this.watchConnector(props.connector, thresholds));
    const functions = [props.ingestion?.receiver, props.processing?.processor, props.ivrDeflection?.c2mInvite, props.connector?.sender, props.domains?.refresh];
    rows.push(this.watchFunctions(functions.filter((fn): fn is LivePersonFunction => fn !== undefined), thresholds, props.domains));
    const waf = props.ingestion?.webAcl?.name;
    if (waf !== undefined) rows.push([wafWidget(waf)]);
    this.alarms = this.#alarms;

    this.dashboardName = this.#name;
    this.dashboardUrl = `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboardName}`;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new TextWidget({
            width: 24,
            height: 2,
            markdown:
              `# LivePerson account ${props.accountId}\n` +
              'Webhooks → event queue → **event-processor** → EventBridge · Amazon Connect → **c2m-invite** → C2M · ' +
              `outbound queue → **connector-send** → Connector API. Every alarm notifies the SNS topic ${this.alarmTopic.topicName}.`,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: this.#alarms, width: 24, height: 2 + Math.ceil(this.#alarms.length / 4) })],
        ...rows,
      ],
    });
  }

  private watchIngestion(ingestion: LivePersonIngestion, t: Thresholds): IWidget[] {
    const stage = ingestion.api.deploymentStage;
    const clientErrors = stage.metricClientError({ period: FIVE_MINUTES, statistic: Stats.SUM });
    const serverErrors = stage.metricServerError({ period: FIVE_MINUTES, statistic: Stats.SUM });
    this.deadLetterAlarm('EventDeadLetters', ingestion.deadLetterQueue, 'events the processor failed on repeatedly, or that break the event schema');
    this.queueAgeAlarm('EventQueueStalled', ingestion.eventQueue, t.eventQueueMaxAgeSeconds, 'event-processor');
    this.alarm('WebhookClientErrors', {
      metric: clientErrors,
      threshold: t.webhookClientErrorsPer5Minutes,
      description:
        `More than ${t.webhookClientErrorsPer5Minutes} webhook calls answered 4xx in 5 minutes: bad signatures or URL tokens (a rotated ` +
        'client secret or webhook token not yet in the secret, or someone probing), wrong account, or throttling (429). ' +
        'Check the receiver log (reason field) and the WebhookRejectedByReason metric.',
    });
    this.alarm('WebhookServerErrors', {
      metric: serverErrors,
      threshold: t.webhookServerErrorsPer5Minutes,
      description:
        'Webhook calls answered 5xx: the receiver could not read its secret or queue the event (LivePerson retries), or it failed. ' +
        'Check the receiver log, the WebhookCredentialsUnavailable metric and the event queue.',
    });
    return [
      new GraphWidget({
        title: 'Webhooks accepted / rejected',
        width: 8,
        left: [
          this.custom('webhook-receiver', 'WebhookAccepted', 'accepted'),
          this.custom('webhook-receiver', 'WebhookRejected', 'rejected'),
          this.custom('webhook-receiver', 'WebhookCredentialsUnavailable', 'secret unreadable (503)'),
        ],
        right: [clientErrors.with({ label: 'API 4xx' }), serverErrors.with({ label: 'API 5xx' })],
      }),
      new GraphWidget({
        title: 'Webhooks rejected by route and reason',
        width: 8,
        left: [search(`{${METRICS_NAMESPACE},Reason,Route,${SERVICE_DIMENSION}} MetricName="WebhookRejectedByReason"`)],
      }),
      queueWidget('Event queue', ingestion.eventQueue, [ingestion.deadLetterQueue], t.eventQueueMaxAgeSeconds),
    ];
  }

  private watchProcessing(processing: LivePersonProcessing): IWidget[] {
    const fn = processing.processor.fn;
    return [
      new GraphWidget({
        title: 'Events processed / duplicates / failures / unknown types',
        width: 8,
        left: [
          this.custom('event-processor', 'EventsProcessed', 'processed'),
          this.custom('event-processor', 'DuplicatesSkipped', 'duplicates skipped'),
          this.custom('event-processor', 'EventsFailed', 'failed'),
          this.custom('event-processor', 'StaleConversationUpdates', 'stale conversation updates'),
          // Passed on as UnknownEvent: LivePerson sent a type this version does not type yet.
          this.custom('event-processor', 'UnknownEvents', 'of unknown types'),
        ],
      }),
      new GraphWidget({
        title: 'Events failed by reason',
        width: 8,
        left: [search(`{${METRICS_NAMESPACE},Reason,${SERVICE_DIMENSION}} MetricName="EventsFailedByReason"`)],
      }),
      new GraphWidget({
        title: 'event-processor duration (ms)',
        width: 8,
        left: [fn.metricDuration({ statistic: Stats.p(50), label: 'p50' }), fn.metricDuration({ statistic: Stats.p(99), label: 'p99' })],
      }),
    ];
  }

  private watchIvrDeflection(ivr: LivePersonIvrDeflection, t: Thresholds, p99DurationMs: number | undefined): IWidget[] {
    const fn = ivr.c2mInvite.fn;
    const timeoutMs = fn.timeout?.toMilliseconds() ?? CONNECT_LAMBDA_LIMIT_SECONDS * 1000;
    const slowMs = p99DurationMs ?? Math.min(MONITORING_DEFAULTS.c2mP99DurationMs, timeoutMs - 1000);
    if (slowMs >= timeoutMs) {
      throw new Error(`LivePersonMonitoring: c2mP99DurationMs must be below the c2m-invite timeout (${timeoutMs} ms), got ${slowMs}`);
    }
    const requests = this.custom('c2m-invite', 'C2mRequests', 'requests');
    const errors = this.custom('c2m-invite', 'C2mErrors', 'answered ERROR');
    const errorRate = new MathExpression({
      // Below the minimum count a few failed calls would read as a high rate: report 0 then.
      expression: `IF(requests >= ${t.c2mMinimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: { requests, errors },
      period: FIVE_MINUTES,
      label: 'ERROR rate (%)',
    });
    const p99 = fn.metricDuration({ statistic: Stats.p(99), period: FIVE_MINUTES });
    this.alarm('C2mErrorRate', {
      metric: errorRate,
      threshold: t.c2mErrorRatePercent,
      description:
        `More than ${t.c2mErrorRatePercent}% of C2M requests answered ERROR over 5 minutes (with at least ${t.c2mMinimumRequests} requests): ` +
        'callers are not being deflected. Check the c2m-invite log (errorCode), the C2mResults metric by ErrorCode, the credentials ' +
        'secret (oauth1 or AppJWT) and the LivePerson C2M status.',
    });
    this.alarm('C2mSlow', {
      metric: p99,
      threshold: slowMs,
      description:
        `c2m-invite p99 duration above ${slowMs} ms over 5 minutes: close to Amazon Connect's ${CONNECT_LAMBDA_LIMIT_SECONDS} s limit, ` +
        'past which the flow takes its error branch. Check C2M latency and retries in the log, and cold starts.',
    });
    return [
      new GraphWidget({
        title: 'C2M requests and errors',
        width: 8,
        left: [requests, errors],
        right: [errorRate],
        rightAnnotations: [{ value: t.c2mErrorRatePercent, label: 'alarm' }],
      }),
      new GraphWidget({
        title: 'C2M invites by action and result',
        width: 8,
        // Errors add an ErrorCode dimension: search by name, not by one dimension set.
        left: [search(`Namespace="${METRICS_NAMESPACE}" MetricName="C2mResults"`)],
      }),
      new GraphWidget({
        title: 'c2m-invite duration (ms)',
        width: 8,
        left: [fn.metricDuration({ statistic: Stats.p(50), label: 'p50' }), p99.with({ label: 'p99' }), fn.metricDuration({ statistic: Stats.MAXIMUM, label: 'max' })],
        leftAnnotations: [
          { value: slowMs, label: 'alarm' },
          { value: CONNECT_LAMBDA_LIMIT_SECONDS * 1000, label: 'Amazon Connect limit' },
        ],
      }),
    ];
  }

  private watchConnector(connector: LivePersonConnector, t: Thresholds): IWidget[] {
    this.deadLetterAlarm('OutboundDeadLetters', connector.deadLetterQueue, 'commands LivePerson refused (the reason is on the message) or that kept failing');
    const routeDeadLetters = connector.eventRouteDeadLetterQueue;
    if (routeDeadLetters) {
      this.deadLetterAlarm('EventRouteDeadLetters', routeDeadLetters, 'command events EventBridge could not hand to connector-send, or it could not queue');
    }
    this.queueAgeAlarm('OutboundQueueStalled', connector.outboundQueue, t.outboundQueueMaxAgeSeconds, 'connector-send');
    return [
      new GraphWidget({
        title: 'Connector commands',
        width: 8,
        left: [
          this.custom('connector-send', 'CommandsApplied', 'applied'),
          this.custom('connector-send', 'CommandsFailed', 'failed (retried)'),
          this.custom('connector-send', 'CommandsRejected', 'rejected'),
          this.custom('connector-send', 'CommandsDuplicate', 'duplicates'),
          this.custom('connector-send', 'CommandsForwarded', 'forwarded from EventBridge'),
        ],
      }),
      new GraphWidget({
        title: 'Connector conversations opened',
        width: 8,
        left: [this.custom('connector-send', 'ConversationsOpened', 'opened'), this.custom('connector-send', 'ConversationsReopened', 'reopened (was closed)')],
      }),
      queueWidget('Outbound queue', connector.outboundQueue, [connector.deadLetterQueue, ...(routeDeadLetters ? [routeDeadLetters] : [])], t.outboundQueueMaxAgeSeconds),
    ];
  }

  private watchFunctions(functions: readonly LivePersonFunction[], t: Thresholds, domains: LivePersonDomains | undefined): IWidget[] {
    for (const { name, fn } of functions) {
      const id = pascalCase(name);
      // The domain refresh alarm below counts this function's errors together with its own failures.
      if (name !== 'domain-refresh') {
        this.alarm(`${id}Errors`, {
          metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }),
          threshold: t.functionErrorsPer5Minutes,
          description: `${name} invocations failed (uncaught error or timeout). Check its log group for the error.`,
        });
      }
      this.alarm(`${id}Throttles`, {
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: Stats.SUM }),
        threshold: t.functionThrottlesPer5Minutes,
        description:
          `${name} invocations were throttled: its reserved concurrency or the account's concurrency is exhausted. ` +
          'Raise the limit, or find what drives the load.',
      });
    }
    const widgets: IWidget[] = [
      new GraphWidget({ title: 'Function errors', width: 8, left: functions.map(({ name, fn }) => fn.metricErrors({ period: FIVE_MINUTES, label: name })) }),
      new GraphWidget({ title: 'Function throttles', width: 8, left: functions.map(({ name, fn }) => fn.metricThrottles({ period: FIVE_MINUTES, label: name })) }),
    ];
    if (domains) {
      const failed = this.custom('domain-refresh', 'DomainRefreshFailed', 'failed');
      this.alarm('DomainRefreshFailed', {
        // A failure the handler reports, or one before it could (start-up, timeout): the function's Errors.
        metric: new MathExpression({
          expression: 'FILL(failed, 0) + FILL(errors, 0)',
          usingMetrics: { failed, errors: domains.refresh.fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }) },
          period: FIVE_MINUTES,
          label: 'domain refresh failures',
        }),
        threshold: 0,
        description:
          'The LivePerson domain refresh failed: the functions keep their cached and stored domains and fall back to CSDS. ' +
          'Check the domain-refresh log (CSDS answer), then invoke it again by hand.',
      });
      widgets.push(new GraphWidget({ title: 'Domain refresh', width: 8, left: [this.custom('domain-refresh', 'DomainRefreshSucceeded', 'succeeded'), failed] }));
    }
    return widgets;
  }

  private deadLetterAlarm(id: string, queue: IQueue, holds: string): void {
    this.alarm(id, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: Stats.MAXIMUM }),
      threshold: 0,
      description:
        `A message is in a dead-letter queue holding ${holds}. Read it (the deadLetterReason attribute says why where set), fix the ` +
        'cause, then redrive it to its source queue or delete it.',
    });
  }

  private queueAgeAlarm(id: string, queue: IQueue, maxAgeSeconds: number, consumer: LivePersonFunctionName): void {
    this.alarm(id, {
      metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM }),
      threshold: maxAgeSeconds,
      description:
        `The oldest message has waited more than ${maxAgeSeconds} s: ${consumer} is not keeping up or keeps failing on one message group. ` +
        `Check ${consumer}'s errors, throttles and log.`,
    });
  }

  private alarm(id: string, props: { metric: IMetric; threshold: number; description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.#name}-${id}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // Each metric here is reported only while something happens (a request, an invocation, a message in the queue):
      // no data means nothing to report, not a failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.#action);
    alarm.addOkAction(this.#action);
    this.#alarms.push(alarm);
    return alarm;
  }

  /** A custom metric at the service level: the dimension set every alarm and line here relies on. */
  private custom(service: LivePersonFunctionName, metricName: string, label: string): Metric {
    return new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [SERVICE_DIMENSION]: service }, statistic: Stats.SUM, period: FIVE_MINUTES, label });
  }
}

function queueWidget(title: string, queue: IQueue, deadLetterQueues: readonly IQueue[], maxAgeSeconds: number): GraphWidget {
  return new GraphWidget({
    title: `${title}: depth and age`,
    width: 8,
    left: [
      queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, label: 'waiting' }),
      queue.metricApproximateNumberOfMessagesNotVisible({ statistic: Stats.MAXIMUM, label: 'in flight' }),
      ...deadLetterQueues.map((dlq, index) =>
        dlq.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, label: index === 0 ? 'dead letters' : 'event route dead letters' }),
      ),
    ],
    right: [queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, label: 'age of oldest (s)' })],
    rightAnnotations: [{ value: maxAgeSeconds, label: 'alarm' }],
  });
}

function wafWidget(webAclName: string): GraphWidget {
  const waf = (metricName: string, rule: string, label: string) =>
    new Metric({ namespace: 'AWS/WAFV2', metricName, dimensionsMap: { WebACL: webAclName, Region: Aws.REGION, Rule: rule }, statistic: Stats.SUM, label });
  return new GraphWidget({
    title: 'AWS WAF on the webhook stage',
    width: 8,
    left: [waf('AllowedRequests', 'ALL', 'allowed'), waf('BlockedRequests', WAF_RATE_RULE_NAME, 'blocked by the rate limit')],
  });
}

function search(query: string): SearchExpression {
  return new SearchExpression({ expression: `SEARCH('${query}', 'Sum', 300)`, period: FIVE_MINUTES });
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}

// The same ranges as the deployment config, for a brand using the construct in its own app.
function validate(t: Thresholds, c2mP99DurationMs: number | undefined): void {
  const problems: string[] = [];
  const wholeAtLeast = (field: keyof Thresholds, min: number) => {
    if (!(Number.isInteger(t[field]) && t[field] >= min)) problems.push(`${field} must be a whole number of at least ${min}, got ${t[field]}`);
  };
  wholeAtLeast('eventQueueMaxAgeSeconds', 60);
  wholeAtLeast('outboundQueueMaxAgeSeconds', 60);
  wholeAtLeast('webhookClientErrorsPer5Minutes', 0);
  wholeAtLeast('webhookServerErrorsPer5Minutes', 0);
  wholeAtLeast('functionErrorsPer5Minutes', 0);
  wholeAtLeast('functionThrottlesPer5Minutes', 0);
  wholeAtLeast('c2mMinimumRequests', 1);
  if (!(t.c2mErrorRatePercent > 0 && t.c2mErrorRatePercent <= 100)) problems.push(`c2mErrorRatePercent must be above 0 and at most 100, got ${t.c2mErrorRatePercent}`);
  if (c2mP99DurationMs !== undefined && !(Number.isInteger(c2mP99DurationMs) && c2mP99DurationMs >= 100)) {
    problems.push(`c2mP99DurationMs must be a whole number of at least 100, got ${c2mP99DurationMs}`);
  }
  if (problems.length > 0) throw new Error(`LivePersonMonitoring: ${problems.join('; ')}`);
}

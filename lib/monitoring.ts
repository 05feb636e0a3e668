// Monitoring: CloudWatch alarms on what breaks the flow (dead letters, stalled queues, webhook errors,
// function errors and throttles, C2M failures and slowness, domain refresh), one encrypted SNS topic
// they notify, and a dashboard of the flow at a glance. Every alarm watches a metric with a fixed
// dimension set (alarms cannot SEARCH): the handlers emit service-level totals for that.
// Each capability's alarms and widgets are in lib/monitoring/, all alarms made by one AlarmFactory.
import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Alarm, IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { z } from 'zod';
import type { LivePersonConnector } from './connector.ts';
import type { LivePersonDomains } from './domains.ts';
import type { LivePersonIngestion } from './ingestion.ts';
import type { LivePersonIvrDeflection } from './ivr-deflection.ts';
import type { LivePersonFunction } from './lambda-function.ts';
import { AlarmFactory } from './monitoring/alarms.ts';
import { watchConnector } from './monitoring/connector.ts';
import { watchDomains } from './monitoring/domains.ts';
import { watchFunctions } from './monitoring/functions.ts';
import { watchHeartbeats } from './monitoring/heartbeats.ts';
import { wafWidget, watchIngestion } from './monitoring/ingestion.ts';
import { c2mSlowThresholdMs, watchC2mFunnel, watchIvrDeflection } from './monitoring/ivr-deflection.ts';
import { watchProcessing } from './monitoring/processing.ts';
import type { LivePersonProcessing } from './processing.ts';
import { monitoringSettingsSchema } from './settings/monitoring.ts';
import type { MonitoringSettingsInput } from './settings/monitoring.ts';
import { resolveSettings } from './settings/resolve.ts';

export interface LivePersonMonitoringProps extends Omit<MonitoringSettingsInput, 'enabled'> {
  /** The LivePerson account (site) id, named in the topic, its key and the dashboard. @default none (required) */
  readonly accountId: string;
  /** Each construct given gets its alarms and dashboard widgets; leave out what the app does not deploy. @default none: no domain refresh alarm or widget */
  readonly domains?: LivePersonDomains;
  /** @default none: no webhook, event queue or WAF alarms and widgets */
  readonly ingestion?: LivePersonIngestion;
  /** @default none: no event-processor widgets or alarms */
  readonly processing?: LivePersonProcessing;
  /** @default none: no C2M alarms and widgets */
  readonly ivrDeflection?: LivePersonIvrDeflection;
  /** @default none: no outbound queue alarms and connector widgets */
  readonly connector?: LivePersonConnector;
  /** Subscribed to the alarm topic (the address confirms the subscription from the first message). @default no subscription */
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
  /** @default 50 */
  readonly c2mUndeliveredPercent?: number;
  /** @default 10 */
  readonly c2mFunnelMinimumSent?: number;
  /**
   * Alarms for silence: `webhookSilenceHours` (12), `c2mSilenceHours` (12, with a Connect instance), `domainRefresh` (true),
   * `businessHours` ({startHourUtc, endHourUtc, days}: silence counts only then). @default all on, at any hour
   */
  readonly heartbeats?: MonitoringSettingsInput['heartbeats'];
  /** Must be below the c2m-invite timeout. @default 6000, or 1 s under the c2m-invite timeout when that is shorter */
  readonly c2mP99DurationMs?: number;
  /** Also the prefix of every alarm name. @default the stack name */
  readonly name?: string;
}

const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,200}$/;

// The monitoring settings plus what only the construct has: its name (a dashboard name), and an email
// that may be a token (a CfnParameter), checked by SNS instead.
const constructSettingsSchema = monitoringSettingsSchema.omit({ enabled: true }).extend({
  alarmEmail: z
    .string({ error: 'must be a string' })
    .refine((email) => Token.isUnresolved(email) || monitoringSettingsSchema.shape.alarmEmail.safeParse(email).success, {
      error: 'must be an email address (it receives the alarm notifications)',
    })
    .optional(),
  name: z.string({ error: 'must be a string' }).regex(DASHBOARD_NAME, {
    error: (issue) => `must be letters, digits, "-" or "_" (a dashboard name), got "${String(issue.input)}"`,
  }),
});

export class LivePersonMonitoring extends Construct {
  /** Every alarm notifies it (ALARM and back to OK). Subscribe more endpoints as needed. */
  readonly alarmTopic: Topic;
  /** Customer managed: CloudWatch cannot publish to a topic under the AWS managed aws/sns key. */
  readonly alarmTopicKey: Key;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  readonly dashboardName: string;
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: LivePersonMonitoringProps) {
    super(scope, id);
    const settings = resolveSettings(this, 'LivePersonMonitoring', constructSettingsSchema, {
      ...props,
      name: props.name ?? Stack.of(this).stackName,
    });
    // Cross-field: against the c2m-invite timeout, so checked once that function is known.
    const c2mSlowMs = props.ivrDeflection ? c2mSlowThresholdMs(this, props.ivrDeflection, settings.c2mP99DurationMs) : undefined;

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
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${settings.name}-*` },
        },
      }),
    );
    if (settings.alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));

    // One dashboard row per capability, in the flow's order; the alarms are created in this scope (stable logical ids).
    const alarms = new AlarmFactory(this, settings.name, new SnsAction(this.alarmTopic));
    const rows: IWidget[][] = [];
    if (props.ingestion) rows.push(watchIngestion(alarms, props.ingestion, settings));
    if (props.processing) rows.push(watchProcessing(props.processing));
    if (props.ivrDeflection && c2mSlowMs !== undefined) rows.push(watchIvrDeflection(alarms, props.ivrDeflection, settings, c2mSlowMs));
    if (props.ivrDeflection?.funnel) rows.push(watchC2mFunnel(alarms, props.ivrDeflection.funnel, settings));
    if (props.connector) rows.push(watchConnector(alarms, props.connector, settings));
    const functions = [
      props.ingestion?.receiver,
      props.processing?.processor,
      props.ivrDeflection?.c2mInvite,
      props.ivrDeflection?.funnel?.function,
      props.connector?.sender,
      props.domains?.refresh,
    ];
    rows.push([
      ...watchFunctions(
        alarms,
        functions.filter((fn): fn is LivePersonFunction => fn !== undefined),
        settings,
      ),
      ...(props.domains ? watchDomains(alarms, props.domains) : []),
    ]);
    watchHeartbeats(
      alarms,
      {
        webhooks: props.ingestion !== undefined,
        c2m: props.ivrDeflection?.connectInstanceAllowed ?? false,
        domainRefreshHours: props.domains?.refreshHours,
      },
      settings.heartbeats,
    );
    const waf = props.ingestion?.webAcl?.name;
    if (waf !== undefined) rows.push([wafWidget(waf)]);
    this.alarms = alarms.alarms;

    this.dashboardName = settings.name;
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
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24, height: 2 + Math.ceil(this.alarms.length / 4) })],
        ...rows,
      ],
    });
  }
}

// Monitoring: every alarm with its metric, dimensions, threshold and missing-data rule; the encrypted,
// TLS-only alarm topic; the optional email subscription; the dashboard; the config block.
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeploymentConfigError, parseDeploymentConfig } from '#lib/config.ts';
import { LivePersonDomains } from '#lib/domains.ts';
import { LivePersonIngestion } from '#lib/ingestion.ts';
import { LivePersonIvrDeflection } from '#lib/ivr-deflection.ts';
import { LivePersonMonitoring } from '#lib/monitoring.ts';
import { MONITORING_DEFAULTS } from '#lib/settings/monitoring.ts';
import { ConstructPropsError } from '#lib/settings/resolve.ts';
import type { DeploymentConfigInput } from '#lib/config.ts';
import { CLI_CONTEXT, SKIP_BUNDLING, logicalIdsAt, templateOf } from './helpers.ts';

type Properties = Record<string, unknown>;

function alarmsOf(template: Template): Record<string, Properties> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((resource) => {
      const properties = (resource as { Properties: Properties }).Properties;
      return [String(properties.AlarmName).replace(/^LivePerson-12345678-/, ''), properties];
    }),
  );
}

function onlyId(template: Template, type: string, pathPart: string): string {
  const ids = logicalIdsAt(template, type, pathPart);
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

/** The dashboard body as one string, tokens rendered as `<LogicalId>`, so it can be read as JSON. */
function dashboardBody(template: Template): { widgets: Array<{ type: string; properties: Properties }> } {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } };
  const body = dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, "'")}>`)).join('');
  return JSON.parse(text) as { widgets: Array<{ type: string; properties: Properties }> };
}

const lambdaAlarm = (metricName: string, functionId: string) => ({
  Namespace: 'AWS/Lambda',
  MetricName: metricName,
  Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
  Statistic: 'Sum',
  Period: 300,
  Threshold: 0,
});
const serviceMetric = (metricName: string, service: string, period = 300) => ({
  MetricStat: {
    Metric: { Namespace: 'LivePerson', MetricName: metricName, Dimensions: [{ Name: 'service', Value: service }] },
    Period: period,
    Stat: 'Sum',
  },
  ReturnData: false,
});

describe('LivePersonMonitoring (default config: every capability)', () => {
  let template: Template;
  let alarms: Record<string, Properties>;
  let topicId: string;
  const id = (type: string, pathPart: string) => onlyId(template, type, pathPart);
  beforeAll(() => {
    template = templateOf({ accountId: '12345678' });
    alarms = alarmsOf(template);
    topicId = id('AWS::SNS::Topic', '/Monitoring/AlarmTopic/');
  });

  it('creates exactly these alarms', () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'EventDeadLetters',
        'OutboundDeadLetters',
        'EventQueueStalled',
        'OutboundQueueStalled',
        'WebhookClientErrors',
        'WebhookServerErrors',
        'WebhookReceiverErrors',
        'WebhookReceiverThrottles',
        'EventProcessorErrors',
        'EventProcessorThrottles',
        'C2mInviteErrors',
        'C2mInviteThrottles',
        'ConnectorSendErrors',
        'ConnectorSendThrottles',
        'DomainRefreshThrottles',
        'DomainRefreshFailed',
        'C2mErrorRate',
        'C2mSlow',
        'C2mFunnelErrors',
        'C2mFunnelThrottles',
        'C2mInvitesUndelivered',
        'WebhooksSilent',
        'DomainRefreshSilent',
      ].sort(),
    );
  });

  it('alarms on the first breaching period, counts no data as fine, and notifies the topic on ALARM and OK', () => {
    // The heartbeats alarm on silence: they have their own tests below.
    for (const [name, properties] of Object.entries(alarms).filter(([alarmName]) => !alarmName.endsWith('Silent'))) {
      expect(properties, name).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
        AlarmDescription: expect.stringMatching(/\w.{40,}/),
      });
    }
  });

  it('alarms on any message in a dead-letter queue', () => {
    for (const [name, pathPart] of [
      ['EventDeadLetters', '/Ingestion/DeadLetterQueue/'],
      ['OutboundDeadLetters', '/Connector/DeadLetterQueue/'],
    ] as const) {
      expect(alarms[name]).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id('AWS::SQS::Queue', pathPart), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 0,
      });
    }
  });

  it('alarms when the oldest event or command has waited over 300 s', () => {
    for (const [name, pathPart] of [
      ['EventQueueStalled', '/Ingestion/EventQueue/'],
      ['OutboundQueueStalled', '/Connector/OutboundQueue/'],
    ] as const) {
      expect(alarms[name]).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id('AWS::SQS::Queue', pathPart), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 300,
      });
    }
  });

  it('alarms on more than 50 4xx and on any 5xx of the webhook stage in 5 minutes', () => {
    const dimensions = [
      { Name: 'ApiName', Value: 'LivePerson-12345678-webhooks' },
      { Name: 'Stage', Value: { Ref: id('AWS::ApiGateway::Stage', '/Ingestion/Api/') } },
    ];
    expect(alarms.WebhookClientErrors).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '4XXError',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 50,
    });
    expect(alarms.WebhookServerErrors).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
    });
  });

  it('alarms on any error and any throttle of each function', () => {
    const functions = {
      WebhookReceiver: '/Ingestion/Receiver/Function/',
      EventProcessor: '/Processing/Processor/Function/',
      C2mInvite: '/IvrDeflection/Function/Function/',
      C2mFunnel: '/IvrDeflection/Funnel/Function/',
      ConnectorSend: '/Connector/Sender/Function/',
      DomainRefresh: '/Domains/Refresh/Function/',
    };
    for (const [name, pathPart] of Object.entries(functions)) {
      const functionId = id('AWS::Lambda::Function', pathPart);
      expect(alarms[`${name}Throttles`], name).toMatchObject(lambdaAlarm('Throttles', functionId));
      // domain-refresh's errors count in DomainRefreshFailed instead: one alarm per incident.
      if (name !== 'DomainRefresh') expect(alarms[`${name}Errors`], name).toMatchObject(lambdaAlarm('Errors', functionId));
    }
  });

  it('alarms when over 20% of at least 10 C2M requests in 5 minutes answered ERROR (service-level metrics, metric math)', () => {
    expect(alarms.C2mErrorRate).toMatchObject({
      Threshold: 20,
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)', ReturnData: true },
        { Id: 'requests', ...serviceMetric('C2mRequests', 'c2m-invite') },
        { Id: 'errors', ...serviceMetric('C2mErrors', 'c2m-invite') },
      ],
    });
  });

  it('alarms when over 50% of at least 10 C2M invites sent in an hour were not delivered (the funnel, metric math)', () => {
    expect(alarms.C2mInvitesUndelivered).toMatchObject({
      Threshold: 50,
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(sent >= 10, 100 * (sent - FILL(delivered, 0)) / sent, 0)', ReturnData: true },
        { Id: 'sent', ...serviceMetric('C2mInvitesSent', 'c2m-funnel', 3600) },
        { Id: 'delivered', ...serviceMetric('C2mInvitesDelivered', 'c2m-funnel', 3600) },
      ],
    });
    expect(alarms.C2mInvitesUndelivered?.AlarmDescription).toContain('every 15 minutes');
  });

  it('alarms after 12 hours without an accepted webhook, counting an hour without data as silent (heartbeat)', () => {
    expect(alarms.WebhooksSilent).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 12,
      DatapointsToAlarm: 12,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topicId }],
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(FILL(m, 0) == 0, 1, 0)', ReturnData: true },
        { Id: 'm', ...serviceMetric('WebhookAccepted', 'webhook-receiver', 3600) },
      ],
    });
  });

  it('alarms when no domain refresh succeeded for two 12-hour intervals, and has no C2M heartbeat without a Connect instance', () => {
    expect(alarms.DomainRefreshSilent).toMatchObject({
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      Metrics: [
        { Expression: 'IF(FILL(m, 0) == 0, 1, 0)' },
        { Id: 'm', ...serviceMetric('DomainRefreshSucceeded', 'domain-refresh', 43_200) },
      ],
    });
    expect(alarms.C2mSilent).toBeUndefined();
  });

  it("alarms when the p99 duration of c2m-invite passes 6000 ms, under Connect's 8 s", () => {
    const { Statistic: _sum, ...duration } = lambdaAlarm('Duration', id('AWS::Lambda::Function', '/IvrDeflection/Function/Function/'));
    expect(alarms.C2mSlow).toMatchObject({ ...duration, ExtendedStatistic: 'p99', Threshold: 6000 });
    expect(alarms.C2mSlow?.Statistic).toBeUndefined();
  });

  it("alarms on any domain refresh failure, reported or not (DomainRefreshFailed or the function's Errors)", () => {
    expect(alarms.DomainRefreshFailed).toMatchObject({
      Threshold: 0,
      Metrics: [
        { Id: 'expr_1', Expression: 'FILL(failed, 0) + FILL(errors, 0)', ReturnData: true },
        { Id: 'failed', ...serviceMetric('DomainRefreshFailed', 'domain-refresh') },
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: { Ref: id('AWS::Lambda::Function', '/Domains/Refresh/Function/') } }],
            },
            Period: 300,
            Stat: 'Sum',
          },
        },
      ],
    });
  });

  it('never alarms on a SEARCH expression or a metric without a fixed dimension set', () => {
    const text = JSON.stringify(alarms);
    expect(text).not.toContain('SEARCH');
    for (const properties of Object.values(alarms)) {
      const metrics = (properties.Metrics as Array<{ MetricStat?: { Metric: { Dimensions?: unknown[] } } }> | undefined) ?? [];
      const dimensionSets =
        properties.Metrics === undefined
          ? [properties.Dimensions]
          : metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric.Dimensions);
      for (const dimensions of dimensionSets) expect((dimensions as unknown[] | undefined)?.length).toBeGreaterThan(0);
    }
  });

  it('notifies an SNS topic encrypted with a rotated customer managed key CloudWatch may use for this account only', () => {
    const keyId = id('AWS::KMS::Key', '/Monitoring/AlarmTopicKey/');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToUseTheKey',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            // CloudWatch acting for another account cannot use the key (confused deputy).
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });

  it("makes the topic TLS-only and lets this stack's alarms publish to it", () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Sid: Match.anyValue(),
          },
          {
            Sid: 'AllowThisStacksAlarms',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:LivePerson-12345678-*',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('subscribes no email unless one is configured', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('draws the flow on a dashboard named after the stack', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'LivePerson-12345678' });
    const { widgets } = dashboardBody(template);
    expect(widgets.map((w) => w.properties.title ?? (w.type === 'text' ? 'text' : undefined))).toEqual([
      'text',
      'Alarms',
      'Webhooks accepted / rejected',
      'Webhooks rejected by route and reason',
      'Event queue: depth and age',
      'Events processed / duplicates / failures / unknown types',
      'Events failed by reason',
      'event-processor duration (ms)',
      'C2M requests and errors',
      'C2M invites by action and result',
      'c2m-invite duration (ms)',
      'C2M funnel (invites per hour)',
      'C2M funnel by channel (delivered, conversations)',
      'C2M funnel runs',
      'Connector commands',
      'Connector conversations opened',
      'Outbound queue: depth and age',
      'Function errors',
      'Function throttles',
      'Domain refresh',
    ]);
    const alarmStatus = widgets.find((w) => w.type === 'alarm');
    expect((alarmStatus?.properties.alarms as unknown[]).length).toBe(Object.keys(alarms).length);
    // The breakdowns only a dashboard may SEARCH for.
    const text = JSON.stringify(widgets);
    expect(text).toContain(`SEARCH('{LivePerson,Reason,Route,service} MetricName=\\"WebhookRejectedByReason\\"', 'Sum', 300)`);
    expect(text).toContain(`SEARCH('{LivePerson,Reason,service} MetricName=\\"EventsFailedByReason\\"', 'Sum', 300)`);
    expect(text).toContain(`SEARCH('Namespace=\\"LivePerson\\" MetricName=\\"C2mResults\\"', 'Sum', 300)`);
    expect(text).toContain(`SEARCH('{LivePerson,Channel,service} MetricName=\\"C2mInvitesDelivered\\"', 'Sum', 3600)`);
    for (const metric of [
      'WebhookAccepted',
      'WebhookRejected',
      'EventsProcessed',
      'DuplicatesSkipped',
      'UnknownEvents',
      'EventsFailed',
      'CommandsApplied',
      'CommandsFailed',
      'CommandsRejected',
    ]) {
      expect(text).toContain(`"LivePerson","${metric}","service"`);
    }
  });

  it('outputs the topic and the dashboard', () => {
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
    template.hasOutput('DashboardName', { Value: 'LivePerson-12345678' });
    template.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['https://console.aws.amazon.com/cloudwatch/home?region=', { Ref: 'AWS::Region' }, '#dashboards/dashboard/LivePerson-12345678'],
        ],
      },
    });
  });
});

describe('LivePersonMonitoring (custom config)', () => {
  it('takes every threshold from the monitoring block, and subscribes the alarm email', () => {
    const template = templateOf({
      accountId: '12345678',
      monitoring: {
        alarmEmail: 'oncall@example.com',
        eventQueueMaxAgeSeconds: 600,
        outboundQueueMaxAgeSeconds: 900,
        webhookClientErrorsPer5Minutes: 200,
        webhookServerErrorsPer5Minutes: 5,
        functionErrorsPer5Minutes: 2,
        functionThrottlesPer5Minutes: 3,
        c2mErrorRatePercent: 35,
        c2mMinimumRequests: 25,
        c2mP99DurationMs: 5000,
        c2mUndeliveredPercent: 30,
        c2mFunnelMinimumSent: 40,
      },
    });
    const alarms = alarmsOf(template);
    expect(alarms.EventQueueStalled?.Threshold).toBe(600);
    expect(alarms.OutboundQueueStalled?.Threshold).toBe(900);
    expect(alarms.WebhookClientErrors?.Threshold).toBe(200);
    expect(alarms.WebhookServerErrors?.Threshold).toBe(5);
    expect(alarms.EventProcessorErrors?.Threshold).toBe(2);
    expect(alarms.C2mInviteThrottles?.Threshold).toBe(3);
    expect(alarms.C2mErrorRate).toMatchObject({
      Threshold: 35,
      Metrics: [{ Expression: 'IF(requests >= 25, 100 * FILL(errors, 0) / requests, 0)' }, {}, {}],
    });
    expect(alarms.C2mSlow?.Threshold).toBe(5000);
    expect(alarms.C2mInvitesUndelivered).toMatchObject({
      Threshold: 30,
      Metrics: [{ Expression: 'IF(sent >= 40, 100 * (sent - FILL(delivered, 0)) / sent, 0)' }, {}, {}],
    });
    // Dead letters and domain refresh failures alarm on any.
    expect(alarms.EventDeadLetters?.Threshold).toBe(0);
    expect(alarms.DomainRefreshFailed?.Threshold).toBe(0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') },
    });
  });

  it('keeps the C2M duration alarm under a shorter function timeout', () => {
    expect(alarmsOf(templateOf({ accountId: '12345678', c2m: { timeoutSeconds: 5 } })).C2mSlow?.Threshold).toBe(4000);
  });

  it('alarms on the connector event route dead-letter queue when the route is on', () => {
    const template = templateOf({ accountId: '12345678', connector: { eventRoute: true } });
    expect(alarmsOf(template).EventRouteDeadLetters).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [onlyId(template, 'AWS::SQS::Queue', '/Connector/EventRouteDeadLetterQueue/'), 'QueueName'] },
        },
      ],
      Threshold: 0,
    });
  });

  it('graphs AWS WAF requests when the web ACL is on', () => {
    const { widgets } = dashboardBody(templateOf({ accountId: '12345678', ingestion: { waf: { enabled: true } } }));
    const waf = widgets.find((w) => w.properties.title === 'AWS WAF on the webhook stage');
    expect(JSON.stringify(waf?.properties.metrics)).toContain(
      `"AWS/WAFV2","BlockedRequests","Region","<{'Ref':'AWS::Region'}>","Rule","RateLimitPerIp","WebACL","LivePerson-12345678-webhooks"`,
    );
  });

  it('only watches what is deployed', () => {
    const alarms = alarmsOf(
      templateOf({ accountId: '12345678', capabilities: { processing: false, connector: false, ivrDeflection: false } }),
    );
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'EventDeadLetters',
        'EventQueueStalled',
        'WebhookClientErrors',
        'WebhookServerErrors',
        'WebhookReceiverErrors',
        'WebhookReceiverThrottles',
        'DomainRefreshThrottles',
        'DomainRefreshFailed',
        'WebhooksSilent',
        'DomainRefreshSilent',
      ].sort(),
    );
  });

  it('alarms when the contact flow stopped calling C2M, only within business hours when they are set', () => {
    const template = templateOf({
      accountId: '12345678',
      connectInstanceArn: 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555',
      domainRefreshHours: 6,
      monitoring: { heartbeats: { c2mSilenceHours: 3, webhookSilenceHours: 24, businessHours: { startHourUtc: 13, endHourUtc: 22 } } },
    });
    const alarms = alarmsOf(template);
    const inHours = 'FILL(m, 0) == 0 AND HOUR(FILL(m, 0)) >= 13 AND HOUR(FILL(m, 0)) < 22 AND DAY(FILL(m, 0)) <= 5';
    expect(alarms.C2mSilent).toMatchObject({
      EvaluationPeriods: 3,
      Metrics: [{ Expression: `IF(${inHours}, 1, 0)` }, { Id: 'm', ...serviceMetric('C2mRequests', 'c2m-invite', 3600) }],
      AlarmDescription: expect.stringContaining('No C2M request for 3 hours (counting only 13:00–22:00 UTC, Monday to Friday)'),
    });
    expect(alarms.WebhooksSilent).toMatchObject({ EvaluationPeriods: 24, Metrics: [{ Expression: `IF(${inHours}, 1, 0)` }, {}] });
    // The refresh runs day and night: no business hours for it.
    expect(alarms.DomainRefreshSilent).toMatchObject({
      Metrics: [{ Expression: 'IF(FILL(m, 0) == 0, 1, 0)' }, { ...serviceMetric('DomainRefreshSucceeded', 'domain-refresh', 21_600) }],
    });
    const overnight = alarmsOf(
      templateOf({
        accountId: '12345678',
        monitoring: { heartbeats: { businessHours: { startHourUtc: 22, endHourUtc: 6, days: 'every-day' } } },
      }),
    );
    expect(overnight.WebhooksSilent).toMatchObject({
      Metrics: [{ Expression: 'IF(FILL(m, 0) == 0 AND (HOUR(FILL(m, 0)) >= 22 OR HOUR(FILL(m, 0)) < 6), 1, 0)' }, {}],
    });
    const off = alarmsOf(
      templateOf({ accountId: '12345678', monitoring: { heartbeats: { webhookSilenceHours: false, domainRefresh: false } } }),
    );
    expect(Object.keys(off).filter((name) => name.endsWith('Silent'))).toEqual([]);
  });

  it('builds nothing of monitoring when disabled', () => {
    const template = templateOf({ accountId: '12345678', monitoring: { enabled: false } });
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::SNS::Topic', 'AWS::KMS::Key'])
      template.resourceCountIs(type, 0);
    const outputs = Object.keys(template.toJSON().Outputs as object);
    for (const name of ['AlarmTopicArn', 'DashboardName', 'DashboardUrl']) expect(outputs).not.toContain(name);
  });
});

describe('monitoring config', () => {
  function issues(monitoring: Record<string, unknown>, extra: Partial<DeploymentConfigInput> = {}): readonly string[] {
    try {
      parseDeploymentConfig({ accountId: '12345678', ...extra, monitoring });
    } catch (error) {
      expect(error).toBeInstanceOf(DeploymentConfigError);
      return (error as DeploymentConfigError).issues;
    }
    throw new Error('expected a DeploymentConfigError');
  }

  it('applies the defaults to an empty block, on by default', () => {
    const { c2mP99DurationMs, ...schemaDefaults } = MONITORING_DEFAULTS;
    expect(c2mP99DurationMs).toBe(6000);
    expect(parseDeploymentConfig({ accountId: '1', monitoring: {} }).monitoring).toEqual(schemaDefaults);
    expect(MONITORING_DEFAULTS).toEqual({
      enabled: true,
      eventQueueMaxAgeSeconds: 300,
      outboundQueueMaxAgeSeconds: 300,
      webhookClientErrorsPer5Minutes: 50,
      webhookServerErrorsPer5Minutes: 0,
      functionErrorsPer5Minutes: 0,
      functionThrottlesPer5Minutes: 0,
      c2mErrorRatePercent: 20,
      c2mMinimumRequests: 10,
      c2mP99DurationMs: 6000,
      c2mUndeliveredPercent: 50,
      c2mFunnelMinimumSent: 10,
      heartbeats: { webhookSilenceHours: 12, c2mSilenceHours: 12, domainRefresh: true },
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ enabled: 'no' }, 'monitoring.enabled: must be true or false'],
    [{ alarmEmail: 'oncall' }, 'monitoring.alarmEmail: must be an email address'],
    [
      { eventQueueMaxAgeSeconds: 30 },
      'monitoring.eventQueueMaxAgeSeconds: must be at least 60 seconds (SQS reports the age once a minute)',
    ],
    [{ outboundQueueMaxAgeSeconds: 1_209_601 }, 'monitoring.outboundQueueMaxAgeSeconds: must be at most 1209600 seconds'],
    [{ webhookClientErrorsPer5Minutes: -1 }, 'monitoring.webhookClientErrorsPer5Minutes: must be at least 0 (0 alarms on any)'],
    [{ functionErrorsPer5Minutes: 0.5 }, 'monitoring.functionErrorsPer5Minutes: must be a whole number'],
    [{ c2mErrorRatePercent: 0 }, 'monitoring.c2mErrorRatePercent: must be greater than 0 percent'],
    [{ c2mErrorRatePercent: 101 }, 'monitoring.c2mErrorRatePercent: must be at most 100 percent'],
    [{ c2mMinimumRequests: 0 }, 'monitoring.c2mMinimumRequests: must be at least 1 request'],
    [{ c2mP99DurationMs: 50 }, 'monitoring.c2mP99DurationMs: must be at least 100 ms'],
    [
      { c2mP99DurationMs: 7000 },
      'monitoring.c2mP99DurationMs: must be below c2m.timeoutSeconds (7000 ms): a call that slow has already timed out',
    ],
    [{ email: 'a@b.c' }, 'monitoring.email: is not a known field'],
    [
      { heartbeats: { webhookSilenceHours: 0 } },
      'monitoring.heartbeats.webhookSilenceHours: must be a whole number of hours from 1 to 168',
    ],
    [{ heartbeats: { c2mSilenceHours: 200 } }, 'monitoring.heartbeats.c2mSilenceHours: must be a whole number of hours from 1 to 168'],
    [
      { heartbeats: { businessHours: { startHourUtc: 8, endHourUtc: 8 } } },
      'monitoring.heartbeats.businessHours: startHourUtc and endHourUtc must differ',
    ],
    [
      { heartbeats: { businessHours: { startHourUtc: 24, endHourUtc: 8 } } },
      'monitoring.heartbeats.businessHours.startHourUtc: must be 0 to 23',
    ],
    [
      { heartbeats: { businessHours: { startHourUtc: 8, endHourUtc: 18, days: 'mondays' } } },
      'monitoring.heartbeats.businessHours.days: must be "weekdays" or "every-day"',
    ],
  ])('names the field for a bad monitoring value %j', (monitoring, expected) => {
    expect(issues(monitoring)).toEqual([expect.stringContaining(expected)]);
  });

  it('checks the C2M duration threshold against the configured C2M timeout', () => {
    expect(issues({ c2mP99DurationMs: 4500 }, { c2m: { timeoutSeconds: 4 } })).toEqual([
      expect.stringContaining('must be below c2m.timeoutSeconds (4000 ms)'),
    ]);
  });
});

describe('LivePersonMonitoring construct on its own', () => {
  function standalone(
    props: Partial<ConstructorParameters<typeof LivePersonMonitoring>[2]> = {},
    withIngestion = false,
    c2mTimeoutSeconds: number | undefined = undefined,
  ) {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Brand');
    const secret = new Secret(stack, 'Secret');
    const credentials = { secret, secretId: secret.secretArn };
    const domains = new LivePersonDomains(stack, 'Domains', { accountId: '42', refreshOnDeploy: false });
    const ingestion = withIngestion ? new LivePersonIngestion(stack, 'Webhooks', { accountId: '42', credentials }) : undefined;
    const ivrDeflection =
      c2mTimeoutSeconds === undefined
        ? undefined
        : new LivePersonIvrDeflection(stack, 'Ivr', { accountId: '42', credentials, timeoutSeconds: c2mTimeoutSeconds });
    const monitoring = new LivePersonMonitoring(stack, 'Monitoring', {
      accountId: '42',
      domains,
      ...(ingestion ? { ingestion } : {}),
      ...(ivrDeflection ? { ivrDeflection } : {}),
      ...props,
    });
    return { monitoring, stack, template: Template.fromStack(stack) };
  }

  it('watches only the constructs it is given, and prefixes alarm names with its name', () => {
    const { monitoring, template } = standalone({ name: 'brand-lp' }, true);
    expect(monitoring.alarms.map((alarm) => alarm.node.id).sort()).toEqual(
      [
        'DomainRefreshFailed',
        'DomainRefreshThrottles',
        'EventDeadLetters',
        'EventQueueStalled',
        'WebhookClientErrors',
        'WebhookReceiverErrors',
        'WebhookReceiverThrottles',
        'WebhookServerErrors',
        'WebhooksSilent',
        'DomainRefreshSilent',
      ].sort(),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'brand-lp-EventQueueStalled' });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'brand-lp' });
  });

  it('refuses impossible thresholds and names, naming the construct path and each field', () => {
    expect(() => standalone({ eventQueueMaxAgeSeconds: 10, c2mErrorRatePercent: 0 })).toThrow(
      'LivePersonMonitoring at Brand/Monitoring: eventQueueMaxAgeSeconds: must be at least 60 seconds (SQS reports the age once a minute); ' +
        'c2mErrorRatePercent: must be greater than 0 percent',
    );
    expect(() => standalone({ name: 'has space' })).toThrow(
      'LivePersonMonitoring at Brand/Monitoring: name: must be letters, digits, "-" or "_" (a dashboard name), got "has space"',
    );
    expect(() => standalone({ c2mP99DurationMs: 50.5, outboundQueueMaxAgeSeconds: 1_209_601, c2mMinimumRequests: 0 })).toThrow(
      'LivePersonMonitoring at Brand/Monitoring: outboundQueueMaxAgeSeconds: must be at most 1209600 seconds (14 days, the longest SQS keeps a message); ' +
        'c2mMinimumRequests: must be at least 1 request; c2mP99DurationMs: must be a whole number of milliseconds',
    );
  });

  it('throws a ConstructPropsError listing every issue', () => {
    let error: unknown;
    try {
      standalone({ webhookClientErrorsPer5Minutes: -1, functionThrottlesPer5Minutes: 1.5 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConstructPropsError);
    expect((error as ConstructPropsError).path).toBe('Brand/Monitoring');
    expect((error as ConstructPropsError).issues).toEqual([
      'webhookClientErrorsPer5Minutes: must be at least 0 (0 alarms on any)',
      'functionThrottlesPer5Minutes: must be a whole number',
    ]);
  });

  it('checks the alarm email, unless it is a token', () => {
    expect(() => standalone({ alarmEmail: 'oncall' })).toThrow(
      'LivePersonMonitoring at Brand/Monitoring: alarmEmail: must be an email address (it receives the alarm notifications)',
    );
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Brand');
    const email = new CfnParameter(stack, 'AlarmEmail').valueAsString;
    new LivePersonMonitoring(stack, 'Monitoring', { accountId: '42', alarmEmail: email });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
  });

  it('keeps the C2M duration alarm below the c2m-invite timeout', () => {
    const alarmsOfStandalone = (props: Partial<ConstructorParameters<typeof LivePersonMonitoring>[2]>, timeoutSeconds: number) =>
      alarmsOf(standalone(props, false, timeoutSeconds).template);
    expect(alarmsOfStandalone({ name: 'LivePerson-12345678' }, 7).C2mSlow?.Threshold).toBe(6000);
    expect(alarmsOfStandalone({ name: 'LivePerson-12345678' }, 4).C2mSlow?.Threshold).toBe(3000);
    expect(alarmsOfStandalone({ name: 'LivePerson-12345678', c2mP99DurationMs: 4500 }, 5).C2mSlow?.Threshold).toBe(4500);
    expect(() => standalone({ c2mP99DurationMs: 5000 }, false, 5)).toThrow(
      'LivePersonMonitoring at Brand/Monitoring: c2mP99DurationMs: must be below the c2m-invite timeout (5000 ms), got 5000',
    );
  });
});

import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseFunctionEnvironment } from '#contract/environment.ts';
import { describe, expect, it } from 'vitest';
import { DeploymentConfigError, parseDeploymentConfig } from '#lib/config.ts';
import { LivePersonConnector, type LivePersonConnectorProps } from '#lib/connector.ts';
import { connectorSettingsSchema } from '#lib/settings/connector.ts';
import { CLI_CONTEXT, SKIP_BUNDLING } from './helpers.ts';

function build(overrides: Partial<LivePersonConnectorProps> = {}, options: { eventRoute?: boolean } = {}) {
  const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
  const stack = new Stack(app, 'Test');
  const stateTable = new Table(stack, 'State', {
    partitionKey: { name: 'conversationId', type: AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const idempotencyTable = new Table(stack, 'Idempotency', {
    partitionKey: { name: 'id', type: AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const secret = new Secret(stack, 'Secret');
  const bus = new EventBus(stack, 'BrandBus');
  const connector = new LivePersonConnector(stack, 'Connector', {
    accountId: '12345678',
    credentials: { secret, secretId: secret.secretArn },
    stateTable,
    idempotencyTable,
    ...(options.eventRoute ? { eventRoute: { eventBus: bus } } : {}),
    ...overrides,
  });
  return { app, stack, connector, template: Template.fromStack(stack) };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const statementsOf = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
const nagFindings = (app: App) =>
  new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
    .filter((finding) => finding.includes('/Connector/'));

describe('LivePersonConnector', () => {
  const { template, connector, stack } = build();

  it('takes commands on an encrypted, TLS-only, high-throughput FIFO queue with explicit deduplication ids and a FIFO DLQ', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 24 * 3600,
      VisibilityTimeout: 180,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
    for (const queue of [connector.outboundQueue, connector.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [stack.resolve(queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    expect(connector.eventRule).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  it('drives the function from the queue with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorOutboundQueue'), 'Arn'] },
    });
    template.resourcePropertiesCountIs('AWS::Lambda::EventSourceMapping', { MaximumBatchingWindowInSeconds: Match.anyValue() }, 0);
  });

  it('gives the function the contract environment, its tables and queues', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          LP_ACCOUNT_ID: '12345678',
          LP_SECRET_ID: { Ref: Match.stringLikeRegexp('^Secret') },
          LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/',
          LP_CSDS_URL: 'https://api.liveperson.net',
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp('^State') },
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Idempotency') },
          OUTBOUND_QUEUE_URL: { Ref: Match.stringLikeRegexp('^ConnectorOutboundQueue') },
          OUTBOUND_DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^ConnectorDeadLetterQueue') },
          IDEMPOTENCY_TTL_SECONDS: String(96 * 3600),
          CONSUMER_RETENTION_DAYS: '90',
          POWERTOOLS_SERVICE_NAME: 'connector-send',
        }),
      },
    });
  });

  it('scopes every permission to its own resource and only the actions the function uses', () => {
    const bySid = Object.fromEntries(
      statementsOf(template)
        .filter((s) => s.Sid)
        .map((s) => [s.Sid, s]),
    );
    expect(bySid.ConsumerState).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^State/), 'Arn'] },
    });
    expect(bySid.Idempotency).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Idempotency/), 'Arn'] },
    });
    expect(bySid.ParkRejectedCommands).toMatchObject({
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ConnectorDeadLetterQueue/), 'Arn'] },
    });
    expect(bySid.ForwardCommandEvents).toBeUndefined();

    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('secretsmanager:GetSecretValue');
    expect(policy).toContain('ssm:GetParameter');
    expect(policy).not.toMatch(/dynamodb:(Scan|Query|BatchWriteItem|DeleteItem[^"]*"[^\]]*State)/);
    // Nothing beyond those tables: no index or stream wildcard, no other table.
    for (const statement of statementsOf(template).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))) {
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    // The queue consumer permissions come from the event source, on the outbound queue only.
    const consume = statementsOf(template).find((s) => [s.Action].flat().includes('sqs:ReceiveMessage'));
    expect(consume?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ConnectorOutboundQueue/), 'Arn'] });
  });

  it('sets routing defaults, and refuses impossible settings', () => {
    build({ defaultRouting: { campaignId: '11', engagementId: '22' }, batchSize: 5, maxConcurrency: 3 }).template.hasResourceProperties(
      'AWS::Lambda::Function',
      {
        Environment: { Variables: Match.objectLike({ CONNECTOR_DEFAULT_CAMPAIGN_ID: '11', CONNECTOR_DEFAULT_ENGAGEMENT_ID: '22' }) },
      },
    );
    build({ defaultRouting: { skillId: '-1' } }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONNECTOR_DEFAULT_SKILL_ID: '-1' }) },
    });
    expect(() => build({ batchSize: 11 })).toThrow('LivePersonConnector at Test/Connector: batchSize: must be at most 10 records');
    expect(() => build({ defaultRouting: { campaignId: '1' } })).toThrow('defaultRouting: needs campaignId and engagementId together');
    expect(() => build({ queueRetentionDays: 7 })).toThrow(
      'idempotencyTtlHours: is 96 h but must cover connector.queueRetentionDays (168 h)',
    );
    expect(() => build({ timeoutSeconds: 2 })).toThrow('timeoutSeconds: must be at least 5 seconds');
  });

  it('passes the client properties to the function, which reads them back with the default features when none are set', () => {
    const variables = (props: Parameters<typeof build>[0]) =>
      Object.values(build(props).template.findResources('AWS::Lambda::Function'))
        .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables ?? {})
        .find((v) => 'OUTBOUND_DEAD_LETTER_QUEUE_URL' in v) ?? {};
    const set = variables({ clientProperties: { features: ['QUICK_REPLIES', 'AUTO_MESSAGES'], appId: 'kiosk', deviceFamily: 'TABLET' } });
    const parse = (value: string | undefined) =>
      parseFunctionEnvironment('connector-send', {
        STATE_TABLE_NAME: 't',
        IDEMPOTENCY_TABLE_NAME: 'i',
        OUTBOUND_DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/dlq.fifo',
        CONNECTOR_CLIENT_PROPERTIES: value,
      });
    expect(parse(set.CONNECTOR_CLIENT_PROPERTIES)).toMatchObject({
      ok: true,
      value: {
        CONNECTOR_CLIENT_PROPERTIES: {
          type: '.ClientProperties',
          integration: 'BRAND_SDK',
          appId: 'kiosk',
          deviceFamily: 'TABLET',
          features: ['QUICK_REPLIES', 'AUTO_MESSAGES'],
        },
      },
    });
    expect(variables({}).CONNECTOR_CLIENT_PROPERTIES).toBeUndefined();
    expect(parse(undefined)).toMatchObject({
      ok: true,
      value: {
        CONNECTOR_CLIENT_PROPERTIES: {
          type: '.ClientProperties',
          features: ['RICH_CONTENT', 'QUICK_REPLIES', 'MULTI_DIALOG', 'PHOTO_SHARING'],
        },
      },
    });
    expect(parse('{"features": ["quick replies"]}')).toEqual({
      ok: false,
      problems: ['CONNECTOR_CLIENT_PROPERTIES .features.0: a feature is a name like QUICK_REPLIES'],
    });
    expect(parse('{features')).toEqual({ ok: false, problems: ['CONNECTOR_CLIENT_PROPERTIES is not JSON'] });
    expect(() => build({ clientProperties: { features: ['QUICK_REPLIES', 'QUICK_REPLIES'] } })).toThrow(
      'clientProperties.features: lists a feature twice',
    );
    expect(() => build({ clientProperties: { os: 'BEOS' as 'OTHER' } })).toThrow('clientProperties.os');
    // fetch refuses a header with other characters: every call would fail.
    expect(() => build({ clientProperties: { appId: 'Kiosk™' } })).toThrow('clientProperties.appId: must be printable ASCII');
    expect(parse('{"appId": "Kiosk™"}')).toEqual({
      ok: false,
      problems: ['CONNECTOR_CLIENT_PROPERTIES .appId: printable ASCII only (it goes in an HTTP header)'],
    });
  });

  it('has no unacknowledged cdk-nag finding and no warning', () => {
    const { app, stack: built } = build();
    expect(nagFindings(app)).toEqual([]);
    expect(Annotations.fromStack(built).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('LivePersonConnector with the EventBridge route', () => {
  const { template, connector, app, stack } = build({}, { eventRoute: true });

  it("routes the brand's command events to the function, with retries and a standard dead-letter queue", () => {
    expect(connector.eventRule).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^BrandBus') },
      EventPattern: { 'detail-type': ['LivePerson Connector Command'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorSenderFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorEventRouteDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: Match.absent(), SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorEventRouteDeadLetterQueue'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' });
  });

  it('lets the function send to the outbound queue only with the route on', () => {
    const forward = statementsOf(template).find((s) => s.Sid === 'ForwardCommandEvents');
    expect(forward).toMatchObject({
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ConnectorOutboundQueue/), 'Arn'] },
    });
    expect(stack.resolve(connector.eventRouteDeadLetterQueue?.queueArn)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ConnectorEventRouteDeadLetterQueue/), 'Arn'],
    });
  });

  it('has no unacknowledged cdk-nag finding or warning, and narrow acknowledgements', () => {
    expect(nagFindings(app)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .map((m) => ({ path: c.node.path, ids: Object.keys(m.data as object) })),
      )
      .filter((entry) => entry.path.includes('/Connector/'));
    expect(acknowledged).toEqual([
      { path: 'Test/Connector/Sender/Role/DefaultPolicy', ids: ['Annotation::AwsSolutions-IAM5[Resource::*]'] },
      {
        path: 'Test/Connector/Sender/Role/DefaultPolicy',
        ids: [expect.stringMatching(/AwsSolutions-IAM5\[Resource::arn:.*parameter\/liveperson\/12345678\/domains\/\*\]$/)],
      },
      { path: 'Test/Connector/EventRouteDeadLetterQueue', ids: [expect.stringMatching(/AwsSolutions-SQS3$/)] },
    ]);
  });
});

function configIssues(raw: Record<string, unknown>): readonly string[] {
  try {
    parseDeploymentConfig({ accountId: '12345678', ...raw });
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as DeploymentConfigError).issues;
  }
  throw new Error('expected a DeploymentConfigError');
}

describe('connector config', () => {
  it('applies the defaults to an empty block, with the event route off', () => {
    const defaults = {
      batchSize: 10,
      timeoutSeconds: 30,
      maxReceiveCount: 5,
      queueRetentionDays: 4,
      idempotencyTtlHours: 96,
      consumerRetentionDays: 90,
    };
    expect(parseDeploymentConfig({ accountId: '1', connector: {} }).connector).toStrictEqual({ ...defaults, eventRoute: false });
    // The construct's defaults are the same schema's.
    expect(connectorSettingsSchema.parse({})).toStrictEqual(defaults);
    expect(parseDeploymentConfig({ accountId: '1' }).connector).toBeUndefined();
  });

  it('takes routing by skill, or by campaign and engagement, ids as strings or numbers', () => {
    expect(parseDeploymentConfig({ accountId: '1', connector: { defaultRouting: { skillId: 123 } } }).connector?.defaultRouting).toEqual({
      skillId: '123',
    });
    expect(
      parseDeploymentConfig({ accountId: '1', connector: { defaultRouting: { campaignId: '11', engagementId: '22' } } }).connector
        ?.defaultRouting,
    ).toEqual({
      campaignId: '11',
      engagementId: '22',
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ defaultRouting: { campaignId: '11' } }, 'connector.defaultRouting: needs campaignId and engagementId together'],
    [{ defaultRouting: { skillId: '' } }, 'connector.defaultRouting.skillId: must not be empty'],
    [{ defaultRouting: { skillId: true } }, 'connector.defaultRouting.skillId: must be the LivePerson skill id'],
    [{ defaultRouting: { skill: '1' } }, 'connector.defaultRouting.skill: is not a known field'],
    [{ batchSize: 11 }, 'connector.batchSize: must be at most 10 records'],
    [{ maxConcurrency: 1 }, 'connector.maxConcurrency: must be at least 2'],
    [{ timeoutSeconds: 4 }, 'connector.timeoutSeconds: must be at least 5 seconds'],
    [{ maxReceiveCount: 0 }, 'connector.maxReceiveCount: must be at least 1'],
    [{ queueRetentionDays: 15 }, 'connector.queueRetentionDays: must be at most 14 days (the SQS limit)'],
    [{ consumerRetentionDays: 0 }, 'connector.consumerRetentionDays: must be at least 1 day'],
    [{ eventRoute: 'yes' }, 'connector.eventRoute: must be true or false'],
    [
      { queueRetentionDays: 7 },
      'connector.idempotencyTtlHours: is 96 h but must cover connector.queueRetentionDays (168 h): a command redelivered after its id was forgotten would be sent twice',
    ],
  ])('names the field for a bad connector value %j', (connector, expected) => {
    expect(configIssues({ connector })).toEqual([expect.stringContaining(expected)]);
  });

  it('needs processing, whose tables it uses', () => {
    expect(configIssues({ capabilities: { processing: false } })).toEqual([
      'capabilities.connector: needs capabilities.processing: the connector keeps its consumers in the conversation state table and its ' +
        'command ids in the idempotency table that processing creates (turn processing on, or connector off)',
    ]);
  });
});

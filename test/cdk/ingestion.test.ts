// Webhook ingestion wiring: queues, API routes and stage, receiver permissions, outputs and config.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeploymentConfigError, parseDeploymentConfig } from '#lib/config.ts';
import { ingestionSettingsSchema } from '#lib/settings/ingestion.ts';
import { LivePersonIngestion } from '#lib/ingestion.ts';
import type { LivePersonIngestionProps } from '#lib/ingestion.ts';
import { CLI_CONTEXT, SKIP_BUNDLING, buildApp, logicalIdsAt, templateOf } from './helpers.ts';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
  Principal?: unknown;
}

const FOURTEEN_DAYS = 14 * 24 * 3600;

function onlyId(template: Template, type: string, pathPart: string): string {
  const ids = logicalIdsAt(template, type, pathPart);
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** "POST /webhooks/connector" for every method of the API, its path rebuilt from the resource tree. */
function routesOf(template: Template): string[] {
  const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    const resource = id === undefined ? undefined : resources[id];
    if (!resource) return ''; // the root: Fn::GetAtt RootResourceId
    return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
  };
  return Object.values(resourcesOf(template, 'AWS::ApiGateway::Method'))
    .map((method) => {
      const resourceId = method.Properties.ResourceId as { Ref?: string };
      const path = resourceId.Ref === undefined ? '/' : pathOf(resourceId);
      return `${String(method.Properties.HttpMethod)} ${path}`;
    })
    .sort();
}

function receiverStatements(template: Template): Statement[] {
  const policyId = onlyId(template, 'AWS::IAM::Policy', '/Ingestion/Receiver/Role/');
  const policy = resourcesOf(template, 'AWS::IAM::Policy')[policyId];
  return (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

describe('LivePersonIngestion (default config)', () => {
  let template: Template;
  let queueId: string;
  let dlqId: string;
  let receiverId: string;
  beforeAll(() => {
    template = templateOf({ accountId: '12345678' });
    queueId = onlyId(template, 'AWS::SQS::Queue', '/Ingestion/EventQueue/');
    dlqId = onlyId(template, 'AWS::SQS::Queue', '/Ingestion/DeadLetterQueue/');
    receiverId = onlyId(template, 'AWS::Lambda::Function', '/Ingestion/Receiver/Function/');
  });

  it('queues events on a high-throughput FIFO queue with explicit deduplication ids, SSE, 14 days', () => {
    expect(resourcesOf(template, 'AWS::SQS::Queue')[queueId]?.Properties).toEqual({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: FOURTEEN_DAYS,
      VisibilityTimeout: 300,
      MaximumMessageSize: 262_144,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('keeps failed events 14 days in an encrypted FIFO dead-letter queue', () => {
    expect(resourcesOf(template, 'AWS::SQS::Queue')[dlqId]?.Properties).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: FOURTEEN_DAYS,
    });
    expect(resourcesOf(template, 'AWS::SQS::Queue')[dlqId]?.Properties.RedrivePolicy).toBeUndefined();
  });

  it('denies any request without TLS on both queues', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sqs:*',
              Resource: { 'Fn::GetAtt': [id, 'Arn'] },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      });
    }
  });

  it('exposes exactly POST /webhooks/connector and POST /webhooks/messaging/{token}, proxied to the receiver', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    expect(routesOf(template)).toEqual(['POST /webhooks/connector', 'POST /webhooks/messaging/{token}']);
    for (const method of Object.values(resourcesOf(template, 'AWS::ApiGateway::Method'))) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [receiverId, 'Arn'] }])] },
        },
      });
    }
  });

  it('lets API Gateway invoke the receiver from the two routes of the stage only', () => {
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission')).filter((p) =>
      JSON.stringify(p.Properties.FunctionName).includes(receiverId),
    );
    const sourceArns = permissions.map((p) => {
      expect(p.Properties.Principal).toBe('apigateway.amazonaws.com');
      const parts = (p.Properties.SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return String(parts.at(-1));
    });
    expect(sourceArns.sort()).toEqual(['/POST/webhooks/connector', '/POST/webhooks/messaging/*']);
    expect(JSON.stringify(permissions)).not.toContain('test-invoke-stage');
  });

  it('throttles each route on its own budget, the messaging route lower, and logs errors only, without data trace', () => {
    const logging = { LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true };
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      MethodSettings: [
        { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, ...logging },
        // A method setting replaces the stage default for that method: a flood on one route cannot take the other's tokens.
        { HttpMethod: 'POST', ResourcePath: '/~1webhooks~1connector', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, ...logging },
        {
          HttpMethod: 'POST',
          ResourcePath: '/~1webhooks~1messaging~1{token}',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          ...logging,
        },
      ],
    });
  });

  it('serves the execute-api endpoint with a TLS 1.3 security policy (TLS 1.2 with forward secrecy as fallback) in STRICT endpoint access mode', () => {
    const apiId = onlyId(template, 'AWS::ApiGateway::RestApi', '/Ingestion/Api/');
    expect(resourcesOf(template, 'AWS::ApiGateway::RestApi')[apiId]?.Properties).toMatchObject({
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    // No custom domain, so the execute-api endpoint is the webhook endpoint and stays on.
    expect(resourcesOf(template, 'AWS::ApiGateway::RestApi')[apiId]?.Properties.DisableExecuteApiEndpoint).toBeUndefined();
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
  });

  it('writes JSON access logs with the route template, never the path holding the URL token', () => {
    const accessLogsId = onlyId(template, 'AWS::Logs::LogGroup', '/Ingestion/AccessLogs/');
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0];
    const setting = stage?.Properties.AccessLogSetting as { DestinationArn: unknown; Format: string };
    expect(JSON.stringify(setting.DestinationArn)).toContain(accessLogsId);
    const format = JSON.parse(setting.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationLatency: '$context.integrationLatency',
    });
    expect(setting.Format).not.toMatch(/\$context\.(path|requestOverride)|\$input|\$method/);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('/Ingestion/AccessLogs/') },
    });
  });

  it('sets up the CloudWatch role execution logging needs, and its log group with retention', () => {
    const accountId = onlyId(template, 'AWS::ApiGateway::Account', '/Ingestion/Api/');
    const executionLogsId = onlyId(template, 'AWS::Logs::LogGroup', '/Ingestion/ExecutionLogs/');
    const apiId = onlyId(template, 'AWS::ApiGateway::RestApi', '/Ingestion/Api/');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/live']] },
      RetentionInDays: 30,
    });
    template.hasResource('AWS::ApiGateway::Stage', { DependsOn: Match.arrayWith([accountId, executionLogsId]) });
  });

  it('runs the receiver with 512 MB, 10 s and the event queue URL', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('webhooks'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          EVENT_QUEUE_URL: { Ref: queueId },
          LP_ACCOUNT_ID: '12345678',
          LP_SECRET_ID: { Ref: Match.stringLikeRegexp('^CredentialsSecret') },
          POWERTOOLS_SERVICE_NAME: 'webhook-receiver',
        }),
      },
    });
  });

  it('grants the receiver sqs:SendMessage on the event queue and the secret read, nothing else', () => {
    const statements = receiverStatements(template);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')))).toEqual([
      expect.objectContaining({ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: expect.stringMatching(/^CredentialsSecret/) },
      }),
    );
    expect(actions.filter((a) => a.startsWith('ssm:') || a.startsWith('kms:'))).toEqual([]);
    expect([...new Set(actions)].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('outputs both webhook URLs, without the token, and both queue URLs', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const apiId = onlyId(template, 'AWS::ApiGateway::RestApi', '/Ingestion/Api/');
    const stageId = onlyId(template, 'AWS::ApiGateway::Stage', '/Ingestion/Api/');
    const url = (path: string) => ({
      'Fn::Join': [
        '',
        ['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: stageId }, path],
      ],
    });
    expect(outputs.ConnectorWebhookUrl?.Value).toEqual(url('/webhooks/connector'));
    expect(outputs.MessagingWebhookUrl?.Value).toEqual(url('/webhooks/messaging/<webhookToken from the secret>'));
    // The token only exists inside the secret: no reference to it may reach an output.
    expect(JSON.stringify(outputs.MessagingWebhookUrl)).not.toMatch(/resolve:secretsmanager|CredentialsSecret|SecretString/);
    template.hasOutput('EventQueueUrl', { Value: { Ref: queueId } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: dlqId } });
    // RestApi's own Endpoint output (the bare stage URL) is dropped: the webhook URLs are what to register.
    expect(Object.keys(outputs).filter((name) => name.includes('Endpoint'))).toEqual([]);
  });
});

describe('LivePersonIngestion (custom config)', () => {
  it('takes throttling, redrive, retention and visibility from the ingestion block', () => {
    const template = templateOf({
      accountId: '12345678',
      logRetentionDays: 90,
      ingestion: {
        throttlingRateLimit: 25.5,
        throttlingBurstLimit: 50,
        maxReceiveCount: 3,
        queueRetentionDays: 4,
        queueVisibilityTimeoutSeconds: 900,
      },
    });
    const dlqId = onlyId(template, 'AWS::SQS::Queue', '/Ingestion/DeadLetterQueue/');
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 4 * 24 * 3600,
      VisibilityTimeout: 900,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 3 },
    });
    // The dead-letter queue keeps the SQS maximum whatever the event queue's retention.
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      MessageRetentionPeriod: FOURTEEN_DAYS,
      RedrivePolicy: Match.absent(),
    });
    // The connector route keeps the stage limits and the messaging route gets half of them, unless routeThrottling says otherwise.
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ ResourcePath: '/*', ThrottlingRateLimit: 25.5, ThrottlingBurstLimit: 50 }),
        Match.objectLike({ ResourcePath: '/~1webhooks~1connector', ThrottlingRateLimit: 25.5, ThrottlingBurstLimit: 50 }),
        Match.objectLike({ ResourcePath: '/~1webhooks~1messaging~1{token}', ThrottlingRateLimit: 12.75, ThrottlingBurstLimit: 25 }),
      ],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['API-Gateway-Execution-Logs_'])]) }),
      RetentionInDays: 90,
    });
  });

  it("takes each route's limits from routeThrottling, and the TLS security policy", () => {
    const template = templateOf({
      accountId: '12345678',
      ingestion: {
        securityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        routeThrottling: { connector: { rateLimit: 300, burstLimit: 600 }, messaging: { rateLimit: 20 } },
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
        Match.objectLike({ ResourcePath: '/~1webhooks~1connector', ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 }),
        Match.objectLike({ ResourcePath: '/~1webhooks~1messaging~1{token}', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 100 }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  it('builds no ingestion resources or outputs when the capability is off', () => {
    const template = templateOf({
      accountId: '12345678',
      capabilities: { ingestion: false, processing: false, connector: false, ivrDeflection: false },
      monitoring: { enabled: false },
    });
    for (const type of ['AWS::SQS::Queue', 'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Account']) template.resourceCountIs(type, 0);
    expect(Object.keys(template.toJSON().Outputs as object)).toEqual([
      'CredentialsSecretArn',
      'CredentialsSecretName',
      'DomainRefreshFunctionName',
      'DomainParameterPath',
    ]);
  });
});

describe('ingestion config', () => {
  it('applies the defaults to an empty block and leaves an absent block absent', () => {
    const defaults = {
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
      maxReceiveCount: 5,
      queueRetentionDays: 14,
      queueVisibilityTimeoutSeconds: 300,
      securityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      stageTracing: false,
    };
    expect(parseDeploymentConfig({ accountId: '1', ingestion: {} }).ingestion).toStrictEqual(defaults);
    // The construct's defaults are the same schema's.
    expect(ingestionSettingsSchema.parse({})).toStrictEqual(defaults);
    expect(parseDeploymentConfig({ accountId: '1' }).ingestion).toBeUndefined();
    // Without processing nothing drains the queue through Lambda, so no visibility floor applies.
    const noProcessing = { processing: false, connector: false };
    expect(
      parseDeploymentConfig({
        accountId: '1',
        capabilities: noProcessing,
        ingestion: { maxReceiveCount: 1000, queueVisibilityTimeoutSeconds: 0 },
      }).ingestion,
    ).toMatchObject({
      maxReceiveCount: 1000,
      queueVisibilityTimeoutSeconds: 0,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ throttlingRateLimit: 0 }, 'ingestion.throttlingRateLimit: must be greater than 0 requests per second'],
    [{ throttlingRateLimit: '100' }, 'ingestion.throttlingRateLimit: must be a number of requests per second'],
    [{ throttlingBurstLimit: 0 }, 'ingestion.throttlingBurstLimit: must be at least 1 request'],
    [{ throttlingBurstLimit: 2.5 }, 'ingestion.throttlingBurstLimit: must be a whole number of requests'],
    [{ maxReceiveCount: 0 }, 'ingestion.maxReceiveCount: must be at least 1'],
    [{ maxReceiveCount: 1001 }, 'ingestion.maxReceiveCount: must be at most 1000 (the SQS limit)'],
    [{ queueRetentionDays: 0 }, 'ingestion.queueRetentionDays: must be at least 1 day'],
    [{ queueRetentionDays: 15 }, 'ingestion.queueRetentionDays: must be at most 14 days (the SQS limit)'],
    [{ queueRetentionDays: 1.5 }, 'ingestion.queueRetentionDays: must be a whole number of days'],
    [{ queueVisibilityTimeoutSeconds: -1 }, 'ingestion.queueVisibilityTimeoutSeconds: must be at least 0 seconds'],
    [{ queueVisibilityTimeoutSeconds: 43_201 }, 'ingestion.queueVisibilityTimeoutSeconds: must be at most 43200 seconds'],
    [{ visibilityTimeout: 30 }, 'ingestion.visibilityTimeout: is not a known field'],
    [
      { routeThrottling: { messaging: { rateLimit: 0 } } },
      'ingestion.routeThrottling.messaging.rateLimit: must be greater than 0 requests per second',
    ],
    [
      { routeThrottling: { connector: { burstLimit: 1.5 } } },
      'ingestion.routeThrottling.connector.burstLimit: must be a whole number of requests',
    ],
    [{ routeThrottling: { connector: { burstLimit: 0 } } }, 'ingestion.routeThrottling.connector.burstLimit: must be at least 1 request'],
    [{ routeThrottling: { receiver: {} } }, 'ingestion.routeThrottling.receiver: is not a known field'],
    [
      { securityPolicy: 'TLS_1_2' },
      'ingestion.securityPolicy: must be one of SecurityPolicy_TLS13_1_3_2025_09, SecurityPolicy_TLS13_1_3_FIPS_2025_09,',
    ],
  ])('names the field for a bad ingestion value %j', (ingestion, expected) => {
    let error: unknown;
    try {
      parseDeploymentConfig({ accountId: '12345678', ingestion });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeploymentConfigError);
    expect((error as DeploymentConfigError).issues).toEqual([expect.stringContaining(expected)]);
  });
});

describe('LivePersonIngestion construct on its own', () => {
  function standalone(props: Partial<LivePersonIngestionProps> = {}) {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Brand');
    const secret = new Secret(stack, 'Secret');
    const ingestion = new LivePersonIngestion(stack, 'Webhooks', {
      accountId: '42',
      credentials: { secret, secretId: secret.secretArn },
      ...props,
    });
    return { stack, ingestion };
  }

  it('rejects out-of-range settings with every problem named', () => {
    expect(() => standalone({ maxReceiveCount: 0, queueRetentionDays: 20, throttlingRateLimit: -1 })).toThrow(
      'LivePersonIngestion at Brand/Webhooks: throttlingRateLimit: must be greater than 0 requests per second; maxReceiveCount: must be at least 1; ' +
        'queueRetentionDays: must be at most 14 days (the SQS limit)',
    );
    expect(() => standalone({ routeThrottling: { connector: { rateLimit: 0 }, messaging: { burstLimit: 2.5 } } })).toThrow(
      'LivePersonIngestion at Brand/Webhooks: routeThrottling.connector.rateLimit: must be greater than 0 requests per second; ' +
        'routeThrottling.messaging.burstLimit: must be a whole number of requests',
    );
    expect(() => standalone({ securityPolicy: 'TLS_1_0' as never })).toThrow(
      'LivePersonIngestion at Brand/Webhooks: securityPolicy: must be one of SecurityPolicy_TLS13_1_3_2025_09',
    );
    expect(() =>
      standalone({
        customDomain: {
          domainName: 'Webhooks.Example.com',
          certificateArn: 'arn:aws:iam::1:server-certificate/x',
          mtls: { truststoreUri: 'https://b/k' },
        },
      }),
    ).toThrow(
      'LivePersonIngestion at Brand/Webhooks: customDomain.domainName: must be a lower-case domain name such as "webhooks.example.com" (no wildcard); ' +
        'customDomain.certificateArn: must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<uuid>; ' +
        'customDomain.mtls.truststoreUri: must be the S3 URI of the truststore',
    );
  });

  it('leaves the account-level CloudWatch role out on request and adds no cdk-nag finding', () => {
    const { stack, ingestion } = standalone({ cloudWatchRole: false, stageName: 'prod' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
    expect(ingestion.messagingWebhookUrlTemplate).toMatch(/\/webhooks\/messaging\/<webhookToken from the secret>$/);
    const report = new AwsSolutionsChecks().validateScope(stack);
    // The bare test secret is not the construct's: its rotation finding is the only one allowed here.
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([
      'AwsSolutions-SMG4 at Brand/Secret/Resource',
    ]);
  });
});

describe('LivePersonIngestion with AWS WAF', () => {
  const { stack } = buildApp({ accountId: '12345678', ingestion: { waf: { enabled: true, rateLimitPer5Minutes: 5000 } } });
  const template = Template.fromStack(stack);

  it('blocks a source IP above the rate limit with a web ACL on the stage', () => {
    const aclId = onlyId(template, 'AWS::WAFv2::WebACL', '/Ingestion/WebAcl');
    expect(resourcesOf(template, 'AWS::WAFv2::WebACL')[aclId]?.Properties).toMatchObject({
      Name: 'LivePerson-12345678-webhooks',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'LivePerson-12345678-webhooks', SampledRequestsEnabled: true },
      Rules: [
        {
          Name: 'RateLimitPerIp',
          Priority: 0,
          Action: { Block: {} },
          Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 5000, EvaluationWindowSec: 300 } },
          VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'RateLimitPerIp', SampledRequestsEnabled: true },
        },
      ],
    });
    const apiId = onlyId(template, 'AWS::ApiGateway::RestApi', '/Ingestion/Api/');
    const stageId = onlyId(template, 'AWS::ApiGateway::Stage', '/Ingestion/Api/');
    const association = Object.values(resourcesOf(template, 'AWS::WAFv2::WebACLAssociation'));
    expect(association).toHaveLength(1);
    expect(association[0]?.Properties).toEqual({
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      // A reference to the stage, so the association waits for it.
      ResourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            '::/restapis/',
            { Ref: apiId },
            '/stages/',
            { Ref: stageId },
          ],
        ],
      },
    });
  });

  it('no longer acknowledges AwsSolutions-APIG3 (the stage has a web ACL)', () => {
    const stage = stack.node.findAll().find((c) => c.node.path.endsWith('/Ingestion/Api/DeploymentStage.live'));
    const acknowledged = stage?.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.keys(m.data as object));
    expect(acknowledged).toEqual([]);
    expect(templateOf({ accountId: '12345678' }).findResources('AWS::WAFv2::WebACL')).toEqual({});
  });
});

describe('ingestion.waf config', () => {
  it('defaults to off with 2000 requests per 5 minutes', () => {
    expect(parseDeploymentConfig({ accountId: '1', ingestion: { waf: {} } }).ingestion?.waf).toEqual({
      enabled: false,
      rateLimitPer5Minutes: 2000,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ enabled: 'yes' }, 'ingestion.waf.enabled: must be true or false'],
    [{ rateLimitPer5Minutes: 9 }, 'ingestion.waf.rateLimitPer5Minutes: must be at least 10 requests (the AWS WAF minimum)'],
    [
      { rateLimitPer5Minutes: 2_000_000_001 },
      'ingestion.waf.rateLimitPer5Minutes: must be at most 2000000000 requests (the AWS WAF maximum)',
    ],
    [{ rateLimitPer5Minutes: 100.5 }, 'ingestion.waf.rateLimitPer5Minutes: must be a whole number of requests'],
    [{ rateLimit: 100 }, 'ingestion.waf.rateLimit: is not a known field'],
  ])('names the field for a bad waf value %j', (waf, expected) => {
    let error: unknown;
    try {
      parseDeploymentConfig({ accountId: '12345678', ingestion: { waf } });
    } catch (caught) {
      error = caught;
    }
    expect((error as DeploymentConfigError).issues).toEqual([expect.stringContaining(expected)]);
  });

  it('is checked by the construct too', () => {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Brand');
    const secret = new Secret(stack, 'Secret');
    expect(
      () =>
        new LivePersonIngestion(stack, 'Webhooks', {
          accountId: '42',
          credentials: { secret, secretId: secret.secretArn },
          waf: { enabled: true, rateLimitPer5Minutes: 5 },
        }),
    ).toThrow('LivePersonIngestion at Brand/Webhooks: waf.rateLimitPer5Minutes: must be at least 10 requests (the AWS WAF minimum)');
  });
});

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const CUSTOM_DOMAIN = { domainName: 'webhooks.example.com', certificateArn: CERTIFICATE_ARN };

describe('LivePersonIngestion with a custom domain', () => {
  let template: Template;
  let apiId: string;
  let stageId: string;
  let domainId: string;
  beforeAll(() => {
    template = templateOf({ accountId: '12345678', region: 'eu-west-1', ingestion: { customDomain: CUSTOM_DOMAIN } });
    apiId = onlyId(template, 'AWS::ApiGateway::RestApi', '/Ingestion/Api/');
    stageId = onlyId(template, 'AWS::ApiGateway::Stage', '/Ingestion/Api/');
    domainId = onlyId(template, 'AWS::ApiGateway::DomainName', '/Ingestion/Api/CustomDomain/');
  });

  it("serves the domain with the API's TLS 1.3 policy in STRICT mode, Regional, with the ACM certificate", () => {
    expect(resourcesOf(template, 'AWS::ApiGateway::DomainName')[domainId]?.Properties).toEqual({
      DomainName: 'webhooks.example.com',
      RegionalCertificateArn: CERTIFICATE_ARN,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  it('maps the domain root to the stage and publishes the webhook URLs on the domain', () => {
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      DomainName: { Ref: domainId },
      RestApiId: { Ref: apiId },
      Stage: { Ref: stageId },
      BasePath: Match.absent(),
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConnectorWebhookUrl?.Value).toBe('https://webhooks.example.com/webhooks/connector');
    expect(outputs.MessagingWebhookUrl?.Value).toBe('https://webhooks.example.com/webhooks/messaging/<webhookToken from the secret>');
    const target = Object.entries(outputs).filter(([name]) => name.startsWith('IngestionCustomDomainTarget'));
    expect(target.map(([, output]) => output.Value)).toEqual([{ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] }]);
  });

  it('keeps the execute-api endpoint without mutual TLS (it has the same TLS policy and nothing more to bypass)', () => {
    expect(resourcesOf(template, 'AWS::ApiGateway::RestApi')[apiId]?.Properties.DisableExecuteApiEndpoint).toBeUndefined();
  });
});

describe('LivePersonIngestion with a custom domain and mutual TLS', () => {
  let template: Template;
  let apiId: string;
  beforeAll(() => {
    template = templateOf({
      accountId: '12345678',
      ingestion: {
        customDomain: {
          ...CUSTOM_DOMAIN,
          mtls: { truststoreUri: 's3://brand-truststores/liveperson/ca-bundle.pem', truststoreVersion: 'v3' },
        },
      },
    });
    apiId = onlyId(template, 'AWS::ApiGateway::RestApi', '/Ingestion/Api/');
  });

  it('asks every caller for a client certificate from the truststore, on the TLS_1_2 policy mutual TLS requires', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'webhooks.example.com',
      MutualTlsAuthentication: { TruststoreUri: 's3://brand-truststores/liveperson/ca-bundle.pem', TruststoreVersion: 'v3' },
      // API Gateway allows no enhanced policy with mutual TLS; TLS_1_2 takes TLS 1.2 and 1.3, without an access mode.
      SecurityPolicy: 'TLS_1_2',
      EndpointAccessMode: Match.absent(),
    });
  });

  it('disables the execute-api endpoint, which would let a caller skip the client certificate', () => {
    expect(resourcesOf(template, 'AWS::ApiGateway::RestApi')[apiId]?.Properties).toMatchObject({
      DisableExecuteApiEndpoint: true,
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConnectorWebhookUrl?.Value).toBe('https://webhooks.example.com/webhooks/connector');
    expect(JSON.stringify(outputs)).not.toContain('execute-api');
  });
});

describe('ingestion.customDomain config', () => {
  it('takes a domain, a certificate and an optional truststore, with no defaults added', () => {
    const mtls = { truststoreUri: 's3://bucket.name/dir/ca.pem' };
    expect(
      parseDeploymentConfig({ accountId: '1', ingestion: { customDomain: { ...CUSTOM_DOMAIN, mtls } } }).ingestion?.customDomain,
    ).toEqual({
      ...CUSTOM_DOMAIN,
      mtls,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [
      { ...CUSTOM_DOMAIN, domainName: 'Webhooks.Example.com' },
      'ingestion.customDomain.domainName: must be a lower-case domain name such as "webhooks.example.com"',
    ],
    [{ ...CUSTOM_DOMAIN, domainName: '*.example.com' }, 'ingestion.customDomain.domainName: must be a lower-case domain name'],
    [
      { ...CUSTOM_DOMAIN, domainName: 'https://webhooks.example.com' },
      'ingestion.customDomain.domainName: must be a lower-case domain name',
    ],
    [{ domainName: 'webhooks.example.com' }, 'ingestion.customDomain.certificateArn: must be a string'],
    [
      { ...CUSTOM_DOMAIN, certificateArn: 'arn:aws:iam::123456789012:server-certificate/lp' },
      'ingestion.customDomain.certificateArn: must be an ACM certificate ARN',
    ],
    [
      { ...CUSTOM_DOMAIN, mtls: { truststoreUri: 'https://bucket.s3.amazonaws.com/ca.pem' } },
      'ingestion.customDomain.mtls.truststoreUri: must be the S3 URI of the truststore',
    ],
    [
      { ...CUSTOM_DOMAIN, mtls: { truststoreUri: 's3://bucket' } },
      'ingestion.customDomain.mtls.truststoreUri: must be the S3 URI of the truststore',
    ],
    [
      { ...CUSTOM_DOMAIN, mtls: { truststoreUri: 's3://bucket/ca.pem', truststoreVersion: ' ' } },
      'ingestion.customDomain.mtls.truststoreVersion: must not be empty',
    ],
    [{ ...CUSTOM_DOMAIN, mtls: { truststore: 's3://bucket/ca.pem' } }, 'ingestion.customDomain.mtls.truststore: is not a known field'],
    [{ ...CUSTOM_DOMAIN, basePath: 'lp' }, 'ingestion.customDomain.basePath: is not a known field'],
  ])('names the field for a bad custom domain %j', (customDomain, expected) => {
    let error: unknown;
    try {
      parseDeploymentConfig({ accountId: '12345678', ingestion: { customDomain } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeploymentConfigError);
    expect((error as DeploymentConfigError).issues).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it("refuses a certificate of another region than the stack's", () => {
    expect(() => parseDeploymentConfig({ accountId: '12345678', region: 'us-east-1', ingestion: { customDomain: CUSTOM_DOMAIN } })).toThrow(
      'ingestion.customDomain.certificateArn: is in region eu-west-1 but the stack deploys to us-east-1; the Regional custom domain needs an ACM certificate of that region',
    );
    expect(
      parseDeploymentConfig({ accountId: '12345678', region: 'eu-west-1', ingestion: { customDomain: CUSTOM_DOMAIN } }).ingestion
        ?.customDomain,
    ).toEqual(CUSTOM_DOMAIN);
  });
});

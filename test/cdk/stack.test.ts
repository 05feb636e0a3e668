// Template assertions with bundling skipped: the wiring, not the code.
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LayerVersion, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { domainParameterPath } from '#contract/constants.ts';
import { DeploymentConfigError, parseDeploymentConfig } from '#lib/config.ts';
import { LivePersonFunction } from '#lib/lambda-function.ts';
import { LivePersonStack } from '#lib/liveperson-stack.ts';
import { CLI_CONTEXT, SKIP_BUNDLING, buildApp, logicalIdsAt, templateOf } from './helpers.ts';

const SSM_ARN_PREFIX = ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }];
const ssmArn = (suffix: string) => ({ 'Fn::Join': ['', [...SSM_ARN_PREFIX, `:parameter${suffix}`]] });

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

function statementsOfRoleAt(template: Template, pathPart: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const ids = logicalIdsAt(template, 'AWS::IAM::Policy', pathPart);
  return ids.flatMap(
    (id) => (policies[id] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('tracing (X-Ray)', () => {
  type Fn = { Properties: { TracingConfig?: { Mode: string }; Environment?: { Variables?: Record<string, unknown> } } };
  const livePersonFunctions = (template: Template) =>
    Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Fn>).filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    );
  const xrayGrants = (template: Template) =>
    JSON.stringify(template.findResources('AWS::IAM::Policy')).match(/xray:PutTraceSegments/g)?.length ?? 0;

  it('traces every function actively by default, its tracer on and its answers kept out of the trace; the stage only when asked', () => {
    const template = templateOf({ accountId: '12345678' });
    const functions = livePersonFunctions(template);
    expect(functions).toHaveLength(6);
    for (const [id, fn] of functions) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment?.Variables, id).toMatchObject({
        POWERTOOLS_TRACE_ENABLED: 'true',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      });
    }
    expect(xrayGrants(template)).toBe(6);
    // The stage's segment would record the signature header and the messaging route's URL token.
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
    templateOf({ accountId: '12345678', ingestion: { stageTracing: true } }).hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
    });
  });

  it('traces nothing with tracing: false, and grants no X-Ray access', () => {
    const template = templateOf({ accountId: '12345678', tracing: false });
    for (const [id, fn] of livePersonFunctions(template)) {
      expect(fn.Properties.TracingConfig, id).toBeUndefined();
      expect(fn.Properties.Environment?.Variables?.POWERTOOLS_TRACE_ENABLED, id).toBe('false');
    }
    expect(xrayGrants(template)).toBe(0);
  });

  it("takes a function of a brand app's own out of tracing with the CDK option", () => {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Brand');
    new LivePersonFunction(stack, 'Fn', {
      name: 'domain-refresh',
      accountId: '42',
      tracing: Tracing.PASS_THROUGH,
      domainParameterAccess: 'none',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'PassThrough' },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: 'false' }) },
    });
  });
});

describe('LivePersonStack (default config)', () => {
  let template: Template;
  let refreshFunctionId: string;
  beforeAll(() => {
    template = templateOf({ accountId: '12345678' });
    const ids = logicalIdsAt(template, 'AWS::Lambda::Function', '/Domains/Refresh/Function/');
    expect(ids).toHaveLength(1);
    refreshFunctionId = ids[0] ?? '';
  });

  it('runs domain-refresh on nodejs24.x, arm64, with its contract environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      Environment: {
        Variables: {
          LP_ACCOUNT_ID: '12345678',
          LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/',
          LP_CSDS_URL: 'https://api.liveperson.net',
          LP_SECRET_ID: { Ref: Match.stringLikeRegexp('^CredentialsSecret') },
          POWERTOOLS_SERVICE_NAME: 'domain-refresh',
          POWERTOOLS_METRICS_NAMESPACE: 'LivePerson',
          NODE_OPTIONS: Match.absent(), // stack traces are mapped by the bundle itself, when printed
        },
      },
    });
  });

  it('gives the function its own retained log group with the configured retention', () => {
    const logGroups = logicalIdsAt(template, 'AWS::Logs::LogGroup', '/Domains/Refresh/LogGroup');
    expect(logGroups).toHaveLength(1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroups[0] } } });
    expect(
      templateOf({ accountId: '12345678', logRetentionDays: 90 }).findResources('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 90 },
      }),
    ).not.toEqual({});
  });

  it('uses its own role without the AWS managed basic execution policy', () => {
    template.resourcePropertiesCountIs(
      'AWS::IAM::Role',
      { ManagedPolicyArns: Match.anyValue(), Description: Match.stringLikeRegexp('domain-refresh') },
      0,
    );
    const statements = statementsOfRoleAt(template, '/Domains/Refresh/Role/');
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DomainsRefreshLogGroup/), 'Arn'] },
      }),
    );
  });

  it('scopes domain-refresh SSM access to the parameter path and grants it no secret access', () => {
    const statements = statementsOfRoleAt(template, '/Domains/Refresh/Role/');
    const ssm = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ssm:')));
    expect(ssm).toEqual([
      expect.objectContaining({ Action: 'ssm:GetParameter', Resource: ssmArn('/liveperson/12345678/domains/*') }),
      expect.objectContaining({
        Action: 'ssm:GetParametersByPath',
        Resource: [ssmArn('/liveperson/12345678/domains'), ssmArn('/liveperson/12345678/domains/*')],
      }),
      expect.objectContaining({ Action: 'ssm:PutParameter', Resource: ssmArn('/liveperson/12345678/domains/*') }),
    ]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:'))).toEqual([]);
    // "*" only for X-Ray's writes (active tracing), which take no resource.
    expect(
      statements.every((s) => s.Effect === 'Allow' && (s.Resource !== '*' || [s.Action].flat().every((a) => a.startsWith('xray:')))),
    ).toBe(true);
    expect(actions).not.toContain('ssm:DeleteParameter');
  });

  it('refreshes on a schedule of domainRefreshHours', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(12 hours)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [refreshFunctionId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    templateOf({ accountId: '12345678', domainRefreshHours: 1 }).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
    });
  });

  it('runs the refresh once at deploy time, again whenever the handler changes', () => {
    const versions = logicalIdsAt(template, 'AWS::Lambda::Version', '/Domains/Refresh/Function/');
    expect(versions).toHaveLength(1);
    template.hasResource('Custom::Trigger', {
      Properties: {
        HandlerArn: { Ref: versions[0] },
        InvocationType: 'RequestResponse',
        ExecuteOnHandlerChange: true,
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DomainsRefreshRoleDefaultPolicy')]),
    });
  });

  it("logs the Trigger provider (CDK's singleton function) to a retained log group with the configured retention, through its own role", () => {
    const groups = logicalIdsAt(template, 'AWS::Logs::LogGroup', '/Domains/RefreshOnDeployLogs/');
    expect(groups).toHaveLength(1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('/Domains/RefreshOnDeployLogs/') },
    });
    const providerPath = 'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider';
    const handler = logicalIdsAt(template, 'AWS::Lambda::Function', `${providerPath}/Handler`);
    expect(handler).toHaveLength(1);
    template.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({ LoggingConfig: { LogGroup: { Ref: groups[0] } } }),
      Metadata: Match.objectLike({ 'aws:cdk:path': Match.stringLikeRegexp(providerPath) }),
    });
    // Its role writes that group only: no AWSLambdaBasicExecutionRole (logs on every group of the account).
    const role = logicalIdsAt(template, 'AWS::IAM::Role', `${providerPath}/Role`);
    expect(role).toHaveLength(1);
    expect(
      (template.findResources('AWS::IAM::Role')[role[0] ?? ''] as { Properties: Record<string, unknown> }).Properties.ManagedPolicyArns,
    ).toBeUndefined();
    expect(
      templateOf({ accountId: '12345678', logRetentionDays: 7 }).findResources('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 7 },
        Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('/Domains/RefreshOnDeployLogs/') },
      }),
    ).not.toEqual({});
  });

  it('creates the credentials secret from a placeholder template with a generated webhook token', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        Name: 'liveperson/12345678/credentials',
        GenerateSecretString: {
          SecretStringTemplate: JSON.stringify({ clientId: '', clientSecret: '' }),
          GenerateStringKey: 'webhookToken',
          ExcludePunctuation: true,
          PasswordLength: 48,
        },
        SecretString: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('outputs the secret and the domain parameter path', () => {
    template.hasOutput('CredentialsSecretArn', { Value: { Ref: Match.stringLikeRegexp('^CredentialsSecret') } });
    template.hasOutput('CredentialsSecretName', { Value: 'liveperson/12345678/credentials' });
    template.hasOutput('DomainParameterPath', { Value: '/liveperson/12345678/domains/' });
    template.hasOutput('DomainRefreshFunctionName', { Value: { Ref: Match.stringLikeRegexp('^DomainsRefreshFunction') } });
  });
});

describe('LivePersonStack (custom config)', () => {
  it('imports an existing secret by name and points LP_SECRET_ID at that name', () => {
    const { stack } = buildApp({
      accountId: '87654321',
      createSecret: false,
      secretName: 'brand/lp-creds',
      csdsUrl: 'https://lo.api.liveperson.net',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LP_SECRET_ID: 'brand/lp-creds',
          LP_CSDS_URL: 'https://lo.api.liveperson.net',
          LP_DOMAIN_PARAMETER_PATH: '/liveperson/87654321/domains/',
        }),
      },
    });
    template.hasOutput('CredentialsSecretName', { Value: 'brand/lp-creds' });
  });

  it('names the stack and sets its environment from the config', () => {
    const { stack } = buildApp({ accountId: '1', stackName: 'Brand-LivePerson', awsAccount: '123456789012', region: 'eu-west-1' });
    expect(stack.stackName).toBe('Brand-LivePerson');
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('eu-west-1');
    expect(stack.config.capabilities).toEqual({ ingestion: true, processing: true, ivrDeflection: true, connector: true });
  });
});

describe('LivePersonFunction', () => {
  function functionStack(props: Partial<ConstructorParameters<typeof LivePersonFunction>[2]> = {}) {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1', account: '123456789012' } });
    const secret = new Secret(stack, 'Secret');
    const fn = new LivePersonFunction(stack, 'Fn', {
      name: 'domain-refresh',
      accountId: '42',
      credentials: { secret, secretId: secret.secretArn },
      ...props,
    });
    return { stack, fn };
  }

  it('grants read of the credentials secret and the domain parameters by default', () => {
    const { stack } = functionStack({
      name: 'webhook-receiver',
      memorySize: 512,
      environment: { EVENT_QUEUE_URL: 'https://sqs.example/queue' },
    });
    const template = Template.fromStack(stack);
    const statements = statementsOfRoleAt(template, '/Fn/Role/');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'ssm:GetParameter']));
    // Reading one domain needs GetParameter only: listing and writing are domain-refresh's (read-write access).
    expect(actions).not.toContain('ssm:PutParameter');
    expect(actions).not.toContain('ssm:GetParametersByPath');
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({ EVENT_QUEUE_URL: 'https://sqs.example/queue', LP_SECRET_ID: { Ref: Match.anyValue() } }),
      },
    });
  });

  it('refuses environment that would override the contract', () => {
    // A type error as well: the environment takes the function's own contract variables only.
    expect(() => functionStack({ environment: { LP_ACCOUNT_ID: '1' } as never })).toThrow(
      /^LivePersonFunction at Test\/Fn: environment: cannot override LP_ACCOUNT_ID/,
    );
  });

  it('passes the other Lambda function options on (tracing, layers, storage…), keeping its own role, log group and architecture', () => {
    const { stack, fn } = functionStack({
      tracing: Tracing.ACTIVE,
      layers: [LayerVersion.fromLayerVersionArn(new Stack(), 'Layer', 'arn:aws:lambda:us-east-1:123456789012:layer:brand-extension:3')],
      ephemeralStorageSize: Size.mebibytes(1024),
      timeout: Duration.seconds(20),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:brand-extension:3'],
      EphemeralStorage: { Size: 1024 },
      Timeout: 20,
      MemorySize: 256,
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': [stack.getLogicalId(fn.role.node.defaultChild as CfnElement), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: stack.getLogicalId(fn.logGroup.node.defaultChild as CfnElement) } },
    });
    // Active tracing grants the X-Ray writes on the construct's own role.
    expect(statementsOfRoleAt(template, '/Fn/Role/').flatMap((s) => [s.Action].flat())).toEqual(
      expect.arrayContaining(['xray:PutTraceSegments']),
    );
  });

  it('exposes the path helper', () => {
    expect(domainParameterPath('12345678')).toBe('/liveperson/12345678/domains/');
  });
});

describe('LivePersonStack wiring of processing and connector (default config)', () => {
  const { stack } = buildApp({ accountId: '12345678' });
  const template = Template.fromStack(stack);
  const ref = (pathPart: string, type: string) => {
    const ids = logicalIdsAt(template, type, pathPart);
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  };
  const eventQueue = () => ref('/Ingestion/EventQueue/', 'AWS::SQS::Queue');
  const stateTable = () => ref('/Processing/ConversationState/', 'AWS::DynamoDB::Table');
  const idempotencyTable = () => ref('/Processing/Idempotency/', 'AWS::DynamoDB::Table');

  it('drives the processor from the ingestion event queue and parks unprocessable events in its dead-letter queue', () => {
    const processor = ref('/Processing/Processor/Function/', 'AWS::Lambda::Function');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: processor },
      EventSourceArn: { 'Fn::GetAtt': [eventQueue(), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'event-processor',
          DEAD_LETTER_QUEUE_URL: { Ref: ref('/Ingestion/DeadLetterQueue/', 'AWS::SQS::Queue') },
          STATE_TABLE_NAME: { Ref: stateTable() },
        }),
      },
    });
    expect(stack.processing?.eventBus).toBeDefined();
  });

  it("gives the connector processing's state and idempotency tables, and no event route unless asked", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'connector-send',
          STATE_TABLE_NAME: { Ref: stateTable() },
          IDEMPOTENCY_TABLE_NAME: { Ref: idempotencyTable() },
        }),
      },
    });
    expect(stack.connector?.eventRule).toBeUndefined();
    // The only rules are the domain refresh and C2M funnel schedules.
    expect(
      Object.values(template.findResources('AWS::Events::Rule')).map(
        (r) => (r as { Properties: { ScheduleExpression?: string } }).Properties.ScheduleExpression,
      ),
    ).toEqual(['rate(12 hours)', 'rate(15 minutes)']);
  });

  it('outputs the bus, the state table, the outbound queues and the connector function', () => {
    const bus = ref('/Processing/Bus/', 'AWS::Events::EventBus');
    template.hasOutput('EventBusName', { Value: { Ref: bus } });
    template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [bus, 'Arn'] } });
    const archive = ref('/Processing/Archive/', 'AWS::Events::Archive');
    template.hasOutput('EventArchiveName', { Value: { Ref: archive } });
    template.hasOutput('EventArchiveArn', { Value: { 'Fn::GetAtt': [archive, 'Arn'] } });
    const noArchive = Object.keys(
      templateOf({ accountId: '12345678', processing: { archiveRetentionDays: false } }).toJSON().Outputs as object,
    );
    expect(noArchive.filter((name) => name.startsWith('EventArchive'))).toEqual([]);
    const registry = ref('/Processing/EventSchemas/Registry', 'AWS::EventSchemas::Registry');
    template.hasOutput('EventSchemaRegistryName', { Value: { 'Fn::GetAtt': [registry, 'RegistryName'] } });
    const noSchemas = Object.keys(templateOf({ accountId: '12345678', processing: { eventSchemas: false } }).toJSON().Outputs as object);
    expect(noSchemas).not.toContain('EventSchemaRegistryName');
    template.hasOutput('ConversationStateTableName', { Value: { Ref: stateTable() } });
    template.hasOutput('OutboundQueueUrl', { Value: { Ref: ref('/Connector/OutboundQueue/', 'AWS::SQS::Queue') } });
    template.hasOutput('OutboundDeadLetterQueueUrl', { Value: { Ref: ref('/Connector/DeadLetterQueue/', 'AWS::SQS::Queue') } });
    template.hasOutput('ConnectorFunctionName', { Value: { Ref: ref('/Connector/Sender/Function/', 'AWS::Lambda::Function') } });
    expect(Object.keys(template.toJSON().Outputs as object)).not.toContain('ConnectorEventRouteDeadLetterQueueUrl');
  });
});

describe('LivePersonStack wiring (custom config)', () => {
  it('routes command events from the processing bus to the connector when connector.eventRoute is set', () => {
    const template = templateOf({ accountId: '12345678', connector: { eventRoute: true } });
    const bus = logicalIdsAt(template, 'AWS::Events::EventBus', '/Processing/Bus/')[0];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      EventPattern: { 'detail-type': ['LivePerson Connector Command'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorSenderFunction'), 'Arn'] } })],
    });
    template.hasOutput('ConnectorEventRouteDeadLetterQueueUrl', {
      Value: { Ref: Match.stringLikeRegexp('^ConnectorEventRouteDeadLetterQueue') },
    });
  });

  it('takes the processing and connector blocks', () => {
    const template = templateOf({
      accountId: '12345678',
      processing: { batchSize: 5, maxConcurrency: 4, timeoutSeconds: 40, idempotencyTtlHours: 100, conversationRetentionDays: 30 },
      connector: {
        defaultRouting: { skillId: '77' },
        batchSize: 3,
        timeoutSeconds: 20,
        maxReceiveCount: 7,
        queueRetentionDays: 2,
        consumerRetentionDays: 10,
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionEventQueue'), 'Arn'] },
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 40,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'event-processor',
          IDEMPOTENCY_TTL_SECONDS: '360000',
          CONVERSATION_RETENTION_DAYS: '30',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorOutboundQueue'), 'Arn'] },
      BatchSize: 3,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 120,
      MessageRetentionPeriod: 2 * 24 * 3600,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConnectorDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 7,
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 20,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'connector-send',
          CONNECTOR_DEFAULT_SKILL_ID: '77',
          CONSUMER_RETENTION_DAYS: '10',
        }),
      },
    });
  });

  it('builds neither processing nor connector when both are off, and no connector when it alone is off', () => {
    const neither = templateOf({ accountId: '12345678', capabilities: { processing: false, connector: false } });
    // Only the C2M funnel's watermark table is left.
    expect(logicalIdsAt(neither, 'AWS::DynamoDB::Table', '/IvrDeflection/FunnelWatermark/')).toHaveLength(1);
    neither.resourceCountIs('AWS::DynamoDB::Table', 1);
    neither.resourceCountIs('AWS::Events::EventBus', 0);
    neither.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    const outputs = Object.keys(neither.toJSON().Outputs as object);
    for (const name of [
      'EventBusName',
      'EventBusArn',
      'EventArchiveName',
      'EventArchiveArn',
      'EventSchemaRegistryName',
      'ConversationStateTableName',
      'OutboundQueueUrl',
      'OutboundDeadLetterQueueUrl',
      'ConnectorFunctionName',
    ]) {
      expect(outputs).not.toContain(name);
    }
    const noConnector = templateOf({ accountId: '12345678', capabilities: { connector: false } });
    expect(logicalIdsAt(noConnector, 'AWS::SQS::Queue', '/Connector/')).toEqual([]);
    noConnector.resourceCountIs('AWS::DynamoDB::Table', 3);
  });

  it('refuses processing without ingestion and connector without processing, naming the fields', () => {
    expect(() => buildApp({ accountId: '12345678', capabilities: { ingestion: false } })).toThrow(
      /capabilities\.processing: needs capabilities\.ingestion: the processor drains the event queue that ingestion creates/,
    );
    expect(() => buildApp({ accountId: '12345678', capabilities: { processing: false } })).toThrow(DeploymentConfigError);
    expect(() => buildApp({ accountId: '12345678', capabilities: { processing: false } })).toThrow(
      /capabilities\.connector: needs capabilities\.processing/,
    );
  });

  it('guards the same dependencies when the stack gets a config the schema did not check', () => {
    const config = parseDeploymentConfig({ accountId: '12345678' });
    const stackWith = (capabilities: Partial<typeof config.capabilities>) => () =>
      new LivePersonStack(new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } }), 'Hand', {
        config: { ...config, capabilities: { ...config.capabilities, ...capabilities } },
      });
    expect(stackWith({ ingestion: false })).toThrow(
      'LivePersonStack at Hand: config.capabilities.processing: needs capabilities.ingestion',
    );
    expect(stackWith({ processing: false })).toThrow(
      'LivePersonStack at Hand: config.capabilities.connector: needs capabilities.processing',
    );
  });
});

// IVR deflection wiring: the c2m-invite function, the Amazon Connect permission, integration and
// contact flow, the config fields, and the shipped flow's structure.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { C2M_RESULTS } from '#functions/lib/ivr/outcome.ts';
import { functionEnvironmentSchema } from '#contract/environment.ts';
import { DeploymentConfigError, parseDeploymentConfig, type DeploymentConfigInput } from '#lib/config.ts';
import {
  CALL_ID_ATTRIBUTE,
  loadC2mFlowTemplate,
  renderC2mDeflectionFlow,
  type ContactFlow,
  type FlowAction,
} from '#lib/contact-flows/c2m-deflection.ts';
import { LivePersonIvrDeflection } from '#lib/ivr-deflection.ts';
import { c2mSettingsSchema } from '#lib/settings/c2m.ts';
import { CLI_CONTEXT, PROJECT_ROOT, SKIP_BUNDLING, logicalIdsAt, templateOf } from './helpers.ts';

const INSTANCE_ARN = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555';
const QUEUE_ARN = `${INSTANCE_ARN}/queue/66666666-7777-8888-9999-000000000000`;
const OTHER_QUEUE_ARN =
  'arn:aws:connect:us-east-1:123456789012:instance/99999999-2222-3333-4444-555555555555/queue/66666666-7777-8888-9999-000000000000';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:LivePerson-12345678-C2mInvite';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

function c2mFunction(template: Template): { id: string; properties: Record<string, unknown> } {
  const ids = logicalIdsAt(template, 'AWS::Lambda::Function', '/IvrDeflection/Function/');
  expect(ids).toHaveLength(1);
  const id = ids[0] ?? '';
  return { id, properties: (template.findResources('AWS::Lambda::Function')[id] as Resource).Properties };
}

function resourcesOf(template: Template, type: string): Resource[] {
  return Object.values(template.findResources(type)) as Resource[];
}

describe('LivePersonIvrDeflection (default config)', () => {
  const template = templateOf({ accountId: '12345678' });

  it("runs c2m-invite below Connect's 8 s, with reserved concurrency and the contract environment", () => {
    const { properties } = c2mFunction(template);
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 7,
      ReservedConcurrentExecutions: 3,
      Environment: {
        Variables: expect.objectContaining({
          LP_ACCOUNT_ID: '12345678',
          LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/',
          LP_CSDS_URL: 'https://api.liveperson.net',
          POWERTOOLS_SERVICE_NAME: 'c2m-invite',
        }),
      },
    });
    expect(properties.Timeout).toBeLessThan(8);
    const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.LP_SECRET_ID).toEqual({ Ref: expect.stringMatching(/^CredentialsSecret/) });
    expect(Object.keys(variables).filter((name) => name.startsWith('C2M_'))).toEqual([]);
  });

  it('lets the function read the secret and the domain parameters, nothing else', () => {
    const policies = logicalIdsAt(template, 'AWS::IAM::Policy', '/IvrDeflection/Function/Role/');
    expect(policies).toHaveLength(1);
    const policy = template.findResources('AWS::IAM::Policy')[policies[0] ?? ''] as Resource;
    const actions = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement.flatMap((s) =>
      [s.Action].flat(),
    );
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'ssm:GetParameter',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('without an instance ARN: no Connect permission, integration or flow, and the function ARN as output', () => {
    expect(resourcesOf(template, 'AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 'connect.amazonaws.com')).toEqual([]);
    template.resourceCountIs('AWS::Connect::IntegrationAssociation', 0);
    template.resourceCountIs('AWS::Connect::ContactFlow', 0);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.C2mInviteFunctionArn?.Value).toEqual({ 'Fn::GetAtt': [c2mFunction(template).id, 'Arn'] });
    expect(outputs.C2mContactFlowId).toBeUndefined();
  });
});

describe('LivePersonIvrDeflection with an Amazon Connect instance', () => {
  const template = templateOf({ accountId: '12345678', connectInstanceArn: INSTANCE_ARN });
  const { id: functionId } = c2mFunction(template);

  it('allows connect.amazonaws.com to invoke it, scoped to the instance and its account', () => {
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 'connect.amazonaws.com');
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'connect.amazonaws.com',
        SourceArn: INSTANCE_ARN,
        SourceAccount: '123456789012',
      },
    ]);
  });

  it('associates the function with the instance (listed in its console)', () => {
    expect(resourcesOf(template, 'AWS::Connect::IntegrationAssociation').map((r) => r.Properties)).toEqual([
      { InstanceId: INSTANCE_ARN, IntegrationType: 'LAMBDA_FUNCTION', IntegrationArn: { 'Fn::GetAtt': [functionId, 'Arn'] } },
    ]);
    template.resourceCountIs('AWS::Connect::ContactFlow', 0);
  });
});

describe('LivePersonIvrDeflection with the contact flow created', () => {
  const template = templateOf({
    accountId: '12345678',
    connectInstanceArn: INSTANCE_ARN,
    c2m: { createContactFlow: true, fallbackQueueArn: QUEUE_ARN, contactFlowName: 'C2M offer' },
  });
  const { id: functionId } = c2mFunction(template);
  const [flowResource] = resourcesOf(template, 'AWS::Connect::ContactFlow');

  /** The Content with the function's ARN (a GetAtt in the template) written as a marker. */
  function synthesizedFlow(): ContactFlow {
    const content = flowResource?.Properties.Content as { 'Fn::Join': [string, unknown[]] };
    const text = content['Fn::Join'][1]
      .map((part) =>
        typeof part === 'string'
          ? part
          : JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] })
            ? FUNCTION_ARN
            : '<?>',
      )
      .join('');
    return JSON.parse(text) as ContactFlow;
  }

  it('creates the flow in the instance, after the function is associated with it', () => {
    expect(flowResource?.Properties).toMatchObject({ InstanceArn: INSTANCE_ARN, Name: 'C2M offer', Type: 'CONTACT_FLOW', State: 'ACTIVE' });
    const [associationId] = logicalIdsAt(template, 'AWS::Connect::IntegrationAssociation', '/IvrDeflection/');
    expect(flowResource?.DependsOn).toContain(associationId);
  });

  it('substitutes the function ARN for the placeholder and keeps the fallback queue', () => {
    const flow = synthesizedFlow();
    expect(JSON.stringify(flow)).not.toMatch(/\{\{|<\?>/);
    expect(lambdaActions(flow).map((action) => action.Parameters?.LambdaFunctionARN)).toEqual([FUNCTION_ARN, FUNCTION_ARN]);
    expect(flow.Actions.find((action) => action.Type === 'UpdateContactTargetQueue')?.Parameters).toEqual({ QueueId: QUEUE_ARN });
    expect(validateFlow(flow)).toEqual([]);
  });

  it('outputs the flow id and ARN', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const [flowId] = logicalIdsAt(template, 'AWS::Connect::ContactFlow', '/IvrDeflection/');
    expect(outputs.C2mContactFlowId?.Value).toEqual({
      'Fn::Select': [3, { 'Fn::Split': ['/', { 'Fn::GetAtt': [flowId, 'ContactFlowArn'] }] }],
    });
    expect(outputs.C2mContactFlowArn?.Value).toEqual({ 'Fn::GetAtt': [flowId, 'ContactFlowArn'] });
  });
});

describe('c2m config', () => {
  it('passes the defaults, region hint, timeout and concurrency to the function', () => {
    const template = templateOf({
      accountId: '12345678',
      c2m: {
        defaultSkill: 'support',
        defaultHandoffId: 'H123456789',
        region: 'lo',
        timeoutSeconds: 5,
        reservedConcurrency: 10,
        whatsapp: 'require-sms',
      },
    });
    const { properties } = c2mFunction(template);
    expect(properties).toMatchObject({ Timeout: 5, ReservedConcurrentExecutions: 10 });
    expect((properties.Environment as { Variables: Record<string, string> }).Variables).toMatchObject({
      C2M_DEFAULT_SKILL: 'support',
      C2M_DEFAULT_HANDOFF_ID: 'H123456789',
      C2M_REGION: 'lo',
      C2M_WHATSAPP_POLICY: 'require-sms',
    });
  });

  it('reserves no concurrency when told so (accounts whose Lambda quota is too small to reserve any)', () => {
    const { properties } = c2mFunction(templateOf({ accountId: '12345678', c2m: { reservedConcurrency: false } }));
    expect(properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('builds nothing for IVR deflection when the capability is off', () => {
    const template = templateOf({ accountId: '12345678', capabilities: { ivrDeflection: false } });
    expect(logicalIdsAt(template, 'AWS::Lambda::Function', '/IvrDeflection/')).toEqual([]);
    expect((template.toJSON().Outputs as Record<string, unknown>).C2mInviteFunctionArn).toBeUndefined();
  });

  it('applies the defaults to an empty block', () => {
    const defaults = {
      timeoutSeconds: 7,
      reservedConcurrency: 3,
      createContactFlow: false,
      funnel: { enabled: true, scheduleMinutes: 15, delayMinutes: 20, lookbackHours: 24 },
    };
    expect(parseDeploymentConfig({ accountId: '1', c2m: {} }).c2m).toStrictEqual(defaults);
    // The construct's defaults are the same schema's.
    expect(c2mSettingsSchema.parse({})).toStrictEqual(defaults);
  });

  it.each<[DeploymentConfigInput['c2m'] & object, string, Partial<DeploymentConfigInput>?]>([
    [
      { timeoutSeconds: 8 },
      'c2m.timeoutSeconds: must be at most 7 seconds: Amazon Connect waits at most 8 s for a Lambda function, cold start included',
    ],
    [{ timeoutSeconds: 1 }, 'c2m.timeoutSeconds: must be at least 2 seconds'],
    [{ reservedConcurrency: 0 }, 'c2m.reservedConcurrency: must be a whole number from 1 to 1000, or false for no reserved concurrency'],
    [
      { reservedConcurrency: true as never },
      'c2m.reservedConcurrency: must be a whole number from 1 to 1000, or false for no reserved concurrency',
    ],
    [
      { region: 'eu' as never },
      'c2m.region: must be "va" (North America), "lo" (EMEA) or "sy" (APAC): the C2M region of the LivePerson account',
    ],
    [{ defaultSkill: 's'.repeat(256) }, "c2m.defaultSkill: must be at most 255 characters (C2M's limit)"],
    [
      { createContactFlow: true },
      'c2m.createContactFlow: needs connectInstanceArn: the contact flow is created in that Amazon Connect instance',
    ],
    [
      { createContactFlow: true },
      'c2m.createContactFlow: needs capabilities.ivrDeflection: the flow invokes its function',
      { connectInstanceArn: INSTANCE_ARN, capabilities: { ivrDeflection: false } },
    ],
    [
      { fallbackQueueArn: QUEUE_ARN },
      'c2m.fallbackQueueArn: is only used by the contact flow the stack creates: set c2m.createContactFlow, or pass --queue-arn when rendering the flow to import',
    ],
    [
      { createContactFlow: true, fallbackQueueArn: OTHER_QUEUE_ARN },
      'c2m.fallbackQueueArn: must be a queue of the instance in connectInstanceArn',
      { connectInstanceArn: INSTANCE_ARN },
    ],
    [
      { fallbackQueueArn: 'queue-1', createContactFlow: true },
      'c2m.fallbackQueueArn: must be an Amazon Connect queue ARN',
      { connectInstanceArn: INSTANCE_ARN },
    ],
    [{ contactFlowName: 'x'.repeat(128) }, 'c2m.contactFlowName: must be at most 127 characters (the Amazon Connect limit)'],
    [{ funnel: { scheduleMinutes: 1 } }, 'c2m.funnel.scheduleMinutes: must be at least 5 minutes'],
    [{ funnel: { lookbackHours: 73 } }, 'c2m.funnel.lookbackHours: must be at most 72 hours'],
    [{ funnel: { delayMinutes: -1 } }, 'c2m.funnel.delayMinutes: must be at least 0 minutes'],
    [{ funnel: { reportingUrl: 'http://va.cx-reporting.liveperson.net' } }, 'c2m.funnel.reportingUrl: must be an https URL'],
    [{ funnel: { enabled: 'yes' as never } }, 'c2m.funnel.enabled: must be true or false'],
    [{ funnel: { schedule: 5 } as never }, 'c2m.funnel.schedule: is not a known field'],
  ])('refuses %j', (c2m, message, extra = {}) => {
    let error: unknown;
    try {
      parseDeploymentConfig({ accountId: '12345678', ...extra, c2m });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeploymentConfigError);
    expect((error as DeploymentConfigError).issues).toEqual([expect.stringContaining(message)]);
  });
});

describe('the C2M funnel (c2m-funnel on a schedule)', () => {
  const template = templateOf({ accountId: '12345678', c2m: { region: 'lo' } });
  const funnelId = () => {
    const ids = logicalIdsAt(template, 'AWS::Lambda::Function', '/IvrDeflection/Funnel/');
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  };
  const tableId = () => {
    const ids = logicalIdsAt(template, 'AWS::DynamoDB::Table', '/IvrDeflection/FunnelWatermark/');
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  };

  it('runs c2m-funnel one at a time, with the watermark table, the region and the documented delay in its environment', () => {
    const properties = (template.findResources('AWS::Lambda::Function')[funnelId()] as Resource).Properties;
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: expect.objectContaining({
          POWERTOOLS_SERVICE_NAME: 'c2m-funnel',
          C2M_FUNNEL_TABLE_NAME: { Ref: tableId() },
          C2M_REGION: 'lo',
          C2M_FUNNEL_DELAY_MINUTES: '20',
          C2M_FUNNEL_LOOKBACK_HOURS: '24',
        }),
      },
    });
    expect((properties.Environment as { Variables: Record<string, unknown> }).Variables.C2M_REPORTING_URL).toBeUndefined();
  });

  it('invokes it every 15 minutes, with two retries and no event older than one interval', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter((rule) => rule.Properties.ScheduleExpression === 'rate(15 minutes)');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [funnelId(), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
      }),
    ]);
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 'events.amazonaws.com');
    expect(permissions.map((p) => p.Properties.FunctionName)).toContainEqual({ 'Fn::GetAtt': [funnelId(), 'Arn'] });
  });

  it('keeps the watermark in an encrypted on-demand table keyed by id, that only the funnel may read and move', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const policies = logicalIdsAt(template, 'AWS::IAM::Policy', '/IvrDeflection/Funnel/Role/');
    expect(policies).toHaveLength(1);
    const statements = (
      (template.findResources('AWS::IAM::Policy')[policies[0] ?? ''] as Resource).Properties.PolicyDocument as {
        Statement: Array<{ Sid?: string; Action: string | string[]; Resource: unknown }>;
      }
    ).Statement;
    expect(statements.find((statement) => statement.Sid === 'FunnelWatermark')).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
    });
    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'ssm:GetParameter',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    // No other function may touch it.
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      if (policies.includes(id)) continue;
      expect(JSON.stringify(policy), id).not.toContain(tableId());
    }
  });

  it('takes its schedule, windows and reporting URL from c2m.funnel, and builds nothing with enabled: false', () => {
    const custom = templateOf({
      accountId: '12345678',
      c2m: {
        funnel: { scheduleMinutes: 30, delayMinutes: 25, lookbackHours: 48, reportingUrl: 'https://reporting.example.liveperson.net/' },
      },
    });
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          C2M_FUNNEL_DELAY_MINUTES: '25',
          C2M_FUNNEL_LOOKBACK_HOURS: '48',
          C2M_REPORTING_URL: 'https://reporting.example.liveperson.net',
        }),
      },
    });
    const off = templateOf({ accountId: '12345678', c2m: { funnel: { enabled: false } } });
    expect(logicalIdsAt(off, 'AWS::Lambda::Function', '/IvrDeflection/Funnel/')).toEqual([]);
    expect(logicalIdsAt(off, 'AWS::DynamoDB::Table', '/IvrDeflection/')).toEqual([]);
    expect(Object.keys(off.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.includes('C2mInvitesUndelivered'))).toEqual([]);
  });
});

describe("LivePersonIvrDeflection in a brand's own app", () => {
  function stackWithSecret() {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Brand', { env: { account: '123456789012', region: 'us-east-1' } });
    const secret = Secret.fromSecretNameV2(stack, 'Secret', 'liveperson/42/credentials');
    return { stack, credentials: { secret, secretId: 'liveperson/42/credentials' } };
  }

  it('allows an instance later with allowConnectInstance()', () => {
    const { stack, credentials } = stackWithSecret();
    const ivr = new LivePersonIvrDeflection(stack, 'Ivr', { accountId: '42', credentials });
    ivr.allowConnectInstance(INSTANCE_ARN);
    ivr.allowConnectInstance(INSTANCE_ARN); // once only
    const permissions = resourcesOf(Template.fromStack(stack), 'AWS::Lambda::Permission').filter(
      (p) => p.Properties.Principal === 'connect.amazonaws.com',
    );
    expect(permissions.map((p) => p.Properties.SourceArn)).toEqual([INSTANCE_ARN]);
    expect(ivr.integrationAssociation).toBeUndefined();
  });

  it.each<[Record<string, unknown>, string]>([
    [
      { timeoutSeconds: 8 },
      'LivePersonIvrDeflection at Brand/Ivr: timeoutSeconds: must be at most 7 seconds: Amazon Connect waits at most 8 s',
    ],
    [{ reservedConcurrency: 0 }, 'reservedConcurrency: must be a whole number from 1 to 1000, or false for no reserved concurrency'],
    [{ createContactFlow: true }, 'LivePersonIvrDeflection at Brand/Ivr: createContactFlow: needs connectInstanceArn'],
    [{ fallbackQueueArn: QUEUE_ARN }, 'fallbackQueueArn: is only used by the contact flow the stack creates'],
    [
      { fallbackQueueArn: 'queue-1', createContactFlow: true, connectInstanceArn: INSTANCE_ARN },
      'fallbackQueueArn: must be an Amazon Connect queue ARN',
    ],
    [
      { connectInstanceArn: 'arn:aws:connect:us-east-1:123456789012:queue/x' },
      'connectInstanceArn: must be an Amazon Connect instance ARN',
    ],
  ])('refuses %j', (props, message) => {
    const { stack, credentials } = stackWithSecret();
    expect(() => new LivePersonIvrDeflection(stack, 'Ivr', { accountId: '42', credentials, ...props })).toThrow(message);
  });

  it('refuses an instance ARN or a stack region where Amazon Connect is not offered, before synth fails on it', () => {
    const { stack, credentials } = stackWithSecret();
    expect(
      () =>
        new LivePersonIvrDeflection(stack, 'Ivr', {
          accountId: '42',
          credentials,
          connectInstanceArn: INSTANCE_ARN.replace(/:connect:[^:]+:/, ':connect:eu-west-1:'),
        }),
    ).toThrow('connectInstanceArn: is in region eu-west-1: Amazon Connect is not offered in eu-west-1; it is in us-east-1, us-west-2');
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const irish = new Stack(app, 'Irish', { env: { account: '123456789012', region: 'eu-west-1' } });
    const irishCredentials = {
      secret: Secret.fromSecretNameV2(irish, 'Secret', 'liveperson/42/credentials'),
      secretId: 'liveperson/42/credentials',
    };
    expect(
      () => new LivePersonIvrDeflection(irish, 'Ivr', { accountId: '42', credentials: irishCredentials, connectInstanceArn: INSTANCE_ARN }),
    ).toThrow("the stack's region eu-west-1: Amazon Connect is not offered in eu-west-1");
  });

  it('sets the variables the handler reads, by their contract names', () => {
    const { stack, credentials } = stackWithSecret();
    new LivePersonIvrDeflection(stack, 'Ivr', {
      accountId: '42',
      credentials,
      defaultSkill: 'sales',
      defaultHandoffId: 'h1',
      region: 'lo',
    });
    const [fn] = resourcesOf(Template.fromStack(stack), 'AWS::Lambda::Function');
    const variables = (fn?.Properties as { Environment: { Variables: Record<string, string> } }).Environment.Variables;
    expect(variables).toMatchObject({ C2M_DEFAULT_SKILL: 'sales', C2M_DEFAULT_HANDOFF_ID: 'h1', C2M_REGION: 'lo' });
    expect(Object.keys(functionEnvironmentSchema('c2m-invite').shape).sort()).toEqual([
      'C2M_DEFAULT_HANDOFF_ID',
      'C2M_DEFAULT_SKILL',
      'C2M_REGION',
      'C2M_WHATSAPP_POLICY',
    ]);
  });

  it('takes a queue of another construct (a token) as the fallback queue', () => {
    const { stack, credentials } = stackWithSecret();
    const queueArn = Fn.importValue('BrandFallbackQueueArn');
    expect(
      () =>
        new LivePersonIvrDeflection(stack, 'Ivr', {
          accountId: '42',
          credentials,
          connectInstanceArn: INSTANCE_ARN,
          createContactFlow: true,
          fallbackQueueArn: queueArn,
        }),
    ).not.toThrow();
  });
});

// ---- The shipped contact flow ------------------------------------------------------------------

function lambdaActions(flow: ContactFlow): FlowAction[] {
  return flow.Actions.filter((action) => action.Type === 'InvokeLambdaFunction');
}

function targetsOf(action: FlowAction): string[] {
  const transitions = action.Transitions ?? {};
  return [
    ...(transitions.NextAction === undefined ? [] : [transitions.NextAction]),
    ...(transitions.Errors ?? []).map((t) => t.NextAction),
    ...(transitions.Conditions ?? []).map((t) => t.NextAction),
  ];
}

/** Results each Lambda action can answer (functions/lib/ivr): eligibility never invites, invite never checks eligibility. */
const POSSIBLE_RESULTS: Record<string, readonly string[]> = {
  eligibility: ['ELIGIBLE', 'NOT_ELIGIBLE', 'ERROR'],
  invite: ['INVITED', 'NOT_ELIGIBLE', 'ERROR'],
};
const TERMINAL_TYPES = new Set(['DisconnectParticipant', 'TransferContactToQueue']);

/** Problems of a flow; empty when it is sound. */
function validateFlow(flow: ContactFlow): string[] {
  const problems: string[] = [];
  const byId = new Map(flow.Actions.map((action) => [action.Identifier, action]));
  if (byId.size !== flow.Actions.length) problems.push('duplicate identifiers');
  if (!byId.has(flow.StartAction)) problems.push(`StartAction ${flow.StartAction} does not exist`);
  for (const action of flow.Actions) {
    if (action.Identifier.length > 50 || /[%:(\\/)=$,;[\]{}]/.test(action.Identifier))
      problems.push(`${action.Identifier}: invalid identifier`);
    for (const target of targetsOf(action)) if (!byId.has(target)) problems.push(`${action.Identifier} → ${target}: no such action`);
    if (!TERMINAL_TYPES.has(action.Type) && action.Transitions?.NextAction === undefined)
      problems.push(`${action.Identifier}: no NextAction`);
    if (
      action.Type !== 'DisconnectParticipant' &&
      action.Type !== 'Compare' &&
      !(action.Transitions?.Errors ?? []).some((e) => e.ErrorType === 'NoMatchingError')
    ) {
      problems.push(`${action.Identifier}: no NoMatchingError branch`);
    }
  }
  // Everything reachable from the start, and every path ends in a queue or a hang-up.
  const reachable = new Set<string>();
  const pending = [flow.StartAction];
  while (pending.length > 0) {
    const id = pending.pop() ?? '';
    if (reachable.has(id) || !byId.has(id)) continue;
    reachable.add(id);
    pending.push(...targetsOf(byId.get(id) as FlowAction));
  }
  for (const id of byId.keys()) if (!reachable.has(id)) problems.push(`${id}: unreachable`);
  const metadataIds = Object.keys(flow.Metadata?.ActionMetadata ?? {}).sort();
  if (JSON.stringify(metadataIds) !== JSON.stringify([...byId.keys()].sort())) problems.push('ActionMetadata does not match the actions');

  for (const lambda of lambdaActions(flow)) {
    const parameters = lambda.Parameters ?? {};
    const limit = Number(parameters.InvocationTimeLimitSeconds);
    if (!(Number.isInteger(limit) && limit > 0 && limit <= 8))
      problems.push(`${lambda.Identifier}: InvocationTimeLimitSeconds must be 1-8`);
    if ((parameters.ResponseValidation as { ResponseType?: string } | undefined)?.ResponseType !== 'STRING_MAP')
      problems.push(`${lambda.Identifier}: not STRING_MAP`);
    const action = (parameters.LambdaInvocationAttributes as Record<string, string> | undefined)?.action ?? '';
    const results = POSSIBLE_RESULTS[action];
    if (results === undefined) {
      problems.push(`${lambda.Identifier}: unknown action ${action}`);
      continue;
    }
    // The Compare on $.External.result that follows (possibly after saving attributes) covers every result.
    let next = byId.get(lambda.Transitions?.NextAction ?? '');
    while (next && next.Type === 'UpdateContactAttributes') next = byId.get(next.Transitions?.NextAction ?? '');
    if (next?.Type !== 'Compare' || next.Parameters?.ComparisonValue !== '$.External.result') {
      problems.push(`${lambda.Identifier}: not followed by a Compare on $.External.result`);
      continue;
    }
    const covered = (next.Transitions?.Conditions ?? []).flatMap((c) => (c.Condition?.Operator === 'Equals' ? c.Condition.Operands : []));
    for (const result of results) if (!covered.includes(result)) problems.push(`${next.Identifier}: no branch for ${result}`);
    if (!(next.Transitions?.Errors ?? []).some((e) => e.ErrorType === 'NoMatchingCondition'))
      problems.push(`${next.Identifier}: no NoMatchingCondition branch`);
  }
  return problems;
}

/** Where each Compare sends each result: the branch's target. */
function branch(flow: ContactFlow, compareId: string, result: string): string | undefined {
  const compare = flow.Actions.find((action) => action.Identifier === compareId);
  return compare?.Transitions?.Conditions?.find((c) => c.Condition?.Operands.includes(result))?.NextAction;
}

/** Follows NextAction until one of `stops` (or a dead end): where a path ends up. */
function leadsTo(flow: ContactFlow, from: string | undefined, stops: readonly string[]): string | undefined {
  const byId = new Map(flow.Actions.map((action) => [action.Identifier, action]));
  let current = from;
  for (let steps = 0; current !== undefined && steps < 20; steps++) {
    const action = byId.get(current);
    if (!action || stops.includes(action.Type)) return action?.Type;
    current = action.Transitions?.NextAction;
  }
  return undefined;
}

describe('the shipped contact flow (lib/contact-flows/c2m-deflection.json)', () => {
  const withQueue = renderC2mDeflectionFlow({ functionArn: FUNCTION_ARN, fallbackQueueArn: QUEUE_ARN });
  const withoutQueue = renderC2mDeflectionFlow({ functionArn: FUNCTION_ARN });

  it('is sound with and without a fallback queue', () => {
    expect(validateFlow(withQueue)).toEqual([]);
    expect(validateFlow(withoutQueue)).toEqual([]);
    expect(JSON.stringify([withQueue, withoutQueue])).not.toContain('{{');
  });

  it('keeps its placeholders in the file, for an import after rendering', () => {
    const text = JSON.stringify(loadC2mFlowTemplate());
    expect(text).toContain('{{C2M_INVITE_FUNCTION_ARN}}');
    expect(text).toContain('{{FALLBACK_QUEUE_ARN}}');
  });

  it('asks eligibility first, offers messaging on ELIGIBLE (press 1), then invites with the callId kept as a contact attribute', () => {
    const flow = withQueue;
    const start = flow.Actions.find((action) => action.Identifier === flow.StartAction);
    // The caller's context from contact attributes the flow's earlier blocks may set (empty ones count as absent).
    expect(start?.Parameters?.LambdaInvocationAttributes).toEqual({
      action: 'eligibility',
      sdes: '$.Attributes.lp_sdes',
      consumerId: '$.Attributes.lp_consumer_id',
    });
    const offer = flow.Actions.find((action) => action.Identifier === branch(flow, 'check-eligibility', 'ELIGIBLE'));
    expect(offer?.Type).toBe('GetParticipantInput');
    expect(offer?.Parameters?.Text).toMatch(/press 1/);
    const pressedOne = offer?.Transitions?.Conditions?.find((c) => c.Condition?.Operands.includes('1'))?.NextAction;
    const invite = flow.Actions.find((action) => action.Identifier === pressedOne);
    // The invite goes on the channel c2m.whatsapp chose, when it chose one ("" counts as absent: C2M's own choice).
    expect(invite?.Parameters?.LambdaInvocationAttributes).toEqual({
      action: 'invite',
      callId: `$.Attributes.${CALL_ID_ATTRIBUTE}`,
      overrideChannel: '$.Attributes.c2mOverrideChannel',
    });
    const saved = flow.Actions.filter((action) => action.Type === 'UpdateContactAttributes').map(
      (action) => action.Parameters?.Attributes as Record<string, string>,
    );
    expect(saved).toContainEqual(
      expect.objectContaining({ [CALL_ID_ATTRIBUTE]: '$.External.callId', c2mOverrideChannel: '$.External.overrideChannel' }),
    );
  });

  it('sends NOT_ELIGIBLE and ERROR to the queue, INVITED to a goodbye', () => {
    for (const flow of [withQueue, withoutQueue]) {
      for (const result of ['NOT_ELIGIBLE', 'ERROR']) {
        expect(leadsTo(flow, branch(flow, 'check-eligibility', result), ['TransferContactToQueue', 'DisconnectParticipant'])).toBe(
          'TransferContactToQueue',
        );
        expect(leadsTo(flow, branch(flow, 'check-invite', result), ['TransferContactToQueue', 'DisconnectParticipant'])).toBe(
          'TransferContactToQueue',
        );
      }
      expect(leadsTo(flow, branch(flow, 'check-invite', 'INVITED'), ['TransferContactToQueue', 'DisconnectParticipant'])).toBe(
        'DisconnectParticipant',
      );
      // A failed Lambda invocation (throttled, timed out) also ends in the queue.
      for (const lambda of lambdaActions(flow)) {
        const onError = lambda.Transitions?.Errors?.find((e) => e.ErrorType === 'NoMatchingError')?.NextAction;
        expect(leadsTo(flow, onError, ['TransferContactToQueue', 'DisconnectParticipant'])).toBe('TransferContactToQueue');
      }
    }
  });

  it('sets the configured queue, or leaves the working queue set before the flow', () => {
    expect(withQueue.Actions.filter((a) => a.Type === 'UpdateContactTargetQueue').map((a) => a.Parameters)).toEqual([
      { QueueId: QUEUE_ARN },
    ]);
    expect(withoutQueue.Actions.filter((a) => a.Type === 'UpdateContactTargetQueue')).toEqual([]);
  });

  it('branches on every result the function gives', () => {
    const compared = withQueue.Actions.filter((a) => a.Type === 'Compare').flatMap((a) =>
      (a.Transitions?.Conditions ?? []).flatMap((c) => c.Condition?.Operands ?? []),
    );
    expect([...new Set(compared)].sort()).toEqual([...C2M_RESULTS].sort());
  });

  it('renders for an import from the command line', () => {
    const script = path.join(PROJECT_ROOT, 'lib', 'contact-flows', 'render-c2m-flow.ts');
    const rendered = spawnSync(process.execPath, [script, '--function-arn', FUNCTION_ARN, '--queue-arn', QUEUE_ARN], { encoding: 'utf8' });
    expect(rendered.stderr).toBe('');
    expect(JSON.parse(rendered.stdout)).toEqual(withQueue);
    const refused = spawnSync(process.execPath, [script, '--function-arn', 'my-function'], { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--function-arn must be a Lambda function ARN');
  });
});

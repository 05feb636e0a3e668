// Security properties of the full stack, read from the template: least privilege per function role,
// encryption at rest, TLS-only resource policies, and the optional customer managed key for logs.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeploymentConfigError, parseDeploymentConfig } from '#lib/config.ts';
import type { DeploymentConfigInput } from '#lib/config.ts';
import { buildApp, logicalIdsAt } from './helpers.ts';

/** Every capability, the connector's event route, WAF and an alarm email: the most the stack builds. */
const FULL: DeploymentConfigInput = {
  accountId: '12345678',
  connector: { eventRoute: true },
  ingestion: { waf: { enabled: true } },
  monitoring: { alarmEmail: 'oncall@example.com' },
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, string>;
}

/** A resource as a readable name: a logical id without its hash, or an SSM path. */
function nameOf(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const value = resource as Record<string, unknown>;
  if ('Ref' in value) return String(value.Ref).replace(/[0-9A-F]{8}$/, '');
  if ('Fn::GetAtt' in value) return String((value['Fn::GetAtt'] as string[])[0]).replace(/[0-9A-F]{8}$/, '');
  if ('Fn::Join' in value) {
    const joined = (value['Fn::Join'] as [string, unknown[]])[1]
      .map((part) => (typeof part === 'string' ? part : `<${nameOf(part)}>`))
      .join('');
    return joined.replace(/^arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/, 'ssm:');
  }
  return JSON.stringify(resource);
}

/** "action resource" for everything a role's policies allow, sorted: statement layout does not matter. */
function grantsOf(template: Template, rolePath: string): string[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  const statements = logicalIdsAt(template, 'AWS::IAM::Policy', rolePath).flatMap(
    (id) => (policies[id]?.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  expect(statements.length).toBeGreaterThan(0);
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    expect(statement.Condition).toBeUndefined();
  }
  return [
    ...new Set(statements.flatMap((s) => [s.Action].flat().flatMap((action) => [s.Resource].flat().map((r) => `${action} ${nameOf(r)}`)))),
  ].sort();
}

const grant = (actions: readonly string[], ...resources: string[]) =>
  actions.flatMap((action) => resources.map((resource) => `${action} ${resource}`));
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
// Active tracing: X-Ray's two write actions take no resource but "*".
const XRAY = ['xray:PutTelemetryRecords *', 'xray:PutTraceSegments *'];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const DOMAIN_PATH = 'ssm:/liveperson/12345678/domains';
const DOMAIN_READ = grant(['ssm:GetParameter'], `${DOMAIN_PATH}/*`);
const DOMAIN_LIST = grant(['ssm:GetParametersByPath'], DOMAIN_PATH, `${DOMAIN_PATH}/*`);
const CONSUME = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
const STATE = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
const IDEMPOTENCY = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

// Synthesized once for both groups of assertions below.
let full: Template;
beforeAll(() => {
  full = Template.fromStack(buildApp(FULL).stack);
});

const ROLES = {
  'webhook-receiver': '/Ingestion/Receiver/Role/',
  'event-processor': '/Processing/Processor/Role/',
  'c2m-invite': '/IvrDeflection/Function/Role/',
  'connector-send': '/Connector/Sender/Role/',
  'domain-refresh': '/Domains/Refresh/Role/',
  'c2m-funnel': '/IvrDeflection/Funnel/Role/',
} as const;

describe('least privilege: each function role reaches only its own resources (full stack)', () => {
  let template: Template;
  beforeAll(() => {
    template = full;
  });

  it('webhook-receiver: writes the event queue and reads the secret, nothing else', () => {
    expect(grantsOf(template, ROLES['webhook-receiver'])).toEqual(
      [
        ...grant(LOGS, 'IngestionReceiverLogGroup'),
        ...XRAY,
        ...grant(SECRET_READ, 'CredentialsSecret'),
        'sqs:SendMessage IngestionEventQueue',
      ].sort(),
    );
  });

  it('event-processor: consumes the event queue, parks in its dead-letter queue, uses its tables and publishes to its bus; no secret', () => {
    expect(grantsOf(template, ROLES['event-processor'])).toEqual(
      [
        ...grant(LOGS, 'ProcessingProcessorLogGroup'),
        ...XRAY,
        ...grant(CONSUME, 'IngestionEventQueue'),
        'sqs:SendMessage IngestionDeadLetterQueue',
        ...grant(STATE, 'ProcessingConversationState'),
        ...grant(IDEMPOTENCY, 'ProcessingIdempotency'),
        'events:PutEvents ProcessingBus',
      ].sort(),
    );
  });

  it('c2m-invite: reads the secret and the domain parameters, nothing else', () => {
    expect(grantsOf(template, ROLES['c2m-invite'])).toEqual(
      [...grant(LOGS, 'IvrDeflectionFunctionLogGroup'), ...XRAY, ...grant(SECRET_READ, 'CredentialsSecret'), ...DOMAIN_READ].sort(),
    );
  });

  it('c2m-funnel: reads the secret and the domain parameters, reads and moves its watermark, nothing else', () => {
    expect(grantsOf(template, ROLES['c2m-funnel'])).toEqual(
      [
        ...grant(LOGS, 'IvrDeflectionFunnelLogGroup'),
        ...XRAY,
        ...grant(SECRET_READ, 'CredentialsSecret'),
        ...DOMAIN_READ,
        ...grant(STATE, 'IvrDeflectionFunnelWatermark'),
      ].sort(),
    );
  });

  it('connector-send: its queues, the state and idempotency tables, the secret and the domain parameters', () => {
    expect(grantsOf(template, ROLES['connector-send'])).toEqual(
      [
        ...grant(LOGS, 'ConnectorSenderLogGroup'),
        ...XRAY,
        ...grant(SECRET_READ, 'CredentialsSecret'),
        ...DOMAIN_READ,
        ...grant(STATE, 'ProcessingConversationState'),
        ...grant(IDEMPOTENCY, 'ProcessingIdempotency'),
        ...grant(CONSUME, 'ConnectorOutboundQueue'),
        'sqs:SendMessage ConnectorDeadLetterQueue',
        // The event route: forward commands to the outbound queue; Lambda's on-failure destination.
        'sqs:SendMessage ConnectorOutboundQueue',
        ...grant(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], 'ConnectorEventRouteDeadLetterQueue'),
      ].sort(),
    );
  });

  it('domain-refresh: reads and writes the parameters under its path only; no secret', () => {
    expect(grantsOf(template, ROLES['domain-refresh'])).toEqual(
      [...grant(LOGS, 'DomainsRefreshLogGroup'), ...XRAY, ...DOMAIN_READ, ...DOMAIN_LIST, `ssm:PutParameter ${DOMAIN_PATH}/*`].sort(),
    );
  });

  it('gives each kind of access to exactly the functions that need it', () => {
    const roles = Object.entries(ROLES).map(([name, path]) => ({ name, grants: grantsOf(template, path) }));
    const who = (pattern: RegExp) => roles.filter((role) => role.grants.some((g) => pattern.test(g))).map((role) => role.name);
    expect(who(/^secretsmanager:/)).toEqual(['webhook-receiver', 'c2m-invite', 'connector-send', 'c2m-funnel']);
    expect(who(/^ssm:PutParameter /)).toEqual(['domain-refresh']);
    expect(who(/^ssm:/)).toEqual(['c2m-invite', 'connector-send', 'domain-refresh', 'c2m-funnel']);
    expect(who(/^dynamodb:/)).toEqual(['event-processor', 'connector-send', 'c2m-funnel']);
    expect(who(/ IvrDeflectionFunnelWatermark$/)).toEqual(['c2m-funnel']);
    expect(who(/^xray:/)).toEqual(Object.keys(ROLES));
    expect(who(/^events:/)).toEqual(['event-processor']);
    expect(who(/ IngestionEventQueue$/)).toEqual(['webhook-receiver', 'event-processor']);
    expect(who(/ Connector\w*Queue$/)).toEqual(['connector-send']);
    expect(who(/^kms:/)).toEqual([]);
  });

  it('uses no wildcard resource, no AWS managed policy and no inline policy on a function role', () => {
    for (const [name, path] of Object.entries(ROLES)) {
      for (const entry of grantsOf(template, path)) {
        // The only wildcards: the parameters under the domain path (their names come from CSDS), and X-Ray's writes.
        if (entry.endsWith('*')) expect(entry, name).toMatch(/^(ssm:\w+ ssm:\/liveperson\/12345678\/domains\/\*|xray:Put\w+ \*)$/);
      }
      const roleIds = logicalIdsAt(template, 'AWS::IAM::Role', path);
      expect(roleIds, name).toHaveLength(1);
      const role = (template.findResources('AWS::IAM::Role') as Record<string, Resource>)[roleIds[0] ?? ''];
      expect(role?.Properties.ManagedPolicyArns, name).toBeUndefined();
      expect(role?.Properties.Policies, name).toBeUndefined();
    }
  });
});

describe('every function and role of the template, CDK-built ones included (full stack)', () => {
  it('gives every Lambda function, the Trigger provider included, a log group of its own with the configured retention', () => {
    const template = Template.fromStack(buildApp({ ...FULL, logRetentionDays: 90 }).stack);
    const groups = template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
    const functions = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>);
    expect(functions.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).filter((id) => id.startsWith('AWSCDK'))).toEqual([
      'AWSCDKTriggerCustomResourceProviderCustomResourceProviderHandler',
    ]);
    const used = functions.map(([id, fn]) => {
      const ref = (fn.Properties.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref ?? '';
      expect(groups[ref]?.Properties.RetentionInDays, id).toBe(90);
      return ref;
    });
    expect(new Set(used).size).toBe(functions.length);
  });

  it('attaches no AWS managed policy to any role but the one API Gateway itself uses for execution logs', () => {
    const roles = Object.entries(full.findResources('AWS::IAM::Role') as Record<string, Resource>);
    const managed = roles
      .filter(([, role]) => role.Properties.ManagedPolicyArns !== undefined)
      .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(managed).toEqual(['IngestionApiCloudWatchRole']);
    // The Trigger provider's role writes its own log group only, and invokes the refresh function's versions.
    const provider = roles.find(([id]) => id.startsWith('AWSCDKTriggerCustomResourceProvider'))?.[1];
    const statements = (provider?.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    expect(
      statements.flatMap((s) => [s.Action].flat().flatMap((action) => [s.Resource].flat().map((r) => `${action} ${nameOf(r)}`))).sort(),
    ).toEqual([
      'lambda:InvokeFunction <DomainsRefreshFunction>:*',
      'logs:CreateLogStream DomainsRefreshOnDeployLogs',
      'logs:PutLogEvents DomainsRefreshOnDeployLogs',
    ]);
  });
});

describe('encryption at rest and in transit (full stack)', () => {
  let template: Template;
  const resources = (type: string) => template.findResources(type) as Record<string, Resource>;
  beforeAll(() => {
    template = full;
  });

  it('encrypts every queue and lets none be used without TLS', () => {
    const queues = resources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(5); // event + DLQ, outbound + DLQ, event route DLQ
    const policies = Object.values(resources('AWS::SQS::QueuePolicy'));
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      const tlsOnly = policies.filter(
        (policy) =>
          JSON.stringify(policy.Properties.Queues) === JSON.stringify([{ Ref: id }]) &&
          (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (s) =>
              s.Effect === 'Deny' &&
              s.Action === 'sqs:*' &&
              JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
      );
      expect(tlsOnly, id).toHaveLength(1);
    }
  });

  it('encrypts every table', () => {
    const tables = Object.entries(resources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(3);
    for (const [id, table] of tables) expect(table.Properties.SSESpecification, id).toEqual({ SSEEnabled: true });
  });

  it('encrypts the alarm topic with its own key and refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringAlarmTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('leaves log groups to CloudWatch Logs default encryption unless logsKmsKey is set', () => {
    for (const [id, group] of Object.entries(resources('AWS::Logs::LogGroup'))) expect(group.Properties.KmsKeyId, id).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::KMS::Key', { Description: Match.stringLikeRegexp('CloudWatch Logs') }, 0);
  });
});

describe('logsKmsKey', () => {
  it('encrypts every log group with one rotated customer managed key that CloudWatch Logs may use for this account only', () => {
    const template = Template.fromStack(buildApp({ ...FULL, logsKmsKey: true }).stack);
    const keyIds = logicalIdsAt(template, 'AWS::KMS::Key', '/LogsKey/');
    expect(keyIds).toHaveLength(1);
    const groups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBe(9); // six functions, the Trigger provider, API access and execution logs
    for (const [id, group] of groups) {
      expect((group as Resource).Properties.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [keyIds[0], 'Arn'] });
    }
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowCloudWatchLogsOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
              Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
              Resource: '*',
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': [
                      '',
                      ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*'],
                    ],
                  },
                },
              },
            },
          ]),
        },
      },
    });
  });

  it('must be true or false', () => {
    let error: unknown;
    try {
      parseDeploymentConfig({ accountId: '1', logsKmsKey: 'yes' });
    } catch (caught) {
      error = caught;
    }
    expect((error as DeploymentConfigError).issues).toEqual(['logsKmsKey: must be true or false']);
    expect(error).toBeInstanceOf(DeploymentConfigError);
  });
});

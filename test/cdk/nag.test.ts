// cdk-nag 3 runs as a CDK validation plugin: findings fail synthesis unless acknowledged with
// Validations.of(construct).acknowledge({ id, reason }). These tests keep the count at zero.
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LivePersonFunction } from '../../lib/lambda-function.ts';
import { CLI_CONTEXT, SKIP_BUNDLING, buildApp } from './helpers.ts';
import type { DeploymentConfigInput } from '../../lib/config.ts';

const CONNECT_INSTANCE = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555';

/** Every capability, the connector's event route, WAF, an alarm email and the logs key. */
const EVERYTHING_ON: DeploymentConfigInput = {
  accountId: '12345678',
  connector: { eventRoute: true },
  ingestion: { waf: { enabled: true } },
  monitoring: { alarmEmail: 'oncall@example.com' },
  logsKmsKey: true,
};

const CONFIGS: Record<string, DeploymentConfigInput> = {
  'created secret, env-agnostic (every capability and monitoring by default)': { accountId: '12345678' },
  'imported secret, fixed environment': {
    accountId: '87654321',
    createSecret: false,
    awsAccount: '123456789012',
    region: 'eu-west-1',
  },
  'Amazon Connect instance with the contact flow created': {
    accountId: '12345678',
    connectInstanceArn: CONNECT_INSTANCE,
    c2m: { createContactFlow: true, fallbackQueueArn: `${CONNECT_INSTANCE}/queue/66666666-7777-8888-9999-000000000000` },
  },
  'monitoring with an alarm email': { accountId: '12345678', monitoring: { alarmEmail: 'oncall@example.com' } },
  'WAF on the webhook stage': { accountId: '12345678', ingestion: { waf: { enabled: true, rateLimitPer5Minutes: 10_000 } } },
  'connector routed from the event bus': { accountId: '12345678', connector: { eventRoute: true } },
  'customer managed key for the logs': { accountId: '12345678', logsKmsKey: true },
  'everything on, imported secret, fixed environment, Connect flow': {
    ...EVERYTHING_ON,
    createSecret: false,
    awsAccount: '123456789012',
    region: 'us-east-1',
    connectInstanceArn: CONNECT_INSTANCE,
    c2m: { createContactFlow: true },
  },
  'ingestion alone, no monitoring': {
    accountId: '12345678',
    capabilities: { processing: false, connector: false, ivrDeflection: false },
    monitoring: { enabled: false },
  },
};

const DOMAIN_WILDCARD = /AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter\/liveperson\/12345678\/domains\/\*\]$/;

/** The stack's acknowledgements, in construct order: each one resource and one finding, with its reason in code. */
function expectedAcknowledgements(options: { waf: boolean; eventRoute: boolean }) {
  return [
    { path: 'LivePerson-12345678/Credentials/Secret', ids: [expect.stringMatching(/AwsSolutions-SMG4$/)] },
    { path: 'LivePerson-12345678/Domains/Refresh/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    { path: 'LivePerson-12345678/Domains/Refresh/Function', ids: [expect.stringMatching(/@aws-cdk\/aws-lambda:addPermissionsToVersionOrAlias$/)] },
    { path: 'LivePerson-12345678/Ingestion/Api', ids: [expect.stringMatching(/AwsSolutions-APIG2$/)] },
    {
      path: 'LivePerson-12345678/Ingestion/Api/CloudWatchRole',
      ids: [expect.stringMatching(/AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AmazonAPIGatewayPushToCloudWatchLogs\]$/)],
    },
    // With the web ACL on the stage there is nothing to acknowledge.
    ...(options.waf ? [] : [{ path: 'LivePerson-12345678/Ingestion/Api/DeploymentStage.live', ids: [expect.stringMatching(/AwsSolutions-APIG3$/)] }]),
    // LivePerson can send no IAM or Cognito credentials: the receiver authenticates both routes itself.
    ...['connector', 'messaging/{token}'].flatMap((route) =>
      ['APIG4', 'COG4'].map((rule) => ({
        path: `LivePerson-12345678/Ingestion/Api/Default/webhooks/${route}/POST`,
        ids: [expect.stringMatching(new RegExp(`AwsSolutions-${rule}$`))],
      })),
    ),
    // The same domain-path grant as domain-refresh's, on the c2m-invite and connector-send roles.
    { path: 'LivePerson-12345678/IvrDeflection/Function/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    { path: 'LivePerson-12345678/Connector/Sender/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    // A dead-letter queue itself (of the EventBridge target and the async invocations), which cdk-nag cannot tell.
    ...(options.eventRoute ? [{ path: 'LivePerson-12345678/Connector/EventRouteDeadLetterQueue', ids: [expect.stringMatching(/AwsSolutions-SQS3$/)] }] : []),
  ];
}

function acknowledgementsOf(stack: Stack) {
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => ({ path: c.node.path, ids: Object.keys(m.data as object) })));
}

function violationsOf(scope: App | Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}`));
}

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(CONFIGS))('finds nothing unacknowledged: %s', (_name, config) => {
    const { app, stack } = buildApp(config);
    expect(violationsOf(app)).toEqual([]);
    // Synthesis runs the registered plugin for real; an unacknowledged finding would throw here.
    expect(() => app.synth()).not.toThrow();
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    // Acknowledged warnings are dropped; anything left here is new and needs a fix or a reason.
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('keeps each acknowledgement narrow: one resource, one finding', () => {
    expect(acknowledgementsOf(buildApp({ accountId: '12345678' }).stack)).toEqual(expectedAcknowledgements({ waf: false, eventRoute: false }));
  });

  it('acknowledges no APIG3 with WAF on, and only the event route queue beyond the defaults, with everything on', () => {
    expect(acknowledgementsOf(buildApp(EVERYTHING_ON).stack)).toEqual(expectedAcknowledgements({ waf: true, eventRoute: true }));
  });

  it('gives every acknowledgement a specific reason', () => {
    const reasons = buildApp(EVERYTHING_ON)
      .stack.node.findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.values(m.data as Record<string, string>)));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(80);
  });

  it('still reports what is not acknowledged (the check is live)', () => {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Bare');
    new Secret(stack, 'Unrotated');
    expect(violationsOf(stack)).toEqual([expect.stringContaining('AwsSolutions-SMG4 (error) at Bare/Unrotated/Resource')]);
  });

  it('a function reading the credentials secret adds no finding', () => {
    const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Fn');
    const { credentials } = buildApp().stack;
    const secret = Secret.fromSecretNameV2(stack, 'Imported', credentials.secretName);
    new LivePersonFunction(stack, 'Reader', { name: 'domain-refresh', accountId: '42', credentials: { secret, secretId: credentials.secretName } });
    expect(violationsOf(stack)).toEqual([]);
  });
});

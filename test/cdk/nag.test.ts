// cdk-nag 3 runs as a CDK validation plugin: findings fail synthesis unless acknowledged with
// Validations.of(construct).acknowledge({ id, reason }). These tests keep the count at zero.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { Construct } from 'constructs';
import { TRIGGER_PROVIDER_ID } from '#lib/domains.ts';
import { LivePersonFunction } from '#lib/lambda-function.ts';
import { CLI_CONTEXT, SKIP_BUNDLING, buildApp } from './helpers.ts';
import type { DeploymentConfigInput } from '#lib/config.ts';

const CONNECT_INSTANCE = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555';
const CUSTOM_DOMAIN = {
  domainName: 'webhooks.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
};

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
  'custom domain (TLS 1.3)': { accountId: '12345678', ingestion: { customDomain: CUSTOM_DOMAIN } },
  'custom domain with mutual TLS, per-route limits': {
    accountId: '12345678',
    ingestion: {
      customDomain: { ...CUSTOM_DOMAIN, mtls: { truststoreUri: 's3://brand-truststores/ca.pem' } },
      routeThrottling: { connector: { rateLimit: 200 }, messaging: { rateLimit: 10, burstLimit: 20 } },
    },
  },
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

const DOMAIN_WILDCARD =
  /AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter\/liveperson\/12345678\/domains\/\*\]$/;

/** The stack's acknowledgements, in construct order: each one resource and one finding, with its reason in code. */
function expectedAcknowledgements(options: { waf: boolean; eventRoute: boolean }) {
  return [
    { path: 'LivePerson-12345678/Credentials/Secret', ids: [expect.stringMatching(/AwsSolutions-SMG4$/)] },
    { path: 'LivePerson-12345678/Domains/Refresh/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    {
      path: 'LivePerson-12345678/Domains/Refresh/Function',
      ids: [expect.stringMatching(/@aws-cdk\/aws-lambda:addPermissionsToVersionOrAlias$/)],
    },
    // CDK's Trigger provider invokes the refresh function's versions (the one it runs changes with the handler).
    {
      path: `LivePerson-12345678/${TRIGGER_PROVIDER_ID}/Role`,
      ids: [expect.stringMatching(/AwsSolutions-IAM5\[Resource::<DomainsRefreshFunction[0-9A-F]{8}\.Arn>:\*\]$/)],
    },
    { path: 'LivePerson-12345678/Ingestion/Api', ids: [expect.stringMatching(/AwsSolutions-APIG2$/)] },
    {
      path: 'LivePerson-12345678/Ingestion/Api/CloudWatchRole',
      ids: [
        expect.stringMatching(
          /AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AmazonAPIGatewayPushToCloudWatchLogs\]$/,
        ),
      ],
    },
    // With the web ACL on the stage there is nothing to acknowledge.
    ...(options.waf
      ? []
      : [{ path: 'LivePerson-12345678/Ingestion/Api/DeploymentStage.live', ids: [expect.stringMatching(/AwsSolutions-APIG3$/)] }]),
    // LivePerson can send no IAM or Cognito credentials: the receiver authenticates both routes itself.
    ...['connector', 'messaging/{token}'].flatMap((route) =>
      ['APIG4', 'COG4'].map((rule) => ({
        path: `LivePerson-12345678/Ingestion/Api/Default/webhooks/${route}/POST`,
        ids: [expect.stringMatching(new RegExp(`AwsSolutions-${rule}$`))],
      })),
    ),
    // The same domain-path grant as domain-refresh's, on the c2m-invite and connector-send roles.
    { path: 'LivePerson-12345678/IvrDeflection/Function/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    { path: 'LivePerson-12345678/IvrDeflection/Funnel/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    { path: 'LivePerson-12345678/Connector/Sender/Role/DefaultPolicy', ids: [expect.stringMatching(DOMAIN_WILDCARD)] },
    // A dead-letter queue itself (of the EventBridge target and the async invocations), which cdk-nag cannot tell.
    ...(options.eventRoute
      ? [{ path: 'LivePerson-12345678/Connector/EventRouteDeadLetterQueue', ids: [expect.stringMatching(/AwsSolutions-SQS3$/)] }]
      : []),
  ];
}

const XRAY_WILDCARD = 'Annotation::AwsSolutions-IAM5[Resource::*]';
const FUNCTION_POLICIES = [
  'Domains/Refresh',
  'Ingestion/Receiver',
  'Processing/Processor',
  'IvrDeflection/Function',
  'IvrDeflection/Funnel',
  'Connector/Sender',
].map((part) => `LivePerson-12345678/${part}/Role/DefaultPolicy`);

/** The acknowledgements other than X-Ray's, which the next function checks. */
function acknowledgementsOf(stack: Stack) {
  const all = allAcknowledgementsOf(stack);
  // Active tracing's X-Ray grant on "*", acknowledged on each function's own policy and nowhere else.
  const xray = all.filter((ack) => ack.ids.includes(XRAY_WILDCARD));
  expect(xray.map((ack) => ack.path).sort()).toEqual([...FUNCTION_POLICIES].sort());
  expect(xray.every((ack) => ack.ids.length === 1)).toBe(true);
  return all.filter((ack) => !ack.ids.includes(XRAY_WILDCARD));
}

function allAcknowledgementsOf(stack: Stack) {
  return stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
        .map((m) => ({ path: c.node.path, ids: Object.keys(m.data as object) })),
    );
}

function violationsOf(scope: App | Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}`));
}

/**
 * cdk-nag's rules match L1 classes (CfnRole, CfnFunction...), so a resource CDK builds as a plain CfnResource (the
 * Trigger provider's role and function) passes them unseen. Checks the synthesized template instead, read back
 * through CfnInclude (every resource an L1 again), with each resource's acknowledgements carried over by logical id.
 */
function deployedTemplateViolations(
  config: DeploymentConfigInput,
  options: { acknowledge: (logicalId: string) => boolean } = { acknowledge: () => true },
) {
  const { app, stack } = buildApp(config);
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, unknown> };
  const dir = mkdtempSync(path.join(tmpdir(), 'nag-template-'));
  try {
    const file = path.join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template));
    const deployed = new Stack(new App(), 'Deployed');
    const included = new CfnInclude(deployed, 'Template', { templateFile: file });
    for (const resource of stack.node.findAll().filter(CfnResource.isCfnResource)) {
      const logicalId = String(stack.resolve(resource.logicalId));
      if (!options.acknowledge(logicalId)) continue;
      // Acknowledged on the resource or any construct above it, as cdk-nag reads them.
      for (let scope: Construct | undefined = resource; scope; scope = scope.node.scope as Construct | undefined) {
        for (const entry of scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
            Validations.of(included.getResource(logicalId)).acknowledge({ id, reason });
        }
      }
    }
    return { included, logicalIds: Object.keys(template.Resources), violations: violationsOf(deployed) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(CONFIGS))(
    'finds nothing unacknowledged: %s',
    (_name, config) => {
      const { app, stack } = buildApp(config);
      expect(violationsOf(app)).toEqual([]);
      // Synthesis runs the registered plugin for real; an unacknowledged finding would throw here.
      expect(() => app.synth()).not.toThrow();
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      // Acknowledged warnings are dropped; anything left here is new and needs a fix or a reason.
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    },
    60_000,
  ); // a full synth with the plugin; the first one also loads aws-cdk-lib

  it('keeps each acknowledgement narrow: one resource, one finding', () => {
    expect(acknowledgementsOf(buildApp({ accountId: '12345678' }).stack)).toEqual(
      expectedAcknowledgements({ waf: false, eventRoute: false }),
    );
  });

  it('acknowledges no APIG3 with WAF on, and only the event route queue beyond the defaults, with everything on', () => {
    expect(acknowledgementsOf(buildApp(EVERYTHING_ON).stack)).toEqual(expectedAcknowledgements({ waf: true, eventRoute: true }));
  });

  it.each([
    'created secret, env-agnostic (every capability and monitoring by default)',
    'everything on, imported secret, fixed environment, Connect flow',
  ])(
    'finds nothing unacknowledged in the template as deployed, plain CfnResources included: %s',
    (name) => {
      const { included, logicalIds, violations } = deployedTemplateViolations(CONFIGS[name] ?? { accountId: '12345678' });
      // The Trigger provider's role and function are L1s here, so every rule sees them.
      const provider = logicalIds
        .filter((id) => id.startsWith('AWSCDKTriggerCustomResourceProvider'))
        .map((id) => included.getResource(id));
      expect(provider.map((resource) => resource.constructor)).toEqual([CfnRole, CfnFunction]);
      expect(violations).toEqual([]);
    },
    60_000,
  );

  it('checks the Trigger provider role for real (the deployed-template check is live)', () => {
    const { violations } = deployedTemplateViolations({ accountId: '12345678' }, { acknowledge: (id) => !id.startsWith('AWSCDKTrigger') });
    expect(violations).toEqual([
      expect.stringMatching(
        /^AwsSolutions-IAM5\[Resource::<DomainsRefreshFunction[0-9A-F]{8}\.Arn>:\*\] \(error\) at Deployed\/Template\/AWSCDKTrigger/,
      ),
    ]);
  }, 60_000);

  it('says what the stage does without AWS WAF: per-route budgets, no limit per source IP', () => {
    const stage = buildApp({ accountId: '12345678' })
      .stack.node.findAll()
      .find((c) => c.node.path.endsWith('/Ingestion/Api/DeploymentStage.live'));
    const reasons = stage?.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(reasons).toEqual([
      expect.stringContaining('nothing limits a single source IP: each route has its own API Gateway rate and burst'),
    ]);
    expect(reasons?.[0]).not.toContain('the stage throttles');
  });

  it('gives every acknowledgement a specific reason', () => {
    const reasons = buildApp(EVERYTHING_ON)
      .stack.node.findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .flatMap((m) => Object.values(m.data as Record<string, string>)),
      );
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
    new LivePersonFunction(stack, 'Reader', {
      name: 'domain-refresh',
      accountId: '42',
      credentials: { secret, secretId: credentials.secretName },
    });
    expect(violationsOf(stack)).toEqual([]);
  });
});

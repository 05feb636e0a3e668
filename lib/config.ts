// Deployment config: one object in CDK context key `liveperson`, validated before any construct is built,
// so a typo fails `cdk synth` with a message naming the field instead of a broken deployment. Each block is
// its capability's settings schema (lib/settings/*, shared with the constructs); this file composes them
// and adds the rules across blocks.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { DEFAULT_CSDS_URL } from '#contract/constants.ts';
import { DEFAULT_ALLOWED_HOST_SUFFIXES } from '#contract/host-policy.ts';
import { c2mSettingsSchema, CONNECT_INSTANCE_ARN, CONNECT_QUEUE_ARN, connectRegionProblem } from './settings/c2m.ts';
import { connectorSettingsSchema } from './settings/connector.ts';
import { domainsSettingsSchema } from './settings/domains.ts';
import { booleanField, bothValid, functionTimeoutField, VISIBILITY_TIMEOUT_FACTOR } from './settings/fields.ts';
import { allowedHostSuffixesField, checkCsdsUrl, csdsUrlField } from './settings/function.ts';
import { ACM_CERTIFICATE_ARN, ingestionSettingsSchema } from './settings/ingestion.ts';
import { monitoringSettingsSchema } from './settings/monitoring.ts';
import { processingSettingsSchema } from './settings/processing.ts';
import { formatIssue } from './settings/resolve.ts';
import { defaultSecretName } from '#contract/resources.ts';

/** CDK context key holding the deployment config (object in cdk.json, or JSON string from `-c liveperson='{...}'`). */
export const CONFIG_CONTEXT_KEY = 'liveperson';

/** Retention values CloudWatch Logs accepts (RetentionDays without INFINITE: every log group here expires). */
export const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number' && value !== RetentionDays.INFINITE,
);

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

const ACCOUNT_ID_HINT = 'the LivePerson account (site) id, digits only, e.g. "12345678"';
// JSON passed on the command line may carry the account id as a number; accept it as its digits.
const accountIdSchema = z.preprocess(
  (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value),
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${ACCOUNT_ID_HINT}` : `must be ${ACCOUNT_ID_HINT}`) })
    .regex(/^\d{1,20}$/, `must be ${ACCOUNT_ID_HINT}`),
);

const capabilitiesSchema = z
  .strictObject({
    ingestion: booleanField().default(true),
    processing: booleanField().default(true),
    ivrDeflection: booleanField().default(true),
    connector: booleanField().default(true),
  })
  // prefault (not default): the empty object is parsed, so every capability gets its own default.
  .prefault({});

/** The deployment config's `connector` block: the construct's settings, and whether to route command events from the bus. */
const connectorBlockSchema = connectorSettingsSchema.extend({
  /** Route command events from the processing construct's event bus to the connector. */
  eventRoute: booleanField().default(false),
});

export const deploymentConfigSchema = z
  .strictObject({
    accountId: accountIdSchema,
    stackName: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name: a letter, then letters, digits or "-", at most 128')
      .optional(),
    awsAccount: z
      .string({ error: 'must be a string' })
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    region: z.string({ error: 'must be a string' }).regex(REGION, 'must be an AWS region such as "us-east-1"').optional(),
    secretName: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)')
      .optional(),
    createSecret: booleanField().default(true),
    csdsUrl: csdsUrlField().default(DEFAULT_CSDS_URL),
    /** LP_ALLOWED_HOST_SUFFIXES: the domains whose hosts the functions may call (brands on other LivePerson clouds add theirs). */
    allowedHostSuffixes: allowedHostSuffixesField().default([...DEFAULT_ALLOWED_HOST_SUFFIXES]),
    domainRefreshHours: domainsSettingsSchema.shape.refreshHours,
    logRetentionDays: z
      .number({ error: 'must be a number of days' })
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        error: `must be one of the values CloudWatch Logs allows: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    capabilities: capabilitiesSchema,
    connectInstanceArn: z
      .string({ error: 'must be a string' })
      .regex(CONNECT_INSTANCE_ARN, 'must be an Amazon Connect instance ARN: arn:aws:connect:<region>:<account>:instance/<uuid>')
      .optional(),
    c2m: c2mSettingsSchema.optional(),
    ingestion: ingestionSettingsSchema.optional(),
    processing: processingSettingsSchema.optional(),
    connector: connectorBlockSchema.optional(),
    monitoring: monitoringSettingsSchema.optional(),
    logsKmsKey: booleanField().default(false),
    /** Active X-Ray tracing of every function (their AWS and LivePerson calls as subsegments). */
    tracing: booleanField().default(true),
  })
  .superRefine((config, ctx) => {
    // Amazon Connect only invokes Lambda functions in its own region: catch a mismatch at synth, not in a call.
    const arnRegion = config.connectInstanceArn ? CONNECT_INSTANCE_ARN.exec(config.connectInstanceArn)?.[1] : undefined;
    const arnRegionProblem = arnRegion === undefined ? undefined : connectRegionProblem(arnRegion);
    if (arnRegionProblem)
      ctx.addIssue({ code: 'custom', path: ['connectInstanceArn'], message: `is in region ${arnRegion}: ${arnRegionProblem}` });
    const stackRegionProblem = config.region && config.connectInstanceArn ? connectRegionProblem(config.region) : undefined;
    if (stackRegionProblem && !arnRegionProblem) {
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: `is ${config.region}: ${stackRegionProblem}, and the flow's function must be in the instance's region`,
      });
    }
    if (arnRegion && config.region && arnRegion !== config.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['connectInstanceArn'],
        message: `is in region ${arnRegion} but the stack deploys to ${config.region}; Amazon Connect invokes Lambda functions in its own region only`,
      });
    }
    // A Regional custom domain takes an ACM certificate of its own region (only an edge-optimized one takes us-east-1's).
    const certificateArn = config.ingestion?.customDomain?.certificateArn;
    const certificateRegion = certificateArn ? ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1] : undefined;
    if (certificateRegion && config.region && certificateRegion !== config.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['ingestion', 'customDomain', 'certificateArn'],
        message: `is in region ${certificateRegion} but the stack deploys to ${config.region}; the Regional custom domain needs an ACM certificate of that region`,
      });
    }
    const c2m = config.c2m;
    if (c2m?.createContactFlow && !config.connectInstanceArn) {
      ctx.addIssue({
        code: 'custom',
        path: ['c2m', 'createContactFlow'],
        message: 'needs connectInstanceArn: the contact flow is created in that Amazon Connect instance',
      });
    }
    if (c2m?.createContactFlow && !config.capabilities.ivrDeflection) {
      ctx.addIssue({
        code: 'custom',
        path: ['c2m', 'createContactFlow'],
        message: 'needs capabilities.ivrDeflection: the flow invokes its function',
      });
    }
    // c2m.fallbackQueueArn without createContactFlow is refused by the block itself.
    const queueInstance = c2m?.fallbackQueueArn === undefined ? undefined : CONNECT_QUEUE_ARN.exec(c2m.fallbackQueueArn)?.[1];
    if (config.connectInstanceArn && queueInstance && queueInstance !== config.connectInstanceArn) {
      ctx.addIssue({ code: 'custom', path: ['c2m', 'fallbackQueueArn'], message: 'must be a queue of the instance in connectInstanceArn' });
    }
    const { capabilities } = config;
    if (capabilities.processing && !capabilities.ingestion) {
      ctx.addIssue({
        code: 'custom',
        path: ['capabilities', 'processing'],
        message:
          'needs capabilities.ingestion: the processor drains the event queue that ingestion creates (turn ingestion on, or processing off)',
      });
    }
    if (capabilities.connector && !capabilities.processing) {
      ctx.addIssue({
        code: 'custom',
        path: ['capabilities', 'connector'],
        message:
          'needs capabilities.processing: the connector keeps its consumers in the conversation state table and its command ids ' +
          'in the idempotency table that processing creates (turn processing on, or connector off)',
      });
    }
    // The functions would refuse a CSDS URL outside the allowed domains at every lookup: refuse it at synth.
    checkCsdsUrl(config, ctx, ['csdsUrl']);
    // Zod runs this even when a field failed its own check: compare only values that passed, one message per mistake.
    if (capabilities.processing && capabilities.ingestion) {
      const visibility = (config.ingestion ?? ingestionSettingsSchema.parse({})).queueVisibilityTimeoutSeconds;
      const timeout = (config.processing ?? processingSettingsSchema.parse({})).timeoutSeconds;
      const comparable = bothValid(
        [ingestionSettingsSchema.shape.queueVisibilityTimeoutSeconds, visibility],
        [functionTimeoutField(), timeout],
      );
      if (comparable && visibility < VISIBILITY_TIMEOUT_FACTOR * timeout) {
        ctx.addIssue({
          code: 'custom',
          path: ['ingestion', 'queueVisibilityTimeoutSeconds'],
          message:
            `is ${visibility} s but must be at least ${VISIBILITY_TIMEOUT_FACTOR} × processing.timeoutSeconds (${VISIBILITY_TIMEOUT_FACTOR * timeout} s, ` +
            'AWS guidance for a queue driving a Lambda function): raise it, or lower processing.timeoutSeconds',
        });
      }
    }
    const c2mP99 = config.monitoring?.c2mP99DurationMs;
    const c2mTimeoutSeconds = (c2m ?? c2mSettingsSchema.parse({})).timeoutSeconds;
    const c2mTimeoutMs = c2mTimeoutSeconds * 1000;
    if (c2mP99 !== undefined && bothValid([c2mSettingsSchema.shape.timeoutSeconds, c2mTimeoutSeconds]) && c2mP99 >= c2mTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['monitoring', 'c2mP99DurationMs'],
        message: `must be below c2m.timeoutSeconds (${c2mTimeoutMs} ms): a call that slow has already timed out`,
      });
    }
  })
  .transform((config) => ({
    ...config,
    stackName: config.stackName ?? `LivePerson-${config.accountId}`,
    secretName: config.secretName ?? defaultSecretName(config.accountId),
  }));

/** Validated deployment config, defaults applied. */
export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;
/** What a brand writes in cdk.json (only accountId is required). */
export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;

export class DeploymentConfigError extends Error {
  /** One line per problem: `<field path>: <what is wrong>`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    const header = `Invalid deployment config (context "${CONFIG_CONTEXT_KEY}"):`;
    super(issues.length === 1 ? `${header} ${issues[0]}` : `${header}\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'DeploymentConfigError';
    this.issues = issues;
  }
}

/**
 * Validates the raw context value (an object, or the JSON string `cdk -c` passes) and applies defaults.
 * Throws DeploymentConfigError listing every problem at once.
 */
export function parseDeploymentConfig(raw: unknown): DeploymentConfig {
  let value = raw;
  if (value === undefined || value === null || value === '') {
    throw new DeploymentConfigError([
      `is missing: set "${CONFIG_CONTEXT_KEY}": {"accountId": "<your LivePerson account id>"} in cdk.json's context, ` +
        `or pass -c ${CONFIG_CONTEXT_KEY}='{"accountId":"12345678"}'`,
    ]);
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      throw new DeploymentConfigError([`is not valid JSON (${(error as Error).message})`]);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DeploymentConfigError(['must be a JSON object such as {"accountId": "12345678"}']);
  }
  const result = deploymentConfigSchema.safeParse(value);
  if (!result.success) {
    throw new DeploymentConfigError(result.error.issues.flatMap((issue) => formatIssue(issue)));
  }
  return result.data;
}

/** Reads and validates the config from a construct's context (normally the App's). */
export function loadDeploymentConfig(node: Node): DeploymentConfig {
  return parseDeploymentConfig(node.tryGetContext(CONFIG_CONTEXT_KEY));
}

/** Stack environment: explicit config first, else the CLI's default region; the account stays unset unless configured. */
export function stackEnvironment(config: DeploymentConfig, env: NodeJS.ProcessEnv = process.env): { account?: string; region?: string } {
  const region = config.region ?? env.CDK_DEFAULT_REGION;
  return {
    ...(config.awsAccount ? { account: config.awsAccount } : {}),
    ...(region ? { region } : {}),
  };
}

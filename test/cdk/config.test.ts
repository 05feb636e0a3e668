import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CSDS_URL } from '#contract/constants.ts';
import { createLivePersonApp } from '#lib/app.ts';
import {
  DeploymentConfigError,
  deploymentConfigSchema,
  type DeploymentConfigInput,
  parseDeploymentConfig,
  stackEnvironment,
} from '#lib/config.ts';
import { LivePersonFunction } from '#lib/lambda-function.ts';
import { buildApp, CLI_CONTEXT, PROJECT_ROOT, SKIP_BUNDLING, cdkJson } from './helpers.ts';

const CONNECT_ARN = 'arn:aws:connect:us-east-1:123456789012:instance/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

function errorOf(raw: unknown): DeploymentConfigError {
  try {
    parseDeploymentConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return error as DeploymentConfigError;
  }
  throw new Error('expected a DeploymentConfigError');
}

describe('parseDeploymentConfig', () => {
  it('applies every default from just the account id', () => {
    expect(parseDeploymentConfig({ accountId: '12345678' })).toEqual({
      accountId: '12345678',
      stackName: 'LivePerson-12345678',
      secretName: 'liveperson/12345678/credentials',
      createSecret: true,
      csdsUrl: DEFAULT_CSDS_URL,
      allowedHostSuffixes: ['liveperson.net'],
      domainRefreshHours: 12,
      logRetentionDays: 30,
      capabilities: { ingestion: true, processing: true, ivrDeflection: true, connector: true },
      logsKmsKey: false,
      tracing: true,
    });
  });

  it('keeps explicit values', () => {
    const config = parseDeploymentConfig({
      accountId: '87654321',
      stackName: 'Brand-LP',
      awsAccount: '123456789012',
      region: 'us-east-1',
      secretName: 'brand/lp',
      createSecret: false,
      csdsUrl: 'https://api.lp-cloud.example/',
      allowedHostSuffixes: ['liveperson.net', 'LP-Cloud.example '],
      domainRefreshHours: 24,
      logRetentionDays: 365,
      capabilities: { ivrDeflection: false },
      connectInstanceArn: CONNECT_ARN,
      c2m: { defaultSkill: 'sales', defaultHandoffId: 'H1234567890ABCDE' },
    });
    expect(config).toMatchObject({
      stackName: 'Brand-LP',
      secretName: 'brand/lp',
      createSecret: false,
      csdsUrl: 'https://api.lp-cloud.example', // trailing slash dropped so paths join cleanly
      allowedHostSuffixes: ['liveperson.net', 'lp-cloud.example'],
      domainRefreshHours: 24,
      logRetentionDays: 365,
      capabilities: { ingestion: true, processing: true, ivrDeflection: false, connector: true },
      connectInstanceArn: CONNECT_ARN,
      c2m: { defaultSkill: 'sales', defaultHandoffId: 'H1234567890ABCDE' },
    });
  });

  it('accepts the JSON string that `cdk -c liveperson=...` passes, and a numeric account id', () => {
    expect(parseDeploymentConfig('{"accountId":"12345678","domainRefreshHours":6}')).toMatchObject({
      accountId: '12345678',
      domainRefreshHours: 6,
    });
    expect(parseDeploymentConfig('{"accountId":12345678}').accountId).toBe('12345678');
  });

  it('accepts the config shipped in cdk.json, so a fresh clone synthesizes', () => {
    expect(() => parseDeploymentConfig(cdkJson.context.liveperson)).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['accountId', { accountId: 'abc' }, 'accountId: must be the LivePerson account (site) id, digits only, e.g. "12345678"'],
    ['accountId', { accountId: undefined }, 'accountId: is required'],
    ['accountId', { accountId: -5 }, 'accountId: must be the LivePerson account (site) id'],
    ['stackName', { stackName: '1-bad name' }, 'stackName: must be a CloudFormation stack name'],
    ['awsAccount', { awsAccount: '1234' }, 'awsAccount: must be a 12-digit AWS account id'],
    ['region', { region: 'Europe' }, 'region: must be an AWS region'],
    ['secretName', { secretName: 'has space' }, 'secretName: must be a Secrets Manager secret name'],
    ['createSecret', { createSecret: 'yes' }, 'createSecret: must be true or false'],
    ['csdsUrl', { csdsUrl: 'api.liveperson.net' }, 'csdsUrl: must be an https URL'],
    ['csdsUrl', { csdsUrl: 'ftp://api.liveperson.net' }, 'csdsUrl: must be an https URL'],
    // The simulator is plain http: only the local stack and tests call it, through an opt-in no deployment sets.
    ['csdsUrl', { csdsUrl: 'http://127.0.0.1:4040' }, 'csdsUrl: must be an https URL'],
    ['csdsUrl', { csdsUrl: 'http://api.liveperson.net' }, 'csdsUrl: must be an https URL'],
    ['csdsUrl', { csdsUrl: 'https://api.example.com' }, 'csdsUrl: is refused: https://api.example.com is not under liveperson.net'],
    ['csdsUrl', { csdsUrl: 'https://evilliveperson.net' }, 'csdsUrl: is refused: https://evilliveperson.net is not under liveperson.net'],
    ['csdsUrl', { csdsUrl: 'https://api.liveperson.net.evil.com' }, 'csdsUrl: is refused'],
    ['allowedHostSuffixes', { allowedHostSuffixes: [] }, 'allowedHostSuffixes: must name at least one domain'],
    ['allowedHostSuffixes', { allowedHostSuffixes: 'liveperson.net' }, 'allowedHostSuffixes: must be a list of domains'],
    [
      'allowedHostSuffixes',
      { allowedHostSuffixes: ['*.liveperson.net'] },
      'allowedHostSuffixes.0: must be a domain: "*.liveperson.net" is not a domain',
    ],
    [
      'allowedHostSuffixes',
      { allowedHostSuffixes: ['liveperson.net', 'net'] },
      'allowedHostSuffixes.1: must be a domain: "net" is not a domain',
    ],
    ['allowedHostSuffixes', { allowedHostSuffixes: ['https://liveperson.net'] }, 'allowedHostSuffixes.0: must be a domain'],
    ['allowedHostSuffixes', { allowedHostSuffixes: ['127.0.0.1'] }, 'allowedHostSuffixes.0: must be a domain'],
    ['domainRefreshHours', { domainRefreshHours: 0 }, 'domainRefreshHours: must be at least 1 hour'],
    ['domainRefreshHours', { domainRefreshHours: 25 }, 'domainRefreshHours: must be at most 24 hours'],
    ['domainRefreshHours', { domainRefreshHours: 1.5 }, 'domainRefreshHours: must be a whole number of hours'],
    ['logRetentionDays', { logRetentionDays: 31 }, 'logRetentionDays: must be one of the values CloudWatch Logs allows'],
    ['logRetentionDays', { logRetentionDays: '30' }, 'logRetentionDays: must be a number of days'],
    ['capabilities', { capabilities: { ingestion: 'no' } }, 'capabilities.ingestion: must be true or false'],
    ['capabilities', { capabilities: { ivr: true } }, 'capabilities.ivr: is not a known field'],
    [
      'connectInstanceArn',
      { connectInstanceArn: 'arn:aws:connect:us-east-1:1234:instance/x' },
      'connectInstanceArn: must be an Amazon Connect instance ARN',
    ],
    [
      'connectInstanceArn',
      { region: 'eu-west-1', connectInstanceArn: CONNECT_ARN },
      'connectInstanceArn: is in region us-east-1 but the stack deploys to eu-west-1',
    ],
    [
      'connectInstanceArn',
      { connectInstanceArn: CONNECT_ARN.replace('us-east-1', 'eu-west-1') },
      'connectInstanceArn: is in region eu-west-1: Amazon Connect is not offered in eu-west-1; it is in us-east-1, us-west-2, af-south-1',
    ],
    [
      'region',
      { region: 'eu-west-1', connectInstanceArn: CONNECT_ARN.replace('us-east-1', 'eu-west-1') },
      'connectInstanceArn: is in region eu-west-1: Amazon Connect is not offered in eu-west-1',
    ],
    [
      'region',
      { region: 'eu-north-1', connectInstanceArn: CONNECT_ARN },
      "region: is eu-north-1: Amazon Connect is not offered in eu-north-1; it is in us-east-1, us-west-2, af-south-1, ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-2, us-gov-west-1, and the flow's function must be in the instance's region",
    ],
    ['c2m', { c2m: { defaultHandoffId: 'x'.repeat(17) } }, 'c2m.defaultHandoffId: must be at most 16 characters'],
    ['c2m', { c2m: { defaultSkill: '' } }, 'c2m.defaultSkill: must not be empty'],
    ['c2m', { c2m: { skill: 'sales' } }, 'c2m.skill: is not a known field'],
    ['(root)', { acountId: '1' }, 'acountId: is not a known field'],
  ])('names the field for a bad %s', (_field, overrides, expected) => {
    const error = errorOf({ accountId: '12345678', ...overrides });
    expect(error.message).toMatch(/^Invalid deployment config \(context "liveperson"\):/);
    expect(error.message).toContain(expected);
  });

  it('lists every problem at once', () => {
    const error = errorOf({ accountId: 'x', domainRefreshHours: 99, csdsUrl: 'nope' });
    expect(error.issues).toHaveLength(3);
    expect(error.issues.map((issue) => issue.split(':')[0])).toEqual(['accountId', 'csdsUrl', 'domainRefreshHours']);
    expect(error.message.split('\n')).toHaveLength(4);
  });

  it('explains a missing, unparsable or non-object context value', () => {
    expect(errorOf(undefined).message).toContain('is missing: set "liveperson"');
    expect(errorOf('{accountId: 1}').message).toContain('is not valid JSON');
    expect(errorOf(['12345678']).message).toContain('must be a JSON object');
  });

  it('exports the schema for reuse', () => {
    expect(deploymentConfigSchema.safeParse({ accountId: '1' }).success).toBe(true);
  });
});

describe('stackEnvironment', () => {
  it('uses the configured region and account, else the CLI default region only', () => {
    const explicit = parseDeploymentConfig({ accountId: '1', awsAccount: '123456789012', region: 'eu-west-1' });
    expect(stackEnvironment(explicit, { CDK_DEFAULT_REGION: 'us-east-1' })).toEqual({ account: '123456789012', region: 'eu-west-1' });
    const implicit = parseDeploymentConfig({ accountId: '1' });
    expect(stackEnvironment(implicit, { CDK_DEFAULT_REGION: 'us-west-2', CDK_DEFAULT_ACCOUNT: '111111111111' })).toEqual({
      region: 'us-west-2',
    });
    expect(stackEnvironment(implicit, {})).toEqual({});
  });
});

describe('app entry', () => {
  it('rejects a bad config before building any stack', () => {
    expect(() => createLivePersonApp({ context: { liveperson: { accountId: 'nope' } } })).toThrow(DeploymentConfigError);
  });

  it('bin/app.ts synthesizes the stack named by the config', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lp-cdk-'));
    try {
      const context = { ...cdkJson.context, liveperson: { accountId: '55555555' }, 'aws:cdk:bundling-stacks': [] };
      const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/app.ts')], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(existsSync(path.join(outdir, 'LivePerson-55555555.template.json'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('bin/app.ts prints the config error alone and exits 1', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lp-cdk-'));
    try {
      const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/app.ts')], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        // How the CDK CLI hands context to the app.
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ liveperson: { accountId: 'abc' } }) },
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        'Invalid deployment config (context "liveperson"): accountId: must be the LivePerson account (site) id, digits only, e.g. "12345678"',
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('host policy in the deployed functions', () => {
  /** Environment variables of every Lambda function in the synthesized template. */
  function functionVariables(config: DeploymentConfigInput): Array<Record<string, unknown>> {
    const functions = Template.fromStack(buildApp(config).stack).findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
    >;
    return Object.values(functions).map((fn) => fn.Properties.Environment?.Variables ?? {});
  }

  it('gives every LivePerson function LP_ALLOWED_HOST_SUFFIXES, and no function LP_ALLOW_INSECURE_HOSTS', () => {
    const variables = functionVariables({ accountId: '12345678' });
    const livePerson = variables.filter((vars) => 'LP_ACCOUNT_ID' in vars);
    expect(livePerson).toHaveLength(6);
    for (const vars of livePerson)
      expect(vars).toMatchObject({ LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net', LP_CSDS_URL: 'https://api.liveperson.net' });
    for (const vars of variables) expect(vars).not.toHaveProperty('LP_ALLOW_INSECURE_HOSTS');
  });

  it('sets LP_ALLOWED_HOST_SUFFIXES from the deployment config', () => {
    const variables = functionVariables({
      accountId: '12345678',
      allowedHostSuffixes: ['liveperson.net', 'lp-cloud.example'],
      csdsUrl: 'https://api.lp-cloud.example',
    });
    const livePerson = variables.filter((vars) => 'LP_ACCOUNT_ID' in vars);
    expect(livePerson).toHaveLength(6);
    for (const vars of livePerson)
      expect(vars).toMatchObject({
        LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net,lp-cloud.example',
        LP_CSDS_URL: 'https://api.lp-cloud.example',
      });
  });

  describe('LivePersonFunction', () => {
    const build = (props: Partial<ConstructorParameters<typeof LivePersonFunction>[2]>) => () => {
      const stack = new Stack(new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } }), 'Test');
      return new LivePersonFunction(stack, 'Fn', { name: 'domain-refresh', accountId: '42', ...props });
    };

    it('never passes LP_ALLOW_INSECURE_HOSTS on, whatever environment a construct gives it', () => {
      // Type errors too: the environment takes the function's own contract variables only.
      expect(build({ environment: { LP_ALLOW_INSECURE_HOSTS: 'true' } as never })).toThrow(
        'LivePersonFunction at Test/Fn: environment: LP_ALLOW_INSECURE_HOSTS is for the local stack and tests only',
      );
      expect(build({ environment: { LP_ALLOWED_HOST_SUFFIXES: 'example.com' } as never })).toThrow(
        'environment: cannot override LP_ALLOWED_HOST_SUFFIXES',
      );
    });

    it('refuses at synth what the function would refuse at every call', () => {
      expect(build({ csdsUrl: 'http://127.0.0.1:4040' })).toThrow('LivePersonFunction at Test/Fn: csdsUrl: must be an https URL');
      expect(build({ csdsUrl: 'https://csds.example.com' })).toThrow(
        'csdsUrl: is refused: https://csds.example.com is not under liveperson.net',
      );
      expect(build({ allowedHostSuffixes: ['*.example'] })).toThrow('allowedHostSuffixes.0: must be a domain: "*.example" is not a domain');
      expect(build({ allowedHostSuffixes: [] })).toThrow('allowedHostSuffixes: must name at least one domain');
      expect(build({ csdsUrl: 'https://csds.lp-cloud.example', allowedHostSuffixes: ['lp-cloud.example'] })).not.toThrow();
    });
  });
});

// The one place holding the Lambda defaults every LivePerson function shares: runtime, architecture,
// log group, bundling and the environment contract every handler reads (README, "Environment of the functions").
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, ESM_REQUIRE_BANNER } from './bundling.ts';
import { DEFAULT_ALLOWED_HOST_SUFFIXES, HOST_POLICY_ENV, hostPolicyRefusal, hostSuffixProblem } from '../contract/host-policy.ts';
import { DEFAULT_CSDS_URL, type DeploymentConfig } from './config.ts';

/** Repository root: esbuild's working directory, the lock file's home and the parent of functions/. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

export const LIVEPERSON_FUNCTION_NAMES = [
  'webhook-receiver',
  'event-processor',
  'c2m-invite',
  'connector-send',
  'domain-refresh',
] as const;
export type LivePersonFunctionName = (typeof LIVEPERSON_FUNCTION_NAMES)[number];

/** Environment variable names every handler reads (a fixed contract: brands depend on it). */
export const LIVEPERSON_ENV = {
  accountId: 'LP_ACCOUNT_ID',
  secretId: 'LP_SECRET_ID',
  domainParameterPath: 'LP_DOMAIN_PARAMETER_PATH',
  csdsUrl: 'LP_CSDS_URL',
  allowedHostSuffixes: HOST_POLICY_ENV.allowedHostSuffixes,
} as const;

/**
 * Set only by the local stack and tests (the simulator is plain http on loopback): a deployed function
 * never gets it, whatever `environment` a construct passes.
 */
export const INSECURE_HOSTS_ENV = HOST_POLICY_ENV.allowInsecureHosts;

/** Namespace of the custom metrics every function emits through Powertools. */
export const METRICS_NAMESPACE = 'LivePerson';

/** Root of everything this project keeps in SSM Parameter Store. */
export const PARAMETER_ROOT = '/liveperson';

/** SSM path holding one String parameter per LivePerson service name, with the trailing slash. */
export function domainParameterPath(accountId: string): string {
  return `${PARAMETER_ROOT}/${accountId}/domains/`;
}

/** The credentials secret as functions see it: the construct to grant on and the id they are told to read. */
export interface CredentialsSecretRef {
  readonly secret: ISecret;
  /** Value of LP_SECRET_ID: the ARN of a secret this stack owns, or the name of an imported one. */
  readonly secretId: string;
}

export interface LivePersonFunctionProps {
  /** Which handler: bundles `functions/<name>/index.ts`. */
  readonly name: LivePersonFunctionName;
  /** LivePerson account (site) id: LP_ACCOUNT_ID and the domain parameter path. */
  readonly accountId: string;
  /** Must be https under allowedHostSuffixes. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /**
   * LP_ALLOWED_HOST_SUFFIXES: the domains whose hosts the function may call.
   * @default the enclosing LivePersonStack's config.allowedHostSuffixes, else liveperson.net
   */
  readonly allowedHostSuffixes?: readonly string[];
  /** The credentials secret: sets LP_SECRET_ID (the environment contract gives every function the variable). */
  readonly credentials?: CredentialsSecretRef;
  /** Whether the function may read the secret. 'none' keeps LP_SECRET_ID as a bare name, with no access. @default 'read' */
  readonly credentialsAccess?: 'none' | 'read';
  /** Access to the domain parameters under the path. @default 'read' */
  readonly domainParameterAccess?: 'none' | 'read' | 'read-write';
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Retained by default: logs are the record of what happened with real conversations, and they
   * still expire through the retention period after a stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default 256 (MB): arm64 CPU scales with memory; enough for the bundled SDK clients to start quickly. */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** Extra environment (e.g. EVENT_QUEUE_URL); cannot override the contract variables. */
  readonly environment?: Record<string, string>;
  readonly description?: string;
  /** Mostly for tests; caps concurrency when a brand wants to protect a downstream. */
  readonly reservedConcurrentExecutions?: number;
}

export class LivePersonFunction extends Construct {
  readonly name: LivePersonFunctionName;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly accountId: string;
  readonly domainParameterPath: string;
  private readonly credentials: CredentialsSecretRef | undefined;
  private credentialsGranted = false;
  private domainReadGranted = false;
  private domainWriteGranted = false;
  private domainWildcardAcknowledged = false;

  constructor(scope: Construct, id: string, props: LivePersonFunctionProps) {
    super(scope, id);
    if (!LIVEPERSON_FUNCTION_NAMES.includes(props.name)) {
      throw new Error(`Unknown LivePerson function "${props.name}"; expected one of ${LIVEPERSON_FUNCTION_NAMES.join(', ')}`);
    }
    this.name = props.name;
    this.accountId = props.accountId;
    this.domainParameterPath = domainParameterPath(props.accountId);
    this.credentials = props.credentials;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // Own role, no AWSLambdaBasicExecutionRole: logging is granted on this function's log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `LivePerson ${props.name} function (account ${props.accountId})`,
    });
    this.logGroup.grantWrite(this.role);

    const allowedHostSuffixes = props.allowedHostSuffixes ?? stackHostSuffixes(this) ?? DEFAULT_ALLOWED_HOST_SUFFIXES;
    const csdsUrl = props.csdsUrl ?? DEFAULT_CSDS_URL;
    validateHostPolicy(props.name, csdsUrl, allowedHostSuffixes);
    const contract: Record<string, string> = {
      [LIVEPERSON_ENV.accountId]: props.accountId,
      [LIVEPERSON_ENV.domainParameterPath]: this.domainParameterPath,
      [LIVEPERSON_ENV.csdsUrl]: csdsUrl,
      [LIVEPERSON_ENV.allowedHostSuffixes]: allowedHostSuffixes.join(','),
      ...(props.credentials ? { [LIVEPERSON_ENV.secretId]: props.credentials.secretId } : {}),
      POWERTOOLS_SERVICE_NAME: props.name,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      // Stack traces point into the TypeScript sources through the bundled source map.
      NODE_OPTIONS: '--enable-source-maps',
    };
    const clash = Object.keys(props.environment ?? {}).filter((key) => key in contract);
    if (clash.length > 0) {
      throw new Error(`LivePersonFunction ${props.name}: environment cannot override ${clash.join(', ')}`);
    }
    if (INSECURE_HOSTS_ENV in (props.environment ?? {})) {
      throw new Error(`LivePersonFunction ${props.name}: ${INSECURE_HOSTS_ENV} is for the local stack and tests only; a deployed function never gets it`);
    }

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', props.name, 'index.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      description: props.description ?? `LivePerson ${props.name} (account ${props.accountId})`,
      environment: { ...props.environment, ...contract },
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      bundling: {
        format: OutputFormat.ESM, // index.mjs: top-level await and ESM-only dependencies work
        target: BUNDLE_TARGET,
        minify: true,
        keepNames: true, // error and class names stay readable in logs
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false, // maps only need positions; keeps the asset small
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: ESM_REQUIRE_BANNER,
        // Pinned SDK versions from package-lock.json, not whatever the runtime ships this month.
        bundleAwsSDK: true,
        forceDockerBundling: false, // local esbuild only: no Docker on the build machines
        logLevel: LogLevel.WARNING,
      },
    });

    if (props.credentials && (props.credentialsAccess ?? 'read') === 'read') this.grantCredentialsRead();
    const access = props.domainParameterAccess ?? 'read';
    if (access === 'read' || access === 'read-write') this.grantDomainParametersRead();
    if (access === 'read-write') this.grantDomainParametersWrite();
  }

  /** Read of the credentials secret (GetSecretValue/DescribeSecret on that secret only). */
  grantCredentialsRead(): void {
    if (!this.credentials) {
      throw new Error(`LivePersonFunction ${this.name}: no credentials secret was given, so there is nothing to grant`);
    }
    if (this.credentialsGranted) return;
    this.credentialsGranted = true;
    this.credentials.secret.grantRead(this.role);
  }

  /** ssm:GetParameter on the parameters under the path: what reading one service's domain needs. */
  grantDomainParametersRead(): void {
    if (this.domainReadGranted) return;
    this.domainReadGranted = true;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadLivePersonDomains',
        actions: ['ssm:GetParameter'],
        resources: [parameterArn(`${this.domainParameterPath}*`)],
      }),
    );
    this.acknowledgeDomainWildcard();
  }

  /**
   * The domain-refresh function only: ssm:GetParametersByPath to compare what is stored (IAM checks it
   * against the requested path, so the path with and without its trailing slash), ssm:PutParameter.
   */
  grantDomainParametersWrite(): void {
    if (this.domainWriteGranted) return;
    this.domainWriteGranted = true;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListLivePersonDomains',
        actions: ['ssm:GetParametersByPath'],
        resources: [parameterArn(this.domainParameterPath.replace(/\/$/, '')), parameterArn(`${this.domainParameterPath}*`)],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteLivePersonDomains',
        actions: ['ssm:PutParameter'],
        resources: [parameterArn(`${this.domainParameterPath}*`)],
      }),
    );
    this.acknowledgeDomainWildcard();
  }

  // The one wildcard these grants need, acknowledged on this role's policy only and for this exact resource.
  private acknowledgeDomainWildcard(): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!policy || this.domainWildcardAcknowledged) return;
    this.domainWildcardAcknowledged = true;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[${domainParameterWildcardFinding(this.accountId)}]`,
      reason:
        'One SSM parameter per LivePerson service name under this account\'s domain path; the names come from ' +
        'CSDS at run time, so the grant covers that path only, not a list of names.',
    });
  }
}

// The deployment config's list, when the function is built inside a LivePersonStack (its constructs pass csdsUrl on
// but not the list). A structural read, not an import: liveperson-stack.ts imports the constructs that import this file.
function stackHostSuffixes(scope: Construct): readonly string[] | undefined {
  const config = (Stack.of(scope) as { config?: Partial<DeploymentConfig> }).config;
  return config?.allowedHostSuffixes;
}

// What the function would refuse at every call is refused at synth: a bad suffix, or a CSDS URL outside them.
function validateHostPolicy(name: string, csdsUrl: string, allowedHostSuffixes: readonly string[]): void {
  if (allowedHostSuffixes.length === 0) throw new Error(`LivePersonFunction ${name}: allowedHostSuffixes must name at least one domain`);
  const problems = allowedHostSuffixes.map(hostSuffixProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`LivePersonFunction ${name}: allowedHostSuffixes: ${problems.join('; ')}`);
  const refusal = hostPolicyRefusal(csdsUrl, { allowedHostSuffixes, allowInsecureHosts: false });
  if (refusal !== undefined) throw new Error(`LivePersonFunction ${name}: csdsUrl is refused: ${refusal}`);
}

/**
 * ARN of an SSM parameter (or path, given with its leading slash). Built from the pseudo parameters even
 * when the stack's environment is known, so the cdk-nag finding to acknowledge reads the same everywhere.
 */
function parameterArn(parameterPath: string): string {
  return `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${parameterPath}`;
}

/** cdk-nag's name for the domain path wildcard (IAM5 finding, resource flattened the way cdk-nag does). */
export function domainParameterWildcardFinding(accountId: string): string {
  return `Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${domainParameterPath(accountId)}*`;
}

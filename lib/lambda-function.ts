// The one place holding the Lambda defaults every LivePerson function shares: runtime, architecture,
// log group, bundling and the environment contract every handler reads (README, "Environment of the functions").
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type FunctionOptions } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { domainParameterPath, type LivePersonFunctionName } from '#contract/constants.ts';
import { RUNTIME_ENV, type FunctionVariables, type SharedVariable } from '#contract/environment.ts';
import { HOST_POLICY_ENV } from '#contract/host-policy.ts';
import { METRICS_NAMESPACE } from '#contract/metrics.ts';
import { BUNDLE_ALIASES, BUNDLE_INJECT, BUNDLE_KEEP_NAMES, BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, ESM_REQUIRE_BANNER } from './bundling.ts';
import type { DeploymentConfig } from './config.ts';
import { functionSettingsSchema } from './settings/function.ts';
import { ConstructPropsError, resolveSettings } from './settings/resolve.ts';

// The props' type parameter, for a brand's code beside the construct.
export type { LivePersonFunctionName };

/** Repository root: esbuild's working directory, the lock file's home and the parent of functions/. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** The credentials secret as functions see it: the construct to grant on and the id they are told to read. */
export interface CredentialsSecretRef {
  readonly secret: ISecret;
  /** Value of LP_SECRET_ID: the ARN of a secret this stack owns, or the name of an imported one. */
  readonly secretId: string;
}

/** One function's own variables by their contract names (distributed over a union of names, so each keeps its own). */
export type OwnVariables<N extends LivePersonFunctionName> = N extends LivePersonFunctionName ? FunctionVariables<N> : never;

/**
 * What the construct owns and so does not take from FunctionOptions: the role and log group it creates, the
 * environment (contract variables, `environment` below), the arm64 architecture, and the deprecated log
 * retention options (`logRetention` and `logRemovalPolicy` below apply to the construct's own log group).
 */
type OwnedFunctionOptions =
  | 'role'
  | 'logGroup'
  | 'environment'
  | 'architecture'
  | 'logRetention'
  | 'logRetentionRole'
  | 'logRetentionRetryOptions'
  | 'logRemovalPolicy';

/** Every other FunctionOptions field (tracing, VPC, layers, …) is passed on to the NodejsFunction as given. */
export interface LivePersonFunctionProps<N extends LivePersonFunctionName = LivePersonFunctionName> extends Omit<
  FunctionOptions,
  OwnedFunctionOptions
> {
  /** Which handler: bundles `functions/<name>/index.ts`; also POWERTOOLS_SERVICE_NAME. @default none (required) */
  readonly name: N;
  /** LivePerson account (site) id: LP_ACCOUNT_ID and the domain parameter path. @default none (required) */
  readonly accountId: string;
  /** LP_CSDS_URL; must be https under allowedHostSuffixes. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /**
   * LP_ALLOWED_HOST_SUFFIXES: the domains whose hosts the function may call.
   * @default the enclosing LivePersonStack's config.allowedHostSuffixes, else liveperson.net
   */
  readonly allowedHostSuffixes?: readonly string[];
  /** The credentials secret: sets LP_SECRET_ID (the environment contract gives every function the variable). @default none: no LP_SECRET_ID */
  readonly credentials?: CredentialsSecretRef;
  /** Whether the function may read the secret. 'none' keeps LP_SECRET_ID as a bare name, with no access. @default 'read' */
  readonly credentialsAccess?: 'none' | 'read';
  /** Access to the domain parameters under the path. @default 'read' */
  readonly domainParameterAccess?: 'none' | 'read' | 'read-write';
  /** Retention of the function's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Retained by default: logs are the record of what happened with real conversations, and they
   * still expire through the retention period after a stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default 256 (MB): arm64 CPU scales with memory; enough for the bundled SDK clients to start quickly. */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default `LivePerson <name> (account <accountId>)` */
  readonly description?: string;
  /**
   * X-Ray: ACTIVE traces every invocation, its AWS calls and its LivePerson calls (Powertools Tracer);
   * anything else turns the tracer off.
   * @default the enclosing LivePersonStack's config.tracing (true: ACTIVE), else Tracing.ACTIVE
   */
  readonly tracing?: Tracing;
  /**
   * The function's own variables, by their names in the environment contract (contract/environment.ts);
   * an unset value is left out. The shared LP_* variables are the construct's and cannot be given here.
   * @default none
   */
  readonly environment?: OwnVariables<N>;
}

/** Every variable the construct sets itself: the shared LP_* contract and the runtime's (Powertools). */
type ContractVariables = { readonly [K in SharedVariable]?: string } & {
  readonly [K in (typeof RUNTIME_ENV)[keyof typeof RUNTIME_ENV]]: string;
};

export class LivePersonFunction<N extends LivePersonFunctionName = LivePersonFunctionName> extends Construct {
  readonly name: N;
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

  constructor(scope: Construct, id: string, props: LivePersonFunctionProps<N>) {
    super(scope, id);
    const {
      name,
      accountId,
      csdsUrl,
      allowedHostSuffixes,
      credentials,
      credentialsAccess = 'read',
      domainParameterAccess = 'read',
      logRetention = RetentionDays.ONE_MONTH,
      logRemovalPolicy = RemovalPolicy.RETAIN,
      memorySize = 256,
      timeout = Duration.seconds(10),
      description,
      environment,
      tracing = stackTracing(this) === false ? Tracing.DISABLED : Tracing.ACTIVE,
      ...functionOptions
    } = props;
    // What the function would refuse at every call is refused at synth: a bad suffix, or a CSDS URL outside them.
    const settings = resolveSettings(this, 'LivePersonFunction', functionSettingsSchema, {
      name,
      csdsUrl,
      allowedHostSuffixes: allowedHostSuffixes ?? stackHostSuffixes(this),
    });
    this.name = name;
    this.accountId = accountId;
    this.domainParameterPath = domainParameterPath(accountId);
    this.credentials = credentials;

    this.logGroup = new LogGroup(this, 'LogGroup', { retention: logRetention, removalPolicy: logRemovalPolicy });

    // Own role, no AWSLambdaBasicExecutionRole: logging is granted on this function's log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `LivePerson ${name} function (account ${accountId})`,
    });
    this.logGroup.grantWrite(this.role);

    const contract: ContractVariables = {
      LP_ACCOUNT_ID: accountId,
      LP_DOMAIN_PARAMETER_PATH: this.domainParameterPath,
      LP_CSDS_URL: settings.csdsUrl,
      [HOST_POLICY_ENV.allowedHostSuffixes]: settings.allowedHostSuffixes.join(','),
      ...(credentials ? { LP_SECRET_ID: credentials.secretId } : {}),
      [RUNTIME_ENV.serviceName]: name,
      [RUNTIME_ENV.metricsNamespace]: METRICS_NAMESPACE,
      [RUNTIME_ENV.traceEnabled]: String(tracing === Tracing.ACTIVE),
      [RUNTIME_ENV.tracerCaptureResponse]: 'false',
      // No NODE_OPTIONS=--enable-source-maps: the bundle maps its stack traces itself, when one is printed (BUNDLE_INJECT).
    };
    const own = Object.entries(environment ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
    // The types already refuse these; the checks hold for a caller without them (JavaScript, a cast).
    const problems = [
      ...(own.some(([key]) => key === HOST_POLICY_ENV.allowInsecureHosts)
        ? [`environment: ${HOST_POLICY_ENV.allowInsecureHosts} is for the local stack and tests only; a deployed function never gets it`]
        : []),
      ...own.filter(([key]) => key in contract).map(([key]) => `environment: cannot override ${key}, a variable the construct sets itself`),
    ];
    if (problems.length > 0) throw new ConstructPropsError(this, 'LivePersonFunction', problems);

    this.fn = new NodejsFunction(this, 'Function', {
      ...functionOptions,
      entry: path.join(PROJECT_ROOT, 'functions', name, 'index.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout,
      tracing,
      role: this.role,
      logGroup: this.logGroup,
      description: description ?? `LivePerson ${name} (account ${accountId})`,
      environment: { ...Object.fromEntries(own), ...contract },
      bundling: {
        format: OutputFormat.ESM, // index.mjs: top-level await and ESM-only dependencies work
        target: BUNDLE_TARGET,
        minify: true,
        keepNames: BUNDLE_KEEP_NAMES,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false, // maps only need positions; keeps the asset small
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: ESM_REQUIRE_BANNER,
        inject: BUNDLE_INJECT.map((file) => path.join(PROJECT_ROOT, file)),
        esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${path.join(PROJECT_ROOT, to)}`) },
        // Pinned SDK versions from package-lock.json, not whatever the runtime ships this month.
        bundleAwsSDK: true,
        forceDockerBundling: false, // local esbuild only: no Docker on the build machines
        logLevel: LogLevel.WARNING,
      },
    });

    if (tracing === Tracing.ACTIVE) {
      // Lambda's active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the role.
      const policy = this.role.node.tryFindChild('DefaultPolicy');
      if (policy) {
        Validations.of(policy).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions: "*" is the only resource they take.',
        });
      }
    }
    if (credentials && credentialsAccess === 'read') this.grantCredentialsRead();
    if (domainParameterAccess === 'read' || domainParameterAccess === 'read-write') this.grantDomainParametersRead();
    if (domainParameterAccess === 'read-write') this.grantDomainParametersWrite();
  }

  /** Read of the credentials secret (GetSecretValue/DescribeSecret on that secret only). */
  grantCredentialsRead(): void {
    if (!this.credentials) {
      throw new Error(
        `LivePersonFunction at ${this.node.path} (${this.name}): no credentials secret was given, so there is nothing to grant`,
      );
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
        "One SSM parameter per LivePerson service name under this account's domain path; the names come from " +
        'CSDS at run time, so the grant covers that path only, not a list of names.',
    });
  }
}

// The deployment config's list, when the function is built inside a LivePersonStack (its constructs pass csdsUrl on
// but not the list). A structural read, not an import: liveperson-stack.ts imports the constructs that import this file.
function stackTracing(scope: Construct): boolean | undefined {
  return (Stack.of(scope) as { config?: Partial<DeploymentConfig> }).config?.tracing;
}

function stackHostSuffixes(scope: Construct): readonly string[] | undefined {
  const config = (Stack.of(scope) as { config?: Partial<DeploymentConfig> }).config;
  return config?.allowedHostSuffixes;
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

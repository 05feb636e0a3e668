// LivePerson service domains, resolved through CSDS and kept in SSM so the other functions do not
// call CSDS on every cold start: a scheduled refresh plus one run at deploy time.
import { CfnResource, CustomResourceProviderBase, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { InvocationType, Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { LivePersonFunction } from './lambda-function.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import { domainsSettingsSchema, type DomainsSettingsInput } from './settings/domains.ts';
import { resolveSettings } from './settings/resolve.ts';

/**
 * Where aws-cdk-lib puts the singleton provider of every Trigger in a stack (a CustomResourceProviderBase whose
 * role and function are plain CfnResources, so no cdk-nag rule sees them in the construct tree).
 */
export const TRIGGER_PROVIDER_ID = 'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider';

/**
 * Ranges and defaults: domainsSettingsSchema (lib/settings/domains.ts), and the config's `domainRefreshHours`. The props extend its
 * input type, so they cannot drift from the schema.
 */
export interface LivePersonDomainsProps extends DomainsSettingsInput {
  /** LivePerson account (site) id: LP_ACCOUNT_ID and the domain parameter path. @default none (required) */
  readonly accountId: string;
  /** Only names the secret in LP_SECRET_ID (the shared runtime config expects it); no read access is granted. @default none: no LP_SECRET_ID */
  readonly credentials?: CredentialsSecretRef;
  /** The Domain API (CSDS) the refresh calls: LP_CSDS_URL. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /** Hours between two refreshes, 1 to 24 (CSDS answers may be cached for a day at most). @default 12 */
  readonly refreshHours?: number;
  /** Refresh and deploy-time Trigger provider log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Run the refresh once during deployment (and again whenever the handler changes), so the
   * parameters exist before the first webhook. A failing run fails the deployment.
   * @default true
   */
  readonly refreshOnDeploy?: boolean;
}

export class LivePersonDomains extends Construct {
  readonly refresh: LivePersonFunction<'domain-refresh'>;
  readonly schedule: Rule;
  readonly trigger: Trigger | undefined;
  /** Log group of the Trigger's provider function (CDK's singleton), with the configured retention. */
  readonly triggerLogGroup: LogGroup | undefined;
  readonly parameterPath: string;
  /** Hours between two scheduled refreshes. */
  readonly refreshHours: number;

  constructor(scope: Construct, id: string, props: LivePersonDomainsProps) {
    super(scope, id);
    const { refreshHours, refreshOnDeploy } = resolveSettings(this, 'LivePersonDomains', domainsSettingsSchema, props);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.refreshHours = refreshHours;

    // CSDS is public: this function never reads the credentials secret, so it gets no access to it.
    this.refresh = new LivePersonFunction(this, 'Refresh', {
      name: 'domain-refresh',
      accountId: props.accountId,
      ...(props.credentials ? { credentials: props.credentials } : {}),
      credentialsAccess: 'none',
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      logRetention,
      domainParameterAccess: 'read-write',
      timeout: Duration.seconds(60),
      description: `Resolves LivePerson service domains for account ${props.accountId} through CSDS into SSM`,
    });
    this.parameterPath = this.refresh.domainParameterPath;

    this.schedule = new Rule(this, 'Schedule', {
      description: `Refreshes LivePerson domains of account ${props.accountId} every ${refreshHours} h`,
      schedule: Schedule.rate(Duration.hours(refreshHours)),
      targets: [
        new LambdaFunction(this.refresh.fn, {
          retryAttempts: 2,
          // A refresh older than the interval is pointless: the next one is already due.
          maxEventAge: Duration.hours(refreshHours),
        }),
      ],
    });

    if (refreshOnDeploy) {
      this.trigger = new Trigger(this, 'RefreshOnDeploy', {
        handler: this.refresh.fn,
        invocationType: InvocationType.REQUEST_RESPONSE,
        executeOnHandlerChange: true,
        timeout: Duration.seconds(90), // above the function timeout: report its own error, not a socket timeout
        // The role's policy must exist before the first run writes parameters.
        executeAfter: [this.refresh],
      });
      // The Trigger's currentVersion plus the schedule's invoke permission raise this CDK warning. Neither
      // invoke depends on a resource policy for a version: the rule calls the unqualified function, and
      // the Trigger's provider calls the version through its own role (lambda:InvokeFunction on <arn>:*).
      Validations.of(this.refresh.fn).acknowledge({
        id: 'Annotation::@aws-cdk/aws-lambda:addPermissionsToVersionOrAlias',
        reason:
          'The schedule invokes the unqualified function and the deploy-time Trigger invokes its version with ' +
          'an identity-based grant, so no resource policy on the version is needed.',
      });
      this.triggerLogGroup = this.governTriggerProvider(logRetention);
    } else {
      this.triggerLogGroup = undefined;
    }
  }

  /**
   * CDK's Trigger provider logs to a group Lambda would create itself, without retention, through the AWS managed
   * AWSLambdaBasicExecutionRole (logs on every group of the account). Give it a log group of its own with the
   * configured retention (Lambda's LoggingConfig) and a role that writes to that group only.
   */
  private governTriggerProvider(logRetention: RetentionDays): LogGroup {
    const provider = Stack.of(this).node.tryFindChild(TRIGGER_PROVIDER_ID);
    const role = provider?.node.tryFindChild('Role');
    const handler = provider?.node.tryFindChild('Handler');
    if (!(provider instanceof CustomResourceProviderBase && role instanceof CfnResource && handler instanceof CfnResource)) {
      throw new Error(
        `LivePersonDomains at ${this.node.path}: the Trigger provider (${TRIGGER_PROVIDER_ID}) is not where aws-cdk-lib used to build it; cannot set its log group and role`,
      );
    }
    const logGroup = new LogGroup(this, 'RefreshOnDeployLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
    role.addPropertyDeletionOverride('ManagedPolicyArns');
    provider.addToRolePolicy({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroup.logGroupArn });
    // The grant Trigger adds: every version of this one function, since the version it runs changes with each handler change.
    const refreshId = Stack.of(this).getLogicalId(this.refresh.fn.node.defaultChild as CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${refreshId}.Arn>:*]`,
      reason:
        'The Trigger runs the version CloudFormation publishes for each handler change, whose number is unknown when the ' +
        'policy is written: the grant is lambda:InvokeFunction on the versions of domain-refresh only.',
    });
    return logGroup;
  }
}

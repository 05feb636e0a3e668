// LivePerson service domains, resolved through CSDS and kept in SSM so the other functions do not
// call CSDS on every cold start: a scheduled refresh plus one run at deploy time.
import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { InvocationType, Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { LivePersonFunction } from './lambda-function.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';

export interface LivePersonDomainsProps {
  readonly accountId: string;
  /** Only names the secret in LP_SECRET_ID (the shared runtime config expects it); no read access is granted. */
  readonly credentials?: CredentialsSecretRef;
  readonly csdsUrl?: string;
  /** @default 12 */
  readonly refreshHours?: number;
  readonly logRetention?: RetentionDays;
  /**
   * Run the refresh once during deployment (and again whenever the handler changes), so the
   * parameters exist before the first webhook. A failing run fails the deployment.
   * @default true
   */
  readonly refreshOnDeploy?: boolean;
}

export class LivePersonDomains extends Construct {
  readonly refresh: LivePersonFunction;
  readonly schedule: Rule;
  readonly trigger: Trigger | undefined;
  readonly parameterPath: string;

  constructor(scope: Construct, id: string, props: LivePersonDomainsProps) {
    super(scope, id);
    const refreshHours = props.refreshHours ?? 12;
    if (!Number.isInteger(refreshHours) || refreshHours < 1 || refreshHours > 24) {
      throw new Error(`LivePersonDomains: refreshHours must be a whole number from 1 to 24, got ${refreshHours}`);
    }

    // CSDS is public: this function never reads the credentials secret, so it gets no access to it.
    this.refresh = new LivePersonFunction(this, 'Refresh', {
      name: 'domain-refresh',
      accountId: props.accountId,
      ...(props.credentials ? { credentials: props.credentials } : {}),
      credentialsAccess: 'none',
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
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

    if (props.refreshOnDeploy ?? true) {
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
    }
  }
}

// IVR deflection: the c2m-invite function Amazon Connect invokes from a contact flow, its permission
// for the Connect instance, the instance's Lambda integration and, on request, the contact flow itself;
// and the scheduled c2m-funnel function that counts what became of the invites.
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnContactFlow, CfnIntegrationAssociation } from 'aws-cdk-lib/aws-connect';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { C2mRegion } from '#contract/constants.ts';
import { FUNNEL_TABLE } from '#contract/resources.ts';
import type { FunctionVariables } from '#contract/environment.ts';
import { renderC2mDeflectionFlow } from './contact-flows/c2m-deflection.ts';
import { LivePersonFunction } from './lambda-function.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';
import {
  c2mSettingsSchema,
  CONNECT_LAMBDA_LIMIT_SECONDS,
  connectRegionProblem,
  type C2mSettings,
  type C2mSettingsInput,
} from './settings/c2m.ts';
import { ConstructPropsError, resolveSettings } from './settings/resolve.ts';

// With the construct: the monitoring compares the function's alarms with it.
export { CONNECT_LAMBDA_LIMIT_SECONDS };

/**
 * Ranges and defaults: c2mSettingsSchema (lib/settings/c2m.ts), also the config's `c2m` block. The props extend its
 * input type, so they cannot drift from the schema.
 */
export interface LivePersonIvrDeflectionProps extends C2mSettingsInput {
  /** LivePerson account (site) id: LP_ACCOUNT_ID. @default none (required) */
  readonly accountId: string;
  /** Read for the AppJWT client credentials or the C2M API key (oauth1 block). @default none (required) */
  readonly credentials: CredentialsSecretRef;
  /** LP_CSDS_URL. @default https://api.liveperson.net */
  readonly csdsUrl?: string;
  /** Retention of the function's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * The Amazon Connect instance allowed to invoke the function; also gets the function as an
   * integration (listed in its console).
   * @default none: allow an instance later with allowConnectInstance()
   */
  readonly connectInstanceArn?: string;
  /** C2M_DEFAULT_SKILL: used when the flow passes no `skill` (at most 255 characters). @default none */
  readonly defaultSkill?: string;
  /** C2M_DEFAULT_HANDOFF_ID: used when the flow passes no `handoffId` (at most 16 characters). @default none */
  readonly defaultHandoffId?: string;
  /** C2M_REGION (va, lo or sy): C2M's host only when SSM and CSDS both fail. @default none */
  readonly region?: C2mRegion;
  /** Function timeout, 2 to 7 seconds (Connect waits at most 8 s). @default 7 */
  readonly timeoutSeconds?: number;
  /** Caps concurrent executions (and so the C2M request rate), 1 to 1000; false for none. @default 3 */
  readonly reservedConcurrency?: number | false;
  /** Create the shipped contact flow in the instance (needs connectInstanceArn). @default false */
  readonly createContactFlow?: boolean;
  /** Name of the created contact flow. @default `LivePerson C2M deflection (<accountId>)` */
  readonly contactFlowName?: string;
  /** Queue for callers not deflected (only with createContactFlow). @default none: the contact's working queue */
  readonly fallbackQueueArn?: string;
}

/** The c2m-funnel function, its schedule and the table holding how far it has counted. */
export interface C2mFunnelResources {
  readonly function: LivePersonFunction<'c2m-funnel'>;
  readonly schedule: Rule;
  readonly watermarkTable: Table;
  /** Minutes between two runs. */
  readonly scheduleMinutes: number;
}

export class LivePersonIvrDeflection extends Construct {
  readonly c2mInvite: LivePersonFunction<'c2m-invite'>;
  /** Undefined when `funnel.enabled` is false. */
  readonly funnel: C2mFunnelResources | undefined;
  readonly integrationAssociation: CfnIntegrationAssociation | undefined;
  readonly contactFlow: CfnContactFlow | undefined;
  readonly #allowedInstances = new Set<string>();

  constructor(scope: Construct, id: string, props: LivePersonIvrDeflectionProps) {
    super(scope, id);
    const settings = resolveSettings(this, 'LivePersonIvrDeflection', c2mSettingsSchema, props);
    const { timeoutSeconds, reservedConcurrency, createContactFlow } = settings;
    const problems = [
      ...(createContactFlow && props.connectInstanceArn === undefined
        ? ['createContactFlow: needs connectInstanceArn: the contact flow is created in that Amazon Connect instance']
        : []),
      ...(props.connectInstanceArn !== undefined &&
      !Token.isUnresolved(props.connectInstanceArn) &&
      !/:instance\/[^/]+$/.test(props.connectInstanceArn)
        ? ['connectInstanceArn: must be an Amazon Connect instance ARN: arn:aws:connect:<region>:<account>:instance/<id>']
        : []),
      ...connectRegionProblems(Stack.of(this).region, props.connectInstanceArn),
    ];
    if (problems.length > 0) throw new ConstructPropsError(this, 'LivePersonIvrDeflection', problems);

    const environment: FunctionVariables<'c2m-invite'> = {
      C2M_DEFAULT_SKILL: settings.defaultSkill,
      C2M_DEFAULT_HANDOFF_ID: settings.defaultHandoffId,
      C2M_REGION: settings.region,
      C2M_WHATSAPP_POLICY: settings.whatsapp,
    };
    // 512 MB: arm64 CPU scales with memory, and a cold start spends Connect's 8 s too.
    this.c2mInvite = new LivePersonFunction(this, 'Function', {
      name: 'c2m-invite',
      accountId: props.accountId,
      credentials: props.credentials,
      credentialsAccess: 'read',
      domainParameterAccess: 'read',
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      memorySize: 512,
      timeout: Duration.seconds(timeoutSeconds),
      ...(reservedConcurrency === false ? {} : { reservedConcurrentExecutions: reservedConcurrency }),
      environment,
      description: `LivePerson C2M eligibility and invite for Amazon Connect (account ${props.accountId})`,
    });

    this.funnel = settings.funnel.enabled ? this.buildFunnel(props, settings) : undefined;

    if (props.connectInstanceArn !== undefined) {
      this.allowConnectInstance(props.connectInstanceArn);
      // Lists the function in the instance's console (Flows > AWS Lambda), so flows can pick it.
      this.integrationAssociation = new CfnIntegrationAssociation(this, 'ConnectIntegration', {
        instanceId: props.connectInstanceArn,
        integrationType: 'LAMBDA_FUNCTION',
        integrationArn: this.c2mInvite.fn.functionArn,
      });
    }

    if (createContactFlow && props.connectInstanceArn !== undefined) {
      const flow = renderC2mDeflectionFlow({ functionArn: this.c2mInvite.fn.functionArn, fallbackQueueArn: settings.fallbackQueueArn });
      this.contactFlow = new CfnContactFlow(this, 'ContactFlow', {
        instanceArn: props.connectInstanceArn,
        name: settings.contactFlowName ?? `LivePerson C2M deflection (${props.accountId})`,
        type: 'CONTACT_FLOW',
        state: 'ACTIVE',
        description: `Offers callers to continue over messaging (LivePerson C2M, account ${props.accountId}); else queues them`,
        // toJsonString: the function ARN is a token inside the JSON text.
        content: Stack.of(this).toJsonString(flow),
      });
      // Connect checks the flow's Lambda function when it saves the flow: associate it first.
      if (this.integrationAssociation) this.contactFlow.node.addDependency(this.integrationAssociation);
    }
  }

  /**
   * The funnel: LivePerson's Outbound Reporting API read on a schedule, each step of each invite
   * published once as a CloudWatch metric. Runs never overlap (reserved concurrency 1), and the
   * watermark's conditional write keeps a retried or late run from counting a window twice.
   */
  private buildFunnel(props: LivePersonIvrDeflectionProps, settings: C2mSettings): C2mFunnelResources {
    const { funnel } = settings;
    const watermarkTable = new Table(this, 'FunnelWatermark', {
      partitionKey: { name: FUNNEL_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // One item saying how far the funnel has counted: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const environment: FunctionVariables<'c2m-funnel'> = {
      C2M_FUNNEL_TABLE_NAME: watermarkTable.tableName,
      C2M_REGION: settings.region,
      C2M_REPORTING_URL: funnel.reportingUrl,
      C2M_FUNNEL_DELAY_MINUTES: String(funnel.delayMinutes),
      C2M_FUNNEL_LOOKBACK_HOURS: String(funnel.lookbackHours),
    };
    const fn = new LivePersonFunction(this, 'Funnel', {
      name: 'c2m-funnel',
      accountId: props.accountId,
      credentials: props.credentials,
      credentialsAccess: 'read',
      domainParameterAccess: 'read',
      ...(props.csdsUrl ? { csdsUrl: props.csdsUrl } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      // A run reads up to two days of invites at LivePerson's 10 requests/s.
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      environment,
      description: `Publishes the C2M funnel of account ${props.accountId} (Outbound Reporting API) as CloudWatch metrics`,
    });
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'FunnelWatermark',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [watermarkTable.tableArn],
      }),
    );
    const schedule = new Rule(this, 'FunnelSchedule', {
      description: `Counts the C2M funnel of account ${props.accountId} every ${funnel.scheduleMinutes} minutes`,
      schedule: Schedule.rate(Duration.minutes(funnel.scheduleMinutes)),
      targets: [
        new LambdaFunction(fn.fn, {
          retryAttempts: 2,
          // A late run is harmless (the watermark says where to go on), but the next one is due by then.
          maxEventAge: Duration.minutes(funnel.scheduleMinutes),
        }),
      ],
    });
    return { function: fn, schedule, watermarkTable, scheduleMinutes: funnel.scheduleMinutes };
  }

  /** Whether an Amazon Connect instance may invoke the function (props or allowConnectInstance() so far). */
  get connectInstanceAllowed(): boolean {
    return this.#allowedInstances.size > 0;
  }

  /**
   * Lets an Amazon Connect instance invoke the function: lambda:InvokeFunction for
   * connect.amazonaws.com, scoped to that instance (SourceArn) and its account (SourceAccount).
   */
  allowConnectInstance(instanceArn: string): void {
    if (this.#allowedInstances.has(instanceArn)) return;
    const index = this.#allowedInstances.size;
    this.#allowedInstances.add(instanceArn);
    this.c2mInvite.fn.addPermission(index === 0 ? 'AllowAmazonConnect' : `AllowAmazonConnect${index + 1}`, {
      principal: new ServicePrincipal('connect.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: instanceArn,
      sourceAccount: Arn.split(instanceArn, ArnFormat.SLASH_RESOURCE_NAME).account,
    });
  }
}

/** A stack region or instance ARN region where Amazon Connect is not offered, caught before synth fails on it. */
function connectRegionProblems(stackRegion: string, instanceArn: string | undefined): string[] {
  if (instanceArn === undefined) return [];
  const problems: string[] = [];
  const arnRegion = Token.isUnresolved(instanceArn) ? undefined : /^arn:[^:]+:connect:([^:]+):/.exec(instanceArn)?.[1];
  const arnProblem = arnRegion === undefined ? undefined : connectRegionProblem(arnRegion);
  if (arnProblem) problems.push(`connectInstanceArn: is in region ${arnRegion}: ${arnProblem}`);
  const stackProblem = Token.isUnresolved(stackRegion) ? undefined : connectRegionProblem(stackRegion);
  if (stackProblem && !arnProblem)
    problems.push(`the stack's region ${stackRegion}: ${stackProblem}, and the flow's function must be in the instance's region`);
  return problems;
}

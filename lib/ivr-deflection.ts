// IVR deflection: the c2m-invite function Amazon Connect invokes from a contact flow, its permission
// for the Connect instance, the instance's Lambda integration and, on request, the contact flow itself.
import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnContactFlow, CfnIntegrationAssociation } from 'aws-cdk-lib/aws-connect';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { C2M_DEFAULTS, C2M_REGIONS } from './config.ts';
import { renderC2mDeflectionFlow } from './contact-flows/c2m-deflection.ts';
import { LivePersonFunction } from './lambda-function.ts';
import type { CredentialsSecretRef } from './lambda-function.ts';

/** The function's own variables (functions/lib/ivr/settings.ts reads them). */
export const C2M_ENVIRONMENT = {
  defaultSkill: 'C2M_DEFAULT_SKILL',
  defaultHandoffId: 'C2M_DEFAULT_HANDOFF_ID',
  region: 'C2M_REGION',
} as const;

/** Amazon Connect waits at most this long for a synchronous Lambda block. */
export const CONNECT_LAMBDA_LIMIT_SECONDS = 8;

export interface LivePersonIvrDeflectionProps {
  readonly accountId: string;
  /** Read for the AppJWT client credentials or the C2M API key (oauth1 block). */
  readonly credentials: CredentialsSecretRef;
  readonly csdsUrl?: string;
  readonly logRetention?: RetentionDays;
  /**
   * The Amazon Connect instance allowed to invoke the function; also gets the function as an
   * integration (listed in its console). Without it, allow an instance later with allowConnectInstance().
   */
  readonly connectInstanceArn?: string;
  /** C2M_DEFAULT_SKILL: used when the flow passes no `skill`. */
  readonly defaultSkill?: string;
  /** C2M_DEFAULT_HANDOFF_ID: used when the flow passes no `handoffId`. */
  readonly defaultHandoffId?: string;
  /** C2M_REGION (va, lo or sy): C2M's host only when SSM and CSDS both fail. */
  readonly region?: (typeof C2M_REGIONS)[number];
  /** Function timeout, below Connect's 8 s. @default 7 */
  readonly timeoutSeconds?: number;
  /** Caps concurrent executions (and so the C2M request rate); false for none. @default 3 */
  readonly reservedConcurrency?: number | false;
  /** Create the shipped contact flow in the instance. @default false */
  readonly createContactFlow?: boolean;
  /** @default `LivePerson C2M deflection (<accountId>)` */
  readonly contactFlowName?: string;
  /** Queue for callers not deflected; without it, the flow uses the contact's working queue. */
  readonly fallbackQueueArn?: string;
}

export class LivePersonIvrDeflection extends Construct {
  readonly c2mInvite: LivePersonFunction;
  readonly integrationAssociation: CfnIntegrationAssociation | undefined;
  readonly contactFlow: CfnContactFlow | undefined;
  readonly #allowedInstances = new Set<string>();

  constructor(scope: Construct, id: string, props: LivePersonIvrDeflectionProps) {
    super(scope, id);
    const timeoutSeconds = props.timeoutSeconds ?? C2M_DEFAULTS.timeoutSeconds;
    const reservedConcurrency = props.reservedConcurrency ?? C2M_DEFAULTS.reservedConcurrency;
    const createContactFlow = props.createContactFlow ?? C2M_DEFAULTS.createContactFlow;
    validate(props, { timeoutSeconds, reservedConcurrency, createContactFlow });

    const environment: Record<string, string> = {
      ...(props.defaultSkill ? { [C2M_ENVIRONMENT.defaultSkill]: props.defaultSkill } : {}),
      ...(props.defaultHandoffId ? { [C2M_ENVIRONMENT.defaultHandoffId]: props.defaultHandoffId } : {}),
      ...(props.region ? { [C2M_ENVIRONMENT.region]: props.region } : {}),
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
      const flow = renderC2mDeflectionFlow({ functionArn: this.c2mInvite.fn.functionArn, fallbackQueueArn: props.fallbackQueueArn });
      this.contactFlow = new CfnContactFlow(this, 'ContactFlow', {
        instanceArn: props.connectInstanceArn,
        name: props.contactFlowName ?? `LivePerson C2M deflection (${props.accountId})`,
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

// The same rules as the deployment config, for a brand using the construct in its own app.
function validate(
  props: LivePersonIvrDeflectionProps,
  settings: { timeoutSeconds: number; reservedConcurrency: number | false; createContactFlow: boolean },
): void {
  const problems: string[] = [];
  const { timeoutSeconds, reservedConcurrency, createContactFlow } = settings;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 2 || timeoutSeconds >= CONNECT_LAMBDA_LIMIT_SECONDS) {
    problems.push(`timeoutSeconds must be a whole number from 2 to 7 (Connect waits at most ${CONNECT_LAMBDA_LIMIT_SECONDS} s), got ${timeoutSeconds}`);
  }
  if (reservedConcurrency !== false && (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1 || reservedConcurrency > 1000)) {
    problems.push(`reservedConcurrency must be a whole number from 1 to 1000, or false, got ${reservedConcurrency}`);
  }
  if (createContactFlow && props.connectInstanceArn === undefined) problems.push('createContactFlow needs connectInstanceArn');
  if (props.fallbackQueueArn !== undefined && !createContactFlow) problems.push('fallbackQueueArn is only used with createContactFlow');
  if (props.region !== undefined && !C2M_REGIONS.includes(props.region)) problems.push(`region must be one of ${C2M_REGIONS.join(', ')}`);
  if (props.connectInstanceArn !== undefined && !Token.isUnresolved(props.connectInstanceArn) && !/:instance\/[^/]+$/.test(props.connectInstanceArn)) {
    problems.push('connectInstanceArn must be an Amazon Connect instance ARN');
  }
  if (problems.length > 0) throw new Error(`LivePersonIvrDeflection: ${problems.join('; ')}`);
}

// One stack per LivePerson account: credentials and domains now; ingestion, processing, IVR deflection,
// connector and monitoring constructs join it as they are built (config.capabilities switches them).
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from './config.ts';
import type { DeploymentConfig } from './config.ts';
import { LivePersonCredentials } from './credentials.ts';
import { LivePersonDomains } from './domains.ts';

export interface LivePersonStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

export class LivePersonStack extends Stack {
  readonly config: DeploymentConfig;
  readonly credentials: LivePersonCredentials;
  readonly domains: LivePersonDomains;

  constructor(scope: Construct, id: string, props: LivePersonStackProps) {
    super(scope, id, {
      description: `LivePerson integrations for account ${props.config.accountId}`,
      ...props,
    });
    const { config } = props;
    this.config = config;
    // Validated against CloudWatch's list in config.ts; the enum's values are those day counts.
    if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
      throw new Error(`logRetentionDays ${config.logRetentionDays} is not a CloudWatch Logs retention value`);
    }
    const logRetention = config.logRetentionDays as RetentionDays;

    this.credentials = new LivePersonCredentials(this, 'Credentials', {
      accountId: config.accountId,
      secretName: config.secretName,
      createSecret: config.createSecret,
    });

    this.domains = new LivePersonDomains(this, 'Domains', {
      accountId: config.accountId,
      credentials: this.credentials,
      csdsUrl: config.csdsUrl,
      refreshHours: config.domainRefreshHours,
      logRetention,
    });

    new CfnOutput(this, 'CredentialsSecretArn', {
      description: config.createSecret
        ? 'Secret to fill with the LivePerson credentials (aws secretsmanager put-secret-value --secret-id <this>)'
        : 'Imported LivePerson credentials secret (ARN without the random suffix)',
      value: this.credentials.secret.secretArn,
    });
    new CfnOutput(this, 'CredentialsSecretName', {
      description: 'Name of the LivePerson credentials secret',
      value: this.credentials.secretName,
    });
    new CfnOutput(this, 'DomainParameterPath', {
      description: 'SSM path holding one parameter per LivePerson service domain',
      value: this.domains.parameterPath,
    });
  }
}

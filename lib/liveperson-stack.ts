// One stack per LivePerson account: credentials, domains and webhook ingestion now; processing, IVR
// deflection, connector and monitoring constructs join it as they are built (config.capabilities switches them).
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from './config.ts';
import type { DeploymentConfig } from './config.ts';
import { LivePersonCredentials } from './credentials.ts';
import { LivePersonDomains } from './domains.ts';
import { LivePersonIngestion } from './ingestion.ts';

export interface LivePersonStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

export class LivePersonStack extends Stack {
  readonly config: DeploymentConfig;
  readonly credentials: LivePersonCredentials;
  readonly domains: LivePersonDomains;
  readonly ingestion: LivePersonIngestion | undefined;

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

    this.ingestion = config.capabilities.ingestion
      ? new LivePersonIngestion(this, 'Ingestion', {
          accountId: config.accountId,
          credentials: this.credentials,
          csdsUrl: config.csdsUrl,
          logRetention,
          ...config.ingestion,
        })
      : undefined;

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
    if (this.ingestion) {
      new CfnOutput(this, 'ConnectorWebhookUrl', {
        description: 'Webhook URL to register for the Connector API (POST, signed by LivePerson)',
        value: this.ingestion.connectorWebhookUrl,
      });
      new CfnOutput(this, 'MessagingWebhookUrl', {
        description:
          'Webhook URL template for Messaging API subscriptions: replace the last segment with the webhookToken ' +
          'value of the credentials secret (kept out of this output on purpose)',
        value: this.ingestion.messagingWebhookUrlTemplate,
      });
      new CfnOutput(this, 'EventQueueUrl', {
        description: 'SQS FIFO queue receiving the accepted webhook events',
        value: this.ingestion.eventQueue.queueUrl,
      });
      new CfnOutput(this, 'DeadLetterQueueUrl', {
        description: 'SQS FIFO dead-letter queue of events the processor failed on repeatedly',
        value: this.ingestion.deadLetterQueue.queueUrl,
      });
    }
  }
}

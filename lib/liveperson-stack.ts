// One stack per LivePerson account: credentials, domains, webhook ingestion and IVR deflection now;
// processing, connector and monitoring constructs join it as they are built (config.capabilities switches them).
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from './config.ts';
import type { DeploymentConfig } from './config.ts';
import { LivePersonCredentials } from './credentials.ts';
import { LivePersonDomains } from './domains.ts';
import { LivePersonIngestion } from './ingestion.ts';
import { LivePersonIvrDeflection } from './ivr-deflection.ts';

export interface LivePersonStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

export class LivePersonStack extends Stack {
  readonly config: DeploymentConfig;
  readonly credentials: LivePersonCredentials;
  readonly domains: LivePersonDomains;
  readonly ingestion: LivePersonIngestion | undefined;
  readonly ivrDeflection: LivePersonIvrDeflection | undefined;

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

    this.ivrDeflection = config.capabilities.ivrDeflection
      ? new LivePersonIvrDeflection(this, 'IvrDeflection', {
          accountId: config.accountId,
          credentials: this.credentials,
          csdsUrl: config.csdsUrl,
          logRetention,
          ...(config.connectInstanceArn ? { connectInstanceArn: config.connectInstanceArn } : {}),
          ...config.c2m,
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
    if (this.ivrDeflection) {
      new CfnOutput(this, 'C2mInviteFunctionArn', {
        description: 'Lambda function for the Amazon Connect contact flow (C2M eligibility and invite)',
        value: this.ivrDeflection.c2mInvite.fn.functionArn,
      });
      const flow = this.ivrDeflection.contactFlow;
      if (flow) {
        new CfnOutput(this, 'C2mContactFlowId', {
          description: 'Id of the C2M deflection contact flow created in the Amazon Connect instance',
          // ARN: arn:aws:connect:<region>:<account>:instance/<instance id>/contact-flow/<flow id>
          value: Fn.select(3, Fn.split('/', flow.attrContactFlowArn)),
        });
        new CfnOutput(this, 'C2mContactFlowArn', {
          description: 'ARN of the C2M deflection contact flow (for "Transfer to flow" in the brand\'s main flow)',
          value: flow.attrContactFlowArn,
        });
      }
    }
  }
}

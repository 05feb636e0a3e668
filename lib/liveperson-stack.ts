// One stack per LivePerson account: credentials, domains, webhook ingestion, event processing, IVR
// deflection and the outbound connector (config.capabilities switches them), and monitoring over them all.
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from './config.ts';
import type { DeploymentConfig } from './config.ts';
import { LivePersonCredentials } from './credentials.ts';
import { LivePersonDomains } from './domains.ts';
import { LivePersonConnector } from './connector.ts';
import { LivePersonIngestion } from './ingestion.ts';
import { LivePersonIvrDeflection } from './ivr-deflection.ts';
import { LivePersonLogsKey } from './log-encryption.ts';
import { LivePersonMonitoring } from './monitoring.ts';
import { LivePersonProcessing } from './processing.ts';
import { MONITORING_DEFAULTS } from './settings/monitoring.ts';
import { ConstructPropsError } from './settings/resolve.ts';

export interface LivePersonStackProps extends StackProps {
  /** The validated deployment config (parseDeploymentConfig / loadDeploymentConfig). @default none (required) */
  readonly config: DeploymentConfig;
}

export class LivePersonStack extends Stack {
  readonly config: DeploymentConfig;
  readonly credentials: LivePersonCredentials;
  readonly domains: LivePersonDomains;
  readonly ingestion: LivePersonIngestion | undefined;
  readonly processing: LivePersonProcessing | undefined;
  readonly ivrDeflection: LivePersonIvrDeflection | undefined;
  readonly connector: LivePersonConnector | undefined;
  readonly monitoring: LivePersonMonitoring | undefined;
  readonly logsKey: LivePersonLogsKey | undefined;

  constructor(scope: Construct, id: string, props: LivePersonStackProps) {
    super(scope, id, {
      description: `LivePerson integrations for account ${props.config.accountId}`,
      ...props,
    });
    const { config } = props;
    this.config = config;
    // Validated against CloudWatch's list in config.ts; the enum's values are those day counts.
    if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
      throw new ConstructPropsError(this, 'LivePersonStack', [
        `config.logRetentionDays: ${config.logRetentionDays} is not a CloudWatch Logs retention value`,
      ]);
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

    this.processing = config.capabilities.processing ? this.buildProcessing(config, logRetention) : undefined;

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

    this.connector = config.capabilities.connector ? this.buildConnector(config, logRetention) : undefined;

    const { enabled: monitoringEnabled = MONITORING_DEFAULTS.enabled, ...monitoringSettings } = config.monitoring ?? {};
    this.monitoring = monitoringEnabled
      ? new LivePersonMonitoring(this, 'Monitoring', {
          accountId: config.accountId,
          domains: this.domains,
          ...(this.ingestion ? { ingestion: this.ingestion } : {}),
          ...(this.processing ? { processing: this.processing } : {}),
          ...(this.ivrDeflection ? { ivrDeflection: this.ivrDeflection } : {}),
          ...(this.connector ? { connector: this.connector } : {}),
          ...monitoringSettings,
        })
      : undefined;

    if (config.logsKmsKey) {
      this.logsKey = new LivePersonLogsKey(this, 'LogsKey', { accountId: config.accountId });
      this.logsKey.encryptLogGroupsOf(this);
    } else {
      this.logsKey = undefined;
    }

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
    new CfnOutput(this, 'DomainRefreshFunctionName', {
      description: 'Refreshes the domains from CSDS (aws lambda invoke --function-name <this> /dev/stdout to run it by hand)',
      value: this.domains.refresh.fn.functionName,
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
    if (this.processing) {
      new CfnOutput(this, 'EventBusName', {
        description: 'EventBridge bus receiving the typed LivePerson events (source "liveperson", detail-type = event type)',
        value: this.processing.eventBus.eventBusName,
      });
      new CfnOutput(this, 'EventBusArn', { description: 'ARN of the LivePerson event bus', value: this.processing.eventBus.eventBusArn });
      const archive = this.processing.archive;
      if (archive) {
        new CfnOutput(this, 'EventArchiveName', {
          description: 'EventBridge archive of the LivePerson events (replay with liveperson-aws events replay)',
          value: archive.archiveName,
        });
        new CfnOutput(this, 'EventArchiveArn', { description: 'ARN of the LivePerson event archive', value: archive.archiveArn });
      }
      const schemas = this.processing.schemas;
      if (schemas) {
        new CfnOutput(this, 'EventSchemaRegistryName', {
          description: 'EventBridge schema registry of the LivePerson events (schema liveperson@<detail-type>, for code bindings)',
          value: schemas.registry.attrRegistryName,
        });
      }
      new CfnOutput(this, 'ConversationStateTableName', {
        description: "DynamoDB table holding one item per conversation (and the connector's consumers)",
        value: this.processing.stateTable.tableName,
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
    if (this.connector) {
      new CfnOutput(this, 'OutboundQueueUrl', {
        description: 'SQS FIFO queue taking connector commands (MessageGroupId = consumer id, MessageDeduplicationId = commandId)',
        value: this.connector.outboundQueue.queueUrl,
      });
      new CfnOutput(this, 'OutboundDeadLetterQueueUrl', {
        description: 'SQS FIFO dead-letter queue of commands LivePerson refused or that kept failing',
        value: this.connector.deadLetterQueue.queueUrl,
      });
      new CfnOutput(this, 'ConnectorFunctionName', {
        description: 'connector-send function, for direct invocation with one command',
        value: this.connector.sender.fn.functionName,
      });
      if (this.connector.eventRouteDeadLetterQueue) {
        new CfnOutput(this, 'ConnectorEventRouteDeadLetterQueueUrl', {
          description: 'SQS queue of command events the EventBridge route could not deliver or forward',
          value: this.connector.eventRouteDeadLetterQueue.queueUrl,
        });
      }
    }
    if (this.monitoring) {
      new CfnOutput(this, 'AlarmTopicArn', {
        description: 'SNS topic every alarm notifies: subscribe your on-call endpoint to it',
        value: this.monitoring.alarmTopic.topicArn,
      });
      new CfnOutput(this, 'DashboardName', { description: 'CloudWatch dashboard of the flow', value: this.monitoring.dashboardName });
      new CfnOutput(this, 'DashboardUrl', {
        description: 'CloudWatch dashboard of the flow (console link)',
        value: this.monitoring.dashboardUrl,
      });
    }
  }

  private buildProcessing(config: DeploymentConfig, logRetention: RetentionDays): LivePersonProcessing {
    // The config refuses this combination with a message naming the fields; this guards a config built by hand.
    if (!this.ingestion) {
      throw new ConstructPropsError(this, 'LivePersonStack', [
        'config.capabilities.processing: needs capabilities.ingestion: the processor drains its event queue',
      ]);
    }
    return new LivePersonProcessing(this, 'Processing', {
      accountId: config.accountId,
      credentials: this.credentials,
      csdsUrl: config.csdsUrl,
      logRetention,
      eventQueue: this.ingestion.eventQueue,
      deadLetterQueue: this.ingestion.deadLetterQueue,
      ...config.processing,
    });
  }

  private buildConnector(config: DeploymentConfig, logRetention: RetentionDays): LivePersonConnector {
    if (!this.processing) {
      throw new ConstructPropsError(this, 'LivePersonStack', [
        'config.capabilities.connector: needs capabilities.processing: the connector uses its state and idempotency tables',
      ]);
    }
    const { eventRoute = false, ...settings } = config.connector ?? {};
    return new LivePersonConnector(this, 'Connector', {
      accountId: config.accountId,
      credentials: this.credentials,
      csdsUrl: config.csdsUrl,
      logRetention,
      stateTable: this.processing.stateTable,
      idempotencyTable: this.processing.idempotencyTable,
      ...settings,
      ...(eventRoute ? { eventRoute: { eventBus: this.processing.eventBus } } : {}),
    });
  }
}

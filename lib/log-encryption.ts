// Optional customer managed KMS key for CloudWatch Logs. CloudWatch Logs always encrypts log data at rest
// with a key of its own; this puts the log groups under a key the brand controls instead (its key policy,
// rotation and CloudTrail record of every use), applied to every log group of a scope in one place.
import { AspectPriority, Aspects, Aws, RemovalPolicy } from 'aws-cdk-lib';
import type { IAspect } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';

export interface LivePersonLogsKeyProps {
  /** LivePerson account (site) id, named in the key's description. @default none (required) */
  readonly accountId: string;
}

export class LivePersonLogsKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: LivePersonLogsKeyProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the CloudWatch Logs log groups of the LivePerson integrations (account ${props.accountId})`,
      enableKeyRotation: true,
      // The log groups are retained after the stack goes, and are readable only with this key: it stays too.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts and decrypts with the key itself, for log groups of this account and region only.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );
  }

  /** Encrypts every log group defined under `scope` (this project's or not) with the key. */
  encryptLogGroupsOf(scope: IConstruct): void {
    Aspects.of(scope).add(new EncryptLogGroups(this.key), { priority: AspectPriority.MUTATING });
  }
}

class EncryptLogGroups implements IAspect {
  readonly #key: IKey;

  constructor(key: IKey) {
    this.#key = key;
  }

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup && node.kmsKeyId === undefined) node.kmsKeyId = this.#key.keyArn;
  }
}

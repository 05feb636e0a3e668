// The one Secrets Manager secret holding the brand's LivePerson credentials (keys: clientId,
// clientSecret, webhookToken, optional oauth1). The stack never holds a real value.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CredentialsSecretRef } from './lambda-function.ts';

/**
 * Initial document of a created secret. Empty strings, so a handler reading it before the brand fills it
 * in fails with "missing clientId" rather than calling LivePerson with a made-up value.
 */
export const CREDENTIALS_PLACEHOLDER = { clientId: '', clientSecret: '' } as const;

/** Key of the generated URL token guarding `POST /webhooks/messaging/{token}`. */
export const WEBHOOK_TOKEN_KEY = 'webhookToken';

export interface LivePersonCredentialsProps {
  /** LivePerson account (site) id, named in the created secret's description. @default none (required) */
  readonly accountId: string;
  /** Name of the secret to create or import (the config's default is `liveperson/<accountId>/credentials`). @default none (required) */
  readonly secretName: string;
  /** true: create the secret with placeholders; false: import an existing secret by name. @default none (required) */
  readonly createSecret: boolean;
}

export class LivePersonCredentials extends Construct implements CredentialsSecretRef {
  readonly secret: ISecret;
  readonly secretName: string;
  /** LP_SECRET_ID: the full ARN when this stack owns the secret, else the name (a partial ARN could match another secret). */
  readonly secretId: string;
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: LivePersonCredentialsProps) {
    super(scope, id);
    this.secretName = props.secretName;
    this.created = props.createSecret;

    if (props.createSecret) {
      const secret = new Secret(this, 'Secret', {
        secretName: props.secretName,
        description:
          `LivePerson credentials for account ${props.accountId}: {"clientId","clientSecret","webhookToken"` +
          `[,"oauth1":{...}]}. Fill in with aws secretsmanager put-secret-value, keeping the generated webhookToken.`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(CREDENTIALS_PLACEHOLDER),
          generateStringKey: WEBHOOK_TOKEN_KEY,
          // The token travels in a URL path: letters and digits only, long enough to be unguessable.
          excludePunctuation: true,
          includeSpace: false,
          passwordLength: 48,
        },
        // Credentials outlive the stack: deleting it must not lose them (set createSecret=false to re-import).
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "The LivePerson client id/secret are issued and rotated in LivePerson's console; Secrets Manager has " +
          'no way to rotate them, so the brand rotates there and writes the new value with put-secret-value.',
      });
      this.secret = secret;
      this.secretId = secret.secretArn;
    } else {
      this.secret = Secret.fromSecretNameV2(this, 'Secret', props.secretName);
      this.secretId = props.secretName;
    }
  }
}

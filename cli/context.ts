/**
 * What every CLI command needs: the account, where CSDS is, and the credentials, from flags or
 * from the deployment config in cdk.json, with the LivePerson clients built on top.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCredentialsSecret, type LivePersonCredentials } from '#functions/lib/aws/config.ts';
import { AppJwtProvider } from '#functions/lib/liveperson/app-jwt.ts';
import { DEFAULT_CSDS_URL } from '#contract/constants.ts';
import { DomainResolver } from '#functions/lib/liveperson/domains.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { CONFIG_CONTEXT_KEY, parseDeploymentConfig, type DeploymentConfig } from '#lib/config.ts';
import { defaultSecretName } from '#contract/resources.ts';
import { messageOf } from '#functions/lib/errors.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

export interface CommonFlags {
  readonly account?: string | undefined;
  readonly 'secret-id'?: string | undefined;
  readonly credentials?: string | undefined;
  readonly 'csds-url'?: string | undefined;
  readonly config?: string | undefined;
  readonly region?: string | undefined;
}

export const COMMON_OPTIONS = {
  account: { type: 'string' },
  'secret-id': { type: 'string' },
  credentials: { type: 'string' },
  'csds-url': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export const COMMON_HELP = `  --account <id>        LivePerson account id (default: cdk.json's liveperson.accountId)
  --secret-id <id>      credentials secret in Secrets Manager (default: the deployment config's secretName)
  --credentials <file>  read the credentials from a JSON file instead of Secrets Manager
  --csds-url <url>      Domain API (default: the deployment config's csdsUrl, else ${DEFAULT_CSDS_URL})
  --config <file>       cdk.json to read the deployment config from (default: the project's)
  --region <region>     AWS region of the secret (default: AWS_REGION, else the deployment config's region)
  --json                machine-readable output`;

/** A problem the user can fix; its message says how. */
export class UsageError extends Error {}

export function readDeploymentConfig(file: string | undefined): DeploymentConfig {
  const cdkJsonPath = file ?? path.join(PROJECT_ROOT, 'cdk.json');
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> };
  return parseDeploymentConfig(cdkJson.context?.[CONFIG_CONTEXT_KEY]);
}

/** The deployment config when it can be read, for a command that only wants a default from it (the region). */
export function readDeploymentConfigIfReadable(file: string | undefined): DeploymentConfig | undefined {
  try {
    return readDeploymentConfig(file);
  } catch {
    return undefined;
  }
}

export interface Target {
  readonly accountId: string;
  readonly csdsUrl: string;
  readonly secretSource: string;
  readonly config: DeploymentConfig | undefined;
}

/** Account, CSDS and where the secret is, from flags first, then the deployment config. */
export function resolveTarget(flags: CommonFlags): Target {
  let config: DeploymentConfig | undefined;
  if (!flags.account || (!flags['secret-id'] && !flags.credentials)) {
    config = readDeploymentConfig(flags.config);
  } else if (!flags.credentials && !flags.region && !process.env.AWS_REGION) {
    // Only the region is wanted from it: without a readable config the SDK's own default applies.
    config = readDeploymentConfigIfReadable(flags.config);
  }
  const accountId = flags.account ?? config?.accountId ?? '';
  if (!/^\d+$/.test(accountId)) throw new UsageError(`--account must be the LivePerson account (site) id, digits only, got "${accountId}"`);
  const secretSource = flags.credentials ? `file ${flags.credentials}` : `secret ${flags['secret-id'] ?? config?.secretName}`;
  return { accountId, csdsUrl: flags['csds-url'] ?? config?.csdsUrl ?? DEFAULT_CSDS_URL, secretSource, config };
}

export async function readCredentials(flags: CommonFlags, target: Target): Promise<LivePersonCredentials> {
  if (flags.credentials) return parseCredentialsSecret(`file ${flags.credentials}`, readFileSync(flags.credentials, 'utf8'));
  const secretId = flags['secret-id'] ?? target.config?.secretName ?? defaultSecretName(target.accountId);
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? target.config?.region;
  const client = new SecretsManagerClient(region ? { region } : {});
  try {
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
    } catch (error) {
      throw new Error(`cannot read secret ${secretId}${region ? ` in ${region}` : ''}: ${messageOf(error)}`, { cause: error });
    }
    return parseCredentialsSecret(secretId, secretString);
  } finally {
    client.destroy();
  }
}

export function livePersonClients(target: Target, credentials: LivePersonCredentials) {
  // A person waits at the terminal: fail fast rather than follow the 5/10/15 s server-error schedule.
  const http = new LivePersonHttpClient({ timeoutMs: 10_000, retry: { serverErrorDelaysMs: [1_000], rateLimitDelaysMs: [1_000] } });
  const domains = new DomainResolver({ accountId: target.accountId, http, csdsUrl: target.csdsUrl });
  const appJwt = new AppJwtProvider({ accountId: target.accountId, http, domains, credentials: () => credentials });
  return { http, domains, appJwt };
}

export { messageOf };

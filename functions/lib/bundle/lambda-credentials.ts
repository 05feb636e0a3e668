/**
 * The AWS SDK's default credential provider as a bundled function needs it: bundles resolve
 * `@aws-sdk/credential-provider-node` here (lib/bundling.ts, BUNDLE_ALIASES).
 *
 * Lambda hands a function its role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), or, where it runs functions in containers it
 * manages, through the container credentials endpoint. The SDK's own chain tries those and then
 * SSO, shared ini files, web identity, process and instance metadata, with their STS, SSO and
 * sign-in clients: ≈100 KiB of every bundle that a function never runs. This chain keeps the
 * two sources Lambda uses, in the SDK's order, and says which variables it looked for when
 * neither is there. Outside a bundle (tests, the local stack) the SDK's full chain is used.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { chain, CredentialsProviderError, memoize } from '@smithy/core/config';

/** The options the SDK's clients pass (`credentialDefaultProvider(config)`): the logger matters here. */
export interface DefaultProviderInit {
  readonly logger?: { debug?: (message: string) => void; warn?: (message: string) => void };
  readonly [key: string]: unknown;
}

const CONTAINER_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] as const;

/** Refresh five minutes before expiry, as the SDK's chain does. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export function defaultProvider(init: DefaultProviderInit = {}): AwsCredentialIdentityProvider {
  const logger = init.logger as never;
  const fromContainer: AwsCredentialIdentityProvider = async () => {
    if (!CONTAINER_VARIABLES.some((name) => process.env[name])) {
      throw new CredentialsProviderError(
        'No AWS credentials: neither AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY nor ' +
          `${CONTAINER_VARIABLES.join(' or ')} is set (this bundle reads only the credentials Lambda provides)`,
        { logger, tryNextLink: false },
      );
    }
    return fromHttp({ logger })();
  };
  return memoize(
    chain(fromEnv({ logger }), fromContainer),
    (credentials: AwsCredentialIdentity) =>
      credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_EXPIRY_MS,
    (credentials: AwsCredentialIdentity) => credentials.expiration !== undefined,
  );
}

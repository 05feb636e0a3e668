/**
 * Wires the LivePerson clients to their AWS configuration, once per container: the shared HTTP
 * client, the credentials secret, domains (SSM first, then CSDS), the AppJWT and consumer JWS.
 * Nothing here touches the network until first used, so it is safe at module load.
 */
import { AppJwtProvider } from './liveperson/app-jwt.ts';
import { ConnectorClient, type ClientProperties } from './liveperson/connector.ts';
import { FileStorage } from './liveperson/file-storage.ts';
import { ConsumerJwsProvider, type ConsumerJwsStore } from './liveperson/consumer-jws.ts';
import { DomainResolver } from './liveperson/domains.ts';
import { LivePersonHttpClient, type RetryNotice } from './liveperson/http.ts';
import { CredentialsSource, readRuntimeEnvironment, SsmDomainSource, type RuntimeEnvironment } from './aws/config.ts';
import { livePersonCallTracer } from './aws/tracing.ts';
import { logSafeReason } from './log-mask.ts';

/** Where the platform's warnings go (a Powertools Logger fits). */
export interface PlatformLogger {
  warn(message: string, extra: Record<string, unknown>): void;
}

export interface LivePersonPlatformOptions {
  /** The shared environment, read by the caller (readRuntimeEnvironment); else read here from `env`. */
  readonly environment?: RuntimeEnvironment;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: PlatformLogger;
  /** Cache lifetime of the secret and the domain parameters (seconds); default LP_CONFIG_CACHE_SECONDS, else 300. */
  readonly configMaxAgeSeconds?: number;
  readonly consumerJwsStore?: ConsumerJwsStore;
}

export interface LivePersonPlatform {
  readonly environment: RuntimeEnvironment;
  readonly http: LivePersonHttpClient;
  readonly credentials: CredentialsSource;
  readonly domains: DomainResolver;
  readonly appJwt: AppJwtProvider;
  readonly consumerJws: ConsumerJwsProvider;
}

export function createLivePersonPlatform(options: LivePersonPlatformOptions = {}): LivePersonPlatform {
  const environment = options.environment ?? readRuntimeEnvironment(options.env);
  const logger = options.logger;
  const http = new LivePersonHttpClient({
    tracer: livePersonCallTracer(),
    onRetry: (notice: RetryNotice) =>
      logger?.warn('retrying LivePerson call', {
        operation: notice.operation,
        retry: notice.retry,
        delayMs: notice.delayMs,
        reason: logSafeReason(notice.error),
      }),
  });
  const configMaxAgeSeconds = options.configMaxAgeSeconds ?? environment.configCacheSeconds;
  const credentials = new CredentialsSource({ secretId: environment.secretId, maxAgeSeconds: configMaxAgeSeconds });
  const domains = new DomainResolver({
    accountId: environment.accountId,
    http,
    csdsUrl: environment.csdsUrl,
    hostPolicy: environment.hostPolicy,
    source: new SsmDomainSource({ path: environment.domainParameterPath, maxAgeSeconds: configMaxAgeSeconds }),
    onSourceError: (service, error) =>
      logger?.warn('domain parameter unreadable, asking CSDS', { livePersonService: service, reason: logSafeReason(error) }),
  });
  const appJwt = new AppJwtProvider({ accountId: environment.accountId, http, domains, credentials: () => credentials.get() });
  const consumerJws = new ConsumerJwsProvider({ accountId: environment.accountId, http, domains, appJwt, store: options.consumerJwsStore });

  return {
    environment,
    http,
    credentials,
    domains,
    appJwt,
    consumerJws,
  };
}

/**
 * The Connector API client and LivePerson's file storage, on the platform's clients, for the
 * consumer side (connector-send): `forgetConsumerJws` drops a JWS LivePerson refused from the store.
 */
export function connectorClientsOf(
  platform: LivePersonPlatform,
  options: { clientProperties?: ClientProperties; forgetConsumerJws?: (extConsumerId: string, jws: string) => Promise<void> },
): { connector: ConnectorClient; files: FileStorage } {
  const connector = new ConnectorClient({
    accountId: platform.environment.accountId,
    http: platform.http,
    domains: platform.domains,
    appJwt: platform.appJwt,
    consumerJws: platform.consumerJws,
    ...options,
  });
  return { connector, files: new FileStorage({ http: platform.http, domains: platform.domains }) };
}

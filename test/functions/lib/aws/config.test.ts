import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialsSource, parseCredentialsSecret, readRuntimeEnvironment, SsmDomainSource } from '#functions/lib/aws/config.ts';
import { ConfigurationError } from '#functions/lib/errors.ts';

const SECRET_VALUE = 'top-secret-value-123';
const valid = { clientId: 'client', clientSecret: SECRET_VALUE };

function secretError(raw: string | undefined): string {
  try {
    parseCredentialsSecret('lp/creds', raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected the secret to be rejected');
}

describe('parseCredentialsSecret', () => {
  it('accepts the minimal and the full secret', () => {
    expect(parseCredentialsSecret('s', JSON.stringify(valid))).toEqual(valid);
    const full = {
      ...valid,
      webhookToken: 'a'.repeat(32),
      oauth1: { consumerKey: 'k', consumerSecret: 's', accessToken: 't', accessTokenSecret: 'ts' },
    };
    expect(parseCredentialsSecret('s', JSON.stringify(full))).toEqual(full);
  });

  it.each([
    [undefined, 'secret lp/creds is empty'],
    ['   ', 'secret lp/creds is empty'],
    ['{not json', 'secret lp/creds is not a JSON document'],
    ['[]', 'must be a JSON object'],
    ['"text"', 'must be a JSON object'],
    [JSON.stringify({ clientSecret: SECRET_VALUE }), 'missing key clientId'],
    [JSON.stringify({ clientId: 'c' }), 'missing key clientSecret'],
    [JSON.stringify({ clientId: '', clientSecret: SECRET_VALUE }), 'clientId must be a non-empty string'],
    [JSON.stringify({ clientId: 42, clientSecret: SECRET_VALUE }), 'clientId must be a non-empty string'],
    [JSON.stringify({ ...valid, webhookToken: 'short' }), 'webhookToken must be at least 16 characters'],
    [JSON.stringify({ ...valid, oauth1: 'x' }), 'oauth1 must be an object'],
    [
      JSON.stringify({ ...valid, oauth1: { consumerKey: 'k', consumerSecret: 's', accessToken: 't' } }),
      'missing key oauth1.accessTokenSecret',
    ],
  ])('rejects %j: %s', (raw, expected) => {
    const message = secretError(raw);
    expect(message).toContain(expected);
    expect(message).not.toContain(SECRET_VALUE);
  });

  it('lists every problem at once', () => {
    expect(secretError('{}')).toBe('secret lp/creds is invalid: missing key clientId; missing key clientSecret');
  });
});

describe('readRuntimeEnvironment', () => {
  const env = { LP_ACCOUNT_ID: '12345678', LP_SECRET_ID: 'lp/creds', LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/' };

  it('reads the contract and defaults the CSDS URL', () => {
    expect(readRuntimeEnvironment(env)).toEqual({
      accountId: '12345678',
      secretId: 'lp/creds',
      domainParameterPath: '/liveperson/12345678/domains/',
      csdsUrl: 'https://api.liveperson.net',
      configCacheSeconds: 300,
      hostPolicy: { allowedHostSuffixes: ['liveperson.net'], allowInsecureHosts: false },
    });
    expect(readRuntimeEnvironment({ ...env, LP_CONFIG_CACHE_SECONDS: '5' }).configCacheSeconds).toBe(5);
    expect(
      readRuntimeEnvironment({ ...env, LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net,Other-Cloud.example', LP_ALLOW_INSECURE_HOSTS: 'true' })
        .hostPolicy,
    ).toEqual({
      allowedHostSuffixes: ['liveperson.net', 'other-cloud.example'],
      allowInsecureHosts: true,
    });
    expect(readRuntimeEnvironment({ ...env, LP_CSDS_URL: 'http://127.0.0.1:4040' }).csdsUrl).toBe('http://127.0.0.1:4040');
  });

  it.each([
    [{ LP_ACCOUNT_ID: undefined }, 'LP_ACCOUNT_ID is not set'],
    [{ LP_ACCOUNT_ID: 'abc' }, 'LP_ACCOUNT_ID must be the LivePerson account (site) id'],
    [{ LP_SECRET_ID: undefined }, 'LP_SECRET_ID is not set'],
    [{ LP_DOMAIN_PARAMETER_PATH: 'liveperson/domains' }, 'LP_DOMAIN_PARAMETER_PATH must start and end with "/"'],
    [{ LP_CSDS_URL: 'not a url' }, 'LP_CSDS_URL must be a URL'],
    [{ LP_CONFIG_CACHE_SECONDS: '7200' }, 'LP_CONFIG_CACHE_SECONDS must be at most 3600'],
    [{ LP_CONFIG_CACHE_SECONDS: 'soon' }, 'LP_CONFIG_CACHE_SECONDS must be a number of seconds'],
  ])('rejects %j', (override, expected) => {
    expect(() => readRuntimeEnvironment({ ...env, ...override })).toThrow(expected);
  });
});

describe('CredentialsSource', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('reads and validates the secret, and caches it for the configured time', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'lp/creds' }).resolves({ SecretString: JSON.stringify(valid) });
    const source = new CredentialsSource({ secretId: 'lp/creds', maxAgeSeconds: 60 });
    await expect(source.get()).resolves.toEqual(valid);
    await expect(source.get()).resolves.toEqual(valid);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('shares one read between concurrent callers', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(valid) });
    const source = new CredentialsSource({ secretId: 'lp/creds' });
    await Promise.all([source.get(), source.get(), source.get()]);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('picks up a rotated secret once the cache expires', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(valid) })
      .resolves({ SecretString: JSON.stringify({ ...valid, clientSecret: 'rotated' }) });
    const source = new CredentialsSource({ secretId: 'lp/creds', maxAgeSeconds: 0 });
    expect((await source.get()).clientSecret).toBe(SECRET_VALUE);
    expect((await source.get()).clientSecret).toBe('rotated');
  });

  it('refresh reads a rotated secret past the cache, and get answers it from then on', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(valid) })
      .resolves({ SecretString: JSON.stringify({ ...valid, clientSecret: 'rotated' }) });
    const source = new CredentialsSource({ secretId: 'lp/creds', maxAgeSeconds: 300 });
    expect((await source.get()).clientSecret).toBe(SECRET_VALUE);
    expect((await source.refresh())?.clientSecret).toBe('rotated');
    expect((await source.get()).clientSecret).toBe('rotated');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('refreshes at most once per interval, concurrent callers sharing the read', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(valid) });
    let now = 1_000_000;
    const source = new CredentialsSource({ secretId: 'lp/creds', minRefreshIntervalSeconds: 30, now: () => now });
    const [first, second] = await Promise.all([source.refresh(), source.refresh()]);
    expect(first).toEqual(valid);
    expect(second).toEqual(valid);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    now += 29_999;
    await expect(source.refresh()).resolves.toBeUndefined();
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    now += 1;
    await expect(source.refresh()).resolves.toEqual(valid);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('answers from its own cache until the cache expires, then reads Secrets Manager itself, past the provider cache', async () => {
    const reads: Array<{ forceFetch?: boolean }> = [];
    const provider = {
      get: (_name: string, options: { forceFetch?: boolean }) => {
        reads.push(options);
        return Promise.resolve(JSON.stringify(valid));
      },
    } as unknown as SecretsProvider;
    let now = 1_000_000;
    const source = new CredentialsSource({ secretId: 'lp/creds', maxAgeSeconds: 60, provider, now: () => now });
    await expect(source.get()).resolves.toEqual(valid);
    now += 59_999;
    await expect(source.get()).resolves.toEqual(valid);
    expect(reads).toHaveLength(1);
    now += 1;
    await expect(source.get()).resolves.toEqual(valid);
    expect(reads.map((options) => options.forceFetch)).toEqual([true, true]);
  });

  it('reads an invalid secret once per cache period, not on every call', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ clientSecret: SECRET_VALUE }) });
    const source = new CredentialsSource({ secretId: 'lp/bad', maxAgeSeconds: 60 });
    for (let i = 0; i < 3; i++) await expect(source.get()).rejects.toThrow('secret lp/bad is invalid: missing key clientId');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('keeps what a later read cached when an abandoned read answers late', async () => {
    let answerLate: (raw: string) => void = () => undefined;
    const answers = [
      new Promise<string>((resolve) => (answerLate = resolve)),
      Promise.resolve(JSON.stringify({ ...valid, clientSecret: 'rotated' })),
    ];
    const provider = { get: () => answers.shift() ?? Promise.reject(new Error('read again')) } as unknown as SecretsProvider;
    const source = new CredentialsSource({ secretId: 'lp/creds', provider, readTimeoutMs: 20 });
    await expect(source.get()).rejects.toThrow(/did not answer within 20 ms/);
    expect((await source.get()).clientSecret).toBe('rotated');
    answerLate(JSON.stringify(valid));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await source.get()).clientSecret).toBe('rotated');
  });

  it('names the secret when it cannot be read or is invalid', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'Secrets Manager can’t find the specified secret.', $metadata: {} }));
    await expect(new CredentialsSource({ secretId: 'lp/missing' }).get()).rejects.toThrow(
      /cannot read secret lp\/missing: ResourceNotFoundException/,
    );
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ clientSecret: SECRET_VALUE }) });
    const error = await new CredentialsSource({ secretId: 'lp/bad' }).get().catch((e: unknown) => e);
    expect(String(error)).toContain('secret lp/bad is invalid: missing key clientId');
    expect(String(error)).not.toContain(SECRET_VALUE);
  });
});

describe('SsmDomainSource', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());

  it('reads one parameter per service under the path', async () => {
    ssm.on(GetParameterCommand, { Name: '/lp/domains/sentinel' }).resolves({ Parameter: { Value: 'va.sentry.liveperson.net' } });
    await expect(new SsmDomainSource({ path: '/lp/domains/' }).get('sentinel')).resolves.toBe('va.sentry.liveperson.net');
  });

  it('answers undefined for a missing parameter, so the caller asks CSDS', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await expect(new SsmDomainSource({ path: '/lp/domains/' }).get('idp')).resolves.toBeUndefined();
  });

  it('reports any other failure with the parameter name', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(new SsmDomainSource({ path: '/lp/domains/' }).get('idp')).rejects.toThrow(
      'cannot read SSM parameter /lp/domains/idp: ThrottlingException: Rate exceeded',
    );
  });
});

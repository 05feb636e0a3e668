// A read of the credentials secret that never answers must not poison the container: it is
// abandoned after the read timeout (who waited on it gets an error), and the next call reads
// afresh instead of joining it. Secrets Manager is a stand-in whose first GetSecretValue never
// settles and whose later ones answer.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsSource } from '#functions/lib/aws/config.ts';
import { ConfigurationError } from '#functions/lib/errors.ts';

const valid = { clientId: 'client', clientSecret: 'top-secret-value-123' };
const rotated = { ...valid, clientSecret: 'rotated-secret-value-456' };
const never = () => new Promise<never>(() => undefined);

describe('CredentialsSource when a read of the secret hangs', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .callsFakeOnce(never)
      .resolves({ SecretString: JSON.stringify(valid) });
  });
  afterEach(() => secrets.reset());

  it('fails the hung read at the read timeout, and the next call reads afresh', { timeout: 5_000 }, async () => {
    const source = new CredentialsSource({ secretId: 'lp/creds', readTimeoutMs: 200 });
    const error = await source.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toMatch(/cannot read secret lp\/creds: TimeoutError: Secrets Manager did not answer within 200 ms/);
    expect(String(error)).not.toContain(valid.clientSecret);

    await expect(source.get()).resolves.toEqual(valid);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('fails everyone who joined the hung read, and never hands it to a later caller', { timeout: 5_000 }, async () => {
    const source = new CredentialsSource({ secretId: 'lp/creds', readTimeoutMs: 200 });
    // A cold-start prefetch and the first requests join one read.
    const joined = await Promise.allSettled([source.get(), source.get(), source.get()]);
    expect(joined.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);

    const later = await Promise.all([source.get(), source.get()]);
    expect(later).toEqual([valid, valid]);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('abandons a hung refresh too: the next refresh reads afresh', { timeout: 5_000 }, async () => {
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(valid) })
      .callsFakeOnce(never)
      .resolves({ SecretString: JSON.stringify(rotated) });
    let now = 1_000_000;
    const source = new CredentialsSource({ secretId: 'lp/creds', readTimeoutMs: 200, minRefreshIntervalSeconds: 30, now: () => now });
    await expect(source.get()).resolves.toEqual(valid);
    await expect(source.refresh()).rejects.toThrow(/did not answer within 200 ms/);
    now += 30_000;
    await expect(source.refresh()).resolves.toEqual(rotated);
    await expect(source.get()).resolves.toEqual(rotated);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('has a read timeout by default', { timeout: 8_000 }, async () => {
    const source = new CredentialsSource({ secretId: 'lp/creds' });
    await expect(source.get()).rejects.toBeInstanceOf(ConfigurationError);
    await expect(source.get()).resolves.toEqual(valid);
  });
});

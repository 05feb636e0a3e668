// The host policy variables are part of the environment contract: a malformed one is a ConfigurationError
// naming the variable, like every other variable; a plain-http LP_CSDS_URL is not, as the functions that
// never call LivePerson (the webhook receiver) must keep working; DomainResolver refuses it at each lookup.
import { describe, expect, it } from 'vitest';
import { readRuntimeEnvironment } from '#functions/lib/aws/config.ts';
import { ConfigurationError } from '#functions/lib/errors.ts';

describe('readRuntimeEnvironment: host policy', () => {
  const env = { LP_ACCOUNT_ID: '12345678', LP_SECRET_ID: 'lp/creds', LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/' };

  it.each([
    {},
    { LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net' },
    { LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net, lp-cloud.example', LP_ALLOW_INSECURE_HOSTS: 'false' },
    { LP_ALLOWED_HOST_SUFFIXES: '', LP_ALLOW_INSECURE_HOSTS: '' },
    { LP_ALLOW_INSECURE_HOSTS: 'true', LP_CSDS_URL: 'http://127.0.0.1:4040' },
  ])('accepts %j', (override) => {
    expect(() => readRuntimeEnvironment({ ...env, ...override })).not.toThrow();
  });

  it.each([
    [
      { LP_ALLOWED_HOST_SUFFIXES: '*.liveperson.net' },
      'invalid environment: LP_ALLOWED_HOST_SUFFIXES: "*.liveperson.net" is not a domain such as liveperson.net',
    ],
    [
      { LP_ALLOWED_HOST_SUFFIXES: 'liveperson.net,https://evil.example' },
      'LP_ALLOWED_HOST_SUFFIXES: "https://evil.example" is not a domain',
    ],
    [{ LP_ALLOW_INSECURE_HOSTS: '1' }, 'invalid environment: LP_ALLOW_INSECURE_HOSTS must be "true" or "false"'],
  ])('rejects %j', (override, expected) => {
    let error: unknown;
    try {
      readRuntimeEnvironment({ ...env, ...override });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(expected);
  });
});

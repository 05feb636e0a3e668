// The credential chain bundles use in place of the SDK's default one: Lambda's two sources, in the
// SDK's order, memoized, with a clear error when neither is there.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '#functions/lib/bundle/lambda-credentials.ts';

const VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
];
let saved: Record<string, string | undefined>;
beforeEach(() => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A container credentials endpoint on loopback, as Lambda's container runtime serves it. */
async function credentialsEndpoint(expiration: Date): Promise<{ url: string; requests: () => number; server: Server }> {
  let count = 0;
  const server = createServer((request, response) => {
    count++;
    expect(request.headers.authorization).toBe('container-token');
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        AccessKeyId: `ASIACONTAINER${count}`,
        SecretAccessKey: 'container-secret',
        Token: 'container-session',
        Expiration: expiration.toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`, requests: () => count, server };
}

describe('bundled default credential provider', () => {
  it('reads the role credentials Lambda puts in the environment', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-session' });
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAENV',
      secretAccessKey: 'env-secret',
      sessionToken: 'env-session',
    });
  });

  it('falls back to the container credentials endpoint, once, until the credentials near their expiry', async () => {
    const endpoint = await credentialsEndpoint(new Date(Date.now() + 60 * 60_000));
    try {
      Object.assign(process.env, {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token',
      });
      const provider = defaultProvider();
      await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIACONTAINER1', sessionToken: 'container-session' });
      await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIACONTAINER1' });
      expect(endpoint.requests()).toBe(1);
    } finally {
      endpoint.server.close();
    }
  });

  it('fetches again when the credentials expire within five minutes', async () => {
    const endpoint = await credentialsEndpoint(new Date(Date.now() + 2 * 60_000));
    try {
      Object.assign(process.env, {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token',
      });
      const provider = defaultProvider();
      const first = await provider();
      const second = await provider();
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(endpoint.requests()).toBeGreaterThan(1);
    } finally {
      endpoint.server.close();
    }
  });

  it('says which variables it looked for when there are no credentials', async () => {
    await expect(defaultProvider()()).rejects.toThrow(
      /No AWS credentials: neither AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY nor AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set/,
    );
  });
});

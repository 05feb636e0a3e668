// Reading a brand's file from a presigned URL: the bytes, a refusal that says what is wrong (not
// retried), a temporary failure (retried), and the size cap whether or not the length is declared.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresignedUrlFileSource } from '#functions/lib/aws/presigned-file.ts';
import { isRetryable } from '#functions/lib/errors.ts';
import { FileSourceError } from '#functions/lib/connector/ports.ts';
import { PNG_1X1 } from '#test/support/images.ts';

describe('PresignedUrlFileSource (a loopback server in place of S3)', () => {
  let server: Server;
  let base: string;
  const source = new PresignedUrlFileSource();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url?.split('?')[0];
      if (path === '/box.png') response.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1X1);
      else if (path === '/expired') response.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
      else if (path === '/busy') response.writeHead(503).end('SlowDown');
      else if (path === '/moved')
        response.writeHead(301, { location: 'https://elsewhere.example/' }).end('<Error><Code>PermanentRedirect</Code></Error>');
      else if (path === '/large-declared') response.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
      else if (path === '/large-chunked') {
        response.writeHead(200, { 'transfer-encoding': 'chunked' });
        response.write(Buffer.alloc(3000));
        response.end(Buffer.alloc(3000));
      } else if (path === '/slow') setTimeout(() => response.writeHead(200).end('late'), 2_000);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads the object', async () => {
    const bytes = await source.read(`${base}/box.png?X-Amz-Signature=abc`, { maxBytes: 1000 });
    expect(Buffer.from(bytes).equals(PNG_1X1)).toBe(true);
  });

  it('refuses, without retrying, a URL S3 refuses, and says so without the signature', async () => {
    const error = await source.read(`${base}/expired?X-Amz-Signature=secret-signature`, { maxBytes: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileSourceError);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toContain('answered HTTP 403 (an expired or wrong presigned URL, no such object');
    expect(String(error)).not.toContain('secret-signature');
    // A redirect (a bucket of another region) is not followed, and not retried.
    const moved = await source.read(`${base}/moved`, { maxBytes: 1000 }).catch((e: unknown) => e);
    expect(moved).toBeInstanceOf(FileSourceError);
    expect(String(moved)).toContain('answered HTTP 301');
  });

  it('fails for now on a 5xx or no answer in time, to be retried', async () => {
    const busy = await source.read(`${base}/busy`, { maxBytes: 1000 }).catch((e: unknown) => e);
    expect(isRetryable(busy)).toBe(true);
    expect(String(busy)).toContain('answered HTTP 503; try again later');
    const slow = await source.read(`${base}/slow`, { maxBytes: 1000, deadline: Date.now() + 200 }).catch((e: unknown) => e);
    expect(isRetryable(slow)).toBe(true);
    expect(String(slow)).toMatch(/gave no file within \d+ ms/);
  });

  it('refuses an object over the cap, whether its length is declared or not', async () => {
    await expect(source.read(`${base}/large-declared`, { maxBytes: 4000 })).rejects.toThrow('the object is 5000 bytes, more than the 4000');
    await expect(source.read(`${base}/large-chunked`, { maxBytes: 4000 })).rejects.toThrow('more than the 4000 bytes');
  });
});

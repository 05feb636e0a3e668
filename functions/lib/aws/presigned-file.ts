/**
 * Reads a brand's file from a presigned S3 GET URL, for sendFile's `file.url`. A presigned URL lets
 * the brand share one object for a while without giving the connector any access to its buckets,
 * and costs the bundle no S3 client (≈135 KiB). Hand-written over fetch because the only job is one
 * GET with a size cap and a deadline; the URL is never logged (its signature is a credential), and
 * errors name the bucket host only.
 */
import { FileSourceError, type FileSource } from '../connector/ports.ts';

/** An S3 GET that does not finish within this (or the invocation's deadline) fails for now. */
const DEFAULT_TIMEOUT_MS = 10_000;

export class PresignedUrlFileSource implements FileSource {
  readonly #fetch: typeof fetch;

  constructor(options: { fetch?: typeof fetch } = {}) {
    this.#fetch = options.fetch ?? fetch;
  }

  async read(url: string, options: { readonly maxBytes: number; readonly deadline?: number | undefined }): Promise<Uint8Array> {
    const host = new URL(url).host;
    const timeoutMs = Math.max(1, Math.min(DEFAULT_TIMEOUT_MS, (options.deadline ?? Infinity) - Date.now()));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const response = await this.#fetch(url, { signal: controller.signal, redirect: 'manual' });
      // A redirect (S3's PermanentRedirect: a bucket of another region) will not change on a retry either.
      if (response.status >= 300 && response.status < 500) {
        await response.body?.cancel();
        throw new FileSourceError(
          `file.url: ${host} answered HTTP ${response.status} (an expired or wrong presigned URL, no such object, or the bucket's other region)`,
        );
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`file.url: ${host} answered HTTP ${response.status}; try again later`);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > options.maxBytes) {
        await response.body?.cancel();
        throw new FileSourceError(`file.url: the object is ${declared} bytes, more than the ${options.maxBytes} LivePerson takes`);
      }
      return await readCapped(response, options.maxBytes);
    } catch (error) {
      if (error instanceof FileSourceError) throw error;
      if (controller.signal.aborted) {
        throw new Error(`file.url: ${host} gave no file within ${timeoutMs} ms; try again later`, { cause: error });
      }
      if (error instanceof Error && error.message.startsWith('file.url:')) throw error;
      throw new Error(`file.url: reading from ${host} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The body, refused as soon as it grows past the cap (a missing or wrong Content-Length proves nothing). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FileSourceError(`file.url: the object is more than the ${maxBytes} bytes LivePerson takes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

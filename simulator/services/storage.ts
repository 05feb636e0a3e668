// LivePerson's file storage (CSDS service `swift`): an OpenStack Swift store reached through TempURLs.
// The Connector API hands out a relativePath and a signature (ms.GenerateURLForUploadFile /
// ms.GenerateURLForDownloadFile); the client then PUTs or GETs `{swift}{relativePath}?temp_url_sig=..&temp_url_expires=..`.
//
// Documented (https://developers.liveperson.com/connector-api-send-api-examples.html#file-sharing):
// PUT answers 201; an invalid URL answers 401 "Temp URL invalid"; "File expiration is set to 1 minute by
// default"; temp_url_expires is Unix seconds; file types JPG, JPEG, PNG, GIF, up to 3MB.
// As Swift computes them: the signature is the hex HMAC-SHA1 of "{METHOD}\n{expires}\n{path}" under the
// store's key (here a random key per simulator), so a PUT needs a PUT signature and a GET a GET one.
// Simulator-defined: an expired or revoked URL answers the same 401 as a wrong signature; a PUT larger
// than the fileSize its URL was issued for answers 400 "File larger than the size the upload URL was
// issued for"; an unknown object 404 "Not Found"; other methods 405; all as text/plain. Any stored file
// of the account may be downloaded (LivePerson's per-conversation access rules are not simulated).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SimContext } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';

/** The file types the Connector API pages list, as they spell them. */
export const UPLOAD_FILE_TYPES = ['JPG', 'JPEG', 'PNG', 'GIF'] as const;
export type UploadFileType = (typeof UPLOAD_FILE_TYPES)[number];
/** "Each file can be up to 3MB". */
export const MAX_UPLOAD_BYTES = 3 * 1024 * 1024;
/** "the preview must be under 30KB". */
export const MAX_PREVIEW_BYTES = 30 * 1024;
/** LivePerson's answer to any refused TempURL. */
export const TEMP_URL_INVALID = 'Temp URL invalid';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  JPG: 'image/jpeg',
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  GIF: 'image/gif',
};

export interface SignedUrl {
  relativePath: string;
  queryParams: { temp_url_sig: string; temp_url_expires: string };
}

export interface StoredFile {
  fileType: string;
  bytes: Buffer;
}

interface Grant {
  method: 'PUT' | 'GET';
  path: string;
  expires: number;
  /** Upload grants: the most bytes the PUT may carry. */
  fileSize?: number;
}

export class FileStorage {
  readonly #key = randomBytes(32);
  readonly #accountId: string;
  readonly #ttlSeconds: number;
  readonly #objects = new Map<string, StoredFile>();
  readonly #grants = new Map<string, Grant>();
  readonly #revoked = new Set<string>();
  /** Set by expireIssuedUrls: later URLs expire after every revoked one, so none can share its signature. */
  #earliestExpires = 0;

  constructor(options: { accountId: string; ttlSeconds: number }) {
    this.#accountId = options.accountId;
    this.#ttlSeconds = options.ttlSeconds;
  }

  /** A new object path in the Connector API answer's form: `/v1/AUTH_async-images/{accountId}/{uuid}.{TYPE}`. */
  newPath(fileType: string): string {
    return `/v1/AUTH_async-images/${this.#accountId}/${randomUUID()}.${fileType.toUpperCase()}`;
  }

  uploadUrl(fileType: UploadFileType, fileSize: number): SignedUrl {
    return this.#sign({ method: 'PUT', path: this.newPath(fileType), fileSize });
  }

  /** Undefined when nothing is stored at that path. */
  downloadUrl(relativePath: string): SignedUrl | undefined {
    return this.#objects.has(relativePath) ? this.#sign({ method: 'GET', path: relativePath }) : undefined;
  }

  has(relativePath: string): boolean {
    return this.#objects.has(relativePath);
  }

  /** Stores a file directly (what an agent's or a simulated consumer's upload amounts to). */
  put(relativePath: string, file: StoredFile): void {
    this.#objects.set(relativePath, { fileType: file.fileType, bytes: Buffer.from(file.bytes) });
  }

  get(relativePath: string): StoredFile | undefined {
    const file = this.#objects.get(relativePath);
    return file === undefined ? undefined : { fileType: file.fileType, bytes: Buffer.from(file.bytes) };
  }

  /** Every URL issued so far is refused from now on, as if it had expired. */
  expireIssuedUrls(): void {
    for (const [signature, grant] of this.#grants) {
      this.#revoked.add(signature);
      this.#earliestExpires = Math.max(this.#earliestExpires, grant.expires + 1);
    }
  }

  /** PUT / GET `{relativePath}?temp_url_sig=..&temp_url_expires=..` */
  handle(request: SimRequest): SimReply {
    if (request.method !== 'PUT' && request.method !== 'GET') return text(405, 'Method Not Allowed');
    const grant = this.#verify(request.method, request.path, request.query.temp_url_sig, request.query.temp_url_expires);
    if (grant === undefined) return text(401, TEMP_URL_INVALID);
    if (request.method === 'PUT') {
      if (grant.fileSize !== undefined && request.rawBody.length > grant.fileSize) {
        return text(400, 'File larger than the size the upload URL was issued for');
      }
      const fileType = request.path.slice(request.path.lastIndexOf('.') + 1);
      this.put(request.path, { fileType, bytes: request.rawBody });
      return text(201, '');
    }
    const file = this.#objects.get(request.path);
    if (file === undefined) return text(404, 'Not Found');
    return { status: 200, bytes: Buffer.from(file.bytes), contentType: CONTENT_TYPES[file.fileType] ?? 'application/octet-stream' };
  }

  #sign(input: Omit<Grant, 'expires'>): SignedUrl {
    // The same method, path and expiry give the same signature: a URL issued after a revocation
    // (in the same second) expires a second later than the revoked ones, or it would be revoked too.
    const expires = Math.max(Math.floor(Date.now() / 1000) + this.#ttlSeconds, this.#earliestExpires);
    const signature = this.#signature(input.method, expires, input.path);
    this.#grants.set(signature, { ...input, expires });
    return { relativePath: input.path, queryParams: { temp_url_sig: signature, temp_url_expires: String(expires) } };
  }

  #signature(method: string, expires: number, path: string): string {
    return createHmac('sha1', this.#key).update(`${method}\n${expires}\n${path}`).digest('hex');
  }

  #verify(method: string, path: string, signature: string | undefined, expiresText: string | undefined): Grant | undefined {
    if (signature === undefined || expiresText === undefined || !/^\d+$/.test(expiresText)) return undefined;
    const expires = Number(expiresText);
    const expected = Buffer.from(this.#signature(method, expires, path), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Math.floor(Date.now() / 1000) > expires || this.#revoked.has(signature)) return undefined;
    return this.#grants.get(signature);
  }
}

export function handleStorage(request: SimRequest, context: SimContext): SimReply {
  return context.storage.handle(request);
}

function text(status: number, body: string): SimReply {
  return { status, text: body };
}

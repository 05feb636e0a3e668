/**
 * LivePerson's file storage (the Domain API's `swift` service, an OpenStack Swift store with signed
 * temporary URLs): where a consumer's file goes before its `hosted/file` event is published, and where
 * an agent's file is downloaded from. The Connector API hands out the signatures (connector.ts);
 * this module only builds the URLs and uploads. A signed URL is a credential for its file: it is
 * never logged, and errors name the operation, not the URL.
 * LivePerson facts behind this: docs/liveperson.md#file-sharing.
 */
import type { CallOptions, DomainResolver } from './domains.ts';
import type { FileUrlGrant, ShareableFileType } from './connector.ts';
import type { LivePersonHttpClient } from './http.ts';

export const FILE_CONTENT_TYPES: Readonly<Record<ShareableFileType, string>> = {
  JPG: 'image/jpeg',
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  GIF: 'image/gif',
};

export interface FileStorageOptions {
  readonly http: LivePersonHttpClient;
  readonly domains: Pick<DomainResolver, 'resolve'>;
}

export class FileStorage {
  readonly #options: FileStorageOptions;

  constructor(options: FileStorageOptions) {
    this.#options = options;
  }

  /** The signed URL of a grant: `https://{swift}{relativePath}?temp_url_sig=…&temp_url_expires=…`. */
  async signedUrl(grant: FileUrlGrant, options: CallOptions = {}): Promise<string> {
    const base = await this.#options.domains.resolve('swift', options);
    // relativePath starts with "/" already: joined as is, no second slash.
    const query = new URLSearchParams({ temp_url_sig: grant.tempUrlSig, temp_url_expires: String(grant.tempUrlExpires) });
    return `${base}${grant.relativePath}?${query.toString()}`;
  }

  /**
   * PUTs the file to the grant's URL. A PUT of the same object is safe to repeat, so the usual retry
   * policy applies; a grant that expired is answered 401 and is not retried here (ask for a new one).
   */
  async upload(grant: FileUrlGrant, file: { data: Uint8Array; fileType: ShareableFileType }, options: CallOptions = {}): Promise<void> {
    await this.#options.http.request({
      operation: 'LivePerson storage upload',
      method: 'PUT',
      url: await this.signedUrl(grant, options),
      headers: { accept: '*/*' },
      bytes: { data: file.data, contentType: FILE_CONTENT_TYPES[file.fileType] },
      deadline: options.deadline,
      retry: options.retry,
      idempotent: true,
    });
  }
}

/**
 * A sendFile command's file, checked before any call: base64 that decodes, at most LivePerson's
 * 3 MB, and an image of a type the Connector API takes (JPG, PNG or GIF, told by its first bytes,
 * which must agree with a fileType the brand gave). The preview is the brand's, else the image
 * itself when it fits LivePerson's 30 KB preview limit as a data URL, else none (no image library
 * in the function: a thumbnail would need one).
 */
import { MAX_FILE_PREVIEW_BYTES, MAX_SHARED_FILE_BYTES, type ShareableFileType } from '../liveperson/connector.ts';
import { FILE_CONTENT_TYPES } from '../liveperson/file-storage.ts';

export interface SharedFile {
  readonly data: Uint8Array;
  readonly fileType: ShareableFileType;
  readonly preview?: string;
}

interface FileCommandFields {
  readonly fileType?: ShareableFileType | undefined;
  readonly preview?: string | undefined;
}

/** What the file is, by its magic number; undefined for anything but the three image formats. */
export function imageTypeOf(data: Uint8Array): 'PNG' | 'JPEG' | 'GIF' | undefined {
  const starts = (...bytes: number[]) => bytes.every((byte, i) => data[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'PNG';
  if (starts(0xff, 0xd8, 0xff)) return 'JPEG';
  if (starts(0x47, 0x49, 0x46, 0x38) && (data[4] === 0x37 || data[4] === 0x39) && data[5] === 0x61) return 'GIF';
  return undefined;
}

/**
 * Every problem of the command's file, as InvalidCommandError issues name them; empty when it can be
 * sent. `field` names where the bytes came from (`file.base64`, `file.url`).
 */
export function fileProblems(data: Uint8Array, fileType: ShareableFileType | undefined, field = 'file.base64'): string[] {
  if (data.byteLength === 0) return [`${field}: the file is empty`];
  if (data.byteLength > MAX_SHARED_FILE_BYTES) {
    return [`${field}: the file is ${data.byteLength} bytes, more than the ${MAX_SHARED_FILE_BYTES} (3 MB) LivePerson takes`];
  }
  const detected = imageTypeOf(data);
  if (detected === undefined) return [`${field}: the file is not a JPG, PNG or GIF image, the types the Connector API takes`];
  if (fileType !== undefined && normalized(fileType) !== detected) return [`fileType: the file is a ${detected} image, not ${fileType}`];
  return [];
}

/** The file to upload, typed and with its preview. Call after fileProblems found none. */
export function sharedFileOf(data: Uint8Array, command: FileCommandFields): SharedFile {
  const fileType: ShareableFileType = command.fileType ?? imageTypeOf(data) ?? 'PNG';
  const preview = command.preview ?? selfPreview(data, fileType);
  return { data, fileType, ...(preview === undefined ? {} : { preview }) };
}

function normalized(fileType: ShareableFileType): 'PNG' | 'JPEG' | 'GIF' {
  return fileType === 'JPG' ? 'JPEG' : fileType;
}

function selfPreview(data: Uint8Array, fileType: ShareableFileType): string | undefined {
  const url = `data:${FILE_CONTENT_TYPES[fileType]};base64,${Buffer.from(data).toString('base64')}`;
  return url.length <= MAX_FILE_PREVIEW_BYTES ? url : undefined;
}

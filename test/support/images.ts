import { ONE_PIXEL_PNG_BASE64 } from '#local/sample-files.ts';

/** Tiny real images for file-sharing tests (a 1×1 PNG and GIF, a JPEG's header), and a large one made to size. */
export const PNG_1X1 = Buffer.from(ONE_PIXEL_PNG_BASE64, 'base64');
export const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
export const JPEG_HEADER = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

/** A PNG signature followed by filler up to `bytes`: passes the type check, sized as a test needs. */
export function pngOfSize(bytes: number): Buffer {
  const data = Buffer.alloc(bytes, 0x41);
  PNG_1X1.copy(data, 0, 0, Math.min(PNG_1X1.length, bytes));
  return data;
}

/**
 * LivePerson's webhook signature: `sha1=` (or, on some accounts, `sha256=`) + Base64 of the HMAC
 * of the raw request body, keyed with the app's client secret. Always computed over the bytes as
 * received: re-serialised JSON differs on non-ASCII text and would never match.
 * LivePerson facts behind this: docs/liveperson.md#signature-and-headers.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureAlgorithm = 'sha1' | 'sha256';

export type SignatureCheck =
  | { readonly valid: true; readonly algorithm: SignatureAlgorithm }
  | { readonly valid: false; readonly reason: 'missing' | 'malformed' | 'mismatch' };

const SIGNATURE_PATTERN = /^(sha1|sha256)=([A-Za-z0-9+/]+={0,2})$/;

export function signWebhookBody(rawBody: Uint8Array | string, clientSecret: string, algorithm: SignatureAlgorithm = 'sha1'): string {
  return `${algorithm}=${createHmac(algorithm, clientSecret).update(rawBody).digest('base64')}`;
}

/** Checks a signature header in constant time; the reason tells a missing header from a wrong one. */
export function verifyWebhookSignature(rawBody: Uint8Array, header: string | undefined, clientSecret: string): SignatureCheck {
  if (header === undefined || header.trim() === '') return { valid: false, reason: 'missing' };
  const match = SIGNATURE_PATTERN.exec(header.trim());
  if (!match) return { valid: false, reason: 'malformed' };
  const algorithm = match[1] as SignatureAlgorithm;
  const received = Buffer.from(match[2] ?? '', 'base64');
  const expected = createHmac(algorithm, clientSecret).update(rawBody).digest();
  // timingSafeEqual needs equal lengths; the digest length is public, so comparing it leaks nothing.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { valid: false, reason: 'mismatch' };
  return { valid: true, algorithm };
}

/**
 * Constant-time comparison of two strings, for URL tokens. Comparing fixed-length digests hides
 * both where the strings differ and how long the expected one is.
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

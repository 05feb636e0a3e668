import { describe, expect, it } from 'vitest';
import { constantTimeEquals, signWebhookBody, verifyWebhookSignature } from '#functions/lib/liveperson/webhook-signature.ts';

const fox = Buffer.from('The quick brown fox jumps over the lazy dog');

describe('webhook signatures', () => {
  it('match the published HMAC test vectors (key "key")', () => {
    // HMAC-SHA1 de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9 and HMAC-SHA256 f7bc83f4...2d1a3cd8, in Base64.
    expect(signWebhookBody(fox, 'key', 'sha1')).toBe('sha1=3nybhbi3iqa8ino29wqQcBydtNk=');
    expect(signWebhookBody(fox, 'key', 'sha256')).toBe('sha256=97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=');
  });

  it('verifies sha1 and sha256 signatures over the raw bytes', () => {
    expect(verifyWebhookSignature(fox, 'sha1=3nybhbi3iqa8ino29wqQcBydtNk=', 'key')).toEqual({ valid: true, algorithm: 'sha1' });
    expect(verifyWebhookSignature(fox, 'sha256=97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=', 'key')).toEqual({
      valid: true,
      algorithm: 'sha256',
    });
  });

  it('checks non-ASCII bodies byte for byte: re-serialised JSON would not match', () => {
    const raw = Buffer.from('{"message":"héllo 😀 你好","escaped":"\\ud83d\\ude00"}', 'utf8');
    const header = signWebhookBody(raw, 'secret', 'sha256');
    expect(verifyWebhookSignature(raw, header, 'secret').valid).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
    expect(verifyWebhookSignature(reserialised, header, 'secret')).toEqual({ valid: false, reason: 'mismatch' });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['3nybhbi3iqa8ino29wqQcBydtNk=', 'malformed'],
    ['md5=3nybhbi3iqa8ino29wqQcBydtNk=', 'malformed'],
    ['sha1=not base64!', 'malformed'],
    ['sha1=3nybhbi3iqa8ino29wqQcBydt', 'mismatch'],
    ['sha1=4nybhbi3iqa8ino29wqQcBydtNk=', 'mismatch'],
    ['sha256=3nybhbi3iqa8ino29wqQcBydtNk=', 'mismatch'],
    ['sha1=AAAA', 'mismatch'],
  ])('rejects %j as %s', (header, reason) => {
    expect(verifyWebhookSignature(fox, header, 'key')).toEqual({ valid: false, reason });
  });

  it('accepts the same MAC without Base64 padding (same bytes, no weaker)', () => {
    expect(verifyWebhookSignature(fox, 'sha1=3nybhbi3iqa8ino29wqQcBydtNk', 'key').valid).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyWebhookSignature(fox, signWebhookBody(fox, 'other'), 'key')).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('compares tokens of any length without throwing', () => {
    expect(constantTimeEquals('token-123', 'token-123')).toBe(true);
    expect(constantTimeEquals('token-123', 'token-124')).toBe(false);
    expect(constantTimeEquals('short', 'a-much-longer-token')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { logSafeId, maskPhoneNumber } from '../../../functions/lib/log-mask.ts';

describe('logSafeId', () => {
  it.each([
    ['+12065550162', '***0162'],
    ['12065550162', '***0162'],
    ['+1 (206) 555-0162', '***0162'],
    ['customer-42', 'customer-42'],
    ['0c3f0d3e-1b5a-4d8e-9f00-1234567890ab', '0c3f0d3e-1b5a-4d8e-9f00-1234567890ab'],
    ['12345', '12345'],
  ])('%s → %s', (id, logged) => expect(logSafeId(id)).toBe(logged));

  it('passes undefined through, and masks short numbers entirely', () => {
    expect(logSafeId(undefined)).toBeUndefined();
    expect(maskPhoneNumber('1234')).toBe('***');
  });
});

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
    // A number inside an id: masked wherever it sits, however it is written.
    ['whatsapp:+14155550100', 'whatsapp:***0100'],
    ['tel:+1-415-555-0100', 'tel:***0100'],
    ['14155550100@c.us', '***0100@c.us'],
    ['customer-14155550100', 'customer-***0100'],
    ['customer14155550100', 'customer***0100'],
    ['sms (415) 555.0100 home', 'sms ***0100 home'],
    ['+44 7700 900123/+1 415 555 0100', '***0123/***0100'],
    ['order-123456-line-7', 'order-123456-line-7'],
    ['order-1234567-line-7', 'order-***4567-line-7'],
    ['uuid 0c3f0d3e-1b5a-4d8e-9f00-1234567890ab of 4155550100', 'uuid 0c3f0d3e-1b5a-4d8e-9f00-1234567890ab of ***0100'],
    ['v1.2.3', 'v1.2.3'],
  ])('%s → %s', (id, logged) => expect(logSafeId(id)).toBe(logged));

  it('passes undefined through, and masks short numbers entirely', () => {
    expect(logSafeId(undefined)).toBeUndefined();
    expect(maskPhoneNumber('1234')).toBe('***');
  });
});

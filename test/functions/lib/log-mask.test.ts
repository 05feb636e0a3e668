import { describe, expect, it } from 'vitest';
import { logSafeId, logSafeReason, maskPhoneNumber, maskPhoneNumbers, withoutDigits } from '#functions/lib/log-mask.ts';

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

describe('maskPhoneNumbers: one rule for every logged id and foreign message', () => {
  it.each([
    // Separators the old rule did not know: "_" and "/".
    ['tel_1_415_555_0100', 'tel_***0100'],
    ['0044_20_7946_0958', '***0958'],
    ['1/415/555/0100', '***0100'],
    ['+1 415 555 0100 / +1 415 555 0199', '***0100 / ***0199'],
    ['tel:+1–415–555–0100', 'tel:***0100'],
    // Percent-encoding, decoded first (also twice-encoded); the rest of the text stays as written.
    ['%2B1%20415%20555%200100', '***0100'],
    ['tel%3A%2B14155550100', 'tel%3A***0100'],
    ['%252B1%2520415%2520555%25200100', '***0100'],
    ['caf%C3%A9 %2B14155550100', 'caf%C3%A9 ***0100'],
    ['100%25 of %ZZ 4155550100', '100%25 of %ZZ ***0100'],
    // Unicode: full-width, other scripts' digits, invisible characters between the digits.
    ['＋１ ４１５ ５５５ ０１００', '***0100'],
    ['customer-１４１５５５５０１００', 'customer-***0100'],
    ['٠٠٤٤٢٠٧٩٤٦٠٩٥٨', '***0958'],
    ['1\u200B4\u200B1\u200B5\u200B5\u200B5\u200B5\u200B0\u200B1\u200B0\u200B0', '***0100'],
    ['%EF%BC%91%EF%BC%94%EF%BC%91%EF%BC%95%EF%BC%95%EF%BC%95%EF%BC%95%EF%BC%90%EF%BC%91%EF%BC%90%EF%BC%90', '***0100'],
    // Messages from outside, in JSON too.
    [
      'C2M eligibility: HTTP 400 (LivePerson error 1001): Invalid customerPhoneNumber 1 (415) 555-0100',
      'C2M eligibility: HTTP 400 (LivePerson error 1001): Invalid customerPhoneNumber ***0100',
    ],
    ['{"consumerPhoneNumber":"+14155550100","n":3}', '{"consumerPhoneNumber":"***0100","n":3}'],
  ])('%s → %s', (text, logged) => expect(maskPhoneNumbers(text)).toBe(logged));

  it.each([
    // Short numbers: statuses, LivePerson codes, ports, sequences, counts.
    'HTTP 503 (LivePerson error 40103): consumer JWS invalid',
    'retry 2 of 3 in 5000 ms; sequence 123456',
    // Shapes that are never a phone number, though they hold 7+ digits.
    '0c3f0d3e-1b5a-4d8e-9f00-1234567890ab',
    'consumer-sha256-1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
    'trace 1-5759e988-bd862e3fe1be46a994272793',
    '2024-05-01T12:34:56.789Z',
    'at 2024-05-01T12:34:56+02:00, until 2024-05-02T00:00Z',
    'connect ECONNREFUSED 127.0.0.1:8080',
    'v1.2.3, café, ｶﾀｶﾅ, ﬁ, %zz',
  ])('leaves %s as it is', (text) => expect(maskPhoneNumbers(text)).toBe(text));

  it('masks what only looks like an exception: an all-digit "UUID", a date alone, an IPv4 address, a number glued to a timestamp', () => {
    expect(maskPhoneNumbers('00000000-0000-0000-0000-014155550100')).toBe('***0100');
    expect(maskPhoneNumbers('on 2024-05-01')).toBe('on ***0501');
    expect(maskPhoneNumbers('12.34.56.78')).toBe('***5678');
    expect(maskPhoneNumbers('2024-05-014155550100T12:00Z')).toBe('***0100T12:00Z');
    expect(maskPhoneNumbers('+1 2024-05-01T12:00Z')).toBe('***0501T12:00Z');
  });

  it('is the rule of logSafeId, logSafeReason and maskPhoneNumber', () => {
    expect(logSafeId('tel_1_415_555_0100')).toBe('tel_***0100');
    expect(logSafeReason(new Error('consumer 1/415/555/0100 unknown'))).toBe('consumer ***0100 unknown');
    expect(logSafeReason('0044_20_7946_0958')).toBe('***0958');
    expect(maskPhoneNumber('＋４４ ２０ ７９４６ ０９５８')).toBe('***0958');
  });
});

describe('withoutDigits: a name from outside, its digits shown as #', () => {
  it.each([
    ['+14155550100', '+###########'],
    ['tel_1_415', 'tel_#_###'],
    ['＋１４１５', '＋####'],
    ['%2B1%34', '%2B##'],
    ['colour', 'colour'],
  ])('%s → %s', (name, shown) => expect(withoutDigits(name)).toBe(shown));
});

/**
 * Property-based tests of the one masking rule (functions/lib/log-mask.ts): a phone number of 7 to 15
 * digits, however written (E.164, "00", national groups with any separators, tel_/tel: prefixes,
 * percent-encoded once or twice, full-width or other scripts' digits, invisible characters between the
 * digits), wherever it sits (an id, a sentence, JSON), never survives in full, and its last 4 digits
 * do; text without a run of 7 digits comes back unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSafeId, maskPhoneNumbers, withoutDigits } from '#functions/lib/log-mask.ts';

const digit = fc.constantFrom(...'0123456789');
/** E.164: up to 15 digits with the country code; 7 is the shortest number the rule looks for. */
const phoneDigits = fc.array(digit, { minLength: 7, maxLength: 15 }).map((digits) => digits.join(''));

const separator = fc.constantFrom(' ', '-', '.', '_', '/', ' - ', ') ', ' (', '–', '—', '\u00A0', '\u2011', '−');

/** The digits cut into groups of 1 to 4, each group followed by one separator. */
function grouped(digits: string): fc.Arbitrary<string> {
  return fc.array(fc.integer({ min: 1, max: 4 }), { minLength: digits.length, maxLength: digits.length }).chain((sizes) => {
    const groups: string[] = [];
    for (let at = 0, i = 0; at < digits.length; i++) {
      const size = sizes[i] ?? 1;
      groups.push(digits.slice(at, at + size));
      at += size;
    }
    return fc
      .array(separator, { minLength: groups.length, maxLength: groups.length })
      .map((seps) => groups.map((group, i) => (i === 0 ? group : `${seps[i] ?? ' '}${group}`)).join(''));
  });
}

/** A phone number as a brand, a caller or LivePerson may write it (its digits, plus how it is written). */
const written = phoneDigits.chain((digits) =>
  fc.oneof(
    fc.constant({ text: `+${digits}`, digits }),
    fc.constant({ text: `00${digits}`, digits: `00${digits}` }),
    fc.constant({ text: digits, digits }),
    grouped(digits).map((text) => ({ text, digits })),
    grouped(digits).map((text) => ({ text: `+${text}`, digits })),
    grouped(digits).map((text) => ({ text: `(${text}`, digits })),
    grouped(digits).map((text) => ({ text: `tel_${text.replace(/\D+/g, '_')}`, digits })),
    fc.constant({ text: `tel:+${digits}`, digits }),
  ),
);

const percentEncodeAll = (text: string) =>
  [...new TextEncoder().encode(text)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
const fullWidth = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const arabicIndic = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
const devanagari = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(0x0966 + Number(d)));

/** The same number encoded: as is, percent-encoded (once, twice, as encodeURIComponent does), in other digits, with invisibles. */
const encoded = written.chain(({ text, digits }) =>
  fc
    .oneof(
      fc.constant(text),
      fc.constant(encodeURIComponent(text)),
      fc.constant(percentEncodeAll(text)),
      fc.constant(percentEncodeAll(text).replace(/%/g, '%25')),
      fc.constant(fullWidth(text)),
      fc.constant(percentEncodeAll(fullWidth(text))),
      fc.constant(arabicIndic(text)),
      fc.constant(devanagari(text)),
      fc.constant(text.replace(/(\d)(?=\d)/g, '$1\u200B')),
      fc.constant(text.replace(/\d/g, '$&\u0301')),
    )
    .map((form) => ({ text: form, digits })),
);

/** Around the number: nothing, an id's prefix or suffix, a sentence, a JSON document (never digits or hex letters glued to it). */
const word = fc.stringMatching(/^[g-zG-Z]{1,8}$/);
const embedded = fc.tuple(
  encoded,
  fc.constantFrom(
    '',
    'consumer ',
    'tel_',
    'whatsapp:',
    'customer-',
    'id=',
    'Invalid customerPhoneNumber ',
    '{"consumerPhoneNumber":"',
    '«',
  ),
  fc.constantFrom('', '@c.us', ' is not allowed', '"}', '»', ' (LivePerson error 1001)', ' x'),
  fc.array(word, { maxLength: 3 }),
);

const SEPARATORS = /(?<=\d)[\s\-._/()\p{Pd}\u2212]{1,3}(?=\d)/gu;

/**
 * What a reader reads (this test's own reading, not log-mask's): percent-encoding decoded (ASCII bytes
 * alone where the whole is no UTF-8), NFKC, invisibles dropped, other digits as ASCII, and the
 * separators between two digits dropped: "1 (415) 555-0100" reads "14155550100".
 */
function readAsPerson(text: string): string {
  let read = text;
  for (let layer = 0; layer < 3; layer++) {
    read = read.replace(/(?:%[0-9A-Fa-f]{2})+/g, (encoded) => {
      try {
        return decodeURIComponent(encoded);
      } catch {
        return encoded.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      }
    });
  }
  return read
    .normalize('NFKC')
    .replace(/[\p{Cf}\p{Mn}\p{Me}]/gu, '')
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u0966-\u096F]/g, (d) => String(d.charCodeAt(0) - 0x0966))
    .replace(/\p{Nd}/gu, (d) => (/\d/.test(d) ? d : '0'))
    .replace(SEPARATORS, '');
}

/** The runs of digits a reader sees, as one string (runs apart). */
const digitRuns = (text: string) => readAsPerson(text).replace(/\D+/g, ' ');

describe('log-mask properties', () => {
  it('never leaves a phone number whole, however written and wherever it sits, and keeps its last 4 digits', () => {
    fc.assert(
      fc.property(embedded, ([{ text, digits }, prefix, suffix, words]) => {
        const line = `${words.join(' ')}${words.length > 0 ? ' ' : ''}${prefix}${text}${suffix}`;
        const masked = maskPhoneNumbers(line);
        // Not the number, nor its last 7 digits (what identifies a subscriber), however the reader reads it.
        expect(digitRuns(masked)).not.toContain(digits.slice(-7));
        expect(masked).toContain(`***${digits.slice(-4)}`);
        // Only the number changed: what was around it is still there.
        expect(masked.startsWith(`${words.join(' ')}${words.length > 0 ? ' ' : ''}${prefix}`)).toBe(true);
        expect(masked.endsWith(suffix)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('masks every number of a text holding several, in JSON too', () => {
    fc.assert(
      fc.property(fc.array(encoded, { minLength: 1, maxLength: 4 }), (numbers) => {
        const json = JSON.stringify({
          ids: numbers.map(({ text }) => `c:${text}`),
          message: numbers.map(({ text }) => `call ${text} now`).join('; '),
        });
        const masked = maskPhoneNumbers(json);
        for (const { digits } of numbers) {
          expect(digitRuns(masked)).not.toContain(digits.slice(-7));
          expect(masked).toContain(`***${digits.slice(-4)}`);
        }
        expect(() => JSON.parse(masked) as unknown).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves text without a run of 7 digits unchanged (any characters, numbers of up to 6 digits)', () => {
    const shortNumber = fc.integer({ min: 0, max: 999_999 }).map(String);
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      shortNumber,
      fc.constantFrom(' ', '-', '.', '_', '/', '(', ')', '+', '%', 'é', '１', '٣'),
    );
    // Pieces are joined by a letter: two short numbers never become one long one.
    const text = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('x'));
    fc.assert(
      fc.property(text, (input) => {
        fc.pre(!/\d{7}/.test(readAsPerson(input)));
        expect(maskPhoneNumbers(input)).toBe(input);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps UUIDs, hex digests and ISO timestamps as they are', () => {
    const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((value) => /[a-f]/.test(value));
    const uuid = fc.uuid().filter((value) => /[a-f]/.test(value));
    const timestamp = fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((date) => date.toISOString());
    fc.assert(
      fc.property(
        fc.oneof(
          uuid,
          hex(32),
          hex(40),
          hex(64),
          timestamp,
          hex(64).map((digest) => `consumer-sha256-${digest}`),
        ),
        (value) => {
          expect(logSafeId(value)).toBe(value);
          expect(maskPhoneNumbers(`at ${value}, again`)).toBe(`at ${value}, again`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: masking a masked text changes nothing', () => {
    fc.assert(
      fc.property(embedded, fc.string(), ([{ text }, prefix], other) => {
        const once = maskPhoneNumbers(`${other} ${prefix}${text}`);
        expect(maskPhoneNumbers(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('withoutDigits leaves no digit a reader could read', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          encoded.map(({ text }) => text),
          fc.string({ unit: 'grapheme' }),
        ),
        (name) => {
          // Read as a person would ("%2B" is a "+"): not one digit left.
          expect(readAsPerson(withoutDigits(name))).not.toMatch(/\d/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

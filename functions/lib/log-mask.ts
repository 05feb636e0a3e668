/**
 * The one masking rule for everything logged that may hold a phone number: every id (consumer ids,
 * message group ids, conversation and command ids) and every message from outside (LivePerson's error
 * messages, errors of other services, zod issues about a brand's input). A phone number keeps its last
 * four digits, as "***0100", so a line can be matched to a caller without exposing the number.
 *
 * The text is read as a person would read it, then masked:
 * - Normalised first: Unicode NFKC (full-width "１４１５", superscripts, circled digits), any script's
 *   decimal digits ("٤١٥"), invisible format characters and combining marks dropped, and percent-encoding
 *   decoded where it decodes cleanly as UTF-8 (up to three layers: "%2B1%20415", "%252B1").
 * - A phone number is a run of at least 7 digits, possibly with a leading "+" or "(", and up to three
 *   separators between two digits: spaces, dashes (any Unicode dash, "−"), ".", "_", "/", "(" and ")".
 *   So "tel_1_415_555_0100", "0044_20_7946_0958", "1/415/555/0100", "+1 (415) 555-0100", "14155550100@c.us".
 *   A prefix such as "tel:" or "whatsapp:" stays, as does everything that is not the number.
 * - Seven, because E.164 numbers are 7 to 15 digits with the country code (a US number without its area
 *   code is 7): shorter numbers stay readable (HTTP statuses, LivePerson error codes such as 40103,
 *   ports, sequence numbers, counts up to 999999). The price: other numbers of 7+ digits are masked too
 *   (epoch timestamps, byte counts, "05/01/2024"), since nothing tells them apart from a phone number.
 * - Kept whole although they hold digit runs, as no phone number has their shape: UUIDs and hex
 *   digests or trace ids of 24+ characters that hold a letter a-f, and ISO 8601 timestamps
 *   ("2024-05-01T12:34:56.789Z"). An all-digit "UUID" is masked, and so are a date alone and an IPv4
 *   address of 7+ digits: "1234-05-06" and "12.34.56.78" are also how numbers are written. A number
 *   glued to hex letters into one 24+ character token ("deadbeef14155550100cafe…") reads as a digest.
 *
 * Only the numbers change: the rest of the text is returned exactly as given (not normalised).
 */

/** The masked form of one phone number: "***" and its last four digits. */
export function maskPhoneNumber(phoneNumber: string | undefined): string | undefined {
  if (phoneNumber === undefined) return undefined;
  const digits = normalise(phoneNumber)
    .map((unit) => unit.char)
    .join('')
    .replace(/\D/g, '');
  return digits.length > 4 ? `***${digits.slice(-4)}` : '***';
}

/** Every phone number in the text masked to "***" and its last four digits; nothing else changes. */
export function maskPhoneNumbers(text: string): string {
  const units = normalise(text);
  const shadow = units.map((unit) => unit.char).join('');
  const spans: Array<{ start: number; end: number; digits: string }> = [];
  for (const [from, to] of unprotectedGaps(shadow)) {
    for (const run of shadow.slice(from, to).matchAll(PHONE_RUN)) {
      const first = units[from + run.index];
      const last = units[from + run.index + run[0].length - 1];
      if (first === undefined || last === undefined) continue;
      const digits = run[0].replace(/\D/g, '');
      const previous = spans.at(-1);
      // A character read as several (NFKC's "½" → "1⁄2") may end one run and start the next: one mask.
      if (previous !== undefined && first.start < previous.end) {
        previous.end = Math.max(previous.end, last.end);
        previous.digits += digits;
      } else {
        spans.push({ start: first.start, end: last.end, digits });
      }
    }
  }
  let masked = '';
  let at = 0;
  for (const { start, end, digits } of spans) {
    masked += `${text.slice(at, start)}***${digits.slice(-4)}`;
    at = end;
  }
  return masked + text.slice(at);
}

/** An id as it may be logged (a consumer id, a message group id, a conversation or command id): see maskPhoneNumbers. */
export function logSafeId(id: string | undefined): string | undefined {
  return id === undefined ? undefined : maskPhoneNumbers(id);
}

/** A message from outside (LivePerson's, another service's, a validation issue) as it may be logged. */
export function logSafeText(text: string | undefined): string | undefined {
  return text === undefined ? undefined : maskPhoneNumbers(text);
}

/** What an error says, as it may be logged: its message (or the value thrown), masked. */
export function logSafeReason(error: unknown): string {
  return maskPhoneNumbers(error instanceof Error ? error.message : String(error));
}

/** An error's log fields (class name, masked reason and stack), for the line that reports it. */
export function logSafeError(error: unknown): { errorName: string; reason: string; stack: string | undefined } {
  return {
    errorName: error instanceof Error ? error.name : 'unknown',
    reason: logSafeReason(error),
    stack: error instanceof Error ? logSafeText(error.stack) : undefined,
  };
}

/**
 * A name from outside (a key in a brand's command) with every digit shown as "#", however written:
 * says which key is wrong without repeating a number used as one ("+14155550100" → "+###########").
 */
export function withoutDigits(text: string): string {
  let result = '';
  let at = 0;
  for (const unit of normalise(text)) {
    if (!/\d/.test(unit.char) || unit.start < at) continue;
    result += `${text.slice(at, unit.start)}#`;
    at = unit.end;
  }
  return result + text.slice(at);
}

// ---- The reading ----

/** A character of the text as read (ASCII digits for any digit), and where it came from in the text. */
interface Unit {
  readonly char: string;
  readonly start: number;
  readonly end: number;
}

const SEPARATOR = String.raw`[\s\-._/()\p{Pd}\u2212]`;
// 7+ digits, each next one at most 3 separators after the one before; "+" or "(" may lead.
const PHONE_RUN = new RegExp(String.raw`\+?\(?\d(?:${SEPARATOR}{0,3}\d){6,}`, 'gu');

const IGNORED = /^[\p{Cf}\p{Mn}\p{Me}]$/u;
const NON_ASCII_DIGIT = /^(?![0-9])\p{Nd}$/u;
const ND = /^\p{Nd}$/u;
const MAX_PERCENT_LAYERS = 3;

function normalise(text: string): Unit[] {
  const units: Unit[] = [];
  let index = 0;
  for (const char of text) {
    units.push(...read(char, index, index + char.length));
    index += char.length;
  }
  let decoded = units;
  for (let layer = 0; layer < MAX_PERCENT_LAYERS; layer++) {
    const next = decodePercent(decoded);
    if (next === undefined) break;
    decoded = next;
  }
  return decoded;
}

/** One code point of the text (or decoded from it) as read: NFKC, any decimal digit as ASCII, invisibles dropped. */
function read(char: string, start: number, end: number): Unit[] {
  if (IGNORED.test(char)) return [];
  const units: Unit[] = [];
  for (const normalised of char.normalize('NFKC')) {
    if (IGNORED.test(normalised)) continue;
    const ascii = NON_ASCII_DIGIT.test(normalised) ? String(digitValue(normalised)) : normalised;
    // Astral characters stay one unit per UTF-16 code unit, so units and the shadow string line up.
    for (let i = 0; i < ascii.length; i++) units.push({ char: ascii[i] ?? '', start, end });
  }
  return units;
}

const digitValues = new Map<string, number>();

/** Unicode's decimal digits come in contiguous runs of 0 to 9: the value is the place in the run. */
function digitValue(char: string): number {
  let value = digitValues.get(char);
  if (value === undefined) {
    const codePoint = char.codePointAt(0) ?? 0;
    let before = 0;
    while (before < 100 && ND.test(String.fromCodePoint(codePoint - before - 1))) before++;
    value = before % 10;
    digitValues.set(char, value);
  }
  return value;
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One layer of percent-encoding decoded, each character that decodes cleanly; undefined when there was none. */
function decodePercent(units: Unit[]): Unit[] | undefined {
  const byteAt = (i: number): number | undefined => {
    if (units[i]?.char !== '%') return undefined;
    const hex = `${units[i + 1]?.char ?? ''}${units[i + 2]?.char ?? ''}`;
    return HEX_PAIR.test(hex) ? Number.parseInt(hex, 16) : undefined;
  };
  const result: Unit[] = [];
  let changed = false;
  let i = 0;
  while (i < units.length) {
    const lead = byteAt(i);
    const length = lead === undefined ? 0 : lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xf4 ? (lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4) : 0;
    const bytes: number[] = [];
    for (let k = 0; k < length; k++) {
      const byte = byteAt(i + 3 * k);
      if (byte === undefined) break;
      bytes.push(byte);
    }
    let char: string | undefined;
    if (length > 0 && bytes.length === length) {
      try {
        char = utf8.decode(Uint8Array.from(bytes));
      } catch {
        char = undefined;
      }
    }
    const first = units[i];
    const last = units[i + 3 * length - 1];
    if (char === undefined || first === undefined || last === undefined) {
      if (first !== undefined) result.push(first);
      i += 1;
      continue;
    }
    result.push(...read(char, first.start, last.end));
    changed = true;
    i += 3 * length;
  }
  return changed ? result : undefined;
}

// ---- What is never a phone number ----

const HEX_LETTER = /[a-f]/i;
const PROTECTED: ReadonlyArray<{ readonly pattern: RegExp; readonly keep?: (match: string) => boolean }> = [
  // UUIDs (conversation ids, request ids): random hex often holds 7 digits in a row.
  { pattern: /(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/gi, keep: (m) => HEX_LETTER.test(m) },
  // Digests and trace ids: 24+ hex characters, some of them letters.
  { pattern: /(?<![0-9a-z])[0-9a-f]{24,}(?![0-9a-z])/gi, keep: (m) => HEX_LETTER.test(m) },
  // ISO 8601 timestamps (a date alone may be a number written 4-2-2, so it is masked), not glued to other digits.
  {
    pattern:
      /(?<![\d+][\s\-._/()]{0,3})\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?(?!\d)/g,
  },
];

/** The parts of the shadow string outside every protected shape, as [from, to) pairs. */
function unprotectedGaps(shadow: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const { pattern, keep } of PROTECTED) {
    for (const match of shadow.matchAll(pattern)) {
      if (keep === undefined || keep(match[0])) ranges.push([match.index, match.index + match[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const gaps: Array<[number, number]> = [];
  let at = 0;
  for (const [from, to] of ranges) {
    if (from > at) gaps.push([at, from]);
    at = Math.max(at, to);
  }
  if (at < shadow.length) gaps.push([at, shadow.length]);
  return gaps;
}

/**
 * Finds known secret values (and anything shaped like a JWT) in captured log lines, and says
 * where: the scenario, the log line's service, level and message, and the JSON key holding it.
 * Findings carry the line with the value redacted, so a failing test does not print the secret.
 *
 * A phone number is found however the line writes it, not only as it was used: the line is read
 * as a person would (Unicode NFKC, any script's digits, invisible characters dropped, percent-encoding
 * decoded) and its digits joined across separators (spaces, dashes, ".", "_", "/", "(", ")", "+"), so
 * "tel_1_206_555_0147", "1/206/555/0147", "%2B1%20206…" and full-width digits all count as +12065550147.
 * This reading is the scan's own, independent of functions/lib/log-mask.ts, which it checks.
 */

export type LeakKind = 'credential' | 'jwt' | 'webhook signature' | 'oauth1 signature' | 'phone number';

export interface KnownValue {
  readonly kind: LeakKind;
  /** What the value is, e.g. "clientSecret" or "AppJWT #2" (never the value itself). */
  readonly label: string;
  readonly value: string;
}

export interface CapturedLine {
  readonly scenario: string;
  readonly channel: string;
  readonly line: string;
}

export interface Leak {
  readonly kind: LeakKind;
  readonly label: string;
  readonly scenario: string;
  /** "service LEVEL «message»" for a Powertools JSON line, else the channel. */
  readonly source: string;
  /** JSON paths holding the value, e.g. ["consumerId"], when the line is JSON. */
  readonly keys: readonly string[];
  /** The line, the value replaced by «redacted label». */
  readonly redacted: string;
}

/** Three base64url segments, header and payload starting with '{"' encoded: a JWT/JWS, whoever issued it. */
export const JWT_SHAPE = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g;

/** Every line containing a known value or a JWT-shaped string. */
export function findLeaks(lines: readonly CapturedLine[], known: readonly KnownValue[]): Leak[] {
  // Longest first, so a value containing a shorter one is reported as itself.
  const values = [...known].filter((k) => k.value.length >= 4).sort((a, b) => b.value.length - a.value.length);
  // One per number (its digits as read), longest first; numbers of fewer than 7 digits are not looked for this way.
  const phones = [
    ...new Map(
      values
        .filter((k) => k.kind === 'phone number')
        .map((k) => [digitsOf(k.value), { label: k.label.replace(/ \((digits|national part)\)$/, ''), value: digitsOf(k.value) }] as const)
        .filter(([digits]) => digits.length >= MIN_PHONE_DIGITS),
    ).values(),
  ];
  const leaks: Leak[] = [];
  for (const { scenario, channel, line } of lines) {
    const parsed = parseJsonLine(line);
    const source = parsed ? `${str(parsed.service)} ${str(parsed.level)} «${str(parsed.message)}»` : channel;
    // Redacted as found, so a shorter form of a value already found (a phone's digits) is not reported again.
    let rest = line;
    const found: Array<Omit<Leak, 'redacted'>> = [];
    for (const { kind, label, value } of values) {
      if (!rest.includes(value)) continue;
      found.push({ kind, label, scenario, source, keys: parsed ? keysHolding(parsed, value) : [] });
      rest = rest.replaceAll(value, `«${label}»`);
    }
    // Phone numbers written another way than as used (another format, encoded, full-width digits).
    for (const { label, value } of phones) {
      const [read, runs] = phoneRunsOf(rest, value);
      if (runs === 0) continue;
      found.push({
        kind: 'phone number',
        label: `${label} (as written in the line)`,
        scenario,
        source,
        keys: parsed ? keysWhere(parsed, (text) => phoneRunsOf(text, value)[1] > 0) : [],
      });
      rest = read;
    }
    for (const [token] of rest.matchAll(JWT_SHAPE)) {
      found.push({ kind: 'jwt', label: 'a JWT-shaped string', scenario, source, keys: parsed ? keysHolding(parsed, token) : [] });
      rest = rest.replaceAll(token, '«JWT»');
    }
    for (const leak of found) leaks.push({ ...leak, redacted: rest });
  }
  return leaks;
}

/** One line per distinct leak (what, where, which key, which scenario): what a failing test shows. */
export function summarizeLeaks(leaks: readonly Leak[]): string[] {
  const summaries = leaks.map(
    (leak) => `${leak.label} in ${leak.source}${leak.keys.length > 0 ? ` at ${leak.keys.join(', ')}` : ''} (scenario: ${leak.scenario})`,
  );
  return [...new Set(summaries)];
}

/** The offending lines, redacted, for an assertion message. */
export function describeLeaks(leaks: readonly Leak[]): string {
  const lines = [...new Set(leaks.map((leak) => leak.redacted.slice(0, 800)))];
  return `log lines (values redacted):\n${lines.join('\n')}`;
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function keysHolding(value: unknown, needle: string): string[] {
  return keysWhere(value, (text) => text.includes(needle));
}

function keysWhere(value: unknown, holds: (text: string) => boolean, path = ''): string[] {
  if (typeof value === 'string') return holds(value) ? [path || '(root)'] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    // A key's name is logged too (zod's "Unrecognized key" message, a logged object's keys).
    ...(holds(key) ? [`${path === '' ? '' : `${path}.`}${key} (the key's name)`] : []),
    ...keysWhere(child, holds, path === '' ? key : `${path}.${key}`),
  ]);
}

// ---- Phone numbers however written ----

const MIN_PHONE_DIGITS = 7;
/** Digits, each next one at most 3 separators after the one before. */
const DIGIT_RUN = /\d(?:[\s\-._/()+\p{Pd}\u2212]{0,3}\d)*/gu;

/** The text as read, with each run of digits holding the phone's digits (or its last 10) replaced by «phone»; and how many. */
export function phoneRunsOf(text: string, phoneDigits: string): [string, number] {
  const national = phoneDigits.slice(-10);
  let count = 0;
  const read = readAsPerson(text).replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    if (!digits.includes(phoneDigits) && !(national.length >= MIN_PHONE_DIGITS && digits.includes(national))) return run;
    count++;
    return '«phone»';
  });
  return [read, count];
}

/** A number's digits as a person reads them. */
export function digitsOf(text: string): string {
  return readAsPerson(text).replace(/\D/g, '');
}

let asciiDigits: Map<string, string> | undefined;

/** Every decimal digit ICU knows (all of its numbering systems) → its ASCII digit. */
function asciiDigitOf(char: string): string {
  if (asciiDigits === undefined) {
    asciiDigits = new Map();
    for (const system of Intl.supportedValuesOf('numberingSystem')) {
      let format: Intl.NumberFormat;
      try {
        format = new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false });
      } catch {
        continue;
      }
      for (let digit = 0; digit <= 9; digit++) {
        const written = format.format(digit);
        if ([...written].length === 1 && /\p{Nd}/u.test(written)) asciiDigits.set(written, String(digit));
      }
    }
  }
  return asciiDigits.get(char) ?? char;
}

/** NFKC, invisibles dropped, any script's digits as ASCII, percent-encoding decoded (up to three layers). */
function readAsPerson(text: string): string {
  const plain = (value: string) =>
    value
      .normalize('NFKC')
      .replace(/[\p{Cf}\p{Mn}\p{Me}]/gu, '')
      .replace(/\p{Nd}/gu, asciiDigitOf);
  let read = plain(text);
  for (let layer = 0; layer < 3; layer++) {
    const decoded = read.replace(/(?:%[0-9A-Fa-f]{2})+/g, (encoded) => {
      try {
        return decodeURIComponent(encoded);
      } catch {
        // Not UTF-8 as a whole: the ASCII bytes alone.
        return encoded.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      }
    });
    if (decoded === read) break;
    read = plain(decoded);
  }
  return read;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '?';
}

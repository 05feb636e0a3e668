/**
 * Finds known secret values (and anything shaped like a JWT) in captured log lines, and says
 * where: the scenario, the log line's service, level and message, and the JSON key holding it.
 * Findings carry the line with the value redacted, so a failing test does not print the secret.
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

function keysHolding(value: unknown, needle: string, path = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [path || '(root)'] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => keysHolding(child, needle, path === '' ? key : `${path}.${key}`));
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '?';
}

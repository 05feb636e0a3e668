/**
 * LivePerson's own published Connector API examples (test/fixtures/liveperson/connector-api): SEND and
 * CONVERSATION request bodies, their documented answers and Client-Properties header values, each with
 * the page it comes from. Placeholders are kept as published; `withPlaceholders` fills them in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConnectorApiFixture {
  /** The file name, e.g. `upload-url-request.json`. */
  readonly name: string;
  readonly source: {
    readonly url: string;
    readonly repository: string;
    readonly path: string;
    readonly commit: string;
    readonly section: string;
  };
  readonly note: string;
  readonly kind: 'request' | 'response' | 'header';
  readonly value: unknown;
}

export const CONNECTOR_API_FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'liveperson', 'connector-api');

export function connectorApiFixtures(): ConnectorApiFixture[] {
  return readdirSync(CONNECTOR_API_FIXTURE_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = JSON.parse(readFileSync(join(CONNECTOR_API_FIXTURE_DIR, name), 'utf8')) as Record<string, unknown> & {
        source: ConnectorApiFixture['source'];
        note: string;
      };
      const kind = (['request', 'response', 'header'] as const).find((key) => key in file);
      if (kind === undefined) throw new Error(`${name} has no request, response or header`);
      return { name, source: file.source, note: file.note, kind, value: file[kind] };
    });
}

export function connectorApiFixture(name: string): ConnectorApiFixture {
  const fixture = connectorApiFixtures().find((candidate) => candidate.name === name);
  if (fixture === undefined) throw new Error(`No Connector API fixture ${name}`);
  return fixture;
}

/**
 * A deep copy with every string that is (or contains) a placeholder replaced: `values` maps each
 * placeholder as published (e.g. `{conversationId}`, `__YOUR_CONVERSATION_ID__`) to its value.
 * Longer placeholders are replaced first, so `{{relativePath}}` is not read as `{relativePath}`.
 */
export function withPlaceholders<T>(value: T, values: Readonly<Record<string, string>>): T {
  const placeholders = Object.keys(values).sort((a, b) => b.length - a.length);
  const replace = (text: string): string =>
    placeholders.reduce((result, placeholder) => result.split(placeholder).join(values[placeholder]), text);
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return replace(node);
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node === 'object' && node !== null)
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child)]));
    return node;
  };
  return visit(value) as T;
}

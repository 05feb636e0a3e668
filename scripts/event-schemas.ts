/**
 * Writes the JSON Schema (draft-04, what EventBridge's schema registry takes) of each event the
 * processor publishes to schemas/events/<DetailType>.json, from the zod schemas in
 * contract/events.ts. `--check` writes nothing: it exits 1 when a file differs, is missing or is
 * left over, so a schema change that was not regenerated fails.
 *
 *   npx node scripts/event-schemas.ts            # write
 *   npx node scripts/event-schemas.ts --check    # verify (test/contract/event-schemas.test.ts runs it)
 *   ... --dir <folder>                           # another folder than schemas/events
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { eventJsonSchema, LIVEPERSON_DETAIL_TYPES } from '#contract/events.ts';

export const EVENT_SCHEMA_DIR = path.join(import.meta.dirname, '..', 'schemas', 'events');

/** Each schema file's name and text, formatted as `prettier --check` wants it. */
export async function renderEventSchemas(): Promise<ReadonlyMap<string, string>> {
  // The repository's prettier settings, so the files pass `npm run format:check` as written.
  const options = (await prettier.resolveConfig(path.join(EVENT_SCHEMA_DIR, 'ContentEvent.json'))) ?? {};
  const files = new Map<string, string>();
  for (const detailType of LIVEPERSON_DETAIL_TYPES) {
    const name = `${detailType}.json`;
    files.set(name, await prettier.format(JSON.stringify(eventJsonSchema(detailType)), { ...options, filepath: name }));
  }
  return files;
}

/** What differs between the folder and the zod schemas: one line per file, none when they agree. */
export async function eventSchemaDrift(dir: string = EVENT_SCHEMA_DIR): Promise<string[]> {
  const expected = await renderEventSchemas();
  const present = new Set(listJson(dir));
  const problems: string[] = [];
  for (const [name, text] of expected) {
    if (!present.has(name)) problems.push(`${name}: missing`);
    else if (readFileSync(path.join(dir, name), 'utf8') !== text) problems.push(`${name}: differs from contract/events.ts`);
  }
  for (const name of present) if (!expected.has(name)) problems.push(`${name}: no detail-type of that name (left over)`);
  return problems;
}

export async function writeEventSchemas(dir: string = EVENT_SCHEMA_DIR): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = await renderEventSchemas();
  for (const name of listJson(dir)) if (!files.has(name)) rmSync(path.join(dir, name));
  for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
  return [...files.keys()];
}

function listJson(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, dir: { type: 'string' } } });
  const dir = path.resolve(values.dir ?? EVENT_SCHEMA_DIR);
  const shown = path.relative(process.cwd(), dir) || '.';
  if (values.check) {
    const problems = await eventSchemaDrift(dir);
    if (problems.length === 0) {
      console.log(`${shown}: the event schemas match contract/events.ts`);
      return 0;
    }
    console.error(`${shown}: the event schemas are out of date with contract/events.ts:`);
    for (const problem of problems) console.error(`  ${problem}`);
    console.error('Regenerate them with: npx node scripts/event-schemas.ts');
    return 1;
  }
  const written = await writeEventSchemas(dir);
  console.log(`${shown}: wrote ${written.join(', ')}`);
  return 0;
}

if (import.meta.main) process.exitCode = await main();

/**
 * The JSON Schemas of the published events (schemas/events/): the checked-in files are what the
 * generator makes from contract/events.ts, and every event the processor publishes for LivePerson's
 * documented notifications, and for generated ones, is valid against its schema.
 *
 * The files are draft-04 (what EventBridge's registry takes). The examples are validated against the
 * files themselves with ajv's draft-04 build (the local stack's checker), and against the draft-07
 * generation of the same zod schema with ajv 8, and a test shows the two generations say the same (draft-04 has `enum` for `const` and no
 * `propertyNames`, which only restates that JSON keys are strings).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventJsonSchema, LIVEPERSON_DETAIL_TYPES, type LivePersonDetailType } from '#contract/events.ts';
import { EventBridgePublisher } from '#functions/lib/aws/event-bus.ts';
import type { BusEntry, ConversationStateStore, EventLedger } from '#functions/lib/processing/ports.ts';
import { processNotification } from '#functions/lib/processing/process-notification.ts';
import { EventHandlerRegistry, publishToEventBridge } from '#functions/lib/processing/registry.ts';
import { notificationFixtures } from '#test/support/fixtures.ts';
import { documentedNotification, notYetKnownNotification } from '#test/property/documented-notifications.ts';
import { loadEventSchemaChecker } from '#local/event-schema-check.ts';
import { EVENT_SCHEMA_DIR, eventSchemaDrift, renderEventSchemas } from '../../scripts/event-schemas.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
const ACCOUNT = '12345678';

/** What the processor publishes for a webhook body, as EventBridge receives it (the entry's Detail parsed back). */
async function publish(body: string, route: 'connector' | 'messaging', receivedAt?: string): Promise<BusEntry[]> {
  const done = new Set<string>();
  const ledger: EventLedger = {
    claim: async (identity) => (done.has(identity) ? 'already-done' : 'claimed'),
    complete: async (identity) => void done.add(identity),
    release: async () => undefined,
  };
  const state: ConversationStateStore = { apply: async () => 'applied', get: async () => undefined };
  const published: BusEntry[] = [];
  const client = {
    send: async (command: PutEventsCommand) => {
      for (const entry of command.input.Entries ?? [])
        published.push({ source: entry.Source ?? '', detailType: entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? 'null') });
      return { FailedEntryCount: 0, Entries: [] };
    },
  } as unknown as EventBridgeClient;
  await processNotification(
    { body, route, receivedAt },
    {
      accountId: ACCOUNT,
      ledger,
      state,
      registry: new EventHandlerRegistry().on('*', publishToEventBridge),
      publisher: new EventBridgePublisher({ busName: `liveperson-${ACCOUNT}`, client }),
      remainingTimeMs: () => 30_000,
    },
  );
  return published;
}

/** The entry as a rule's target receives it: EventBridge's envelope around source, detail-type and detail. */
const onTheBus = (entry: BusEntry): Record<string, unknown> => ({
  version: '0',
  id: randomUUID(),
  'detail-type': entry.detailType,
  source: entry.source,
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: entry.detail,
});

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>(
  LIVEPERSON_DETAIL_TYPES.map((type) => [type, ajv.compile(eventJsonSchema(type, 'draft-07'))]),
);

/** Why the event breaks the schema of its detail-type (or of `schemaOf`): none when it is valid. */
function problems(event: Record<string, unknown>, schemaOf = String(event['detail-type'])): string[] {
  const validate = validators.get(schemaOf);
  if (validate === undefined) return [`no schema for detail-type ${schemaOf}`];
  return validate(event) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

/** Every documented notification, by the connector route; by the messaging route; and as a notification type not known yet. */
async function documentedExamples(): Promise<Array<{ name: string; entry: BusEntry }>> {
  const examples: Array<{ name: string; entry: BusEntry }> = [];
  for (const fixture of notificationFixtures()) {
    const body = JSON.stringify(fixture.notification);
    const future = JSON.stringify({ ...fixture.notification, type: 'ms.FutureNotification' });
    const runs = [
      [`${fixture.name}`, await publish(body, 'connector', '2026-11-23T10:00:00.000Z')],
      [`${fixture.name} (messaging route)`, await publish(body, 'messaging')],
      [`${fixture.name} (unknown notification type)`, await publish(future, 'connector')],
    ] as const;
    for (const [name, entries] of runs) for (const entry of entries) examples.push({ name, entry });
  }
  // A body without changes is one UnknownEvent of the whole body.
  for (const entry of await publish(JSON.stringify({ kind: 'notification', type: 'ms.Future' }), 'connector'))
    examples.push({ name: 'a notification without body.changes', entry });
  return examples;
}

describe('the checked-in event schemas (schemas/events/)', () => {
  it('are the JSON Schemas of contract/events.ts, one file per detail-type', () => {
    for (const type of LIVEPERSON_DETAIL_TYPES) {
      const file = JSON.parse(readFileSync(path.join(EVENT_SCHEMA_DIR, `${type}.json`), 'utf8')) as unknown;
      expect(file, type).toEqual(eventJsonSchema(type));
    }
  });

  it('validate every documented example as published, read as the draft-04 files themselves (ajv-draft-04)', async () => {
    const checker = loadEventSchemaChecker(EVENT_SCHEMA_DIR);
    const examples = await documentedExamples();
    expect(examples.length).toBeGreaterThan(20);
    const broken = examples.flatMap(({ name, entry }) => {
      const found = checker.check(entry);
      return found.length === 0 ? [] : [`${name} → ${entry.detailType}: ${found.join('; ')}`];
    });
    expect(broken).toEqual([]);
  });

  it('are byte for byte what the generator writes, with no file left over', async () => {
    expect(await eventSchemaDrift()).toEqual([]);
  });

  describe('the generator, run as `npx node scripts/event-schemas.ts`', () => {
    const dirs: string[] = [];
    const scratch = () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'event-schemas-'));
      dirs.push(dir);
      return dir;
    };
    afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['scripts/event-schemas.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });

    it('--check passes on the checked-in files', () => {
      const result = run('--check');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('--check fails, naming each file, when a file is edited, missing or left over', () => {
      const dir = scratch();
      cpSync(EVENT_SCHEMA_DIR, dir, { recursive: true });
      const edited = path.join(dir, 'ContentEvent.json');
      writeFileSync(edited, readFileSync(edited, 'utf8').replace('"conversationId",', ''));
      rmSync(path.join(dir, 'UnknownEvent.json'));
      writeFileSync(path.join(dir, 'OldEvent.json'), '{}\n');
      const result = run('--check', '--dir', dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('out of date with contract/events.ts');
      expect(result.stderr).toContain('ContentEvent.json: differs from contract/events.ts');
      expect(result.stderr).toContain('UnknownEvent.json: missing');
      expect(result.stderr).toContain('OldEvent.json: no detail-type of that name (left over)');
      expect(result.stderr).toContain('npx node scripts/event-schemas.ts');
    });

    it('writes the files, and --check then passes on them', async () => {
      const dir = scratch();
      writeFileSync(path.join(dir, 'OldEvent.json'), '{}\n');
      expect(run('--dir', dir).status).toBe(0);
      const rendered = await renderEventSchemas();
      for (const [name, text] of rendered) expect(readFileSync(path.join(dir, name), 'utf8')).toBe(text);
      expect(run('--check', '--dir', dir).status).toBe(0);
    });
  });

  it('are draft-04: the draft-07 generation the tests validate with, in draft-04 words', () => {
    for (const type of LIVEPERSON_DETAIL_TYPES) {
      const draft04 = eventJsonSchema(type, 'draft-04');
      expect(draft04.$schema).toBe('http://json-schema.org/draft-04/schema#');
      expect(asDraft04(eventJsonSchema(type, 'draft-07')), type).toEqual(draft04);
      expect(nonDraft04Keywords(draft04), type).toEqual([]);
    }
  });
});

describe('the published events', () => {
  let examples: Array<{ name: string; entry: BusEntry }> = [];
  beforeAll(async () => {
    examples = await documentedExamples();
  });

  it('of every documented notification are valid against their schema, every detail-type among them', () => {
    expect(examples.length).toBeGreaterThan(notificationFixtures().length);
    const seen = new Set<string>();
    for (const { name, entry } of examples) {
      expect(problems(onTheBus(entry)), `${name}: ${entry.detailType}`).toEqual([]);
      seen.add(entry.detailType);
    }
    expect([...seen].sort()).toEqual([...LIVEPERSON_DETAIL_TYPES].sort());
  });

  it('of every generated notification, known or not yet, by either route, are valid against their schema', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(documentedNotification, notYetKnownNotification),
        fc.constantFrom('connector', 'messaging'),
        async (notification, route) => {
          fc.pre(route === 'connector' || (typeof notification === 'object' && notification !== null && !Array.isArray(notification)));
          for (const entry of await publish(JSON.stringify(notification), route))
            expect(problems(onTheBus(entry)), entry.detailType).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  describe('fail validation when they break the schema', () => {
    const first = (type: LivePersonDetailType) => {
      const example = examples.find(({ entry }) => entry.detailType === type);
      if (example === undefined) throw new Error(`no published ${type}`);
      return onTheBus(example.entry) as { 'detail-type': string; detail: Record<string, unknown> } & Record<string, unknown>;
    };

    it.each(LIVEPERSON_DETAIL_TYPES.map((type) => [type]))('a %s without a required field, or with one more', (type) => {
      expect(problems(first(type))).toEqual([]);
      const { accountId: _, ...withoutAccount } = first(type).detail;
      expect(problems({ ...first(type), detail: withoutAccount })).toContain("/detail must have required property 'accountId'");
      const { source: _source, ...withoutSource } = first(type);
      expect(problems(withoutSource)).toContain("/ must have required property 'source'");
      expect(problems({ ...first(type), detail: { ...first(type).detail, extra: 1 } })).toContain(
        '/detail must NOT have additional properties',
      );
      expect(problems({ ...first(type), detail: { ...first(type).detail, route: 'email' } })).toContain(
        '/detail/route must be equal to one of the allowed values',
      );
    });

    it.each(LIVEPERSON_DETAIL_TYPES.map((type) => [type]))('a %s with another detail-type or source', (type) => {
      const other = LIVEPERSON_DETAIL_TYPES.find((candidate) => candidate !== type)!;
      expect(problems({ ...first(type), 'detail-type': other }, type)).toContain('/detail-type must be equal to constant');
      expect(problems(first(type), other).length).toBeGreaterThan(0);
      expect(problems({ ...first(type), source: 'aws.events' })).toContain('/source must be equal to constant');
    });

    it('a conversation change or a subscription event without its eventId (always set for them), a content event with a text content', () => {
      for (const type of ['ExConversationChangeNotification', 'MessagingSubscriptionEvent'] as const) {
        const { eventId: _, ...detail } = first(type).detail;
        expect(problems({ ...first(type), detail }), type).toContain("/detail must have required property 'eventId'");
      }
      const content = first('ContentEvent');
      expect(content.detail.content).toEqual({ kind: 'text' });
      expect(problems({ ...content, detail: { ...content.detail, content: { kind: 'text', text: 'hello' } } }).length).toBeGreaterThan(0);
      expect(problems({ ...content, detail: { ...content.detail, sequence: -1 } })).toContain('/detail/sequence must be >= 0');
    });
  });
});

/** A draft-07 schema in draft-04's words: `enum` for `const`, no `propertyNames` (keys are strings either way). */
function asDraft04(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asDraft04);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'propertyNames') continue;
    if (key === '$schema') out[key] = 'http://json-schema.org/draft-04/schema#';
    else if (key === 'const') out.enum = [value];
    else
      out[key] =
        key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, asDraft04(v)])) : asDraft04(value);
  }
  return out;
}

/** The keywords draft-04 defines that these schemas may use: anything else is refused or ignored by a draft-04 reader. */
const DRAFT_04_KEYWORDS = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'anyOf',
  'oneOf',
  'allOf',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
]);

/** Keywords outside draft-04 anywhere in the schema, and `required` lists draft-04 refuses (empty). */
function nonDraft04Keywords(schema: Record<string, unknown>, at = '#'): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (!DRAFT_04_KEYWORDS.has(key)) found.push(`${at}/${key}`);
    if (key === 'required' && (!Array.isArray(value) || value.length === 0)) found.push(`${at}/required is empty`);
    const sub = (child: unknown, where: string) => {
      if (typeof child === 'object' && child !== null) found.push(...nonDraft04Keywords(child as Record<string, unknown>, where));
    };
    if (key === 'properties') for (const [name, child] of Object.entries(value as object)) sub(child, `${at}/properties/${name}`);
    if (key === 'items' || key === 'additionalProperties') sub(value, `${at}/${key}`);
    if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') (value as unknown[]).forEach((child, i) => sub(child, `${at}/${key}/${i}`));
  }
  return found;
}

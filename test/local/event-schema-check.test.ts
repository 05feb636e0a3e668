// The local stack's check of what it publishes against the checked-in draft-04 schemas (the files
// the schema registry gets), read with ajv's draft-04 build.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIVEPERSON_DETAIL_TYPES } from '#contract/events.ts';
import { EVENT_SCHEMAS_DIR, EventSchemaFileError, loadEventSchemaChecker } from '#local/event-schema-check.ts';
import { describeEvent } from '#local/start.ts';

const contentEvent = {
  accountId: '12345678',
  route: 'connector',
  eventId: 'c-1:0',
  type: 'ContentEvent',
  conversationId: 'c-1',
  dialogId: 'c-1',
  sequence: 0,
  originatorId: 'consumer-1',
  serverTimestamp: 1_700_000_000_000,
  message: 'hello',
  contentType: 'text/plain',
  content: { kind: 'text', text: 'hello' },
};

describe('loadEventSchemaChecker', () => {
  const checker = loadEventSchemaChecker();
  const temp = mkdtempSync(path.join(tmpdir(), 'schemas-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('names what is wrong in a detail: a wrong type, a missing field, a field the schema does not have', () => {
    const problems = checker.check({
      source: 'liveperson',
      detailType: 'ContentEvent',
      detail: { ...contentEvent, conversationId: 5, surprise: true },
    });
    expect(problems).toContain('detail.conversationId: must be string');
    expect(problems).toContain('detail: must NOT have additional properties (surprise)');
    const { message: _message, ...withoutMessage } = contentEvent;
    expect(checker.check({ source: 'liveperson', detailType: 'ContentEvent', detail: withoutMessage })).toContain(
      "detail: must have required property 'message'",
    );
  });

  it('refuses a liveperson detail-type without a schema, and leaves other sources alone', () => {
    expect(checker.check({ source: 'liveperson', detailType: 'NewEvent', detail: {} })).toEqual([
      `no schema for detail-type NewEvent (schemas/events/ has ${LIVEPERSON_DETAIL_TYPES.join(', ')})`,
    ]);
    expect(checker.check({ source: 'brand.app', detailType: 'LivePersonConnectorCommand', detail: { anything: 1 } })).toEqual([]);
  });

  it('says which file is missing or broken', () => {
    cpSync(EVENT_SCHEMAS_DIR, temp, { recursive: true });
    writeFileSync(path.join(temp, 'ChatStateEvent.json'), '{"type": "no-such-type"}');
    expect(() => loadEventSchemaChecker(temp)).toThrow(EventSchemaFileError);
    expect(() => loadEventSchemaChecker(temp)).toThrow(`the schema ${path.join(temp, 'ChatStateEvent.json')} does not compile`);
    rmSync(path.join(temp, 'ChatStateEvent.json'));
    expect(() => loadEventSchemaChecker(temp)).toThrow(`cannot read the schema ${path.join(temp, 'ChatStateEvent.json')}`);
  });

  it('prints a red schema line under the published line of an event that does not match', () => {
    const event = {
      eventId: 'e',
      eventBusName: 'b',
      source: 'liveperson',
      detailType: 'ContentEvent',
      detail: { conversationId: 'c-1' },
      time: '',
    };
    expect(describeEvent({ kind: 'published', event, schemaProblems: [] })).not.toContain('schema');
    const printed = describeEvent({ kind: 'published', event, schemaProblems: ["detail: must have required property 'message'"] });
    expect(printed.split('\n')[1]).toContain(
      "ContentEvent does not match schemas/events/ContentEvent.json: detail: must have required property 'message'",
    );
  });
});

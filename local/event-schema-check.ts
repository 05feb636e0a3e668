/**
 * Checks what the local stack publishes against the checked-in JSON Schemas (schemas/events/, the
 * files the schema registry gets): a change that breaks the published contract shows the moment it
 * runs, not when a subscriber's code bindings fail. The files are draft-04, the registry's format,
 * so they are read with ajv's draft-04 build.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { EVENT_SOURCE } from '#contract/constants.ts';
import { LIVEPERSON_DETAIL_TYPES } from '#contract/events.ts';
import type { PublishedEvent } from './aws-standins.ts';

export const EVENT_SCHEMAS_DIR = path.resolve(import.meta.dirname, '..', 'schemas', 'events');

/** Problems listed per event at most: the first few say what broke. */
const MAX_PROBLEMS = 5;

export class EventSchemaFileError extends Error {
  override readonly name = 'EventSchemaFileError';
}

export interface EventSchemaChecker {
  /** What makes the event not match its schema; empty when it does, or when it is not of source liveperson. */
  check(event: Pick<PublishedEvent, 'source' | 'detailType' | 'detail'> & Partial<PublishedEvent>): readonly string[];
}

export function loadEventSchemaChecker(dir: string = EVENT_SCHEMAS_DIR): EventSchemaChecker {
  const ajv = new Ajv.default({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validators = new Map<string, ValidateFunction>();
  for (const detailType of LIVEPERSON_DETAIL_TYPES) {
    const file = path.join(dir, `${detailType}.json`);
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new EventSchemaFileError(`cannot read the schema ${file}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    try {
      validators.set(detailType, ajv.compile(schema as object));
    } catch (error) {
      throw new EventSchemaFileError(`the schema ${file} does not compile: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
  return {
    check(event) {
      if (event.source !== EVENT_SOURCE) return [];
      const validate = validators.get(event.detailType);
      if (!validate) return [`no schema for detail-type ${event.detailType} (schemas/events/ has ${LIVEPERSON_DETAIL_TYPES.join(', ')})`];
      // The whole event as a rule's target receives it: the schemas describe the envelope too.
      const envelope = {
        version: '0',
        id: event.eventId ?? '00000000-0000-0000-0000-000000000000',
        'detail-type': event.detailType,
        source: event.source,
        account: '000000000000',
        time: event.time ?? new Date().toISOString(),
        region: process.env.AWS_REGION ?? 'us-east-1',
        resources: [],
        detail: event.detail,
      };
      if (validate(envelope)) return [];
      return (validate.errors ?? []).slice(0, MAX_PROBLEMS).map((error) => {
        const where = error.instancePath === '' ? 'the event' : error.instancePath.slice(1).replaceAll('/', '.');
        const extra = 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
        return `${where}: ${error.message ?? 'is not valid'}${extra}`;
      });
    },
  };
}

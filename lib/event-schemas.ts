// The schemas of the events the processor publishes, in an EventBridge schema registry: subscribers
// browse them in the console and download code bindings (Java, Python, TypeScript, Go) from there or
// from the AWS Toolkit. The content is the checked-in schemas/events/<DetailType>.json, generated
// from contract/events.ts (scripts/event-schemas.ts) and tested against what is published.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '#contract/constants.ts';
import { LIVEPERSON_DETAIL_TYPES, type LivePersonDetailType } from '#contract/events.ts';
import { eventBusName } from '#contract/resources.ts';

/** The checked-in JSON Schema (draft-04) of a detail-type's events. */
export function eventSchemaFile(detailType: LivePersonDetailType): string {
  return path.join(import.meta.dirname, '..', 'schemas', 'events', `${detailType}.json`);
}

/** The schema registry's CreateSchema takes at most 100,000 characters of content. */
export const MAX_SCHEMA_CONTENT_CHARS = 100_000;

export interface LivePersonEventSchemasProps {
  /** LivePerson account (site) id: names the registry after the bus. @default none (required) */
  readonly accountId: string;
  /** The registry's name. @default the bus's name, liveperson-<accountId> */
  readonly registryName?: string;
}

export class LivePersonEventSchemas extends Construct {
  readonly registry: CfnRegistry;
  /** One schema per detail-type, named `liveperson@<DetailType>` as EventBridge names the schemas it discovers. */
  readonly schemas: Readonly<Record<LivePersonDetailType, CfnSchema>>;

  constructor(scope: Construct, id: string, props: LivePersonEventSchemasProps) {
    super(scope, id);
    const busName = eventBusName(props.accountId);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName ?? busName,
      description: `The events on the ${busName} bus (source ${EVENT_SOURCE}), one schema per detail-type.`,
    });
    const schemas: Partial<Record<LivePersonDetailType, CfnSchema>> = {};
    for (const detailType of LIVEPERSON_DETAIL_TYPES) {
      const content = readFileSync(eventSchemaFile(detailType), 'utf8');
      // Refused at synthesis rather than half way through a deployment.
      if (content.length > MAX_SCHEMA_CONTENT_CHARS) {
        throw new Error(
          `schemas/events/${detailType}.json is ${content.length} characters; EventBridge's schema registry takes at most ${MAX_SCHEMA_CONTENT_CHARS}`,
        );
      }
      schemas[detailType] = new CfnSchema(this, detailType, {
        // The attribute, not the name: the schema waits for the registry.
        registryName: this.registry.attrRegistryName,
        schemaName: `${EVENT_SOURCE}@${detailType}`,
        type: 'JSONSchemaDraft4',
        content,
        description: `A ${detailType} on the ${busName} bus: detail-type ${detailType}, source ${EVENT_SOURCE}.`,
      });
    }
    this.schemas = schemas as Record<LivePersonDetailType, CfnSchema>;
  }
}

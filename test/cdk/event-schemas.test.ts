import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { eventJsonSchema, LIVEPERSON_DETAIL_TYPES } from '#contract/events.ts';
import { eventSchemaFile, LivePersonEventSchemas, MAX_SCHEMA_CONTENT_CHARS, type LivePersonEventSchemasProps } from '#lib/event-schemas.ts';
import { CLI_CONTEXT, SKIP_BUNDLING } from './helpers.ts';

function build(props: LivePersonEventSchemasProps = { accountId: '12345678' }) {
  const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
  const stack = new Stack(app, 'Test');
  const schemas = new LivePersonEventSchemas(stack, 'EventSchemas', props);
  return { app, stack, schemas, template: Template.fromStack(stack) };
}

describe('LivePersonEventSchemas', () => {
  const { app, stack, template, schemas } = build();
  const registryId = stack.getLogicalId(schemas.registry);

  it('creates one registry, named after the bus', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.hasResourceProperties('AWS::EventSchemas::Registry', {
      RegistryName: 'liveperson-12345678',
      Description: 'The events on the liveperson-12345678 bus (source liveperson), one schema per detail-type.',
    });
  });

  it('registers one draft-04 schema per detail-type, named as EventBridge names discovered schemas, with the checked-in file as content', () => {
    const found = Object.values(template.findResources('AWS::EventSchemas::Schema')).map(
      (resource) => (resource as { Properties: Record<string, unknown> }).Properties,
    );
    expect(found.map((properties) => properties.SchemaName).sort()).toEqual(
      LIVEPERSON_DETAIL_TYPES.map((type) => `liveperson@${type}`).sort(),
    );
    for (const type of LIVEPERSON_DETAIL_TYPES) {
      template.hasResourceProperties('AWS::EventSchemas::Schema', {
        SchemaName: `liveperson@${type}`,
        Type: 'JSONSchemaDraft4',
        // The registry's attribute: CloudFormation creates the registry first.
        RegistryName: { 'Fn::GetAtt': [registryId, 'RegistryName'] },
        Content: readFileSync(eventSchemaFile(type), 'utf8'),
      });
    }
  });

  it("keeps every schema's content and description within the registry's limits", () => {
    for (const properties of Object.values(template.findResources('AWS::EventSchemas::Schema')).map(
      (resource) => (resource as { Properties: { Content: string; Description: string } }).Properties,
    )) {
      expect(properties.Content.length).toBeLessThanOrEqual(MAX_SCHEMA_CONTENT_CHARS);
      // CreateSchema and CreateRegistry take descriptions of up to 256 characters.
      expect(properties.Description.length).toBeLessThanOrEqual(256);
    }
  });

  it('carries the schema of the whole event: source and detail-type as constants, the detail closed', () => {
    const content = JSON.parse(schemas.schemas.ContentEvent.content) as ReturnType<typeof eventJsonSchema>;
    expect(content).toEqual(eventJsonSchema('ContentEvent'));
    expect(content).toMatchObject({
      $schema: 'http://json-schema.org/draft-04/schema#',
      properties: {
        source: { enum: ['liveperson'] },
        'detail-type': { enum: ['ContentEvent'] },
        detail: { additionalProperties: false },
      },
    });
  });

  it('takes another registry name', () => {
    build({ accountId: '12345678', registryName: 'brand-events' }).template.hasResourceProperties('AWS::EventSchemas::Registry', {
      RegistryName: 'brand-events',
    });
  });

  it('has no cdk-nag findings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});

// Builds the app the way `cdk synth` does (cdk.json's context, feature flags included), with overrides.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createLivePersonApp } from '#lib/app.ts';
import type { LivePersonApp } from '#lib/app.ts';
import type { DeploymentConfigInput } from '#lib/config.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

interface CdkJson {
  app: string;
  context: Record<string, unknown>;
  [key: string]: unknown;
}

export const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as CdkJson;

/** What the CLI adds: construct and asset paths in resource metadata, which the tests use to find things. */
export const CLI_CONTEXT = { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true };

/** Context with no bundling: template tests do not need the code, only its wiring. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export function buildApp(
  config: DeploymentConfigInput | string = { accountId: '12345678' },
  extraContext: Record<string, unknown> = SKIP_BUNDLING,
  appProps: AppProps = {},
): LivePersonApp {
  // An empty process environment: no CDK_DEFAULT_REGION leaks in from the machine running the tests.
  return createLivePersonApp({ ...appProps, context: { ...CLI_CONTEXT, ...cdkJson.context, liveperson: config, ...extraContext } }, {});
}

export function templateOf(config?: DeploymentConfigInput): Template {
  return Template.fromStack(buildApp(config).stack);
}

/** Logical ids of the resources of a type whose construct path contains `pathPart`. */
export function logicalIdsAt(template: Template, type: string, pathPart: string): string[] {
  return Object.entries(template.findResources(type))
    .filter(([, resource]) => String((resource as { Metadata?: Record<string, unknown> }).Metadata?.['aws:cdk:path']).includes(pathPart))
    .map(([id]) => id);
}

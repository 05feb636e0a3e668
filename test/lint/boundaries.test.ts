// The layers' import rules (eslint.boundaries.js) fail the lint on a forbidden import and let the
// allowed ones through: each case lints one import line as if it sat in that folder.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries } from '../../eslint.boundaries.js';

const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function problemsOf(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

const forbidden: [folder: string, file: string, source: string][] = [
  ['liveperson', 'functions/lib/liveperson/example.ts', "import { SQSClient } from '@aws-sdk/client-sqs';"],
  ['liveperson', 'functions/lib/liveperson/example.ts', "import { Logger } from '@aws-lambda-powertools/logger';"],
  ['liveperson', 'functions/lib/liveperson/example.ts', "import type { Context } from 'aws-lambda';"],
  ['liveperson', 'functions/lib/liveperson/example.ts', "import { CredentialsSource } from '../aws/config.ts';"],
  ['liveperson', 'functions/lib/liveperson/example.ts', "import { CredentialsSource } from '#functions/lib/aws/config.ts';"],
  ['liveperson', 'functions/lib/liveperson/example.ts', "import { processNotification } from '../processing/process-notification.ts';"],
  ['processing', 'functions/lib/processing/example.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
  ['processing', 'functions/lib/processing/example.ts', "import type { EventPublisher } from '../aws/event-bus.ts';"],
  ['connector', 'functions/lib/connector/example.ts', "import { SendMessageCommand } from '@aws-sdk/client-sqs';"],
  ['connector', 'functions/lib/connector/example.ts', "import type { Context } from 'aws-lambda';"],
  ['connector', 'functions/lib/connector/example.ts', "import { makeIdempotent } from '@aws-lambda-powertools/idempotency';"],
  ['ivr', 'functions/lib/ivr/example.ts', "import { createLivePersonPlatform } from '../platform.ts';"],
  ['webhooks', 'functions/lib/webhooks/example.ts', "import { createTelemetry } from '../lambda/telemetry.ts';"],
  ['contract', 'contract/example.ts', "import { Duration } from 'aws-cdk-lib';"],
  ['contract', 'contract/example.ts', "import { Runtime } from 'aws-cdk-lib/aws-lambda';"],
  ['contract', 'contract/example.ts', "import type { Context } from 'aws-lambda';"],
  ['contract', 'contract/example.ts', "import { CredentialsSource } from '../functions/lib/aws/config.ts';"],
  ['functions', 'functions/event-processor/example.ts', "import { Stack } from 'aws-cdk-lib';"],
  ['cdk', 'lib/example.ts', "import { handler } from '../functions/event-processor/index.ts';"],
  ['cdk', 'lib/example.ts', "import { SQSClient } from '@aws-sdk/client-sqs';"],
  ['cdk', 'lib/example.ts', "import { CommandRunner } from '#functions/lib/connector/runner.ts';"],
  ['functions', 'functions/lib/aws/example.ts', "import { parseDeploymentConfig } from '#lib/config.ts';"],
  ['liveperson', 'functions/lib/liveperson/example.ts', "import { parseDeploymentConfig } from '#lib/config.ts';"],
  ['processing', 'functions/lib/processing/example.ts', "import { parseDeploymentConfig } from '#lib/config.ts';"],
  ['contract', 'contract/example.ts', "import { startLivePersonSimulator } from '#simulator/index.ts';"],
  ['contract', 'contract/example.ts', "import { startLivePersonSimulator } from '../simulator/index.ts';"],
  ['dynamic import', 'functions/lib/processing/example.ts', "export const load = () => import('../aws/config.ts');"],
  ['classic zod', 'functions/lib/liveperson/example.ts', "import { z } from 'zod';"],
  ['classic zod', 'functions/lib/aws/example.ts', "import * as z from 'zod';"],
  ['zod not through contract/zod.ts', 'functions/lib/processing/example.ts', "import * as z from 'zod/mini';"],
  ['classic zod', 'contract/example.ts', "import * as z from 'zod';"],
];

const allowed: [folder: string, file: string, source: string][] = [
  [
    'liveperson',
    'functions/lib/liveperson/example.ts',
    "import * as z from '#contract/zod.ts';\nimport { DEFAULT_CSDS_URL } from '../../../contract/constants.ts';\nimport { maskPhoneNumbers } from '../log-mask.ts';",
  ],
  [
    'processing',
    'functions/lib/processing/example.ts',
    "import { parseNotification } from '../liveperson/events.ts';\nimport { IntegrationError } from '../errors.ts';",
  ],
  [
    'aws',
    'functions/lib/aws/example.ts',
    "import { SQSClient } from '@aws-sdk/client-sqs';\nimport type { EventQueue } from '../webhooks/ports.ts';",
  ],
  [
    'lambda',
    'functions/lib/lambda/example.ts',
    "import { Logger } from '@aws-lambda-powertools/logger';\nimport type { Context } from 'aws-lambda';",
  ],
  [
    'cdk',
    'lib/example.ts',
    "import { Duration } from 'aws-cdk-lib';\nimport { Runtime } from 'aws-cdk-lib/aws-lambda';\nimport { METRICS } from '../contract/metrics.ts';",
  ],
];

describe('import boundaries', () => {
  it.each(forbidden)('%s: refuses %s ← %s', async (_folder, file, source) => {
    const problems = await problemsOf(file, source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^no-restricted-(imports|syntax): /);
  });

  it.each(allowed)('%s: allows %s ← %s', async (_folder, file, source) => {
    expect(await problemsOf(file, source)).toEqual([]);
  });
});

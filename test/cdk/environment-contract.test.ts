// The environment each construct gives its function, checked against the contract the handler parses at
// cold start (contract/environment.ts): every variable known, every value one the handler accepts.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LIVEPERSON_FUNCTION_NAMES, type LivePersonFunctionName } from '#contract/constants.ts';
import {
  functionEnvironmentSchema,
  parseFunctionEnvironment,
  parseSharedEnvironment,
  RUNTIME_ENV,
  sharedEnvironment,
} from '#contract/environment.ts';
import { LivePersonFunction } from '#lib/lambda-function.ts';
import { buildApp, CLI_CONTEXT, SKIP_BUNDLING } from './helpers.ts';

const INSTANCE_ARN = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555';

/** Stands in for a CloudFormation reference (a queue URL, a table or bus name, the secret's ARN) as the function would see it. */
function resolvedValue(variable: string, value: unknown): string {
  if (typeof value === 'string') return value;
  return variable.endsWith('_URL') ? 'https://sqs.us-east-1.amazonaws.com/123456789012/resolved-queue' : 'resolved-name';
}

/** What the handler would refuse at cold start, and every variable its contract does not know. */
function contractProblems(name: LivePersonFunctionName, variables: Readonly<Record<string, string>>): string[] {
  const known = new Set<string>([
    ...Object.keys(sharedEnvironment),
    ...Object.keys(functionEnvironmentSchema(name).shape),
    ...Object.values(RUNTIME_ENV),
  ]);
  const shared = parseSharedEnvironment(variables);
  const own = parseFunctionEnvironment(name, variables);
  return [
    ...(shared.ok ? [] : shared.problems),
    ...(own.ok ? [] : own.problems),
    ...Object.keys(variables)
      .filter((variable) => !known.has(variable))
      .map((variable) => `${variable} is not in the environment contract of ${name}`),
  ];
}

/** Each LivePerson function of the template by its service name, with its variables resolved. */
function functionVariables(template: Template): Map<LivePersonFunctionName, Record<string, string>> {
  const functions = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
  >;
  const byName = new Map<LivePersonFunctionName, Record<string, string>>();
  for (const fn of Object.values(functions)) {
    const variables = fn.Properties.Environment?.Variables ?? {};
    const service = variables[RUNTIME_ENV.serviceName];
    // CDK's own functions (the deploy-time Trigger's provider) are not LivePerson functions.
    if (service === undefined) continue;
    expect(LIVEPERSON_FUNCTION_NAMES).toContain(service);
    expect(byName.has(service as LivePersonFunctionName)).toBe(false);
    byName.set(
      service as LivePersonFunctionName,
      Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolvedValue(key, value)])),
    );
  }
  return byName;
}

describe('the environment of every function (full stack, every capability and option on)', () => {
  const { stack } = buildApp({
    accountId: '12345678',
    region: 'us-east-1',
    connectInstanceArn: INSTANCE_ARN,
    c2m: {
      defaultSkill: 'sales',
      defaultHandoffId: 'ivr-1',
      region: 'va',
      createContactFlow: true,
      whatsapp: 'prefer-sms',
      funnel: { reportingUrl: 'https://va.cx-reporting.liveperson.net', delayMinutes: 25, lookbackHours: 48 },
    },
    connector: {
      defaultRouting: { skillId: '11', campaignId: '22', engagementId: '33' },
      clientProperties: { features: ['QUICK_REPLIES'], appId: 'kiosk' },
      eventRoute: true,
    },
    ingestion: { waf: { enabled: true } },
    allowedHostSuffixes: ['liveperson.net', 'lp-cloud.example'],
  });
  const variables = functionVariables(Template.fromStack(stack));

  it('has all six functions', () => {
    expect([...variables.keys()].sort()).toEqual([...LIVEPERSON_FUNCTION_NAMES].sort());
  });

  it.each(LIVEPERSON_FUNCTION_NAMES)('gives %s only variables its contract knows, each with a value its handler accepts', (name) => {
    const own = variables.get(name) ?? {};
    expect(contractProblems(name, own)).toEqual([]);
    // The optional variables of the function are set too, so each was checked above.
    expect(Object.keys(own)).toEqual(expect.arrayContaining(Object.keys(functionEnvironmentSchema(name).shape)));
  });

  it('would fail on a variable unknown to the contract, or a missing one', () => {
    const receiver = variables.get('webhook-receiver') ?? {};
    expect(contractProblems('webhook-receiver', { ...receiver, EVENT_QUEUE_URLS: 'https://sqs.example/queue' })).toEqual([
      'EVENT_QUEUE_URLS is not in the environment contract of webhook-receiver',
    ]);
    const { EVENT_QUEUE_URL: _omitted, ...withoutQueue } = receiver;
    expect(contractProblems('webhook-receiver', withoutQueue)).toEqual(['EVENT_QUEUE_URL must be the URL of the event queue']);
    expect(
      contractProblems('event-processor', { ...(variables.get('event-processor') ?? {}), EVENT_QUEUE_URL: 'https://sqs.example/queue' }),
    ).toEqual(['EVENT_QUEUE_URL is not in the environment contract of event-processor']);
  });
});

describe('LivePersonFunction environment types', () => {
  it('takes only the variables of its own function', () => {
    const stack = new Stack(new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } }), 'Test');
    const build = () =>
      new LivePersonFunction(stack, 'Fn', {
        name: 'event-processor',
        accountId: '42',
        environment: {
          EVENT_BUS_NAME: 'bus',
          // @ts-expect-error a misspelt variable is a type error
          STATE_TABLE: 'state',
        },
      });
    // At run time the construct passes it on: the types and the template test above are what catch it.
    expect(build).not.toThrow();
  });
});

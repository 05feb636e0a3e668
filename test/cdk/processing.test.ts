import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LIVEPERSON_DETAIL_TYPES } from '#contract/events.ts';
import { DeploymentConfigError, parseDeploymentConfig } from '#lib/config.ts';
import { LivePersonProcessing, type LivePersonProcessingProps } from '#lib/processing.ts';
import { processingSettingsSchema } from '#lib/settings/processing.ts';
import { parseFunctionEnvironment } from '#contract/environment.ts';
import { CLI_CONTEXT, SKIP_BUNDLING } from './helpers.ts';

function build(overrides: Partial<LivePersonProcessingProps> = {}) {
  const app = new App({ context: { ...CLI_CONTEXT, ...SKIP_BUNDLING } });
  const stack = new Stack(app, 'Test');
  const eventQueue = new Queue(stack, 'Events', { fifo: true, enforceSSL: true });
  const deadLetterQueue = new Queue(stack, 'DeadLetters', { fifo: true, enforceSSL: true });
  const secret = new Secret(stack, 'Secret');
  const processing = new LivePersonProcessing(stack, 'Processing', {
    accountId: '12345678',
    credentials: { secret, secretId: secret.secretArn },
    eventQueue,
    deadLetterQueue,
    ...overrides,
  });
  return { app, stack, processing, template: Template.fromStack(stack) };
}

describe('LivePersonProcessing', () => {
  const { template, stack, processing } = build();

  it('drives the processor from the FIFO queue with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Events'), 'Arn'] },
    });
    template.resourcePropertiesCountIs('AWS::Lambda::EventSourceMapping', { MaximumBatchingWindowInSeconds: Match.anyValue() }, 0);
  });

  it('keeps the state and idempotency tables on demand, with TTL and point-in-time recovery', () => {
    for (const [key, ttl] of [
      ['conversationId', 'expiresAt'],
      ['id', 'expiration'],
    ]) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('gives the processor its tables, bus and dead-letter queue, and nothing of LivePerson', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^ProcessingBus') },
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp('^ProcessingConversationState') },
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^ProcessingIdempotency') },
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^DeadLetters') },
          IDEMPOTENCY_TTL_SECONDS: String(96 * 3600),
          // The conversations of a batch handled side by side, all ten by default.
          CONVERSATION_CONCURRENCY: '10',
        }),
      },
    });
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).not.toContain('secretsmanager:');
    expect(policy).not.toContain('ssm:');
    expect(policy).toContain('events:PutEvents');
  });

  it('scopes each permission to its own resource', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Array<{ Sid?: string; Action: string | string[]; Resource: unknown }> } } })
          .Properties.PolicyDocument.Statement,
    );
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.ConversationState?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProcessingConversationState/), 'Arn'] });
    expect(bySid.Idempotency?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProcessingIdempotency/), 'Arn'] });
    expect(bySid.PublishEvents?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProcessingBus/), 'Arn'] });
    expect(bySid.ParkUnprocessableEvents?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DeadLetters/), 'Arn'] });
    expect(bySid.ParkUnprocessableEvents?.Action).toBe('sqs:SendMessage');
  });

  it('names the bus after the account', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'liveperson-12345678' });
    expect(processing.eventBus).toBeDefined();
    expect(stack.resolve(processing.eventBus.eventBusName)).toEqual({ Ref: expect.stringMatching(/^ProcessingBus/) });
  });

  it('archives the events of source "liveperson" for 30 days, under a name the CLI derives from the account', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: 'liveperson-12345678',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProcessingBus'), 'Arn'] },
      EventPattern: { source: ['liveperson'] },
      RetentionDays: 30,
    });
    expect(processing.archive).toBeDefined();
    expect(stack.resolve(processing.archive?.archiveArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProcessingArchive/), 'Arn'] });
  });

  it('keeps archived events the days asked, and creates no archive when told not to', () => {
    build({ archiveRetentionDays: 1 }).template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 1 });
    build({ archiveRetentionDays: 3650 }).template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 3650 });
    const off = build({ archiveRetentionDays: false });
    off.template.resourceCountIs('AWS::Events::Archive', 0);
    expect(off.processing.archive).toBeUndefined();
    // The bus stays: only the archive goes.
    off.template.resourceCountIs('AWS::Events::EventBus', 1);
  });

  it('registers the schema of every published detail-type in a registry named after the bus, unless told not to', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'liveperson-12345678' });
    template.resourceCountIs('AWS::EventSchemas::Schema', LIVEPERSON_DETAIL_TYPES.length);
    expect(Object.keys(processing.schemas?.schemas ?? {}).sort()).toEqual([...LIVEPERSON_DETAIL_TYPES].sort());
    const off = build({ eventSchemas: false });
    off.template.resourceCountIs('AWS::EventSchemas::Registry', 0);
    off.template.resourceCountIs('AWS::EventSchemas::Schema', 0);
    expect(off.processing.schemas).toBeUndefined();
    expect(() => build({ eventSchemas: 'yes' as unknown as boolean })).toThrow(
      'LivePersonProcessing at Test/Processing: eventSchemas: must be true or false',
    );
  });

  it('refuses an archive retention of 0 (forever to EventBridge) or beyond ten years', () => {
    expect(() => build({ archiveRetentionDays: 0 })).toThrow(
      'LivePersonProcessing at Test/Processing: archiveRetentionDays: must be at least 1 day (0, which EventBridge reads as forever, is not offered), or false for no archive',
    );
    expect(() => build({ archiveRetentionDays: 3651 })).toThrow('archiveRetentionDays: must be at most 3650 days (ten years)');
  });

  it('takes a batch size and a concurrency cap, and refuses impossible ones', () => {
    build({ batchSize: 5, maxConcurrency: 4 }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    expect(() => build({ batchSize: 11 })).toThrow('LivePersonProcessing at Test/Processing: batchSize: must be at most 10 records');
    expect(() => build({ maxConcurrency: 1 })).toThrow('maxConcurrency: must be at least 2');
  });

  it('gives the processor the conversations to handle at once, and refuses a number it cannot use', () => {
    build({ concurrentConversations: 1 }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONVERSATION_CONCURRENCY: '1' }) },
    });
    build({ concurrentConversations: 4 }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONVERSATION_CONCURRENCY: '4' }) },
    });
    expect(() => build({ concurrentConversations: 0 })).toThrow(
      'LivePersonProcessing at Test/Processing: concurrentConversations: must be at least 1 (one conversation after another)',
    );
    expect(() => build({ concurrentConversations: 11 })).toThrow(
      'concurrentConversations: must be at most 10 (a batch holds at most 10 records)',
    );
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const { app } = build();
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
      .filter((finding) => finding.includes('/Processing/'));
    expect(findings).toEqual([]);
  });
});

function configIssues(raw: Record<string, unknown>): readonly string[] {
  try {
    parseDeploymentConfig({ accountId: '12345678', ...raw });
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as DeploymentConfigError).issues;
  }
  throw new Error('expected a DeploymentConfigError');
}

describe('processing config', () => {
  it('applies the defaults to an empty block and leaves an absent block absent', () => {
    const defaults = {
      batchSize: 10,
      timeoutSeconds: 30,
      idempotencyTtlHours: 96,
      conversationRetentionDays: 90,
      concurrentConversations: 10,
      archiveRetentionDays: 30,
      eventSchemas: true,
    };
    expect(parseDeploymentConfig({ accountId: '1', processing: {} }).processing).toStrictEqual(defaults);
    // The construct's defaults are the same schema's.
    expect(processingSettingsSchema.parse({})).toStrictEqual(defaults);
    expect(parseDeploymentConfig({ accountId: '1' }).processing).toBeUndefined();
    expect(parseDeploymentConfig({ accountId: '1', processing: { maxConcurrency: 2, batchSize: 1 } }).processing).toMatchObject({
      maxConcurrency: 2,
      batchSize: 1,
    });
    expect(parseDeploymentConfig({ accountId: '1', processing: { concurrentConversations: 1 } }).processing).toMatchObject({
      concurrentConversations: 1,
    });
    expect(parseDeploymentConfig({ accountId: '1', processing: { archiveRetentionDays: false } }).processing).toMatchObject({
      archiveRetentionDays: false,
    });
    expect(parseDeploymentConfig({ accountId: '1', processing: { archiveRetentionDays: 365 } }).processing).toMatchObject({
      archiveRetentionDays: 365,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ batchSize: 0 }, 'processing.batchSize: must be at least 1 record'],
    [{ batchSize: 11 }, 'processing.batchSize: must be at most 10 records (the most a FIFO event source takes)'],
    [{ batchSize: 2.5 }, 'processing.batchSize: must be a whole number of records'],
    [{ maxConcurrency: 1 }, 'processing.maxConcurrency: must be at least 2 (the Lambda minimum for an SQS event source)'],
    [{ maxConcurrency: 1001 }, 'processing.maxConcurrency: must be at most 1000'],
    [{ timeoutSeconds: 4 }, 'processing.timeoutSeconds: must be at least 5 seconds'],
    [{ timeoutSeconds: 901 }, 'processing.timeoutSeconds: must be at most 900 seconds (the Lambda limit)'],
    [{ idempotencyTtlHours: 0 }, 'processing.idempotencyTtlHours: must be at least 1 hour'],
    [{ conversationRetentionDays: 0.5 }, 'processing.conversationRetentionDays: must be a whole number of days'],
    [{ concurrentConversations: 0 }, 'processing.concurrentConversations: must be at least 1 (one conversation after another)'],
    [{ concurrentConversations: 11 }, 'processing.concurrentConversations: must be at most 10 (a batch holds at most 10 records)'],
    [{ concurrentConversations: 2.5 }, 'processing.concurrentConversations: must be a whole number of conversations'],
    [
      { archiveRetentionDays: 0 },
      'processing.archiveRetentionDays: must be at least 1 day (0, which EventBridge reads as forever, is not offered), or false for no archive',
    ],
    [{ archiveRetentionDays: 3651 }, 'processing.archiveRetentionDays: must be at most 3650 days (ten years)'],
    [
      { archiveRetentionDays: 7.5 },
      'processing.archiveRetentionDays: must be a whole number of days from 1 to 3650, or false for no archive',
    ],
    [
      { archiveRetentionDays: true },
      'processing.archiveRetentionDays: must be a whole number of days from 1 to 3650, or false for no archive',
    ],
    [
      { archiveRetentionDays: '30' },
      'processing.archiveRetentionDays: must be a whole number of days from 1 to 3650, or false for no archive',
    ],
    [{ batch: 5 }, 'processing.batch: is not a known field'],
  ])('names the field for a bad processing value %j', (processing, expected) => {
    expect(configIssues({ processing })).toEqual([expect.stringContaining(expected)]);
  });

  it('wants the event queue visibility timeout at least 6 times the processor timeout, naming both fields', () => {
    expect(configIssues({ processing: { timeoutSeconds: 60 } })).toEqual([
      'ingestion.queueVisibilityTimeoutSeconds: is 300 s but must be at least 6 × processing.timeoutSeconds (360 s, AWS guidance for a ' +
        'queue driving a Lambda function): raise it, or lower processing.timeoutSeconds',
    ]);
    expect(configIssues({ ingestion: { queueVisibilityTimeoutSeconds: 100 } })).toEqual([
      expect.stringMatching(
        /^ingestion\.queueVisibilityTimeoutSeconds: is 100 s but must be at least 6 × processing\.timeoutSeconds \(180 s/,
      ),
    ]);
    expect(() =>
      parseDeploymentConfig({ accountId: '1', processing: { timeoutSeconds: 60 }, ingestion: { queueVisibilityTimeoutSeconds: 360 } }),
    ).not.toThrow();
    // One message per mistake: an out-of-range value is reported once, by its own check.
    expect(configIssues({ processing: { timeoutSeconds: 1000 } })).toEqual([
      expect.stringContaining('processing.timeoutSeconds: must be at most 900'),
    ]);
  });

  it('needs ingestion, whose queue it drains', () => {
    expect(configIssues({ capabilities: { ingestion: false, connector: false } })).toEqual([
      'capabilities.processing: needs capabilities.ingestion: the processor drains the event queue that ingestion creates (turn ingestion on, or processing off)',
    ]);
  });
});

describe('CONVERSATION_CONCURRENCY (the processor reads it at cold start)', () => {
  const base = {
    EVENT_BUS_NAME: 'bus',
    STATE_TABLE_NAME: 'state',
    IDEMPOTENCY_TABLE_NAME: 'idempotency',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/events-dlq.fifo',
  };
  const parse = (value: string | undefined) => parseFunctionEnvironment('event-processor', { ...base, CONVERSATION_CONCURRENCY: value });

  it('is 10 when unset or blank, and the number it is set to from 1 to 10', () => {
    for (const value of [undefined, '', ' ']) expect(parse(value)).toMatchObject({ ok: true, value: { CONVERSATION_CONCURRENCY: 10 } });
    expect(parse('1')).toMatchObject({ ok: true, value: { CONVERSATION_CONCURRENCY: 1 } });
    expect(parse(' 7 ')).toMatchObject({ ok: true, value: { CONVERSATION_CONCURRENCY: 7 } });
  });

  it.each([
    ['0', 'CONVERSATION_CONCURRENCY must be a positive number of conversations'],
    ['11', 'CONVERSATION_CONCURRENCY must be at most 10 conversations (a batch holds at most 10 records)'],
    ['2.5', 'CONVERSATION_CONCURRENCY must be a whole number of conversations'],
    ['many', 'CONVERSATION_CONCURRENCY must be a number of conversations'],
  ])('refuses %j, naming the variable', (value, message) => {
    expect(parse(value)).toEqual({ ok: false, problems: [message] });
  });
});

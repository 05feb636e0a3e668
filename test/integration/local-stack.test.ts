/**
 * The integration test of the whole product: the local stack in this process (simulator, SQS,
 * DynamoDB, AWS stand-ins, the real handlers) and the demo story against it, step by step.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNNEL_TABLE } from '#contract/resources.ts';
import { funnelWatermarkKey } from '#functions/lib/aws/funnel-watermark.ts';
import { emptyCounts, type FunnelRunSummary } from '#functions/lib/ivr/funnel.ts';
import { runDemo } from '#local/demo.ts';
import { startLocalStack, type LocalStack, type LocalStackEvent } from '#local/stack.ts';
import { renderTrace, traceView, type SpanView, type Trace } from '#local/trace.ts';
import { SIMULATOR_DEFAULTS } from '#simulator/index.ts';

describe('local stack', () => {
  let stack: LocalStack;
  const seen: LocalStackEvent[] = [];
  beforeAll(async () => {
    stack = await startLocalStack();
    stack.events.on('event', (event) => seen.push(event));
  });
  afterAll(() => stack.stop());

  it('refreshes the domains into SSM at start, as the deploy does', () => {
    expect(stack.aws.parameter(`/liveperson/${stack.accountId}/domains/connectToMessagingDomain`)).toBe(stack.urls.simulator);
  });

  it('plays the demo story: IVR → C2M → consumer reply → signed webhooks → processed in order → published → connector', async () => {
    const steps = await runDemo(stack.urls.control);
    // The details say what was seen when a step fails.
    expect(steps.filter((step) => !step.ok).map((step) => step.detail)).toEqual([]);
    expect(steps.map((step) => [step.title, step.ok])).toEqual([
      ['A call enters the IVR: C2M eligibility', true],
      ['The caller accepts: C2M invite sent', true],
      ['The consumer answers the invitation on their phone', true],
      ['Signed webhooks accepted, processed and published', true],
      ['The agent answers; the conversation is published in order', true],
      ['The consumer shares a photo; it is published as a typed hosted file', true],
      ['The agent offers quick replies and the consumer taps one', true],
      ['The agent ends the conversation; the survey asks in its own dialog', true],
      ['A notification of a type this version does not know is passed on, not lost', true],
      ['The brand app sends a consumer message through the Connector API; it comes back as an event', true],
      ["The app shares a photo with the agent; the agent's file comes back, typed, and downloads", true],
      ["The agent ends the app's conversation; its consumer answers the survey through the Connector API", true],
      ['The C2M funnel counts the invite and the conversation the consumer opened', true],
    ]);
    const webhooks = seen.filter((event) => event.kind === 'webhook');
    expect(webhooks.length).toBeGreaterThanOrEqual(6);
    expect(webhooks.every((event) => event.status === 200)).toBe(true);
    expect(seen.some((event) => event.kind === 'batch' && event.queue === 'events' && event.failed === 0)).toBe(true);
    // Every event the story published matches its checked-in JSON Schema.
    const published = seen.flatMap((event) => (event.kind === 'published' ? [event] : []));
    expect(new Set(published.map((event) => event.event.detailType)).size).toBeGreaterThanOrEqual(4);
    expect(
      published.filter((event) => event.schemaProblems?.length !== 0).map((event) => [event.event.detailType, event.schemaProblems]),
    ).toEqual([]);
  });

  it("traces each webhook from the receiver through the queue to the processor, each step's calls timed and nothing secret kept", () => {
    const traces = seen.flatMap((event) => (event.kind === 'trace' ? [traceView(event.trace)] : []));
    const webhooks = traces.filter((trace) => trace.root.name === 'POST /webhooks/connector');
    expect(webhooks.length).toBeGreaterThanOrEqual(6);
    const processed = webhooks.filter((trace) => trace.root.children.some((step) => step.name === 'event-processor'));
    expect(processed.length).toBeGreaterThanOrEqual(6);
    const [one] = processed;
    const step = (name: string) => one?.root.children.find((child) => child.name === name);
    expect(one?.root.status).toBe(200);
    expect(step('webhook-receiver')?.children.map((call) => [call.name, call.status])).toContainEqual(['SQS SendMessage', 200]);
    const processorCalls = step('event-processor')?.children.map((call) => call.name) ?? [];
    expect(processorCalls).toEqual(expect.arrayContaining(['DynamoDB PutItem', 'EventBridge PutEvents']));
    // Every step ended, and began after its trace did.
    const all = (span: SpanView): SpanView[] => [span, ...span.children.flatMap(all)];
    for (const trace of processed) {
      for (const span of all(trace.root)) {
        expect(span.durationMs, span.name).toBeGreaterThanOrEqual(0);
        expect(span.startMs, span.name).toBeGreaterThanOrEqual(0);
      }
    }
    const c2m = traces.find((trace) => trace.root.name === 'Amazon Connect eligibility');
    expect(c2m?.root.children[0]?.name).toBe('c2m-invite');
    expect(c2m?.root.children[0]?.children.map((call) => [call.name, call.status])).toContainEqual(['LivePerson C2M eligibility', 200]);
    expect(traces.some((trace) => trace.root.name === 'connector command')).toBe(true);
    const rendered = renderTrace(stack.traces.get(one?.id ?? '') as Trace);
    expect(rendered[0]).toBe(`trace ${one?.id}  ${one?.startedAt}`);
    expect(rendered.slice(1).join('\n')).toMatch(/^POST \/webhooks\/connector +200 +\+0\.0 ms +\d+\.\d ms\n├─ webhook-receiver /);
    // Names, statuses and timings only: no token, signature, phone number or content.
    const everything = JSON.stringify(traces);
    for (const secret of [SIMULATOR_DEFAULTS.webhookToken, SIMULATOR_DEFAULTS.clientSecret, '+1206', 'Bearer', 'x-liveperson-signature']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('answers a bad control request with a clear error', async () => {
    const response = await fetch(`${stack.urls.control}/connect/c2m`, { method: 'POST', body: '{"parameters": {}}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining('phoneNumber') });
    expect((await fetch(`${stack.urls.control}/nope`)).status).toBe(404);
  });

  it('runs the C2M handler within Connect-like limits and masks nothing into its output', async () => {
    const output = await stack.invokeC2m('+12065550199', { action: 'eligibility' });
    expect(output).toMatchObject({ result: 'ELIGIBLE' });
    const invalid = await stack.invokeC2m('12345', { action: 'eligibility' });
    expect(invalid).toMatchObject({ result: 'ERROR' });
  });

  describe('c2m-funnel', () => {
    const post = async (path: string) => {
      const response = await fetch(`${stack.urls.control}${path}`, { method: 'POST' });
      return { status: response.status, body: (await response.json()) as FunnelRunSummary & { error?: string } };
    };
    /** An invited caller who answers: one invite attempted, sent and delivered, and one conversation. */
    const inviteAndAnswer = async (phoneNumber: string) => {
      const eligibility = await stack.invokeC2m(phoneNumber, { action: 'eligibility' });
      const callId = eligibility.callId ?? '';
      expect(await stack.invokeC2m(phoneNumber, { action: 'invite', callId })).toMatchObject({ result: 'INVITED' });
      const invite = stack.simulator?.c2m.invites().find((candidate) => candidate.callId === callId);
      expect(invite).toBeDefined();
      stack.simulator?.c2m.consumerReplies(callId, 'Yes please');
      // The reply's conversation starts at this millisecond; a run counts times before its own start.
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { channel: (invite?.channel ?? '').toLowerCase() };
    };
    const watermark = async () => {
      const client = new DynamoDBClient({
        endpoint: stack.urls.dynamodb,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      try {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: stack.tables.funnel,
            Key: { [FUNNEL_TABLE.partitionKey]: { S: funnelWatermarkKey(stack.accountId) } },
            ConsistentRead: true,
          }),
        );
        return Item?.countedUntil?.N === undefined ? undefined : Number(Item.countedUntil.N);
      } finally {
        client.destroy();
      }
    };

    it('counts an invite and its conversation once, and nothing again on the next run', async () => {
      // Whatever earlier tests left uncounted is counted first, so the run after the invite sees only it.
      await stack.invokeFunnel();
      const { channel } = await inviteAndAnswer('+12065550142');
      const events = seen.length;

      const counted = await stack.invokeFunnel();
      const expected = { ...emptyCounts(), attempted: 1, sent: 1, delivered: 1, conversationCreated: 1 };
      expect(counted).toMatchObject({ status: 'counted', totals: expected, byChannel: { [channel]: expected } });
      expect(counted.invitesRead).toBeGreaterThanOrEqual(1);
      expect(await watermark()).toBe(Date.parse(counted.to ?? ''));
      expect(seen.slice(events).filter((event) => event.kind === 'funnel')).toEqual([{ kind: 'funnel', summary: counted }]);

      const again = await stack.invokeFunnel();
      expect(['counted', 'nothing-due']).toContain(again.status);
      if (again.status === 'counted') {
        expect(again.from).toBe(counted.to);
        expect(again.totals).toEqual(emptyCounts());
      }
      expect(stack.funnelRuns().slice(-2)).toEqual([counted, again]);
    });

    it('overlapping calls wait for each other: each step is counted by exactly one of them', async () => {
      await stack.invokeFunnel();
      await inviteAndAnswer('+12065550143');
      const runs = await Promise.all([stack.invokeFunnel(), stack.invokeFunnel(), stack.invokeFunnel()]);
      expect(runs.map((run) => run.status).filter((status) => status === 'claimed-elsewhere')).toEqual([]);
      const attempted = runs.reduce((sum, run) => sum + (run.totals?.attempted ?? 0), 0);
      const conversations = runs.reduce((sum, run) => sum + (run.totals?.conversationCreated ?? 0), 0);
      expect({ attempted, conversations }).toEqual({ attempted: 1, conversations: 1 });
    });

    it('POST /c2m/funnel runs it and answers the summary; GET lists the runs', async () => {
      await stack.invokeFunnel();
      const { channel } = await inviteAndAnswer('+12065550144');
      const { status, body } = await post('/c2m/funnel');
      expect(status).toBe(200);
      const expected = { ...emptyCounts(), attempted: 1, sent: 1, delivered: 1, conversationCreated: 1 };
      expect(body).toMatchObject({ status: 'counted', totals: expected, byChannel: { [channel]: expected } });
      const runs = (await (await fetch(`${stack.urls.control}/c2m/funnel`)).json()) as FunnelRunSummary[];
      expect(runs.at(-1)).toEqual(body);
    });

    it('a failed run answers the error and moves nothing: the next run counts what it missed', async () => {
      await stack.invokeFunnel();
      await inviteAndAnswer('+12065550145');
      const before = await watermark();
      stack.simulator?.fail({ service: 'outboundReporting', status: 403 });
      const failed = await post('/c2m/funnel');
      expect(failed.status).toBe(500);
      expect(failed.body.error).toMatch(/403/);
      expect(await watermark()).toBe(before);
      expect(await stack.invokeFunnel()).toMatchObject({ status: 'counted', totals: { attempted: 1, conversationCreated: 1 } });
    });
  });
});

/**
 * The integration test of the whole product: the local stack in this process (simulator, SQS,
 * DynamoDB, AWS stand-ins, the five real handlers) and the demo story against it, step by step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '#local/demo.ts';
import { startLocalStack, type LocalStack, type LocalStackEvent } from '#local/stack.ts';

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
    ]);
    const webhooks = seen.filter((event) => event.kind === 'webhook');
    expect(webhooks.length).toBeGreaterThanOrEqual(6);
    expect(webhooks.every((event) => event.status === 200)).toBe(true);
    expect(seen.some((event) => event.kind === 'batch' && event.queue === 'events' && event.failed === 0)).toBe(true);
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
});

// The records of a batch handled side by side publish at about the same time: the processor's
// publisher sends what one event-loop turn published in shared PutEvents calls, and each publish
// still succeeds or fails on its own entries alone.
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher, PublishError } from '#functions/lib/aws/event-bus.ts';
import { EntryTooLargeError } from '#functions/lib/processing/ports.ts';

const entry = (detailType: string, size = 10) => ({ source: 'liveperson', detailType, detail: { pad: 'x'.repeat(size) } });
const settle = (promise: Promise<void>) =>
  promise.then(
    () => 'published',
    (error: unknown) => error,
  );

describe('EventBridgePublisher, publishes of one turn together', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());
  const calls = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.map((e) => e.DetailType));
  const accepted = (input: PutEventsCommandInput) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map(() => ({ EventId: 'ok' })),
  });

  it('sends the publishes of one turn in one call, in publish order', async () => {
    eventBridge.on(PutEventsCommand).callsFake(accepted);
    const publisher = new EventBridgePublisher({ busName: 'lp-bus' });
    await Promise.all([publisher.publish([entry('a1'), entry('a2')]), publisher.publish([entry('b1')]), publisher.publish([entry('c1')])]);
    expect(calls()).toEqual([['a1', 'a2', 'b1', 'c1']]);
    // A later turn's publish gets a call of its own.
    await publisher.publish([entry('d1')]);
    expect(calls()).toEqual([['a1', 'a2', 'b1', 'c1'], ['d1']]);
  });

  it('keeps to 10 entries per call across publishes', async () => {
    eventBridge.on(PutEventsCommand).callsFake(accepted);
    const publisher = new EventBridgePublisher({ busName: 'lp-bus' });
    await Promise.all(Array.from({ length: 12 }, (_, i) => publisher.publish([entry(`e${i}`)])));
    expect(calls().map((c) => c?.length)).toEqual([10, 2]);
  });

  it('fails only the publish whose entry stays refused; the others in the same call succeed', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const entries = (input.Entries ?? []).map((e) =>
        e.DetailType === 'bad' ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try later' } : { EventId: 'ok' },
      );
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
    const publisher = new EventBridgePublisher({ busName: 'lp-bus', retryDelaysMs: [1] });
    const [good, bad, other] = await Promise.all([
      settle(publisher.publish([entry('good')])),
      settle(publisher.publish([entry('fine'), entry('bad')])),
      settle(publisher.publish([entry('other')])),
    ]);
    expect(good).toBe('published');
    expect(other).toBe('published');
    expect(bad).toBeInstanceOf(PublishError);
    expect(String(bad)).toContain('EventBridge refused 1 entry (first: InternalFailure: try later)');
    // Only the refused entry was tried again.
    expect(calls()).toEqual([['good', 'fine', 'bad', 'other'], ['bad']]);
  });

  it('fails every publish with an entry in a call that fails, and no other', async () => {
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (++call === 1) throw new Error('connection reset');
      return accepted(input);
    });
    const publisher = new EventBridgePublisher({ busName: 'lp-bus' });
    const first = Array.from({ length: 10 }, (_, i) => settle(publisher.publish([entry(`x${i}`)])));
    const split = settle(publisher.publish([entry('y0'), entry('y1')]));
    const results = await Promise.all([...first, split]);
    // x0…x9 filled the failed call; y0 and y1 went in the next one.
    expect(results.slice(0, 10).map(String)).toEqual(Array<string>(10).fill('Error: connection reset'));
    expect(results[10]).toBe('published');
  });

  it('sends no more of a publish once one of its calls failed, as one publish alone does', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('EventBridge down'));
    const publisher = new EventBridgePublisher({ busName: 'lp-bus' });
    const error = await settle(publisher.publish(Array.from({ length: 15 }, (_, i) => entry(`e${i}`))));
    expect(String(error)).toBe('Error: EventBridge down');
    expect(calls()).toHaveLength(1);
  });

  it('refuses an entry too large before queueing it, and sends the other publishes of the turn', async () => {
    eventBridge.on(PutEventsCommand).callsFake(accepted);
    const publisher = new EventBridgePublisher({ busName: 'lp-bus' });
    const [large, fine] = await Promise.all([
      settle(publisher.publish([entry('small'), entry('ContentEvent', 256 * 1024)])),
      settle(publisher.publish([entry('fine')])),
    ]);
    expect(large).toBeInstanceOf(EntryTooLargeError);
    expect(fine).toBe('published');
    expect(calls()).toEqual([['fine']]);
  });
});

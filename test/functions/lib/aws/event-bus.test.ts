import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { batches, EventBridgePublisher, PublishError } from '#functions/lib/aws/event-bus.ts';
import { EntryTooLargeError } from '#functions/lib/processing/ports.ts';
import { SchemaViolation } from '#functions/lib/liveperson/events.ts';

const entry = (detailType: string, size = 10) => ({ source: 'liveperson', detailType, detail: { pad: 'x'.repeat(size) } });

describe('batches', () => {
  it('keeps at most 10 entries and 256 KiB per PutEvents call, in order', () => {
    const small: PutEventsRequestEntry[] = Array.from({ length: 23 }, (_, i) => ({ Source: 's', DetailType: `t${i}`, Detail: '{}' }));
    expect(batches(small).map((b) => b.length)).toEqual([10, 10, 3]);
    const big: PutEventsRequestEntry[] = Array.from({ length: 3 }, (_, i) => ({
      Source: 's',
      DetailType: `b${i}`,
      Detail: 'x'.repeat(100_000),
    }));
    expect(batches(big).map((b) => b.map((e) => e.DetailType))).toEqual([['b0', 'b1'], ['b2']]);
  });
});

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());

  it('sends the entries to the bus', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    await new EventBridgePublisher({ busName: 'lp-bus' }).publish([entry('ContentEvent'), entry('ChatStateEvent')]);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        { EventBusName: 'lp-bus', Source: 'liveperson', DetailType: 'ContentEvent', Detail: JSON.stringify({ pad: 'x'.repeat(10) }) },
        { EventBusName: 'lp-bus', Source: 'liveperson', DetailType: 'ChatStateEvent', Detail: JSON.stringify({ pad: 'x'.repeat(10) }) },
      ],
    });
  });

  it('retries only the entries a call reports as failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: '3' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '2' }] });
    await new EventBridgePublisher({ busName: 'lp-bus', retryDelaysMs: [1] }).publish([entry('a'), entry('b'), entry('c')]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.map((e) => e.DetailType))).toEqual([['a', 'b', 'c'], ['b']]);
  });

  it('refuses an entry EventBridge can never accept as a schema problem, before sending anything', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const error = await new EventBridgePublisher({ busName: 'lp-bus' })
      .publish([entry('small'), entry('ContentEvent', 256 * 1024)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EntryTooLargeError);
    expect(error).toBeInstanceOf(SchemaViolation);
    expect(String(error)).toMatch(/the EventBridge entry of a ContentEvent is \d+ bytes; EventBridge accepts at most 262144/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('gives up with the error of the refused entries after its retries', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }] });
    const error = await new EventBridgePublisher({ busName: 'lp-bus', retryDelaysMs: [1, 1] })
      .publish([entry('a')])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect(String(error)).toContain('EventBridge refused 1 entry (first: InternalFailure: try later)');
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });
});

// c2m-invite's metrics and closing lines as Powertools writes them (metrics on, the production
// console): the totals and the C2mResults breakdown with exactly each call's dimensions, and the
// call's closing lines written while stdout is held, released once the metrics are flushed.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { C2mCallReport } from '#functions/lib/ivr/contact-flow.ts';
import type * as C2mTelemetryModule from '#functions/lib/lambda/c2m-telemetry.ts';
import type * as TelemetryModule from '#functions/lib/lambda/telemetry.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';

type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };

const invited: C2mCallReport = {
  action: 'deflect',
  phoneNumber: '+12061234567',
  outcome: { result: 'INVITED', callId: 'c', recommendedChannel: 'sms' },
  durationMs: 3,
};
const notEligible: C2mCallReport = {
  action: 'eligibility',
  phoneNumber: '+12061234567',
  outcome: { result: 'NOT_ELIGIBLE', errorCode: '1400', errorMessage: 'Message cannot be sent' },
  durationMs: 4,
};
const failed: C2mCallReport = {
  action: 'invite',
  phoneNumber: undefined,
  outcome: { result: 'ERROR', errorCode: 'TIMEOUT', errorMessage: 'no answer' },
  durationMs: 5,
};

describe('c2m-invite telemetry', () => {
  let telemetryModule: typeof TelemetryModule;
  let c2mTelemetryModule: typeof C2mTelemetryModule;
  let written: string[];

  beforeEach(async () => {
    // Powertools reads these when it is constructed: metrics on, and its own console on process.stdout.
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'LivePerson');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.resetModules();
    telemetryModule = await import('#functions/lib/lambda/telemetry.ts');
    c2mTelemetryModule = await import('#functions/lib/lambda/c2m-telemetry.ts');
    written = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  /** A handler answering each report in turn, as ContactFlow does at the end of a call. */
  function handlerAnswering(...reports: C2mCallReport[]) {
    const telemetry = telemetryModule.createTelemetry('c2m-invite');
    const observer = c2mTelemetryModule.c2mTelemetry(telemetry);
    const queue = [...reports];
    return telemetryModule.lambdaHandler(
      telemetry,
      async () => {
        const report = queue.shift();
        if (report) observer.answered(report);
        return {};
      },
      { resetKeys: true },
    );
  }

  const documents = () =>
    written
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Emf);
  const metricDocuments = () => documents().filter((document) => '_aws' in document);

  it('counts every call and breaks it down by action, result and error code, no dimension carried to the next call', async () => {
    const handler = handlerAnswering(notEligible, invited, failed);
    for (let i = 0; i < 3; i++) await handler({}, lambdaContext('c2m-invite'));

    const breakdowns = metricDocuments().filter((document) => 'C2mResults' in document);
    expect(breakdowns.map((document) => document._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual([
      [['service', 'Action', 'Result', 'ErrorCode']],
      [['service', 'Action', 'Result']],
      [['service', 'Action', 'Result', 'ErrorCode']],
    ]);
    expect(breakdowns).toEqual([
      expect.objectContaining({ service: 'c2m-invite', Action: 'eligibility', Result: 'NOT_ELIGIBLE', ErrorCode: '1400', C2mResults: 1 }),
      expect.not.objectContaining({ ErrorCode: expect.anything() }),
      expect.objectContaining({ Action: 'invite', Result: 'ERROR', ErrorCode: 'TIMEOUT', C2mResults: 1 }),
    ]);
    expect(breakdowns[1]).toMatchObject({ service: 'c2m-invite', Action: 'deflect', Result: 'INVITED', C2mResults: 1 });

    // The totals the alarms read, with the service dimension only, one flush per call.
    const totals = metricDocuments().filter((document) => 'C2mRequests' in document);
    expect(totals.map((document) => document._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual([[['service']], [['service']], [['service']]]);
    expect(totals.map((document) => [document.C2mRequests, document.C2mErrors])).toEqual([
      [1, undefined],
      [1, undefined],
      [1, 1],
    ]);
    for (const document of metricDocuments()) expect(document._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'LivePerson' });
  });

  it("writes a call's closing lines while stdout is held, and lets them go once the metrics are flushed", async () => {
    const events: string[] = [];
    vi.mocked(process.stdout.write).mockImplementation((chunk: string | Uint8Array) => {
      const text = String(chunk);
      const kind = ['message', 'C2mResults', 'C2mRequests'].find((key) => text.includes(`"${key}"`)) ?? 'other';
      events.push(`${kind}${process.stdout.writableCorked > 0 ? ' (held)' : ''}`);
      return true;
    });

    await handlerAnswering(invited)({}, lambdaContext('c2m-invite'));
    expect(events).toEqual(['message (held)', 'C2mResults (held)', 'C2mRequests (held)']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(process.stdout.writableCorked).toBe(0);
  });
});

describe('writeTogether', () => {
  it('holds what is written until the end of the tick, then writes it at once, in order; later writes go straight out', async () => {
    const { writeTogether } = await import('#functions/lib/lambda/telemetry.ts');
    const calls: string[][] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        calls.push([chunk.toString()]);
        done();
      },
      writev(chunks, done) {
        calls.push(chunks.map(({ chunk }) => String(chunk)));
        done();
      },
    });

    writeTogether([stream]);
    writeTogether([stream]); // a second call in the same tick changes nothing
    stream.write('a\n');
    await Promise.resolve();
    stream.write('b\n');
    await null;
    stream.write('c\n');
    expect(calls).toEqual([]);

    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['a\n', 'b\n', 'c\n']]);
    stream.write('d\n');
    expect(calls).toEqual([['a\n', 'b\n', 'c\n'], ['d\n']]);
  });
});

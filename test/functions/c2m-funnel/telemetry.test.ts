// c2m-funnel's metrics as Powertools writes them (metrics on): one EMF record per minute with that
// minute as its timestamp and the service dimension only, and one per minute and channel.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyCounts } from '#functions/lib/ivr/funnel.ts';
import type * as FunnelTelemetryModule from '#functions/lib/lambda/funnel-telemetry.ts';
import type * as TelemetryModule from '#functions/lib/lambda/telemetry.ts';

type Emf = Record<string, unknown> & {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
};

const MINUTE = Date.parse('2026-12-02T10:07:00.000Z');

describe('publishFunnelCounts', () => {
  let telemetryModule: typeof TelemetryModule;
  let funnelTelemetry: typeof FunnelTelemetryModule;
  let written: string[];

  beforeEach(async () => {
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'LivePerson');
    vi.resetModules();
    telemetryModule = await import('#functions/lib/lambda/telemetry.ts');
    funnelTelemetry = await import('#functions/lib/lambda/funnel-telemetry.ts');
    written = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  const records = () =>
    written
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Emf)
      .filter((document) => '_aws' in document);

  it('stamps each record with the minute the steps happened, totals with the service only and each channel apart', () => {
    const telemetry = telemetryModule.createTelemetry('c2m-funnel');
    funnelTelemetry.publishFunnelCounts(telemetry, [
      { minute: MINUTE, channel: 'sms', counts: { ...emptyCounts(), attempted: 2, sent: 2, delivered: 1 } },
      { minute: MINUTE, channel: 'wa', counts: { ...emptyCounts(), attempted: 1, sent: 1 } },
      { minute: MINUTE + 60_000, channel: 'sms', counts: { ...emptyCounts(), conversationCreated: 1 } },
    ]);
    const published = records().map((document) => ({
      timestamp: document._aws.Timestamp,
      dimensions: document._aws.CloudWatchMetrics[0]?.Dimensions,
      namespace: document._aws.CloudWatchMetrics[0]?.Namespace,
      channel: document.Channel,
      values: Object.fromEntries(document._aws.CloudWatchMetrics[0]?.Metrics.map(({ Name }) => [Name, document[Name]]) ?? []),
    }));
    expect(published).toEqual([
      {
        timestamp: MINUTE,
        dimensions: [['service', 'Channel']],
        namespace: 'LivePerson',
        channel: 'sms',
        values: { C2mInvitesAttempted: 2, C2mInvitesSent: 2, C2mInvitesDelivered: 1 },
      },
      {
        timestamp: MINUTE,
        dimensions: [['service', 'Channel']],
        namespace: 'LivePerson',
        channel: 'wa',
        values: { C2mInvitesAttempted: 1, C2mInvitesSent: 1 },
      },
      {
        timestamp: MINUTE + 60_000,
        dimensions: [['service', 'Channel']],
        namespace: 'LivePerson',
        channel: 'sms',
        values: { C2mConversationsCreated: 1 },
      },
      {
        timestamp: MINUTE,
        dimensions: [['service']],
        namespace: 'LivePerson',
        channel: undefined,
        values: { C2mInvitesAttempted: 3, C2mInvitesSent: 3, C2mInvitesDelivered: 1 },
      },
      {
        timestamp: MINUTE + 60_000,
        dimensions: [['service']],
        namespace: 'LivePerson',
        channel: undefined,
        values: { C2mConversationsCreated: 1 },
      },
    ]);
  });

  it('publishes nothing for no steps, and leaves the run metrics to the handler flush (stamped now)', () => {
    const telemetry = telemetryModule.createTelemetry('c2m-funnel');
    funnelTelemetry.publishFunnelCounts(telemetry, []);
    expect(records()).toEqual([]);
    telemetry.count('runSucceeded');
    telemetry.metrics.publishStoredMetrics();
    const [run] = records();
    expect(run?.C2mFunnelRunSucceeded).toBe(1);
    expect(Math.abs((run?._aws.Timestamp ?? 0) - Date.now())).toBeLessThan(60_000);
  });
});

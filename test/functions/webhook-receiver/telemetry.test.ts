// The receiver's log lines: every field from the body masked, however often the same value comes back
// and however many different ones there are (the masked forms are remembered, a bounded number of them).
import { describe, expect, it, vi } from 'vitest';
import type { Telemetry } from '#functions/lib/lambda/telemetry.ts';
import { webhookTelemetry } from '#functions/lib/lambda/webhook-telemetry.ts';
import type { QueuedEvent } from '#functions/lib/webhooks/ports.ts';

function fakeTelemetry() {
  const info = vi.fn<(message: string, fields: Record<string, unknown>) => void>();
  const telemetry = {
    service: 'webhook-receiver',
    logger: { info, warn: vi.fn(), error: vi.fn() },
    metrics: {},
    count: vi.fn(),
    countWith: vi.fn(),
    writeTogether: vi.fn(),
  } as unknown as Telemetry<'webhook-receiver'>;
  return { telemetry, info };
}

const queued = (groupId: string, eventType: string): QueuedEvent => ({
  body: '{}',
  groupId,
  deduplicationId: 'd'.repeat(64),
  attributes: { route: 'connector', eventType, receivedAt: '2026-11-23T10:00:00.000Z', accountId: '12345678' },
});

describe('webhook-receiver log lines', () => {
  it('mask a phone number in the group id and the event type every time, also once many other values came by', () => {
    const { telemetry, info } = fakeTelemetry();
    const observer = webhookTelemetry(telemetry);
    const withPhone = queued('tel:+14155550100', 'ms.MessagingEventNotification.+14155550199');
    observer.accepted('connector', withPhone);
    observer.accepted('connector', withPhone);
    for (let i = 0; i < 3_000; i++) observer.accepted('connector', queued(`conv-${i}`, `type-${i}`));
    observer.accepted('connector', withPhone);

    const lines = info.mock.calls.map(([, fields]) => fields);
    for (const index of [0, 1, lines.length - 1]) {
      expect(lines[index]).toMatchObject({ groupId: 'tel:***0100', eventType: 'ms.MessagingEventNotification.***0199' });
    }
    expect(lines[2]).toMatchObject({ route: 'connector', groupId: 'conv-0', eventType: 'type-0', deduplicationId: 'd'.repeat(64) });
    expect(JSON.stringify(lines)).not.toMatch(/4155550/);
    expect(telemetry.count).toHaveBeenCalledTimes(3_003);
    expect(telemetry.writeTogether).toHaveBeenCalledTimes(3_003);
  });
});

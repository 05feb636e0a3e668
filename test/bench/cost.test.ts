// The cost model's arithmetic, on inputs worked out by hand.
import { describe, expect, it } from 'vitest';
import { costPerMillion, formatCost } from './cost.ts';

const inputs = {
  receiver: { memoryMb: 512, durationMs: 4.2, logBytesPerInvocation: 500 },
  processor: {
    memoryMb: 512,
    batchMs: 30.5,
    eventsPerBatch: 10,
    dynamoDbWritesPerEvent: 2.1,
    dynamoDbReadsPerEvent: 0,
    eventBridgeEntriesPerEvent: 1,
  },
  c2m: { memoryMb: 512, durationMs: 250.3, logBytesPerInvocation: 400 },
};

describe('cost per million', () => {
  it('prices each part of a webhook’s way, durations rounded up to the millisecond as Lambda bills them', () => {
    const report = costPerMillion(inputs);
    const usd = Object.fromEntries(report.webhooks.lines.map((l) => [l.item.split(' (')[0], l.usd]));
    expect(usd['API Gateway REST requests']).toBeCloseTo(3.5, 6);
    expect(usd['webhook-receiver duration']).toBeCloseTo(2500 * 0.0000133334, 9); // 0.5 GB × 5 ms × 1e6
    expect(usd['SQS FIFO requests']).toBeCloseTo(0.6, 9); // 1.2 requests per event
    expect(usd['event-processor requests']).toBeCloseTo(0.02, 9);
    expect(usd['event-processor duration']).toBeCloseTo(1550 * 0.0000133334, 9); // 0.5 GB × 31 ms × 100,000 batches
    expect(usd['DynamoDB writes']).toBeCloseTo(1.3125, 9);
    expect(usd['EventBridge events']).toBeCloseTo(1, 9);
    expect(usd['CloudWatch Logs, receiver']).toBeCloseTo(0.25, 9);
    expect(report.webhooks.totalUsd).toBeCloseTo(6.9365003, 6);
  });

  it('prices a deflect as the C2M function’s requests, duration and logs', () => {
    expect(costPerMillion(inputs).deflects.totalUsd).toBeCloseTo(0.2 + 125_500 * 0.0000133334 + 0.2, 6);
  });

  it('prints both totals', () => {
    const text = formatCost(costPerMillion(inputs));
    expect(text).toMatch(/one million webhooks[\s\S]*total\s+\$\s*6\.94/);
    expect(text).toMatch(/one million C2M deflects[\s\S]*total\s+\$\s*2\.07/);
  });
});

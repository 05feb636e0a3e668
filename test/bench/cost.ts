/**
 * What one million webhooks, and one million C2M deflects, cost on AWS: the measured durations and
 * call counts of the benchmark priced with one table. Fixed monthly costs (the alarms, the
 * dashboard, custom metrics, the secret, idle SQS polling by Lambda) are left out: they do not grow
 * with traffic. LivePerson's and Amazon Connect's own charges are not AWS-infrastructure costs here.
 */

/**
 * On-demand list prices in US dollars, us-east-1, from the AWS pricing pages (Lambda, API Gateway,
 * SQS, DynamoDB, EventBridge, CloudWatch); edit them for another region or a later price list.
 */
export const PRICES = {
  region: 'us-east-1',
  /** Lambda on Arm (Graviton), per GB-second of duration (first pricing tier). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per request. */
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway REST API, per request (first 333 million a month). */
  apiGatewayRestRequest: 3.5 / 1e6,
  /** SQS FIFO, per request (each 64 KiB of payload counts as one). */
  sqsFifoRequest: 0.5 / 1e6,
  /** DynamoDB on-demand, per write request unit (1 KiB written; a failed conditional write still costs one). */
  dynamoDbWriteRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (4 KiB read strongly consistent). */
  dynamoDbReadRequestUnit: 0.125 / 1e6,
  /** EventBridge, per custom event published (each 64 KiB counts as one). */
  eventBridgeEvent: 1 / 1e6,
  /** CloudWatch Logs, per GB ingested (the functions' log lines and their EMF metrics). */
  cloudWatchLogsIngestedGb: 0.5,
} as const;

export interface CostInputs {
  readonly receiver: {
    readonly memoryMb: number;
    /** Median handler duration (Lambda bills each invocation rounded up to the millisecond). */
    readonly durationMs: number;
    readonly logBytesPerInvocation: number;
  };
  readonly processor: {
    readonly memoryMb: number;
    /** Duration of one batch invocation, and the events it holds. */
    readonly batchMs: number;
    readonly eventsPerBatch: number;
    readonly dynamoDbWritesPerEvent: number;
    readonly dynamoDbReadsPerEvent: number;
    readonly eventBridgeEntriesPerEvent: number;
  };
  readonly c2m: {
    readonly memoryMb: number;
    /** Median warm deflect duration, LivePerson's answer times included. */
    readonly durationMs: number;
    readonly logBytesPerInvocation: number;
  };
}

export interface CostLine {
  readonly item: string;
  /** Units per million webhooks (or deflects). */
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

export interface CostReport {
  readonly region: string;
  readonly webhooks: { readonly lines: readonly CostLine[]; readonly totalUsd: number };
  readonly deflects: { readonly lines: readonly CostLine[]; readonly totalUsd: number };
}

const MILLION = 1e6;
const gbSeconds = (memoryMb: number, billedMs: number) => (memoryMb / 1024) * (billedMs / 1000);

export function costPerMillion(inputs: CostInputs, prices = PRICES): CostReport {
  const { receiver, processor, c2m } = inputs;
  const receiverGbS = gbSeconds(receiver.memoryMb, Math.ceil(receiver.durationMs)) * MILLION;
  const batches = MILLION / processor.eventsPerBatch;
  const processorGbS = gbSeconds(processor.memoryMb, Math.ceil(processor.batchMs)) * batches;
  // SendMessage by the receiver; ReceiveMessage and DeleteMessageBatch by Lambda's poller, one each per batch.
  const sqsRequests = MILLION * (1 + 2 / processor.eventsPerBatch);
  const webhookLines: CostLine[] = [
    line('API Gateway REST requests', MILLION, 'requests', prices.apiGatewayRestRequest),
    line('webhook-receiver requests', MILLION, 'requests', prices.lambdaRequest),
    line(
      `webhook-receiver duration (${receiver.memoryMb} MB × ${Math.ceil(receiver.durationMs)} ms)`,
      receiverGbS,
      'GB-s',
      prices.lambdaArmGbSecond,
    ),
    line('SQS FIFO requests (send, receive, delete)', sqsRequests, 'requests', prices.sqsFifoRequest),
    line(`event-processor requests (batches of ${processor.eventsPerBatch})`, batches, 'requests', prices.lambdaRequest),
    line(
      `event-processor duration (${processor.memoryMb} MB × ${Math.ceil(processor.batchMs)} ms per batch)`,
      processorGbS,
      'GB-s',
      prices.lambdaArmGbSecond,
    ),
    line(
      `DynamoDB writes (${processor.dynamoDbWritesPerEvent.toFixed(2)} per event)`,
      MILLION * processor.dynamoDbWritesPerEvent,
      'WRU',
      prices.dynamoDbWriteRequestUnit,
    ),
    line(
      `DynamoDB reads (${processor.dynamoDbReadsPerEvent.toFixed(2)} per event)`,
      MILLION * processor.dynamoDbReadsPerEvent,
      'RRU',
      prices.dynamoDbReadRequestUnit,
    ),
    line(
      `EventBridge events (${processor.eventBridgeEntriesPerEvent.toFixed(2)} per event)`,
      MILLION * processor.eventBridgeEntriesPerEvent,
      'events',
      prices.eventBridgeEvent,
    ),
    line('CloudWatch Logs, receiver', (MILLION * receiver.logBytesPerInvocation) / 1e9, 'GB', prices.cloudWatchLogsIngestedGb),
  ];
  const deflectLines: CostLine[] = [
    line('c2m-invite requests', MILLION, 'requests', prices.lambdaRequest),
    line(
      `c2m-invite duration (${c2m.memoryMb} MB × ${Math.ceil(c2m.durationMs)} ms)`,
      gbSeconds(c2m.memoryMb, Math.ceil(c2m.durationMs)) * MILLION,
      'GB-s',
      prices.lambdaArmGbSecond,
    ),
    line('CloudWatch Logs, c2m-invite', (MILLION * c2m.logBytesPerInvocation) / 1e9, 'GB', prices.cloudWatchLogsIngestedGb),
  ];
  return {
    region: prices.region,
    webhooks: { lines: webhookLines, totalUsd: sum(webhookLines) },
    deflects: { lines: deflectLines, totalUsd: sum(deflectLines) },
  };
}

function line(item: string, quantity: number, unit: string, unitPrice: number): CostLine {
  return { item, quantity, unit, usd: quantity * unitPrice };
}

function sum(lines: readonly CostLine[]): number {
  return lines.reduce((total, l) => total + l.usd, 0);
}

export function formatCost(report: CostReport): string {
  const rows = (lines: readonly CostLine[]) =>
    lines.map(
      (l) => `   ${l.item.padEnd(62)} ${formatQuantity(l.quantity).padStart(12)} ${l.unit.padEnd(8)} $${l.usd.toFixed(2).padStart(7)}`,
    );
  return [
    `f) Cost per million, on-demand list prices (${report.region}), from the durations and call counts measured above`,
    '   one million webhooks, end to end:',
    ...rows(report.webhooks.lines),
    `   ${'total'.padEnd(62)} ${''.padStart(12)} ${''.padEnd(8)} $${report.webhooks.totalUsd.toFixed(2).padStart(7)}`,
    '   one million C2M deflects (the function only; LivePerson and Amazon Connect bill their own):',
    ...rows(report.deflects.lines),
    `   ${'total'.padEnd(62)} ${''.padStart(12)} ${''.padEnd(8)} $${report.deflects.totalUsd.toFixed(2).padStart(7)}`,
    '   not included: fixed monthly costs (alarms, dashboard, custom metrics, the secret, idle queue polling), the processor’s logs, data transfer',
  ].join('\n');
}

function formatQuantity(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 1 ? 2 : 4);
}

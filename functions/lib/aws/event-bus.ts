/**
 * Publishes events to EventBridge: entries batched into PutEvents calls within the API's limits
 * (10 entries, 256 KiB), and the entries a call reports as failed retried on their own.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { setTimeout as sleep } from 'node:timers/promises';
import { IntegrationError } from '../errors.ts';
import { EntryTooLargeError, type BusEntry, type EventPublisher } from '../processing/ports.ts';
import { eventBridgeClient } from './clients.ts';

const MAX_ENTRIES_PER_CALL = 10;
const MAX_BYTES_PER_CALL = 256 * 1024;

/** Some entries were still refused after the retries: the record is retried by SQS. */
export class PublishError extends IntegrationError {
  readonly retryable = true;
  constructor(failed: ReadonlyArray<{ detailType: string; errorCode: string | undefined; errorMessage: string | undefined }>) {
    const first = failed[0];
    super(
      `EventBridge refused ${failed.length} entr${failed.length === 1 ? 'y' : 'ies'} (first: ${first?.errorCode ?? 'unknown'}: ${first?.errorMessage ?? ''})`,
    );
    this.name = 'PublishError';
  }
}

export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;
  readonly #retryDelaysMs: readonly number[];

  constructor(options: { busName: string; client?: EventBridgeClient; retryDelaysMs?: readonly number[] }) {
    this.#busName = options.busName;
    this.#client = options.client ?? eventBridgeClient();
    this.#retryDelaysMs = options.retryDelaysMs ?? [100, 400];
  }

  /** Throws EntryTooLargeError before sending anything when one entry can never be accepted. */
  async publish(entries: readonly BusEntry[]): Promise<void> {
    const requestEntries = entries.map((entry) => this.#toRequestEntry(entry));
    for (const entry of requestEntries) {
      const size = entrySize(entry);
      if (size > MAX_BYTES_PER_CALL) throw new EntryTooLargeError(entry.DetailType ?? '', size, MAX_BYTES_PER_CALL);
    }
    for (const batch of batches(requestEntries)) await this.#putWithRetries(batch);
  }

  #toRequestEntry(entry: BusEntry): PutEventsRequestEntry {
    return { EventBusName: this.#busName, Source: entry.source, DetailType: entry.detailType, Detail: JSON.stringify(entry.detail) };
  }

  async #putWithRetries(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      const response = await this.#client.send(new PutEventsCommand({ Entries: pending }));
      if (!response.FailedEntryCount) return;
      // Results come back in request order; an entry with an ErrorCode was not accepted.
      const failed = pending
        .map((entry, index) => ({ entry, result: response.Entries?.[index] }))
        .filter(({ result }) => result === undefined || result.ErrorCode !== undefined);
      const delay = this.#retryDelaysMs[attempt];
      if (delay === undefined) {
        throw new PublishError(
          failed.map(({ entry, result }) => ({
            detailType: entry.DetailType ?? '',
            errorCode: result?.ErrorCode,
            errorMessage: result?.ErrorMessage,
          })),
        );
      }
      pending = failed.map(({ entry }) => entry);
      await sleep(delay);
    }
  }
}

/** Splits entries into PutEvents calls of at most 10 entries and 256 KiB. */
export function batches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const result: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (current.length > 0 && (current.length === MAX_ENTRIES_PER_CALL || currentBytes + size > MAX_BYTES_PER_CALL)) {
      result.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

// EventBridge's own size rule: Source, DetailType, Detail and resources in UTF-8 bytes (+14 for a Time).
function entrySize(entry: PutEventsRequestEntry): number {
  return Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Detail ?? '') + 14;
}

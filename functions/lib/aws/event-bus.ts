/**
 * Publishes events to EventBridge: entries batched into PutEvents calls within the API's limits
 * (10 entries, 256 KiB), and the entries a call reports as failed retried on their own. The
 * publishes of one event-loop turn share their calls: the conversations of a batch handled side by
 * side publish at about the same time, and a call each would cost a round trip and its CPU for
 * every record. Each publish still succeeds or fails on its own entries alone.
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

/** An entry that was still refused after the retries. */
interface Refusal {
  readonly entry: PutEventsRequestEntry;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
}

/** One publish waiting for the next flush. */
interface Pending {
  readonly entries: readonly PutEventsRequestEntry[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;
  readonly #retryDelaysMs: readonly number[];
  #pending: Pending[] = [];

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
    if (requestEntries.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ entries: requestEntries, resolve, reject });
      // After the publishes of this turn: the other conversations' records reach theirs in the same one.
      if (this.#pending.length === 1) setImmediate(() => void this.#flush());
    });
  }

  #toRequestEntry(entry: BusEntry): PutEventsRequestEntry {
    return { EventBusName: this.#busName, Source: entry.source, DetailType: entry.detailType, Detail: JSON.stringify(entry.detail) };
  }

  /**
   * Sends every pending publish's entries, in publish order, in as few calls as the limits allow.
   * A publish fails with the error of a call that carried one of its entries (whether EventBridge
   * took any of them is unknown), or with PublishError for its entries refused after the retries;
   * once it has failed, its later entries are not sent, as one publish alone stops at its first failure.
   */
  async #flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    const owners = new Map<PutEventsRequestEntry, Pending>();
    for (const publish of pending) for (const entry of publish.entries) owners.set(entry, publish);
    const failures = new Map<Pending, unknown>();
    const refusals = new Map<Pending, Refusal[]>();
    const failed = (entry: PutEventsRequestEntry) => {
      const owner = owners.get(entry);
      return owner === undefined || failures.has(owner) || refusals.has(owner);
    };
    try {
      for (const batch of batches(pending.flatMap((publish) => publish.entries))) {
        const sending = batch.filter((entry) => !failed(entry));
        if (sending.length === 0) continue;
        try {
          for (const refusal of await this.#putWithRetries(sending)) {
            const owner = owners.get(refusal.entry);
            if (owner !== undefined) refusals.set(owner, [...(refusals.get(owner) ?? []), refusal]);
          }
        } catch (error) {
          for (const entry of sending) {
            const owner = owners.get(entry);
            if (owner !== undefined && !failures.has(owner)) failures.set(owner, error);
          }
        }
      }
    } finally {
      for (const publish of pending) {
        const refused = refusals.get(publish);
        if (failures.has(publish)) publish.reject(failures.get(publish));
        else if (refused !== undefined) publish.reject(new PublishError(refused.map(refusalOf)));
        else publish.resolve();
      }
    }
  }

  /** The entries still refused after the retries (none: all accepted); throws when a call itself fails. */
  async #putWithRetries(batch: PutEventsRequestEntry[]): Promise<Refusal[]> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      const response = await this.#client.send(new PutEventsCommand({ Entries: pending }));
      if (!response.FailedEntryCount) return [];
      // Results come back in request order; an entry with an ErrorCode was not accepted.
      const refused = pending
        .map((entry, index) => ({ entry, result: response.Entries?.[index] }))
        .filter(({ result }) => result === undefined || result.ErrorCode !== undefined)
        .map(({ entry, result }) => ({ entry, errorCode: result?.ErrorCode, errorMessage: result?.ErrorMessage }));
      const delay = this.#retryDelaysMs[attempt];
      if (delay === undefined) return refused;
      pending = refused.map(({ entry }) => entry);
      await sleep(delay);
    }
  }
}

const refusalOf = ({ entry, errorCode, errorMessage }: Refusal) => ({ detailType: entry.DetailType ?? '', errorCode, errorMessage });

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

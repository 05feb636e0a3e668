// The sending side of Connector API webhooks (https://developers.liveperson.com/connector-api-webhooks-retry-policy.html): the store's conversation and message
// events become notifications, signed with the app's client secret and POSTed to subscribed urls,
// with LivePerson's redelivery policies. Signs with node:crypto on its own (nothing shared with the
// receiver under functions/), so it checks the receiver independently.
//
// Documented: the headers, `sha1=`/`sha256=` + Base64 HMAC of the raw body keyed with the client
// secret, success on 200/201 only, the 5 s timeout, the current policy (back-off 2 s, 4 s, 8 s ...
// capped at 5 min, retention up to 3 days, order kept within a conversation), the legacy policy
// (5 retries 30 s apart, no order), duplicates and drops.
// Simulator-defined: one url per subscription (LivePerson has one per event type: subscribe once per
// url), the order key (url + conversation of the body's first change), the timeout covering the whole
// exchange, an event being dropped as soon as its next try would fall after its retention time (it
// counts from when the event was produced, so waiting behind an earlier event uses it up too), an
// UPSERT when the simulated agent first publishes into a conversation (it joins), and backoffScale.
import { createHmac } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookEventType, WebhookNotification } from './notifications.ts';
import {
  WEBHOOK_EVENT_TYPES,
  changeFromConversation,
  changeFromMessage,
  conversationNotification,
  describeNotification,
  messagingNotification,
} from './notifications.ts';
import type { ConversationChange, ConversationSnapshot, MessagePublished, SimulatorEvents } from './types.ts';

export type SignatureAlgorithm = 'sha1' | 'sha256';

export const WEBHOOK_DEFAULTS = {
  timeoutMs: 5_000,
  /** Current policy: 2 s, 4 s, 8 s ... */
  initialBackoffMs: 2_000,
  maxBackoffMs: 5 * 60_000,
  retentionMs: 3 * 24 * 60 * 60_000,
  /** Legacy policy. */
  legacyIntervalMs: 30_000,
  legacyMaxRetries: 5,
} as const;

export interface RedeliveryOptions {
  /**
   * 'current' (default): retries with back-off 2 s, 4 s, 8 s ... capped at 5 min until the retention
   * time runs out, and keeps order within a conversation. 'legacy': up to maxRetries retries 30 s
   * apart, no order.
   */
  policy?: 'current' | 'legacy';
  /** Multiplies every wait between tries (0.001 turns 2 s into 2 ms); default 1. Retention and timeout are not scaled. */
  backoffScale?: number;
  /** Current policy: how long after it was produced an event may still be tried; default 3 days. */
  retentionMs?: number;
  /** Legacy policy: retries after the first try; default 5. */
  maxRetries?: number;
}

export interface WebhookDeliveryOptions {
  /** Default sha1. */
  algorithm?: SignatureAlgorithm;
  /** Limit for one try, connecting to reading the answer; default 5000 ms. */
  timeoutMs?: number;
  redelivery?: RedeliveryOptions;
  /** Sign with this secret instead of the simulator's client secret (e.g. to see a receiver refuse it). */
  clientSecret?: string;
}

export interface WebhookSubscribeOptions extends WebhookDeliveryOptions {
  url: string;
  /** Default: all five. */
  events?: WebhookEventType[];
  /** Sends every Nth notification of this subscription twice, byte for byte, as LivePerson's redelivery may. */
  duplicateEvery?: number;
}

export interface WebhookSendOptions extends WebhookDeliveryOptions {
  /** Order key; default: the conversation the body's first change names. */
  conversationId?: string;
}

export interface WebhookSubscription {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly algorithm: SignatureAlgorithm;
  /** Stops new notifications; those already produced are still delivered. */
  unsubscribe(): void;
}

export interface WebhookAttempt {
  /** Epoch ms when the try started. */
  at: number;
  durationMs: number;
  /** The answer's status, when one came. */
  status?: number;
  /** Connection error or timeout, when no answer came. */
  error?: string;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'dropped';
export type WebhookDropReason = 'retention-expired' | 'retries-exhausted' | 'simulator-closed';

export interface WebhookDelivery {
  id: string;
  url: string;
  conversationId?: string;
  eventType: WebhookEventType | 'unknown';
  subscriptionId?: string;
  /** Set on a duplicate (redeliver() or duplicateEvery): the delivery whose bytes it repeats. */
  duplicateOf?: string;
  attempts: WebhookAttempt[];
  state: WebhookDeliveryState;
  dropReason?: WebhookDropReason;
  /** The exact body sent (UTF-8). */
  body: string;
  createdAt: number;
  settledAt?: number;
}

export interface WebhookSender {
  subscribe(options: WebhookSubscribeOptions): WebhookSubscription;
  unsubscribe(subscription: WebhookSubscription | string): void;
  subscriptions(): WebhookSubscription[];
  /** Signs and posts one notification now (after earlier ones of its conversation); resolves once delivered or dropped. */
  send(url: string, body: WebhookNotification | string, options?: WebhookSendOptions): Promise<WebhookDelivery>;
  /** Sends an earlier delivery's exact bytes and headers again, as a new delivery. */
  redeliver(deliveryId: string): Promise<WebhookDelivery>;
  deliveries(filter?: { url?: string; subscriptionId?: string; conversationId?: string }): WebhookDelivery[];
  /** Resolves when no delivery is pending (being tried, waiting to retry or queued behind another). */
  idle(): Promise<void>;
}

export interface WebhookDispatcherConfig {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** The simulated agent's id, a participant once it publishes or closes. */
  agentId: string;
  events: EventEmitter<SimulatorEvents>;
  /** The store's current view of a conversation. */
  conversation(conversationId: string): ConversationSnapshot | undefined;
}

interface ResolvedOptions {
  algorithm: SignatureAlgorithm;
  timeoutMs: number;
  clientSecret: string;
  policy: 'current' | 'legacy';
  backoffScale: number;
  retentionMs: number;
  maxRetries: number;
}

interface Subscription extends WebhookSubscription {
  options: ResolvedOptions;
  duplicateEvery: number | undefined;
  produced: number;
}

interface Job {
  record: WebhookDelivery;
  bytes: Buffer;
  headers: Record<string, string>;
  options: ResolvedOptions;
  /** Jobs with the same key are delivered one after the other. */
  queueKey: string | undefined;
  resolve(delivery: WebhookDelivery): void;
  settled: Promise<WebhookDelivery>;
}

type Outcome = { status: number } | { error: string };

export class WebhookDispatcher implements WebhookSender {
  readonly #config: WebhookDispatcherConfig;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #jobs = new Map<string, Job>();
  readonly #queues = new Map<string, Job[]>();
  readonly #idleWaiters: Array<() => void> = [];
  readonly #shutdown = new AbortController();
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  #httpsAgent: https.Agent | undefined;
  #pending = 0;
  #subscriptionCount = 0;
  #deliveryCount = 0;
  #closing: Promise<void> | undefined;

  constructor(config: WebhookDispatcherConfig) {
    this.#config = config;
    config.events.on('conversation', this.#onConversation);
    config.events.on('message', this.#onMessage);
  }

  subscribe(options: WebhookSubscribeOptions): WebhookSubscription {
    this.#assertOpen();
    checkUrl(options.url);
    const events = options.events ?? [...WEBHOOK_EVENT_TYPES];
    for (const event of events) {
      if (!WEBHOOK_EVENT_TYPES.includes(event)) throw new Error(`Unknown webhook event type ${String(event)}`);
    }
    const { duplicateEvery } = options;
    if (duplicateEvery !== undefined && !(Number.isInteger(duplicateEvery) && duplicateEvery >= 1)) {
      throw new Error('duplicateEvery must be a positive integer');
    }
    const id = `subscription-${++this.#subscriptionCount}`;
    const resolved = this.#resolve(options);
    const subscription: Subscription = {
      id,
      url: options.url,
      events: Object.freeze([...new Set(events)]),
      algorithm: resolved.algorithm,
      unsubscribe: () => this.unsubscribe(id),
      options: resolved,
      duplicateEvery,
      produced: 0,
    };
    this.#subscriptions.set(id, subscription);
    return publicSubscription(subscription);
  }

  unsubscribe(subscription: WebhookSubscription | string): void {
    this.#subscriptions.delete(typeof subscription === 'string' ? subscription : subscription.id);
  }

  subscriptions(): WebhookSubscription[] {
    return [...this.#subscriptions.values()].map(publicSubscription);
  }

  send(url: string, body: WebhookNotification | string, options: WebhookSendOptions = {}): Promise<WebhookDelivery> {
    let resolved: ResolvedOptions;
    try {
      this.#assertOpen();
      checkUrl(url);
      resolved = this.#resolve(options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const described = describeNotification(parseOrUndefined(text));
    const conversationId = options.conversationId ?? described.conversationId;
    const job = this.#enqueue({ url, bytes: Buffer.from(text, 'utf8'), eventType: described.eventType, conversationId, options: resolved });
    return job.settled;
  }

  redeliver(deliveryId: string): Promise<WebhookDelivery> {
    const original = this.#jobs.get(deliveryId);
    try {
      this.#assertOpen();
      if (original === undefined) throw new Error(`No delivery ${deliveryId}`);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.#enqueueDuplicate(original).settled;
  }

  deliveries(filter: { url?: string; subscriptionId?: string; conversationId?: string } = {}): WebhookDelivery[] {
    return [...this.#jobs.values()]
      .map((job) => job.record)
      .filter(
        (record) =>
          (filter.url === undefined || record.url === filter.url) &&
          (filter.subscriptionId === undefined || record.subscriptionId === filter.subscriptionId) &&
          (filter.conversationId === undefined || record.conversationId === filter.conversationId),
      )
      .map((record) => structuredClone(record));
  }

  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops listening, aborts tries in flight and waits, drops everything pending, frees sockets. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#config.events.off('conversation', this.#onConversation);
      this.#config.events.off('message', this.#onMessage);
      this.#subscriptions.clear();
      this.#shutdown.abort();
      await this.idle();
      this.#httpAgent.destroy();
      this.#httpsAgent?.destroy();
    })();
    return this.#closing;
  }

  // ---- From the store ----

  readonly #onConversation = ({ conversation }: ConversationChange): void => {
    const change = changeFromConversation(conversation, { brandId: this.#config.accountId, agentId: this.#config.agentId });
    this.#produce('ExConversationChangeNotification', conversation.conversationId, conversationNotification(change));
  };

  readonly #onMessage = (published: MessagePublished): void => {
    const { conversationId, message } = published;
    if (message.originator === 'AGENT') {
      // LivePerson announces an agent joining with an UPSERT; here the agent joins with its first message.
      const conversation = this.#config.conversation(conversationId);
      const firstByAgent = conversation?.messages.find((earlier) => earlier.originator === 'AGENT');
      if (conversation !== undefined && firstByAgent?.sequence === message.sequence) {
        const change = changeFromConversation(conversation, {
          brandId: this.#config.accountId,
          agentId: this.#config.agentId,
          metaDataLastUpdateTs: message.serverTimestamp,
        });
        this.#produce('ExConversationChangeNotification', conversationId, conversationNotification(change));
      }
    }
    const change = changeFromMessage(published);
    this.#produce(change.event.type, conversationId, messagingNotification(change));
  };

  #produce(eventType: WebhookEventType, conversationId: string, notification: WebhookNotification): void {
    const subscribers = [...this.#subscriptions.values()].filter((subscription) => subscription.events.includes(eventType));
    if (subscribers.length === 0) return;
    // Serialised once: every subscriber (and every duplicate) gets the very same bytes.
    const bytes = Buffer.from(JSON.stringify(notification), 'utf8');
    for (const subscription of subscribers) {
      const { url, options, id: subscriptionId } = subscription;
      const job = this.#enqueue({ url, bytes, eventType, conversationId, options, subscriptionId });
      subscription.produced += 1;
      if (subscription.duplicateEvery !== undefined && subscription.produced % subscription.duplicateEvery === 0)
        this.#enqueueDuplicate(job);
    }
  }

  // ---- Delivery ----

  #resolve(options: WebhookDeliveryOptions): ResolvedOptions {
    const redelivery = options.redelivery ?? {};
    const backoffScale = redelivery.backoffScale ?? 1;
    if (!(backoffScale >= 0)) throw new Error('backoffScale must be >= 0');
    return {
      algorithm: options.algorithm ?? 'sha1',
      timeoutMs: options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs,
      clientSecret: options.clientSecret ?? this.#config.clientSecret,
      policy: redelivery.policy ?? 'current',
      backoffScale,
      retentionMs: redelivery.retentionMs ?? WEBHOOK_DEFAULTS.retentionMs,
      maxRetries: redelivery.maxRetries ?? WEBHOOK_DEFAULTS.legacyMaxRetries,
    };
  }

  #enqueue(input: {
    url: string;
    bytes: Buffer;
    eventType: WebhookEventType | 'unknown';
    conversationId: string | undefined;
    options: ResolvedOptions;
    subscriptionId?: string;
  }): Job {
    const { options } = input;
    const headers = {
      'content-type': 'application/json',
      'content-length': String(input.bytes.length),
      'x-liveperson-account-id': this.#config.accountId,
      'x-liveperson-client-id': this.#config.clientId,
      'x-liveperson-signature': `${options.algorithm}=${createHmac(options.algorithm, options.clientSecret).update(input.bytes).digest('base64')}`,
    };
    return this.#start({
      record: {
        id: '',
        url: input.url,
        ...(input.conversationId === undefined ? {} : { conversationId: input.conversationId }),
        eventType: input.eventType,
        ...(input.subscriptionId === undefined ? {} : { subscriptionId: input.subscriptionId }),
        attempts: [],
        state: 'pending',
        body: input.bytes.toString('utf8'),
        createdAt: 0,
      },
      bytes: input.bytes,
      headers,
      options,
      // The legacy policy keeps no order.
      queueKey: options.policy === 'current' && input.conversationId !== undefined ? `${input.url} ${input.conversationId}` : undefined,
    });
  }

  #enqueueDuplicate(original: Job): Job {
    const { id: _id, attempts: _attempts, state: _state, dropReason: _dropReason, settledAt: _settledAt, ...rest } = original.record;
    return this.#start({
      record: { ...structuredClone(rest), id: '', duplicateOf: original.record.id, attempts: [], state: 'pending', createdAt: 0 },
      bytes: original.bytes,
      headers: original.headers,
      options: original.options,
      queueKey: original.queueKey,
    });
  }

  #start(partial: Omit<Job, 'resolve' | 'settled'>): Job {
    let resolve: (delivery: WebhookDelivery) => void = () => undefined;
    const settled = new Promise<WebhookDelivery>((done) => {
      resolve = done;
    });
    const job: Job = { ...partial, resolve, settled };
    job.record.id = `delivery-${++this.#deliveryCount}`;
    job.record.createdAt = Date.now();
    this.#jobs.set(job.record.id, job);
    this.#pending += 1;
    if (job.queueKey === undefined) {
      void this.#run(job);
      return job;
    }
    const queue = this.#queues.get(job.queueKey);
    if (queue !== undefined) {
      queue.push(job);
      return job;
    }
    this.#queues.set(job.queueKey, [job]);
    void this.#run(job);
    return job;
  }

  async #run(job: Job): Promise<void> {
    try {
      await this.#deliver(job);
    } catch {
      // Not expected (#post never rejects, waits are caught); settle anyway so idle() and the queue move on.
      drop(job.record, this.#shutdown.signal.aborted ? 'simulator-closed' : 'retries-exhausted');
    }
    job.record.settledAt = Date.now();
    job.resolve(structuredClone(job.record));
    if (job.queueKey !== undefined) {
      const queue = this.#queues.get(job.queueKey);
      queue?.shift();
      const next = queue?.[0];
      if (next === undefined) this.#queues.delete(job.queueKey);
      else void this.#run(next);
    }
    this.#pending -= 1;
    if (this.#pending === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  async #deliver(job: Job): Promise<void> {
    const { record, options } = job;
    const signal = this.#shutdown.signal;
    for (;;) {
      if (signal.aborted) return drop(record, 'simulator-closed');
      if (options.policy === 'current' && Date.now() - record.createdAt >= options.retentionMs) return drop(record, 'retention-expired');

      const at = Date.now();
      const outcome = await this.#post(job);
      record.attempts.push({ at, durationMs: Date.now() - at, ...outcome });
      if ('status' in outcome && (outcome.status === 200 || outcome.status === 201)) {
        record.state = 'delivered';
        return;
      }
      if (signal.aborted) return drop(record, 'simulator-closed');

      const tries = record.attempts.length;
      let waitMs: number;
      if (options.policy === 'legacy') {
        if (tries > options.maxRetries) return drop(record, 'retries-exhausted');
        waitMs = WEBHOOK_DEFAULTS.legacyIntervalMs * options.backoffScale;
      } else {
        waitMs = Math.min(WEBHOOK_DEFAULTS.initialBackoffMs * 2 ** (tries - 1), WEBHOOK_DEFAULTS.maxBackoffMs) * options.backoffScale;
        if (Date.now() + waitMs - record.createdAt >= options.retentionMs) return drop(record, 'retention-expired');
      }
      try {
        await sleep(waitMs, undefined, { signal });
      } catch {
        return drop(record, 'simulator-closed');
      }
    }
  }

  /** One try: the exact bytes, the timeout over the whole exchange, the answer's body drained (keep-alive). */
  #post(job: Job): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let request: http.ClientRequest | undefined;
      let timedOut = false;
      let done = false;
      const timer = setTimeout(() => {
        timedOut = true;
        request?.destroy(new Error('timeout'));
      }, job.options.timeoutMs);
      const finish = (outcome: Outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(timedOut ? { error: `timed out after ${job.options.timeoutMs} ms` } : outcome);
      };
      try {
        const url = new URL(job.record.url);
        const secure = url.protocol === 'https:';
        const agent = secure ? (this.#httpsAgent ??= new https.Agent({ keepAlive: true })) : this.#httpAgent;
        request = (secure ? https : http).request(
          url,
          { method: 'POST', headers: job.headers, agent, signal: this.#shutdown.signal },
          (response) => {
            response.on('error', (error) => finish({ error: error.message }));
            response.on('end', () => finish({ status: response.statusCode ?? 0 }));
            response.on('close', () => finish({ error: 'connection closed before the answer ended' }));
            response.resume();
          },
        );
      } catch (error) {
        finish({ error: error instanceof Error ? error.message : String(error) });
        return;
      }
      request.on('error', (error) => finish({ error: error.message }));
      request.end(job.bytes);
    });
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new Error('The simulator is closed');
  }
}

function drop(record: WebhookDelivery, reason: WebhookDropReason): void {
  record.state = 'dropped';
  record.dropReason = reason;
}

function publicSubscription(subscription: Subscription): WebhookSubscription {
  const { id, url, events, algorithm, unsubscribe } = subscription;
  return { id, url, events, algorithm, unsubscribe };
}

function checkUrl(url: string): void {
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new Error(`Not an http(s) url: ${url}`);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

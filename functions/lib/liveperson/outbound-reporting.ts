/**
 * LivePerson's Outbound Reporting API for C2M (`app=c2m`): what became of the invites. `analytics`
 * counts them per channel, skill and day (windows up to 60 days); `transactions` lists one record per
 * invite (windows up to 24 hours, paged). Knows nothing of Lambda or AWS.
 * LivePerson facts behind this: docs/liveperson.md#outbound-reporting-api-the-c2m-funnel.
 *
 * Where the pages leave things open, the readings here are:
 * - the host comes from the region table (no Domain API service name is documented): the region
 *   configured, else the one C2M's own domain (from the Domain API) names;
 * - the next page of transactions is asked for with `offset=<page.nextOffset>` (the answer names
 *   the offsets, the request parameter is not documented), and -1 (or no page) means the last;
 * - an AppJWT goes as `Bearer <token>`, as C2M takes it.
 */
import * as z from '#contract/zod.ts';
import type { C2mRegion } from '#contract/constants.ts';
import { C2M_REGIONS, C2M_SERVICE, withC2mAuthorization, type C2mAuth } from './c2m.ts';
import { hostPolicyFromEnvironment, type HostPolicy } from '#contract/host-policy.ts';
import { assertAllowedHost, type DeadlineOption, type DomainResolver } from './domains.ts';
import { LivePersonError, LivePersonResponseError } from './errors.ts';
import type { LivePersonHttpClient } from './http.ts';

export const REPORTING_HOSTS: Readonly<Record<C2mRegion, string>> = {
  va: 'https://va.cx-reporting.liveperson.net',
  lo: 'https://lo.cx-reporting.liveperson.net',
  sy: 'https://sy.cx-reporting.liveperson.net',
};

export const MAX_ANALYTICS_WINDOW_MS = 60 * 24 * 60 * 60 * 1000;
export const MAX_TRANSACTIONS_WINDOW_MS = 24 * 60 * 60 * 1000;
/** LivePerson: 10 requests per second per endpoint. */
export const REPORTING_REQUESTS_PER_SECOND = 10;
/** LivePerson: the data can be up to 20 minutes late. */
export const REPORTING_DELAY_MS = 20 * 60 * 1000;
/** A bound on the pages one call follows, so an answer that never ends cannot loop. */
const MAX_TRANSACTION_PAGES = 200;

export interface ReportingWindow {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms. */
  readonly to: number;
}

export interface FunnelRow {
  readonly channel: string;
  readonly skill: string;
  /** As LivePerson writes it (e.g. "12-11-2021"). */
  readonly day: string;
  readonly attempted: number;
  readonly eligible: number;
  readonly skipped: number;
  readonly sent: number;
  readonly failed: number;
  readonly delivered: number;
  readonly read: number;
  readonly conversationsCreated: number;
  readonly conversationsClosed: number;
  /** Average survey score, when LivePerson gives one. */
  readonly csat: number | undefined;
}

export interface InviteTransaction {
  readonly transactionId: string;
  readonly channel: string | undefined;
  readonly skill: string | undefined;
  readonly handoffId: string | undefined;
  readonly conversationId: string | undefined;
  /** ISO times, undefined until the step happened. */
  readonly attemptedTime: string | undefined;
  readonly sentTime: string | undefined;
  readonly deliveredTime: string | undefined;
  readonly readTime: string | undefined;
  readonly failedTime: string | undefined;
  readonly conversationCreatedTime: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorSource: string | undefined;
}

const count = z.pipe(
  z.optional(z.nullable(z.number())),
  z.transform((value) => value ?? 0),
);
const text = z.pipe(
  z.optional(z.nullable(z.union([z.string(), z.number()]))),
  z.transform((value) => (value == null ? undefined : String(value))),
);

// The newest pages spell the counts in lower case, older ones in camelCase (and the day as `date`): both are read.
const analyticsRowSchema = z.looseObject({
  channel: z.pipe(
    z.optional(z.nullable(z.string())),
    z.transform((value) => value ?? ''),
  ),
  skill: z.pipe(
    z.optional(z.nullable(z.string())),
    z.transform((value) => value ?? ''),
  ),
  transactionday: text,
  date: text,
  attempted: count,
  eligible: count,
  skipped: count,
  sent: count,
  failed: count,
  delivered: count,
  read: count,
  conversationscreated: z.optional(z.nullable(z.number())),
  conversationsCreated: z.optional(z.nullable(z.number())),
  conversationsclosed: z.optional(z.nullable(z.number())),
  conversationsClosed: z.optional(z.nullable(z.number())),
  csat: text,
});
const analyticsAnswerSchema = z.looseObject({ analytics: z._default(z.array(analyticsRowSchema), []) });

const transactionSchema = z.looseObject({
  transactionId: z.string().check(z.minLength(1)),
  channel: text,
  skill: text,
  handOffId: text,
  conversationId: text,
  attemptedTime: text,
  sentTime: text,
  deliveredTime: text,
  readTime: text,
  failedTime: text,
  conversationsCreatedTime: text,
  errorCode: text,
  errorSource: text,
});
const transactionsAnswerSchema = z.looseObject({
  page: z.optional(z.nullable(z.looseObject({ nextOffset: z.optional(z.nullable(z.number())) }))),
  transactions: z._default(z.array(transactionSchema), []),
});

export interface OutboundReportingClientOptions {
  readonly accountId: string;
  readonly http: LivePersonHttpClient;
  /** Base URL with scheme (`REPORTING_HOSTS`), or a lookup of it (reportingBaseUrlResolver). */
  readonly baseUrl: string | ((options: DeadlineOption) => Promise<string>);
  /** Asked before every call, so a rotated secret takes effect. */
  readonly auth: () => Promise<C2mAuth> | C2mAuth;
  /** The clock, for the windows' checks and the rate limit (tests pass their own). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Where the token may go: https under liveperson.net unless configured (default: from the environment, as for every LivePerson call). */
  readonly hostPolicy?: HostPolicy;
}

export class OutboundReportingClient {
  readonly #options: OutboundReportingClientOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<unknown>;
  #nextSlot = 0;

  constructor(options: OutboundReportingClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The funnel's counts per channel, skill and day for invites attempted in the window (at most 60 days). */
  async analytics(window: ReportingWindow, options: DeadlineOption = {}): Promise<FunnelRow[]> {
    checkWindow('Outbound Reporting analytics', window, MAX_ANALYTICS_WINDOW_MS);
    const answer = await this.#get('Outbound Reporting analytics', 'analytics', window, undefined, analyticsAnswerSchema, options);
    return answer.analytics.map((row) => ({
      channel: row.channel,
      skill: row.skill,
      day: row.transactionday ?? row.date ?? '',
      attempted: row.attempted,
      eligible: row.eligible,
      skipped: row.skipped,
      sent: row.sent,
      failed: row.failed,
      delivered: row.delivered,
      read: row.read,
      conversationsCreated: row.conversationscreated ?? row.conversationsCreated ?? 0,
      conversationsClosed: row.conversationsclosed ?? row.conversationsClosed ?? 0,
      csat: row.csat === undefined || row.csat === '' || !Number.isFinite(Number(row.csat)) ? undefined : Number(row.csat),
    }));
  }

  /** Every invite attempted in the window (at most 24 hours), following the pages. */
  async transactions(window: ReportingWindow, options: DeadlineOption = {}): Promise<InviteTransaction[]> {
    const operation = 'Outbound Reporting transactions';
    checkWindow(operation, window, MAX_TRANSACTIONS_WINDOW_MS);
    const all: InviteTransaction[] = [];
    let offset: number | undefined;
    for (let page = 0; page < MAX_TRANSACTION_PAGES; page++) {
      const answer = await this.#get(operation, 'transactions', window, offset, transactionsAnswerSchema, options);
      all.push(
        ...answer.transactions.map((record) => ({
          transactionId: record.transactionId,
          channel: record.channel,
          skill: record.skill,
          handoffId: record.handOffId,
          conversationId: record.conversationId,
          attemptedTime: record.attemptedTime,
          sentTime: record.sentTime,
          deliveredTime: record.deliveredTime,
          readTime: record.readTime,
          failedTime: record.failedTime,
          conversationCreatedTime: record.conversationsCreatedTime,
          errorCode: record.errorCode,
          errorSource: record.errorSource,
        })),
      );
      const next = answer.page?.nextOffset;
      if (next === undefined || next === null || next < 0 || answer.transactions.length === 0) return all;
      if (offset !== undefined && next <= offset)
        throw new LivePersonResponseError(operation, `page offsets do not advance (${offset} → ${next})`);
      offset = next;
    }
    throw new LivePersonResponseError(operation, `more than ${MAX_TRANSACTION_PAGES} pages: ask for a shorter window`);
  }

  async #get<T>(
    operation: string,
    resource: 'analytics' | 'transactions',
    window: ReportingWindow,
    offset: number | undefined,
    schema: z.ZodMiniType<T>,
    options: DeadlineOption,
  ): Promise<T> {
    await this.#slot();
    const { accountId, http } = this.#options;
    const baseUrl = typeof this.#options.baseUrl === 'string' ? this.#options.baseUrl : await this.#options.baseUrl(options);
    const query = new URLSearchParams({ attemptedStartTime: String(window.from), attemptedEndTime: String(window.to) });
    if (offset !== undefined) query.set('offset', String(offset));
    const url = `${baseUrl}/api/account/${encodeURIComponent(accountId)}/app/c2m/${resource}/?${query.toString()}`;
    // Checked before the token goes anywhere: a base URL from a flag or a setting is no trusted host.
    assertAllowedHost(operation, url, this.#options.hostPolicy ?? hostPolicyFromEnvironment());
    const auth = await this.#options.auth();
    const send = (header: () => string) =>
      http.requestJson({ operation, method: 'GET', url, headers: () => ({ authorization: header() }), deadline: options.deadline }, schema);
    // An OAuth 1.0a signature covers the query parameters too.
    return withC2mAuthorization(auth, { method: 'GET', url }, send, options);
  }

  /** At most REPORTING_REQUESTS_PER_SECOND calls per second from this client: each waits for its slot. */
  async #slot(): Promise<void> {
    const now = this.#now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / REPORTING_REQUESTS_PER_SECOND;
    if (slot > now) await this.#sleep(slot - now);
  }
}

export class ReportingHostUnknownError extends LivePersonError {
  constructor(message: string, options?: ErrorOptions) {
    super('Outbound Reporting host', message, false, options);
    this.name = 'ReportingHostUnknownError';
  }
}

export interface ReportingBaseUrlOptions {
  /** A base URL to use as given (a proxy, the simulator). */
  readonly url?: string | undefined;
  /** The account's region, when configured. */
  readonly region?: C2mRegion | undefined;
  /** Otherwise C2M's domain is looked up and its region (its first label, as in va.connect-to-messaging…) names the host. */
  readonly domains: Pick<DomainResolver, 'resolve'>;
}

/** The reporting API's base URL: the one given, else the configured region's host, else the region of C2M's own domain. */
export function reportingBaseUrlResolver(options: ReportingBaseUrlOptions): (options: DeadlineOption) => Promise<string> {
  if (options.url !== undefined) {
    const url = options.url.replace(/\/+$/, '');
    return () => Promise.resolve(url);
  }
  if (options.region !== undefined) {
    const host = REPORTING_HOSTS[options.region];
    return () => Promise.resolve(host);
  }
  let cached: string | undefined;
  return async ({ deadline } = {}) => {
    if (cached !== undefined) return cached;
    const c2mDomain = await options.domains.resolve(C2M_SERVICE, deadline === undefined ? {} : { deadline });
    const host = /^(?:[a-z]+:\/\/)?([^/:]+)/i.exec(c2mDomain)?.[1] ?? '';
    const region = C2M_REGIONS.find((candidate) => host.toLowerCase().startsWith(`${candidate}.`));
    if (region === undefined) {
      throw new ReportingHostUnknownError(
        `C2M's domain (${host}) names no region (${C2M_REGIONS.join(', ')}): set the account's C2M region (c2m.region, C2M_REGION)`,
      );
    }
    cached = REPORTING_HOSTS[region];
    return cached;
  };
}

function checkWindow(operation: string, window: ReportingWindow, maxMs: number): void {
  if (!Number.isInteger(window.from) || !Number.isInteger(window.to) || window.from < 0) {
    throw new RangeError(`${operation}: the window must be two epoch-millisecond times`);
  }
  if (window.to <= window.from) throw new RangeError(`${operation}: the window ends before it starts`);
  if (window.to - window.from > maxMs) {
    throw new RangeError(`${operation}: the window is longer than LivePerson allows (${maxMs / 3_600_000} hours)`);
  }
}

/**
 * `liveperson-aws c2m report`: what became of the C2M invites of a window, from LivePerson's
 * Outbound Reporting API: attempted, sent, delivered, read and conversations created, per channel,
 * skill and day (`--transactions`: one line per invite). The data can be 20 minutes late.
 */
import type { C2mRegion } from '#contract/constants.ts';
import { C2M_REGIONS } from '#contract/constants.ts';
import { c2mAuthOf } from '#functions/lib/liveperson/c2m.ts';
import {
  OutboundReportingClient,
  ReportingHostUnknownError,
  reportingBaseUrlResolver,
  type FunnelRow,
  type InviteTransaction,
} from '#functions/lib/liveperson/outbound-reporting.ts';
import { livePersonClients, readCredentials, resolveTarget, UsageError, type CommonFlags } from './context.ts';

export interface C2mReportFlags extends CommonFlags {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** va, lo or sy: the account's LivePerson region (default: the deployment config's c2m.region). */
  readonly 'lp-region'?: string | undefined;
  /** The reporting API's base URL, instead of the region's (the simulator, a proxy). */
  readonly 'reporting-url'?: string | undefined;
  readonly transactions?: boolean | undefined;
}

export type C2mReport =
  | { readonly kind: 'analytics'; readonly from: string; readonly to: string; readonly rows: readonly FunnelRow[] }
  | { readonly kind: 'transactions'; readonly from: string; readonly to: string; readonly transactions: readonly InviteTransaction[] };

const DAY_MS = 24 * 60 * 60 * 1000;

/** An ISO date or time, or epoch milliseconds. */
function timeOf(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) throw new UsageError(`${flag} must be an ISO time (2026-12-01T08:00Z) or epoch milliseconds`);
  return time;
}

export async function c2mReport(flags: C2mReportFlags): Promise<C2mReport> {
  const target = resolveTarget(flags);
  const to = timeOf('--to', flags.to, Date.now());
  const from = timeOf('--from', flags.from, to - DAY_MS);
  const region = flags['lp-region'] ?? target.config?.c2m?.region;
  if (region !== undefined && !(C2M_REGIONS as readonly string[]).includes(region)) {
    throw new UsageError(`--lp-region must be one of ${C2M_REGIONS.join(', ')} (or set c2m.region in the deployment config)`);
  }
  const credentials = await readCredentials(flags, target);
  const { http, domains, appJwt } = livePersonClients(target, credentials);
  const auth = c2mAuthOf(credentials, appJwt);
  // The funnel function's rule: the URL given, else the region's host, else the region of C2M's own domain (CSDS).
  const baseUrl = reportingBaseUrlResolver({ url: flags['reporting-url'], region: region as C2mRegion | undefined, domains });
  const client = new OutboundReportingClient({ accountId: target.accountId, http, baseUrl, auth: () => auth });
  const window = { from, to };
  const iso = (time: number) => new Date(time).toISOString();
  try {
    return flags.transactions
      ? { kind: 'transactions', from: iso(from), to: iso(to), transactions: await client.transactions(window) }
      : { kind: 'analytics', from: iso(from), to: iso(to), rows: await client.analytics(window) };
  } catch (error) {
    // A window LivePerson refuses is the caller's mistake, named before any call.
    if (error instanceof RangeError) throw new UsageError(error.message);
    if (error instanceof ReportingHostUnknownError) throw new UsageError(`${error.message}, or pass --lp-region or --reporting-url`);
    throw error;
  }
}

/** The report as a table. */
export function formatC2mReport(report: C2mReport): string {
  const header = `C2M invites attempted from ${report.from} to ${report.to} (LivePerson's data can be 20 minutes late)`;
  if (report.kind === 'transactions') {
    const lines = report.transactions.map((t) =>
      [
        t.attemptedTime ?? '?',
        t.channel ?? '?',
        t.skill ?? '?',
        t.deliveredTime
          ? 'delivered'
          : t.failedTime
            ? `failed ${t.errorSource ?? ''}_${t.errorCode ?? ''}`
            : t.sentTime
              ? 'sent'
              : 'attempted',
        t.conversationId ? `conversation ${t.conversationId}` : '',
      ].join('  '),
    );
    return [header, ...(lines.length > 0 ? lines : ['no invites'])].join('\n');
  }
  const columns = ['day', 'channel', 'skill', 'attempted', 'sent', 'delivered', 'read', 'conversations', 'failed'] as const;
  const rows = report.rows.map((row) =>
    [row.day, row.channel, row.skill, row.attempted, row.sent, row.delivered, row.read, row.conversationsCreated, row.failed].map(String),
  );
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [header, line(columns), ...(rows.length > 0 ? rows.map(line) : ['no invites'])].join('\n');
}

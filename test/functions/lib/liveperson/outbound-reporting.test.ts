// The Outbound Reporting client against LivePerson's documented answers
// (test/fixtures/liveperson/outbound-reporting), served by a scripted server: the request, both
// spellings of the counts, paging by offset, the windows, the rate limit and both kinds of auth.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppJwtProvider } from '#functions/lib/liveperson/app-jwt.ts';
import type { C2mAuth } from '#functions/lib/liveperson/c2m.ts';
import { LivePersonApiError } from '#functions/lib/liveperson/errors.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import {
  OutboundReportingClient,
  REPORTING_HOSTS,
  ReportingHostUnknownError,
  reportingBaseUrlResolver,
} from '#functions/lib/liveperson/outbound-reporting.ts';
import { startScriptedServer, type ScriptedServer } from '#test/support/scripted-server.ts';

const fixture = (name: string) =>
  (
    JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../fixtures/liveperson/outbound-reporting', name), 'utf8')) as {
      response: unknown;
    }
  ).response;
const HOUR = 3_600_000;
const WINDOW = { from: 1_602_007_811_000, to: 1_602_008_344_000 };

describe('OutboundReportingClient', () => {
  let server: ScriptedServer;
  let sleeps: number[];
  let clock: number;
  const appJwt: C2mAuth = {
    kind: 'app-jwt',
    appJwt: { withToken: (call: (token: string) => Promise<unknown>) => call('app-jwt') } as unknown as AppJwtProvider,
  };
  const client = (auth: C2mAuth = appJwt) =>
    new OutboundReportingClient({
      accountId: '123456',
      http: new LivePersonHttpClient({ sleep: async () => undefined }),
      baseUrl: server.url,
      auth: () => auth,
      // The scripted server is plain http on loopback.
      hostPolicy: { allowedHostSuffixes: ['liveperson.net'], allowInsecureHosts: true },
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });

  beforeEach(async () => {
    server = await startScriptedServer();
    sleeps = [];
    clock = 1_000_000;
  });
  afterEach(() => server.close());

  it('knows the documented regional hosts', () => {
    expect(REPORTING_HOSTS).toEqual({
      va: 'https://va.cx-reporting.liveperson.net',
      lo: 'https://lo.cx-reporting.liveperson.net',
      sy: 'https://sy.cx-reporting.liveperson.net',
    });
  });

  it('asks for the analytics of a window and reads the newest answer (lower-case counts, csat as a string)', async () => {
    server.script({ status: 200, body: fixture('analytics-response.json') });
    expect(await client().analytics(WINDOW)).toEqual([
      {
        channel: 'wa',
        skill: 'sales',
        day: '12-11-2021',
        attempted: 500,
        eligible: 475,
        skipped: 10,
        sent: 450,
        failed: 50,
        delivered: 440,
        read: 400,
        conversationsCreated: 200,
        conversationsClosed: 185,
        csat: 2.5,
      },
    ]);
    const [request] = server.received;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/api/account/123456/app/c2m/analytics/?attemptedStartTime=1602007811000&attemptedEndTime=1602008344000');
    expect(request?.headers.authorization).toBe('Bearer app-jwt');
  });

  it('reads the older camelCase answer too', async () => {
    server.script({ status: 200, body: fixture('analytics-response-camelcase.json') });
    const [row] = await client().analytics(WINDOW);
    expect(row).toMatchObject({ channel: 'string', day: 'string', conversationsCreated: 0, conversationsClosed: 0, csat: 0 });
  });

  it('follows the transaction pages by offset until there is none, and reads each record', async () => {
    const documented = fixture('transactions-response.json') as { transactions: unknown[]; page: object };
    server.script(
      { status: 200, body: documented },
      {
        status: 200,
        body: {
          ...documented,
          page: { count: 1, previousOffset: 200, currentOffset: 300, nextOffset: -1 },
          transactions: documented.transactions.slice(0, 1),
        },
      },
    );
    const records = await client().transactions(WINDOW);
    expect(records).toHaveLength(4);
    expect(records[1]).toEqual({
      transactionId: '515340ec-0d3c-75d7-0cdb-cbe783fa156c',
      channel: 'inapp',
      skill: 'sales',
      handoffId: 'H000000000000000',
      conversationId: undefined,
      attemptedTime: '2021-02-17T22:55:14.228Z',
      sentTime: '2021-02-17T22:55:14.716Z',
      deliveredTime: '2021-02-17T23:00:18.533Z',
      readTime: undefined,
      failedTime: '2021-02-17T22:55:14.543Z',
      conversationCreatedTime: undefined,
      errorCode: '400',
      errorSource: 'prmsg',
    });
    expect(server.received.map((request) => new URL(request.url, 'http://x').searchParams.get('offset'))).toEqual([null, '300']);
    // Two calls in a row: the second waits for its slot (10 per second).
    expect(sleeps).toEqual([100]);
  });

  it('sends the token to no host outside the policy (https under liveperson.net by default)', async () => {
    const strict = new OutboundReportingClient({
      accountId: '123456',
      http: new LivePersonHttpClient(),
      baseUrl: server.url,
      auth: () => appJwt,
      hostPolicy: { allowedHostSuffixes: ['liveperson.net'], allowInsecureHosts: false },
    });
    await expect(strict.analytics(WINDOW)).rejects.toThrow(/host refused, nothing sent/);
    expect(server.received).toEqual([]);
  });

  it('refuses windows LivePerson refuses, before any call', async () => {
    await expect(client().transactions({ from: 0, to: 25 * HOUR })).rejects.toThrow(
      'the window is longer than LivePerson allows (24 hours)',
    );
    await expect(client().analytics({ from: 0, to: 61 * 24 * HOUR })).rejects.toThrow('(1440 hours)');
    await expect(client().analytics({ from: 10, to: 5 })).rejects.toThrow('the window ends before it starts');
    expect(server.received).toEqual([]);
  });

  it('signs with the OAuth 1.0a API key, query parameters included, when the secret has one', async () => {
    server.script({ status: 200, body: { analytics: [] } });
    const apiKey: C2mAuth = {
      kind: 'api-key',
      credentials: { consumerKey: 'ck', consumerSecret: 'cs', accessToken: 'at', accessTokenSecret: 'ats' },
    };
    expect(await client(apiKey).analytics(WINDOW)).toEqual([]);
    expect(server.received[0]?.headers.authorization).toMatch(/^OAuth .*oauth_consumer_key="ck".*oauth_signature="/);
  });

  it('turns LivePerson’s documented error body into an API error', async () => {
    server.script({ status: 400, body: fixture('error-response.json') });
    const error = await client()
      .analytics(WINDOW)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivePersonApiError);
    expect((error as LivePersonApiError).status).toBe(400);
  });

  it('stops when page offsets do not advance', async () => {
    const page = { page: { nextOffset: 5 }, transactions: [{ transactionId: 't-1' }] };
    server.script({ status: 200, body: page }, { status: 200, body: page });
    await expect(client().transactions(WINDOW)).rejects.toThrow('page offsets do not advance (5 → 5)');
  });
});

describe('reportingBaseUrlResolver', () => {
  const domains = (domain: string) => {
    const asked: string[] = [];
    return {
      asked,
      resolve: async (service: string) => {
        asked.push(service);
        return domain;
      },
    };
  };

  it('takes a URL given as it is, else the configured region, without any lookup', async () => {
    const lookups = domains('va.connect-to-messaging.liveperson.net');
    expect(await reportingBaseUrlResolver({ url: 'http://127.0.0.1:4040/', domains: lookups })({})).toBe('http://127.0.0.1:4040');
    expect(await reportingBaseUrlResolver({ region: 'sy', domains: lookups })({})).toBe('https://sy.cx-reporting.liveperson.net');
    expect(lookups.asked).toEqual([]);
  });

  it("otherwise reads the region from C2M's own domain (Domain API), once", async () => {
    const lookups = domains('lo.connect-to-messaging.liveperson.net');
    const resolve = reportingBaseUrlResolver({ domains: lookups });
    expect(await resolve({})).toBe('https://lo.cx-reporting.liveperson.net');
    expect(await resolve({})).toBe('https://lo.cx-reporting.liveperson.net');
    expect(lookups.asked).toEqual(['connectToMessagingDomain']);
  });

  it('says what to set when the domain names no region', async () => {
    const resolve = reportingBaseUrlResolver({ domains: domains('http://127.0.0.1:4040') });
    await expect(resolve({})).rejects.toThrow(ReportingHostUnknownError);
    await expect(resolve({})).rejects.toThrow("C2M's domain (127.0.0.1) names no region (va, lo, sy): set the account's C2M region");
  });
});

// The simulator's Outbound Reporting API, read by the project's own client: the funnel is what the
// simulator really did (invites sent, conversations the invited consumers opened and closed).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppJwtProvider } from '#functions/lib/liveperson/app-jwt.ts';
import type { C2mAuth } from '#functions/lib/liveperson/c2m.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { OutboundReportingClient } from '#functions/lib/liveperson/outbound-reporting.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { fetchAppJwt, postJson, request } from './helpers.ts';

describe('Outbound Reporting (simulator)', () => {
  let sim: LivePersonSimulator;
  let appJwt: string;
  const reporting = (auth?: C2mAuth) =>
    new OutboundReportingClient({
      accountId: sim.accountId,
      http: new LivePersonHttpClient({ sleep: async () => undefined }),
      baseUrl: sim.url,
      hostPolicy: { allowedHostSuffixes: ['liveperson.net'], allowInsecureHosts: true },
      auth: () =>
        auth ?? {
          kind: 'app-jwt',
          appJwt: { withToken: (call: (token: string) => Promise<unknown>) => call(appJwt) } as unknown as AppJwtProvider,
        },
      sleep: async () => undefined,
    });
  const deflect = async (phone: string, skill = 'support') => {
    const headers = { authorization: `Bearer ${appJwt}` };
    const found = await postJson(
      `${sim.url}/api/account/${sim.accountId}/eligibility?v=2.0`,
      { consumerPhoneNumber: phone, handoffId: 'H123456789', skill },
      headers,
    );
    const callId = (found.body as { callId: string }).callId;
    expect((await postJson(`${sim.url}/api/account/${sim.accountId}/invite?v=2.0`, { callId }, headers)).status).toBe(200);
    return callId;
  };

  beforeEach(async () => {
    sim = await startLivePersonSimulator({ reportingPageSize: 2 });
    appJwt = await fetchAppJwt(sim);
  });
  afterEach(() => sim.close());

  it('lists every invite sent in the window, page by page, with the conversation its consumer opened', async () => {
    const from = Date.now() - 1000;
    const calls = [await deflect('+12065550101'), await deflect('+12065550102'), await deflect('+12065550103', 'sales')];
    const { conversationId } = sim.c2m.consumerReplies(calls[1] ?? '', 'yes please');
    const records = await reporting().transactions({ from, to: Date.now() + 1000 });
    expect(records.map((record) => record.transactionId)).toEqual(calls);
    expect(records[1]).toMatchObject({
      channel: 'sms',
      skill: 'support',
      handoffId: 'H123456789',
      conversationId,
      conversationCreatedTime: expect.any(String),
    });
    expect(records[0]).toMatchObject({ conversationId: undefined, deliveredTime: expect.any(String), readTime: undefined });
    // Three records, two per page: the second page was asked for by offset.
    const offsets = sim.requests({ service: 'outboundReporting' }).map((r) => r.query.offset ?? null);
    expect(offsets).toEqual([null, '2']);
  });

  it('shows an invite, and each later step of it, only once the reporting delay has passed', async () => {
    await sim.close();
    sim = await startLivePersonSimulator({ reportingDelayMs: 60_000 });
    appJwt = await fetchAppJwt(sim);
    const window = { from: Date.now() - 1000, to: Date.now() + 120_000 };
    const callId = await deflect('+12065550121');
    expect(await reporting().transactions(window)).toEqual([]);
    expect(await reporting().analytics(window)).toEqual([]);
    const invitedAt = sim.c2m.invites()[0]?.receivedAt ?? 0;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // A minute after the invite it shows; the consumer answers now, so the conversation does not yet.
      vi.setSystemTime(invitedAt + 60_001);
      sim.c2m.consumerReplies(callId, 'yes');
      const [record] = await reporting().transactions(window);
      expect(record).toMatchObject({
        transactionId: callId,
        sentTime: new Date(invitedAt).toISOString(),
        conversationCreatedTime: undefined,
      });
      vi.setSystemTime(invitedAt + 120_002);
      expect((await reporting().transactions(window))[0]?.conversationCreatedTime).toBe(new Date(invitedAt + 60_001).toISOString());
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts the funnel per channel, skill and day', async () => {
    const from = Date.now() - 1000;
    const answered = await deflect('+12065550111');
    await deflect('+12065550112');
    const { conversationId } = sim.c2m.consumerReplies(answered, 'hi');
    sim.connector.closeConversation(conversationId);
    const [row, ...others] = await reporting().analytics({ from, to: Date.now() + 1000 });
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      channel: 'sms',
      skill: 'support',
      attempted: 2,
      sent: 2,
      delivered: 2,
      read: 0,
      conversationsCreated: 1,
      conversationsClosed: 1,
    });
    expect(row?.day).toMatch(/^\d{2}-\d{2}-\d{4}$/);
  });

  it('refuses a window over the limit, a missing AppJWT and another account, with LivePerson’s error body', async () => {
    const now = Date.now();
    const tooLong = await request(
      `${sim.url}/api/account/${sim.accountId}/app/c2m/transactions/?attemptedStartTime=${now - 25 * 3_600_000}&attemptedEndTime=${now}`,
      {
        headers: { authorization: `Bearer ${appJwt}` },
      },
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({
      code: 400,
      requestTraceId: expect.any(String),
      message: 'The time interval cannot exceed 24 hours',
    });
    const anonymous = await request(
      `${sim.url}/api/account/${sim.accountId}/app/c2m/analytics/?attemptedStartTime=${now - 1000}&attemptedEndTime=${now}`,
    );
    expect(anonymous.status).toBe(401);
    const other = await request(
      `${sim.url}/api/account/87654321/app/c2m/analytics/?attemptedStartTime=${now - 1000}&attemptedEndTime=${now}`,
      {
        headers: { authorization: `Bearer ${appJwt}` },
      },
    );
    expect(other.status).toBe(403);
  });

  it('takes the OAuth 1.0a API key, signed by the client', async () => {
    const apiKey: C2mAuth = { kind: 'api-key', credentials: sim.credentials.oauth1 };
    expect(await reporting(apiKey).analytics({ from: Date.now() - 1000, to: Date.now() })).toEqual([]);
  });
});

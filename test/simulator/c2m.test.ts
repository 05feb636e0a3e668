import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLivePersonSimulator } from '#simulator/index.ts';
import type { LivePersonSimulator } from '#simulator/index.ts';
import { fetchAppJwt, fetchConsumerJws, oauth1Header, postJson, request } from './helpers.ts';

let sim: LivePersonSimulator;
let appJwt: string;

const PHONE = '+12061234567';
const eligibilityBody = { consumerPhoneNumber: PHONE, handoffId: 'H123456789', skill: 'support', templateVariables: { '1': 'test' } };

const eligibilityUrl = () => `${sim.url}/api/account/${sim.accountId}/eligibility?v=2.0`;
const inviteUrl = () => `${sim.url}/api/account/${sim.accountId}/invite?v=2.0`;
const bearer = () => ({ authorization: `Bearer ${appJwt}` });

async function eligibility(body: unknown = eligibilityBody) {
  return postJson(eligibilityUrl(), body, bearer());
}

async function callIdFor(body: unknown = eligibilityBody): Promise<string> {
  const response = await eligibility(body);
  expect(response.status).toBe(200);
  return (response.body as { callId: string }).callId;
}

async function invite(body: unknown) {
  return postJson(inviteUrl(), body, bearer());
}

function c2mError(errorCode: number, errorMessage: string) {
  return { errorCode, errorMessage };
}

beforeEach(async () => {
  sim = await startLivePersonSimulator();
  appJwt = await fetchAppJwt(sim);
});
afterEach(async () => {
  await sim.close();
});

describe('C2M eligibility', () => {
  it('answers a default consumer as eligible by SMS with a uuid v4 callId', async () => {
    const response = await eligibility();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      availableChannels: ['sms'],
      recommendedChannelName: 'sms',
      eligible: true,
      callId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
  });

  it('answers the configured profile, and an ineligible consumer with no channel', async () => {
    sim.c2m.setConsumer(PHONE, { eligible: true, availableChannels: ['sms', 'wa'], recommendedChannelName: 'wa' });
    expect((await eligibility()).body).toMatchObject({ availableChannels: ['sms', 'wa'], recommendedChannelName: 'wa', eligible: true });

    sim.c2m.setConsumer('+441234567890', { eligible: false, availableChannels: ['sms'], recommendedChannelName: 'sms' });
    expect((await eligibility({ ...eligibilityBody, consumerPhoneNumber: '+441234567890' })).body).toMatchObject({
      availableChannels: [],
      recommendedChannelName: '',
      eligible: false,
    });
  });

  it('knows added skills and handoffs', async () => {
    sim.c2m.addSkill('billing');
    sim.c2m.addHandoff('H2');
    expect((await eligibility({ ...eligibilityBody, skill: 'billing', handoffId: 'H2' })).status).toBe(200);
  });

  it('accepts an OAuth 1.0a API key and rejects a tampered signature', async () => {
    const url = eligibilityUrl();
    const accepted = await postJson(url, eligibilityBody, { authorization: oauth1Header(sim, 'POST', url) });
    expect(accepted.status).toBe(200);

    const wrongSecret = oauth1Header(sim, 'POST', url, { accessTokenSecret: 'not-the-secret' });
    expect((await postJson(url, eligibilityBody, { authorization: wrongSecret })).body).toEqual(c2mError(1100, 'Invalid Bearer token'));

    const tampered = oauth1Header(sim, 'POST', url).replace(/oauth_signature="([^"]+)"/, (_match, signature: string) => {
      const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
      return `oauth_signature="${flipped}"`;
    });
    const rejected = await postJson(url, eligibilityBody, { authorization: tampered });
    expect(rejected.status).toBe(401);
    expect(rejected.body).toEqual(c2mError(1100, 'Invalid Bearer token'));

    // Signed for another URL (no v=2.0): the query is part of the signature.
    const otherUrl = oauth1Header(sim, 'POST', url.replace('?v=2.0', ''));
    expect((await postJson(url, eligibilityBody, { authorization: otherUrl })).status).toBe(401);
  });
});

describe('C2M errors', () => {
  it('400 1000 for malformed JSON, a missing field, over-long fields and non-string template variables', async () => {
    const invalid = c2mError(1000, 'Invalid request');
    expect((await eligibility('{"skill":')).body).toEqual(invalid);
    const { skill: _skill, ...withoutSkill } = eligibilityBody;
    expect((await eligibility(withoutSkill)).body).toEqual(invalid);
    expect((await eligibility({ ...eligibilityBody, skill: 's'.repeat(256) })).body).toEqual(invalid);
    expect((await eligibility({ ...eligibilityBody, handoffId: 'H'.repeat(17) })).body).toEqual(invalid);
    expect((await eligibility({ ...eligibilityBody, templateVariables: { '1': 2 } })).body).toEqual(invalid);
    const response = await eligibility({ ...eligibilityBody, templateVariables: ['a'] });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid);
  });

  it('400 1001 for a phone number that is not E.164 with + or longer than 15 chars', async () => {
    for (const consumerPhoneNumber of ['12061234567', '+1 206 123 4567', '+1234567890123456', 'phone']) {
      const response = await eligibility({ ...eligibilityBody, consumerPhoneNumber });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(c2mError(1001, 'Invalid customerPhoneNumber'));
    }
    expect((await eligibility({ ...eligibilityBody, consumerPhoneNumber: '+12345678901234' })).status).toBe(200);
  });

  it('400 1002 for a wrong or missing version', async () => {
    for (const query of ['?v=1.0', '']) {
      const response = await postJson(`${sim.url}/api/account/${sim.accountId}/eligibility${query}`, eligibilityBody, bearer());
      expect(response.status).toBe(400);
      expect(response.body).toEqual(c2mError(1002, 'Invalid version'));
    }
  });

  it('400 1300 for an unknown skill and 1500 for an unknown handoff', async () => {
    expect((await eligibility({ ...eligibilityBody, skill: 'nope' })).body).toEqual(c2mError(1300, 'No engagement found for skill nope'));
    expect((await eligibility({ ...eligibilityBody, handoffId: 'H0' })).body).toEqual(c2mError(1500, 'No handoff is available'));
  });

  it('400 1200, 1201 and 1600 while the account set-up is broken', async () => {
    sim.c2m.setAccountSetupError(1200);
    expect((await eligibility()).body).toEqual(c2mError(1200, 'No internal user is available'));
    sim.c2m.setAccountSetupError(1201);
    expect((await eligibility()).body).toEqual(c2mError(1201, 'No internal app is available'));
    sim.c2m.setAccountSetupError(1600);
    expect((await eligibility()).body).toEqual(c2mError(1600, 'No setting is available'));
    sim.c2m.setAccountSetupError(undefined);
    expect((await eligibility()).status).toBe(200);
  });

  it('401 1100 for a missing or invalid token, "jwt expired" for an expired one', async () => {
    const missing = await postJson(eligibilityUrl(), eligibilityBody);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(c2mError(1100, 'Invalid Bearer token'));
    expect((await postJson(eligibilityUrl(), eligibilityBody, { authorization: 'Bearer garbage' })).body).toEqual(
      c2mError(1100, 'Invalid Bearer token'),
    );
    // The raw token without 'Bearer ' is not what C2M documents.
    expect((await postJson(eligibilityUrl(), eligibilityBody, { authorization: appJwt })).status).toBe(401);

    sim.expireAppJwts();
    const expired = await eligibility();
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(c2mError(1100, 'jwt expired'));
  });

  it('403 1101 for a valid AppJWT of another account, or another account in the path', async () => {
    const foreign = sim.issueAppJwt({ accountId: '87654321' });
    const response = await postJson(eligibilityUrl(), eligibilityBody, { authorization: `Bearer ${foreign}` });
    expect(response.status).toBe(403);
    expect(response.body).toEqual(c2mError(1101, 'Not enough privilege to perform this operation'));

    const otherPath = `${sim.url}/api/account/87654321/eligibility?v=2.0`;
    expect((await postJson(otherPath, eligibilityBody, bearer())).status).toBe(403);
    expect((await postJson(otherPath, eligibilityBody, { authorization: oauth1Header(sim, 'POST', otherPath) })).status).toBe(403);
  });

  it('404 1004 for other paths, 405 1005 for other methods, 415 1015 for other media types', async () => {
    const notFound = await postJson(`${sim.url}/api/account/${sim.accountId}/eligibilty?v=2.0`, eligibilityBody, bearer());
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual(c2mError(1004, 'Not Found'));

    const wrongMethod = await request(eligibilityUrl(), { method: 'GET', headers: bearer() });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toEqual(c2mError(1005, 'Method Not Allowed'));

    const wrongType = await request(eligibilityUrl(), {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'text/plain' },
      body: JSON.stringify(eligibilityBody),
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toEqual(c2mError(1015, 'Unsupported Media Type'));
    const withCharset = await postJson(eligibilityUrl(), eligibilityBody, {
      ...bearer(),
      'content-type': 'application/json; charset=utf-8',
    });
    expect(withCharset.status).toBe(200);
  });

  it('429 1029 beyond the rate limit in a sliding second, then admits again', async () => {
    await sim.close();
    sim = await startLivePersonSimulator({ c2mRateLimitPerSecond: 3 });
    appJwt = await fetchAppJwt(sim);
    const statuses = await Promise.all(Array.from({ length: 5 }, async () => (await eligibility()).status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    const limited = await eligibility();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(c2mError(1029, 'Rate limit hit'));
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await eligibility()).status).toBe(200);
  });

  it('500 5000 as the default body of an injected server fault', async () => {
    sim.fail({ service: 'connectToMessagingDomain', status: 503 });
    const response = await eligibility();
    expect(response.status).toBe(503);
    expect(response.body).toEqual(c2mError(5000, 'Internal Server Error'));
  });
});

describe('C2M invite', () => {
  it('invites after an eligibility call and records the invite', async () => {
    const callId = await callIdFor();
    const response = await invite({ callId, overrideMessage: 'Text us!' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ callId });
    expect(sim.c2m.invites()).toEqual([
      {
        callId,
        consumerPhoneNumber: PHONE,
        channel: 'sms',
        skill: 'support',
        handoffId: 'H123456789',
        overrideMessage: 'Text us!',
        // The eligibility call's template variables travel with the call.
        templateVariables: { '1': 'test' },
        receivedAt: expect.any(Number),
      },
    ]);
  });

  it('keeps the caller’s SDEs and in-app consumerId from the eligibility call, and shows the SDEs with the conversation', async () => {
    const sdes = [{ type: 'personal', info: { firstname: 'Smith', language: 'en-US' } }];
    const answer = await eligibility({ ...eligibilityBody, sdes, consumerId: 'james' });
    const callId = (answer.body as { callId: string }).callId;
    await invite({ callId });
    expect(sim.c2m.invites()).toEqual([expect.objectContaining({ callId, sdes, consumerId: 'james' })]);
    const { conversationId } = sim.c2m.consumerReplies(callId, 'hi');
    expect(sim.connector.conversations().find((c) => c.conversationId === conversationId)?.userProfile).toEqual({
      authenticatedData: { lp_sdes: sdes },
    });
    expect((await eligibility({ ...eligibilityBody, sdes: [{ type: 'purchase', info: {} }] })).status).toBe(400);
  });

  it('refuses an in-app invite whose eligibility call gave no consumerId', async () => {
    sim.c2m.setConsumer(PHONE, { eligible: true, availableChannels: ['inapp'], recommendedChannelName: 'inapp' });
    const callId = await callIdFor();
    expect((await invite({ callId })).status).toBe(400);
  });

  it("lets the invited consumer answer: a conversation of the invite's skill opens with their message", async () => {
    const callId = await callIdFor();
    await invite({ callId });
    const first = sim.c2m.consumerReplies(callId, 'yes please 👍');
    const second = sim.c2m.consumerReplies(callId, 'are you there?');
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    const conversation = sim.connector.conversations().find((c) => c.conversationId === first.conversationId);
    expect(conversation).toMatchObject({ consumerId: PHONE, skillId: 'support', state: 'OPEN' });
    expect(conversation?.messages.map((m) => [m.originator, m.event])).toEqual([
      ['CONSUMER', { type: 'ContentEvent', contentType: 'text/plain', message: 'yes please 👍' }],
      ['CONSUMER', { type: 'ContentEvent', contentType: 'text/plain', message: 'are you there?' }],
    ]);
    expect(() => sim.c2m.consumerReplies('no-such-call', 'hi')).toThrow('No invite was sent for call no-such-call');
  });

  it('accepts the invite over an OAuth 1.0a API key', async () => {
    const callId = await callIdFor();
    const url = inviteUrl();
    expect((await postJson(url, { callId }, { authorization: oauth1Header(sim, 'POST', url) })).status).toBe(200);
  });

  it('treats twilio and sms as one channel, and takes an override skill', async () => {
    sim.c2m.addSkill('sales-vip');
    const callId = await callIdFor();
    expect((await invite({ callId, overrideChannel: 'twilio', overrideSkill: 'sales-vip' })).status).toBe(200);
    expect(sim.c2m.invites()[0]).toMatchObject({ channel: 'sms', skill: 'sales-vip' });
  });

  it('400 1000 for an unknown callId, a missing callId or an over-long override message', async () => {
    const invalid = c2mError(1000, 'Invalid request');
    expect((await invite({ callId: '0b2b8c4e-7c0f-4c53-9d7e-3f3b8d9b1a11' })).body).toEqual(invalid);
    expect((await invite({})).body).toEqual(invalid);
    const callId = await callIdFor();
    expect((await invite({ callId, overrideMessage: 'm'.repeat(1601) })).body).toEqual(invalid);
    expect((await invite({ callId, overrideMessage: 'm'.repeat(1600) })).status).toBe(200);
  });

  it('400 1501 when the consumer is not eligible', async () => {
    sim.c2m.setConsumer(PHONE, { eligible: false, availableChannels: [], recommendedChannelName: '' });
    const callId = await callIdFor();
    expect((await invite({ callId })).body).toEqual(c2mError(1501, 'No handoff channel is available'));
  });

  it('400 1900 for an override channel that is not available, 1901 for an unknown override skill', async () => {
    const callId = await callIdFor();
    expect((await invite({ callId, overrideChannel: 'wa' })).body).toEqual(c2mError(1900, 'Overridden channel is not available'));
    expect((await invite({ callId, overrideSkill: 'unknown' })).body).toEqual(
      c2mError(1901, 'No engagement provided for the overridden skill'),
    );
    expect(sim.c2m.invites()).toEqual([]);
  });

  it('400 1400 while the consumer has an open conversation (flagged, or opened through the Connector API)', async () => {
    const callId = await callIdFor();
    sim.c2m.setOpenConversation(PHONE, true);
    expect((await invite({ callId })).body).toEqual(c2mError(1400, 'Message cannot be sent'));
    sim.c2m.setOpenConversation(PHONE, false);

    const jws = await fetchConsumerJws(sim, appJwt, PHONE);
    const opened = await postJson(
      `${sim.url}/api/account/${sim.accountId}/messaging/consumer/conversation?v=3`,
      [
        { kind: 'req', id: '1', type: 'userprofile.SetUserProfile', body: {} },
        { kind: 'req', id: '2', type: 'cm.ConsumerRequestConversation', body: { brandId: sim.accountId, channelType: 'MESSAGING' } },
      ],
      { authorization: appJwt, 'x-lp-on-behalf': jws },
    );
    expect(opened.status).toBe(200);
    expect((await invite({ callId })).body).toEqual(c2mError(1400, 'Message cannot be sent'));

    const [conversation] = sim.connector.conversations();
    sim.connector.closeConversation(conversation?.conversationId ?? '');
    expect((await invite({ callId })).status).toBe(200);
  });
});

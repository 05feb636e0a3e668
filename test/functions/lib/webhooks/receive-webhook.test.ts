import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '#functions/lib/liveperson/webhook-signature.ts';
import {
  MAX_EVENT_TYPE_LENGTH,
  messageGroupId,
  NO_CONVERSATION_GROUP,
  receiveWebhook,
  sqsAttributeValue,
  type WebhookRequest,
} from '#functions/lib/webhooks/receive-webhook.ts';
import type { QueuedEvent, WebhookCredentials } from '#functions/lib/webhooks/ports.ts';
import { chatStateNotification, contentNotification, conversationNotification } from '#test/support/notifications.ts';

const ACCOUNT = '12345678';
const credentials = { clientId: 'client-1', clientSecret: 'client-secret-1', webhookToken: 'messaging-token-0123456789' };

describe('receiveWebhook', () => {
  let queued: QueuedEvent[];
  let failQueue: boolean;
  const queue = {
    send: async (event: QueuedEvent) => {
      if (failQueue) throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
      queued.push(event);
    },
  };
  const receive = (request: WebhookRequest, maxBodyBytes = 10_000) =>
    receiveWebhook(request, { accountId: ACCOUNT, credentials, queue, maxBodyBytes });

  beforeEach(() => {
    queued = [];
    failQueue = false;
  });

  function connectorRequest(
    body: unknown,
    overrides: { headers?: Record<string, string | undefined>; algorithm?: 'sha1' | 'sha256' } = {},
  ) {
    const rawBody = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    return {
      route: 'connector' as const,
      rawBody,
      receivedAt: Date.parse('2026-11-23T10:00:00.000Z'),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-liveperson-account-id': ACCOUNT,
        'x-liveperson-client-id': credentials.clientId,
        'x-liveperson-signature': signWebhookBody(rawBody, credentials.clientSecret, overrides.algorithm ?? 'sha1'),
        ...overrides.headers,
      },
    };
  }

  function messagingRequest(body: string, pathToken: string | undefined, contentType = 'application/json') {
    return {
      route: 'messaging' as const,
      rawBody: Buffer.from(body),
      receivedAt: Date.now(),
      pathToken,
      headers: { 'content-type': contentType },
    };
  }

  describe('accepts', () => {
    it.each(['sha1', 'sha256'] as const)('a %s-signed ContentEvent with emoji and CJK text, queued byte for byte', async (algorithm) => {
      const text = JSON.stringify(contentNotification('conv-1', 'héllo 😀 你好 🇯🇵'));
      const request = connectorRequest(text, { algorithm });
      const outcome = await receive(request);
      expect(outcome).toMatchObject({ accepted: true, status: 200 });
      expect(queued).toHaveLength(1);
      expect(queued[0]).toEqual({
        body: text,
        groupId: 'conv-1',
        deduplicationId: createHash('sha256').update(request.rawBody).digest('hex'),
        attributes: {
          route: 'connector',
          eventType: 'ms.MessagingEventNotification.ContentEvent',
          receivedAt: '2026-11-23T10:00:00.000Z',
          accountId: ACCOUNT,
        },
      });
    });

    it('a conversation notification, grouped by convId', async () => {
      await receive(connectorRequest(conversationNotification('conv-2', 'CLOSE')));
      expect(queued[0]?.groupId).toBe('conv-2');
      expect(queued[0]?.attributes.eventType).toBe('cqm.ExConversationChangeNotification');
    });

    it('a body with changes of several conversations whole, grouped by the first change', async () => {
      const body = contentNotification('conv-a');
      body.body.changes.push({ ...contentNotification('conv-b').body.changes[0]! });
      await receive(connectorRequest(body));
      expect(queued).toHaveLength(1);
      expect(JSON.parse(queued[0]!.body).body.changes).toHaveLength(2);
      expect(queued[0]?.groupId).toBe('conv-a');
    });

    it('a notification that names no conversation, in the shared fallback group', async () => {
      await receive(
        connectorRequest({
          kind: 'notification',
          type: 'ms.MessagingEventNotification',
          body: { changes: [{ event: { type: 'ChatStateEvent' } }] },
        }),
      );
      expect(queued[0]?.groupId).toBe(NO_CONVERSATION_GROUP);
      expect(queued[0]?.attributes.eventType).toBe('ms.MessagingEventNotification.ChatStateEvent');
    });

    it('the same body twice with the same deduplication id (LivePerson redelivers)', async () => {
      const request = connectorRequest(contentNotification('conv-1'));
      await receive(request);
      await receive(request);
      expect(queued[0]?.deduplicationId).toBe(queued[1]?.deduplicationId);
    });

    it("a post-conversation survey message in its conversation's group, not its dialog's", async () => {
      const body = contentNotification('conv-1');
      body.body.changes[0]!.dialogId = 'survey-dialog-1';
      await receive(connectorRequest(body));
      expect(queued[0]?.groupId).toBe('conv-1');
    });

    it('a genuine repeat of a change without sequence or timestamp, with a deduplication id of its own', async () => {
      const request = connectorRequest(chatStateNotification('conv-t', 'COMPOSING'));
      await receive(request);
      await receive(request);
      expect(queued).toHaveLength(2);
      expect(queued[0]?.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
      expect(queued[1]?.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
      expect(queued[0]?.deduplicationId).not.toBe(queued[1]?.deduplicationId);
    });

    it("an eventType attribute of at most 256 code points SQS accepts, whatever the body's type", async () => {
      const type = `ms.${'x'.repeat(300)}`;
      await receive(connectorRequest({ ...conversationNotification('conv-1'), type }));
      expect(queued[0]?.attributes.eventType).toBe(type.slice(0, MAX_EVENT_TYPE_LENGTH));
      // Escaped in the JSON, so the body itself is fine for SQS, but not the decoded value.
      await receive(
        connectorRequest(JSON.stringify({ ...conversationNotification('conv-2'), type: 'bad\u0000type!' }).replace('type!', 'type\\uffff')),
      );
      expect(queued[1]?.attributes.eventType).toBe('bad\ufffdtype\ufffd');
    });

    it.each([undefined, 'text/plain', 'application/x-www-form-urlencoded'])(
      'a signed notification labelled %s: judged by its signature, not its content type',
      async (contentType) => {
        const outcome = await receive(connectorRequest(contentNotification('c'), { headers: { 'content-type': contentType } }));
        expect(outcome).toMatchObject({ accepted: true, status: 200 });
        expect(queued).toHaveLength(1);
      },
    );

    it('a body with U+FFFE or U+FFFF, which SQS refuses raw: queued with their JSON escapes, meaning the same', async () => {
      const raw =
        '{"kind":"notification","type":"ms.MessagingEventNotification","body":{"changes":[{"dialogId":"c","sequence":1,"event":{"type":"ContentEvent","message":"a\ufffeb\uffff","contentType":"text/plain"}}]}}';
      const outcome = await receive(connectorRequest(raw));
      expect(outcome).toMatchObject({ accepted: true, status: 200 });
      expect(queued[0]?.body).not.toMatch(/[\ufffe\uffff]/);
      expect(JSON.parse(queued[0]?.body ?? '')).toEqual(JSON.parse(raw));
      expect(queued[0]?.deduplicationId).toBe(createHash('sha256').update(raw).digest('hex'));
    });

    it('a messaging subscription event with the right URL token', async () => {
      const outcome = await receive(messagingRequest('{"type":"MessageEvent","conversationId":"conv-9"}', credentials.webhookToken));
      expect(outcome.accepted).toBe(true);
      expect(queued[0]).toMatchObject({ groupId: 'conv-9', attributes: { route: 'messaging', eventType: 'MessageEvent' } });
    });
  });

  describe('rejects, queuing nothing', () => {
    const cases: Array<[string, () => WebhookRequest, number, string]> = [
      ['an oversized body', () => connectorRequest({ kind: 'notification', pad: 'x'.repeat(20_000) }), 413, 'body-too-large'],
      ['messaging: no content type', () => messagingRequest('{}', credentials.webhookToken, ''), 415, 'unsupported-media-type'],
      ['messaging: a text/plain body', () => messagingRequest('{}', credentials.webhookToken, 'text/plain'), 415, 'unsupported-media-type'],
      [
        'a text/plain body whose signature does not match',
        () =>
          connectorRequest(contentNotification('c'), { headers: { 'content-type': 'text/plain', 'x-liveperson-signature': 'sha1=AAAA' } }),
        401,
        'invalid-signature',
      ],
      [
        'a missing signature',
        () => connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-signature': undefined } }),
        401,
        'missing-signature',
      ],
      [
        'a wrong signature',
        () =>
          connectorRequest(contentNotification('c'), {
            headers: { 'x-liveperson-signature': signWebhookBody('other', credentials.clientSecret) },
          }),
        401,
        'invalid-signature',
      ],
      [
        'a malformed signature',
        () => connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-signature': 'nonsense' } }),
        401,
        'invalid-signature',
      ],
      [
        'another account',
        () => connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-account-id': '999' } }),
        403,
        'wrong-account',
      ],
      [
        'a missing account header',
        () => connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-account-id': undefined } }),
        403,
        'wrong-account',
      ],
      [
        'another client',
        () => connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-client-id': 'intruder' } }),
        403,
        'wrong-client',
      ],
      ['a body that is not JSON', () => connectorRequest('{"kind": "notification",'), 400, 'not-json'],
      ['a body that is not UTF-8', () => ({ ...connectorRequest('x'), ...resign(Buffer.from([0x7b, 0xff, 0x7d])) }), 400, 'not-json'],
      ['messaging: a wrong URL token', () => messagingRequest('{}', 'wrong-token'), 401, 'invalid-token'],
      ['messaging: no URL token', () => messagingRequest('{}', undefined), 401, 'invalid-token'],
      ['messaging: a JSON array', () => messagingRequest('[]', credentials.webhookToken), 400, 'not-a-notification'],
      ['messaging: not JSON', () => messagingRequest('hello', credentials.webhookToken), 400, 'not-json'],
    ];

    function resign(rawBody: Buffer) {
      const base = connectorRequest('x');
      return { rawBody, headers: { ...base.headers, 'x-liveperson-signature': signWebhookBody(rawBody, credentials.clientSecret) } };
    }

    it.each(cases)('%s', async (_name, request, status, reason) => {
      const outcome = await receive(request());
      expect(outcome).toMatchObject({ accepted: false, status, reason });
      expect(queued).toEqual([]);
    });

    it.each([
      ['a JSON array', [contentNotification('c')], 'unknown', 'no-conversation'],
      ['another kind', { ...contentNotification('c'), kind: 'req' }, 'ms.MessagingEventNotification.ContentEvent', 'c'],
      [
        'no changes',
        { kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [] } },
        'ms.MessagingEventNotification',
        'no-conversation',
      ],
      ['a body without changes', { kind: 'notification', type: 'x', body: {} }, 'x', 'no-conversation'],
      [
        'a notification type not known yet',
        { kind: 'notification', type: 'ms.Future', body: { changes: [{ dialogId: 'd-1' }] } },
        'ms.Future',
        'd-1',
      ],
      ['a JSON number', 42, 'unknown', 'no-conversation'],
    ])('queues a signed body of any JSON shape (%s): refusing it would hold back every event', async (_name, body, eventType, groupId) => {
      const outcome = await receive(connectorRequest(body));
      expect(outcome).toMatchObject({ accepted: true, status: 200 });
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ body: JSON.stringify(body), groupId, attributes: { eventType } });
    });

    it('closes the messaging route when the secret has no webhookToken', async () => {
      const outcome = await receiveWebhook(messagingRequest('{}', 'anything'), {
        accountId: ACCOUNT,
        credentials: { clientId: 'c', clientSecret: 's' },
        queue,
        maxBodyBytes: 1000,
      });
      expect(outcome).toMatchObject({ status: 401, reason: 'token-not-configured' });
    });

    it('never echoes the secret or the signature in its message', async () => {
      const request = connectorRequest(contentNotification('c'), {
        headers: { 'x-liveperson-signature': 'sha1=AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      });
      const outcome = await receive(request);
      expect(JSON.stringify(outcome)).not.toContain(credentials.clientSecret);
      expect(JSON.stringify(outcome)).not.toContain('AAAAAAAAAAAA');
    });
  });

  // Behaviour change: the AWS error (account, role and queue ARNs) used to be in the message, which the caller sees.
  it('answers 503 when the queue does not confirm the write, so LivePerson retries; the AWS error is for the log only', async () => {
    failQueue = true;
    const outcome = await receive(connectorRequest(contentNotification('conv-1')));
    expect(outcome).toMatchObject({ accepted: false, status: 503, reason: 'queue-unavailable' });
    expect(outcome.accepted === false && outcome.detail).toContain('ServiceUnavailable: Service Unavailable');
    expect(outcome.accepted === false && outcome.message).toBe('the event queue did not confirm the write; try again later');
  });

  describe('with a rotated secret', () => {
    const rotated = { ...credentials, clientSecret: 'rotated-secret-2', webhookToken: 'rotated-token-0123456789' };
    let refreshes: number;
    const receiveWith = (request: WebhookRequest, refreshed: () => Promise<WebhookCredentials | undefined>) =>
      receiveWebhook(request, {
        accountId: ACCOUNT,
        credentials,
        queue,
        maxBodyBytes: 10_000,
        refreshCredentials: () => {
          refreshes++;
          return refreshed();
        },
      });
    beforeEach(() => {
      refreshes = 0;
    });

    it('accepts a body signed with the new secret after re-reading the credentials once', async () => {
      const rawBody = Buffer.from(JSON.stringify(contentNotification('conv-1')));
      const request = connectorRequest(rawBody.toString(), {
        headers: { 'x-liveperson-signature': signWebhookBody(rawBody, rotated.clientSecret) },
      });
      expect(await receiveWith(request, async () => rotated)).toMatchObject({ accepted: true, status: 200 });
      expect(refreshes).toBe(1);
      expect(queued).toHaveLength(1);
    });

    it('accepts the new URL token on the messaging route', async () => {
      const outcome = await receiveWith(messagingRequest('{"conversationId":"c"}', rotated.webhookToken), async () => rotated);
      expect(outcome).toMatchObject({ accepted: true });
    });

    it('still rejects a forged signature after the re-read, and keeps the answer when re-reading is not allowed or fails', async () => {
      const forged = connectorRequest(contentNotification('c'), {
        headers: { 'x-liveperson-signature': signWebhookBody('other', 'guess') },
      });
      expect(await receiveWith(forged, async () => rotated)).toMatchObject({ status: 401, reason: 'invalid-signature' });
      expect(await receiveWith(forged, async () => undefined)).toMatchObject({ status: 401, reason: 'invalid-signature' });
      const failed = await receiveWith(forged, () => Promise.reject(new Error('AccessDenied')));
      expect(failed).toMatchObject({
        status: 401,
        reason: 'invalid-signature',
        detail: expect.stringContaining('re-reading the credentials failed: Error: AccessDenied'),
      });
      expect(queued).toEqual([]);
    });

    it('does not re-read for failures a new secret cannot explain', async () => {
      await receiveWith(
        connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-signature': undefined } }),
        async () => rotated,
      );
      await receiveWith(connectorRequest(contentNotification('c'), { headers: { 'x-liveperson-account-id': '999' } }), async () => rotated);
      await receiveWith(connectorRequest(contentNotification('c')), async () => rotated);
      expect(refreshes).toBe(0);
    });
  });
});

describe('sqsAttributeValue', () => {
  it('cuts by code points, never inside a surrogate pair', () => {
    expect(sqsAttributeValue('😀'.repeat(3), 2)).toBe('😀😀');
    expect(sqsAttributeValue('\ud800x', 5)).toBe('\ufffdx');
  });

  it('keeps a value of exactly the limit, and one longer in UTF-16 units but not in code points', () => {
    expect(sqsAttributeValue('abc', 3)).toBe('abc');
    expect(sqsAttributeValue('abcd', 3)).toBe('abc');
    expect(sqsAttributeValue('😀😀', 3)).toBe('😀😀');
    expect(sqsAttributeValue('😀😀x\u0001', 3)).toBe('😀😀x');
  });
});

describe('messageGroupId', () => {
  it('keeps a conversation id SQS accepts, digests any other, and falls back when absent', () => {
    expect(messageGroupId('0c3f0d3e-1b5a-4d8e-9f00-1234567890ab')).toBe('0c3f0d3e-1b5a-4d8e-9f00-1234567890ab');
    expect(messageGroupId('conv with spaces')).toMatch(/^[0-9a-f]{64}$/);
    expect(messageGroupId('x'.repeat(129))).toMatch(/^[0-9a-f]{64}$/);
    expect(messageGroupId('conv with spaces')).toBe(messageGroupId('conv with spaces'));
    expect(messageGroupId(undefined)).toBe(NO_CONVERSATION_GROUP);
  });
});

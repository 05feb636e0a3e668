/**
 * Property-based tests of the webhook receiver's decision: thousands of generated and mutated
 * requests, each either accepted exactly as sent or rejected with a known reason, with nothing
 * queued on rejection and never an unhandled exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signedConnectorRequest } from '../support/signed-webhook.ts';
import { createHash } from 'node:crypto';
import {
  MAX_EVENT_TYPE_LENGTH,
  messageGroupId,
  receiveWebhook,
  type RejectionReason,
  type WebhookRequest,
} from '#functions/lib/webhooks/receive-webhook.ts';
import type { QueuedEvent } from '#functions/lib/webhooks/ports.ts';

const ACCOUNT = '12345678';
const credentials = { clientId: 'client-1', clientSecret: 'secret-1', webhookToken: 'token-0123456789abcdef' };
const REASONS: ReadonlySet<RejectionReason> = new Set([
  'body-too-large',
  'unsupported-media-type',
  'missing-signature',
  'invalid-signature',
  'wrong-account',
  'wrong-client',
  'invalid-token',
  'token-not-configured',
  'not-json',
  'not-a-notification',
]);
const SQS_GROUP_ID = /^[\x21-\x7E]{1,128}$/;
// What SQS accepts in a message attribute.
const SQS_ATTRIBUTE = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

async function decide(request: WebhookRequest) {
  const queued: QueuedEvent[] = [];
  const outcome = await receiveWebhook(request, {
    accountId: ACCOUNT,
    credentials,
    queue: { send: async (event) => void queued.push(event) },
    maxBodyBytes: 4096,
  });
  return { outcome, queued };
}

// Text of every kind LivePerson may carry: emoji, CJK, RTL, combining marks, escapes.
const text = fc.string({ unit: 'grapheme', maxLength: 60 });
const change = fc.record({
  sequence: fc.nat(),
  originatorId: fc.uuid(),
  originatorMetadata: fc.record({ id: fc.uuid(), role: fc.constantFrom('CONSUMER', 'ASSIGNED_AGENT') }),
  serverTimestamp: fc.nat(),
  event: fc.record({ type: fc.constant('ContentEvent'), message: text, contentType: fc.constant('text/plain') }),
  conversationId: fc.oneof(fc.uuid(), text),
  messageAudience: fc.constant('ALL'),
});
const notification = fc.record({
  kind: fc.constant('notification'),
  type: fc.constant('ms.MessagingEventNotification'),
  body: fc.record({ changes: fc.array(change, { minLength: 1, maxLength: 3 }) }),
});

function signedRequest(raw: Buffer, algorithm: 'sha1' | 'sha256'): WebhookRequest {
  return signedConnectorRequest(raw, { accountId: ACCOUNT, ...credentials }, algorithm);
}

// Changes that may lack what identifies them, may name a dialog of their own, and may carry any type.
const looseChange = fc.record(
  {
    sequence: fc.nat(),
    serverTimestamp: fc.nat(),
    event: fc.record({
      type: fc.oneof(fc.constant('ChatStateEvent'), fc.string({ unit: 'binary', maxLength: 400 })),
      chatState: fc.constant('COMPOSING'),
    }),
    conversationId: fc.oneof(fc.uuid(), text),
    dialogId: fc.oneof(fc.uuid(), text),
  },
  { requiredKeys: ['event'] },
);
const looseNotification = fc.record({
  kind: fc.constant('notification'),
  type: fc.oneof(fc.constant('ms.MessagingEventNotification'), fc.string({ unit: 'binary', minLength: 1, maxLength: 400 })),
  body: fc.record({ changes: fc.array(looseChange, { minLength: 1, maxLength: 3 }) }),
});
const blankToUndefined = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);

describe('receiver properties', () => {
  it('groups by conversation before dialog, deduplicates by body unless nothing identifies the changes, and keeps attributes SQS accepts', async () => {
    await fc.assert(
      fc.asyncProperty(looseNotification, async (body) => {
        const raw = Buffer.from(JSON.stringify(body), 'utf8');
        fc.pre(raw.length <= 4096 && !/[\uFFFE\uFFFF]/.test(raw.toString('utf8')));
        const { outcome, queued } = await decide(signedRequest(raw, 'sha1'));
        expect(outcome.accepted).toBe(true);
        const event = queued[0];
        const first = body.body.changes[0];
        expect(event?.groupId).toBe(messageGroupId(blankToUndefined(first?.conversationId) ?? blankToUndefined(first?.dialogId)));
        const unidentified =
          body.type === 'ms.MessagingEventNotification' &&
          body.body.changes.every((c) => c.sequence === undefined && c.serverTimestamp === undefined);
        if (unidentified) expect(event?.deduplicationId).not.toBe(createHash('sha256').update(raw).digest('hex'));
        else expect(event?.deduplicationId).toBe(createHash('sha256').update(raw).digest('hex'));
        expect(event?.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
        expect(Array.from(event?.attributes.eventType ?? '').length).toBeLessThanOrEqual(MAX_EVENT_TYPE_LENGTH);
        expect(event?.attributes.eventType).toMatch(SQS_ATTRIBUTE);
      }),
      { numRuns: 1500 },
    );
  });

  it('accepts every correctly signed notification byte for byte, with valid SQS ids', async () => {
    await fc.assert(
      fc.asyncProperty(notification, fc.constantFrom('sha1', 'sha256'), async (body, algorithm) => {
        const raw = Buffer.from(JSON.stringify(body), 'utf8');
        fc.pre(raw.length <= 4096 && !/[\uFFFE\uFFFF]/.test(raw.toString('utf8')));
        const { outcome, queued } = await decide(signedRequest(raw, algorithm));
        expect(outcome.accepted).toBe(true);
        expect(queued).toHaveLength(1);
        expect(Buffer.from(queued[0]?.body ?? '', 'utf8').equals(raw)).toBe(true);
        expect(queued[0]?.groupId).toMatch(SQS_GROUP_ID);
        expect(queued[0]?.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 1500 },
    );
  });

  it('rejects any mutation of a signed body, queuing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(notification, fc.nat(), fc.integer({ min: 1, max: 255 }), async (body, position, flip) => {
        const raw = Buffer.from(JSON.stringify(body), 'utf8');
        const request = signedRequest(raw, 'sha256');
        const mutated = Buffer.from(raw);
        const index = position % mutated.length;
        mutated[index] = (mutated[index] ?? 0) ^ flip;
        const { outcome, queued } = await decide({ ...request, rawBody: mutated });
        expect(outcome.accepted).toBe(false);
        expect(queued).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('answers any request whatsoever with a decision, never an exception, and queues only when accepted', async () => {
    const headerValue = fc.option(fc.string({ maxLength: 80 }), { nil: undefined });
    const request = fc.record({
      route: fc.constantFrom('connector' as const, 'messaging' as const),
      rawBody: fc.oneof(
        fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
        fc.json().map((json) => Buffer.from(json)),
        notification.map((n) => Buffer.from(JSON.stringify(n))),
      ),
      pathToken: fc.option(fc.oneof(fc.string(), fc.constant(credentials.webhookToken)), { nil: undefined }),
      receivedAt: fc.nat(),
      headers: fc.record({
        'content-type': fc.option(fc.constantFrom('application/json', 'text/plain', 'application/cloudevents+json; charset=utf-8', ''), {
          nil: undefined,
        }),
        'x-liveperson-account-id': fc.option(fc.constantFrom(ACCOUNT, '999'), { nil: undefined }),
        'x-liveperson-client-id': fc.option(fc.constantFrom(credentials.clientId, 'other'), { nil: undefined }),
        'x-liveperson-signature': headerValue,
      }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const { outcome, queued } = await decide(generated);
        if (outcome.accepted) {
          expect(queued).toHaveLength(1);
        } else {
          expect(REASONS.has(outcome.reason as RejectionReason)).toBe(true);
          expect([400, 401, 403, 413, 415]).toContain(outcome.status);
          expect(outcome.message.length).toBeGreaterThan(0);
          expect(queued).toEqual([]);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

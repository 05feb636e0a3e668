/**
 * The webhooks the benchmark sends: signed ContentEvent notifications on the connector route,
 * each body distinct (SQS FIFO would drop a repeated one as a duplicate and the delivery count
 * would no longer prove anything), with varied conversations, lengths and some emoji.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signWebhookBody } from '#functions/lib/liveperson/webhook-signature.ts';
import { messageGroupId } from '#functions/lib/webhooks/receive-webhook.ts';
import { apiGatewayEvent } from '../support/api-gateway-event.ts';
import { contentNotification } from '../support/notifications.ts';

export const BENCH_ACCOUNT_ID = '12345678';
export const BENCH_SECRET_ID = `liveperson/${BENCH_ACCOUNT_ID}/credentials`;
export const BENCH_CREDENTIALS = {
  clientId: 'bench-client',
  clientSecret: 'bench-client-secret',
  webhookToken: 'bench-messaging-token-0123456789',
} as const;

export interface BenchWebhook {
  readonly event: APIGatewayProxyEvent;
  /** The raw body, as the receiver queues it. */
  readonly body: string;
  /** What the receiver uses for MessageGroupId and MessageDeduplicationId. */
  readonly groupId: string;
  readonly deduplicationId: string;
}

const WORDS = [
  'hello',
  'my',
  'order',
  'has',
  'not',
  'arrived',
  'yet',
  'can',
  'you',
  'check',
  'the',
  'tracking',
  'number',
  'please',
  'thanks',
];
const EMOJI = ['😀', '🙏', '📦', '🇯🇵', '👍🏽', '❤️', '🚚'];

/** `count` webhooks labelled `label`, so bodies of different batches never collide. */
export function benchWebhooks(count: number, label: string): BenchWebhook[] {
  return Array.from({ length: count }, (_, index) => benchWebhook(index, label));
}

function benchWebhook(index: number, label: string): BenchWebhook {
  // Mostly a few hundred busy conversations; now and then one whose id SQS refuses as a group id (hashed).
  const conversationId = index % 50 === 49 ? `conversación-${index % 7}` : `conv-${(index * 31) % 257}-${label}`;
  const body = JSON.stringify(contentNotification(conversationId, messageText(index, label), index + 1));
  const raw = Buffer.from(body, 'utf8');
  const event = apiGatewayEvent({
    resource: '/webhooks/connector',
    path: '/webhooks/connector',
    body: raw,
    headers: {
      'Content-Type': 'application/json',
      'X-LivePerson-Account-Id': BENCH_ACCOUNT_ID,
      'X-LivePerson-Client-Id': BENCH_CREDENTIALS.clientId,
      'X-LivePerson-Signature': signWebhookBody(raw, BENCH_CREDENTIALS.clientSecret, index % 2 === 0 ? 'sha1' : 'sha256'),
    },
  });
  return { event, body, groupId: messageGroupId(conversationId), deduplicationId: createHash('sha256').update(raw).digest('hex') };
}

/** 20 to ~700 characters, an emoji in every fourth message, and a tag that makes the body unique. */
function messageText(index: number, label: string): string {
  const words: string[] = [];
  const targetLength = 20 + ((index * 7919) % 680);
  for (let i = 0; words.join(' ').length < targetLength; i++) {
    words.push(WORDS[(index + i * 3) % WORDS.length] ?? 'hi');
    if (index % 4 === 0 && i % 9 === 4) words.push(EMOJI[(index + i) % EMOJI.length] ?? '🙂');
  }
  return `${words.join(' ')} [${label} #${index}]`;
}

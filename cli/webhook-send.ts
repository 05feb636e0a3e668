/**
 * `liveperson-aws webhook send`: posts one test notification to a webhook URL, signed as LivePerson
 * signs it, and shows the answer: the quickest proof that a deployed endpoint accepts LivePerson.
 */
import { randomUUID } from 'node:crypto';
import { signWebhookBody, type SignatureAlgorithm } from '#functions/lib/liveperson/webhook-signature.ts';
// The simulator's builders are the project's one model of LivePerson's notification bodies.
import { contentEventChange, messagingNotification } from '#simulator/notifications.ts';
import { messageOf, readCredentials, resolveTarget, UsageError, type CommonFlags } from './context.ts';

export interface WebhookSendFlags extends CommonFlags {
  readonly url?: string | undefined;
  readonly algorithm?: string | undefined;
  readonly text?: string | undefined;
  readonly 'conversation-id'?: string | undefined;
}

export interface WebhookSendResult {
  readonly ok: boolean;
  readonly url: string;
  readonly status: number | undefined;
  readonly answer: string;
  readonly conversationId: string;
}

export async function webhookSend(flags: WebhookSendFlags): Promise<WebhookSendResult> {
  if (!flags.url) throw new UsageError('--url is required: the ConnectorWebhookUrl output of the stack');
  const algorithm = (flags.algorithm ?? 'sha1') as SignatureAlgorithm;
  if (algorithm !== 'sha1' && algorithm !== 'sha256') throw new UsageError('--algorithm must be sha1 or sha256');
  const target = resolveTarget(flags);
  const credentials = await readCredentials(flags, target);
  const conversationId = flags['conversation-id'] ?? `test-${randomUUID()}`;
  const notification = messagingNotification(
    contentEventChange({
      conversationId,
      originatorId: 'liveperson-aws-cli',
      role: 'CONSUMER',
      sequence: 0,
      serverTimestamp: Date.now(),
      message: flags.text ?? 'Test notification from liveperson-aws webhook send ✅',
    }),
  );
  const body = Buffer.from(JSON.stringify(notification), 'utf8');
  try {
    const response = await fetch(flags.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-liveperson-account-id': target.accountId,
        'x-liveperson-client-id': credentials.clientId,
        'x-liveperson-signature': signWebhookBody(body, credentials.clientSecret, algorithm),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const answer = await response.text();
    return { ok: response.status === 200 || response.status === 201, url: flags.url, status: response.status, answer, conversationId };
  } catch (error) {
    return { ok: false, url: flags.url, status: undefined, answer: messageOf(error), conversationId };
  }
}

/** A connector-route request signed as LivePerson signs it, for receiver tests. */
import { signWebhookBody } from '#functions/lib/liveperson/webhook-signature.ts';
import type { WebhookRequest } from '#functions/lib/webhooks/receive-webhook.ts';

export function signedConnectorRequest(
  raw: Buffer,
  identity: { accountId: string; clientId: string; clientSecret: string },
  algorithm: 'sha1' | 'sha256' = 'sha256',
): WebhookRequest {
  return {
    route: 'connector',
    rawBody: raw,
    receivedAt: 0,
    headers: {
      'content-type': 'application/json',
      'x-liveperson-account-id': identity.accountId,
      'x-liveperson-client-id': identity.clientId,
      'x-liveperson-signature': signWebhookBody(raw, identity.clientSecret, algorithm),
    },
  };
}

/**
 * Names of the AWS resources and item attributes the CDK app creates and the functions (and the local
 * stack) use: one definition, so a table's key or TTL attribute cannot differ between the two.
 */

/** The conversation state table: conversation items, and the connector's `consumer#…` items, under one key. */
export const STATE_TABLE = { partitionKey: 'conversationId', timeToLiveAttribute: 'expiresAt' } as const;

/** The idempotency table, with the attribute names Powertools' DynamoDB persistence layer uses by default. */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', timeToLiveAttribute: 'expiration' } as const;

/** The C2M funnel's table: one item per account holding how far the funnel has counted (its watermark). */
export const FUNNEL_TABLE = { partitionKey: 'id' } as const;

/** The EventBridge bus the processor publishes to. */
export function eventBusName(accountId: string): string {
  return `liveperson-${accountId}`;
}

/** The credentials secret's name when the deployment config names none. */
export function defaultSecretName(accountId: string): string {
  return `liveperson/${accountId}/credentials`;
}

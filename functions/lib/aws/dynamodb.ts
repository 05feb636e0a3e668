/**
 * The DynamoDB document client the stores share: undefined attributes are left out (optional
 * fields), and timeouts that fail the call (clients.ts) so a hung connection fails the record
 * rather than the whole invocation.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbClient } from './clients.ts';

export function documentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  const base = client ?? dynamoDbClient();
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

export const SECONDS_PER_DAY = 24 * 60 * 60;

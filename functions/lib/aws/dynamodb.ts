/**
 * The DynamoDB document client the stores share: undefined attributes are left out (optional
 * fields), and explicit timeouts so a hung connection fails the record rather than the whole
 * invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function documentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  const base = client ?? new DynamoDBClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 } });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

export const SECONDS_PER_DAY = 24 * 60 * 60;

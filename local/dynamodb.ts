/**
 * DynamoDB on loopback (dynalite, in memory), with the two tables the processor uses, for the
 * tests, the benchmark and the local stack.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
// dynalite ships no types; it returns a node:http server.
// @ts-expect-error -- untyped CommonJS module
import dynalite from 'dynalite';
import { IDEMPOTENCY_TABLE, STATE_TABLE } from '#contract/resources.ts';

export interface LocalDynamoDb {
  /** http://127.0.0.1:PORT: the value for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Creates a table keyed by one string attribute. */
  createTable(name: string, partitionKey: string): Promise<string>;
  stop(): Promise<void>;
}

/** Key attributes of the processor's tables (the construct creates the same ones in AWS). */
export const STATE_TABLE_KEY = STATE_TABLE.partitionKey;
export const IDEMPOTENCY_TABLE_KEY = IDEMPOTENCY_TABLE.partitionKey;

export async function startLocalDynamoDb(options: { port?: number } = {}): Promise<LocalDynamoDb> {
  const server = (dynalite as (options: object) => Server)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('local DynamoDB did not start on a TCP port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  return {
    endpoint,
    client,
    async createTable(name, partitionKey) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return name;
    },
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A real SQS-protocol endpoint on loopback (fauxqs), for the tests, the benchmark and the local
 * stack. fauxqs's own starter binds every interface; building its app and listening ourselves
 * keeps it on 127.0.0.1.
 */
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

export interface LocalSqs {
  /** http://127.0.0.1:PORT: the value for AWS_ENDPOINT_URL_SQS. */
  readonly endpoint: string;
  readonly client: SQSClient;
  /** Creates a queue and returns its URL; FIFO when the name ends in `.fifo`. */
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * fauxqs 2.4.1 checks message characters per UTF-16 code unit, so it refuses every emoji, which
 * real SQS accepts (#x10000 to #x10FFFF are valid). LivePerson messages are full of emoji, so the
 * local stack widens that one check to SQS's documented set. Remove once fauxqs checks code points.
 */
async function acceptCharactersSqsAccepts(): Promise<void> {
  const typesUrl = new URL('./sqs/sqsTypes.js', import.meta.resolve('fauxqs'));
  const types = (await import(typesUrl.href)) as { INVALID_MESSAGE_BODY_CHAR?: RegExp };
  const check = types.INVALID_MESSAGE_BODY_CHAR;
  if (!(check instanceof RegExp)) throw new Error('fauxqs changed: INVALID_MESSAGE_BODY_CHAR not found; review local/sqs.ts');
  // eslint-disable-next-line no-control-regex -- the control characters are the point: SQS allows tab, LF and CR only.
  const sqsInvalid = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  check.test = (text: string) => sqsInvalid.test(text);
}

export async function startLocalSqs(options: { port?: number } = {}): Promise<LocalSqs> {
  await acceptCharactersSqsAccepts();
  const app = buildApp({ logger: false });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('local SQS did not start on a TCP port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new SQSClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  return {
    endpoint,
    client,
    async createQueue(name, attributes = {}) {
      const fifo = name.endsWith('.fifo') ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...fifo, ...attributes } }));
      if (!QueueUrl) throw new Error(`local SQS did not return a URL for queue ${name}`);
      // fauxqs names queues http://sqs.<region>.localhost:PORT/...; the SDK sends each call to the
      // QueueUrl's host, so hand out the loopback address itself (fauxqs finds queues by name).
      return `${endpoint}${new URL(QueueUrl).pathname}`;
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}

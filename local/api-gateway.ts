/**
 * A loopback stand-in for the API Gateway REST API: it turns HTTP requests on the webhook routes
 * into API Gateway proxy events for the real receiver handler, and its result into the answer.
 * Routes other than the two webhook routes get what API Gateway answers for them (403).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';
import { WEBHOOK_ROUTES } from '#contract/constants.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LocalApiGateway {
  /** http://127.0.0.1:PORT/<stage> */
  readonly url: string;
  stop(): Promise<void>;
}

/** One webhook request and its answer, as the stand-in saw them. */
export interface WebhookExchange {
  readonly resource: string;
  readonly statusCode: number;
  readonly durationMs: number;
  /** The proxy event the receiver got: headers, body (base64), path (the messaging token in it), request id. */
  readonly event: APIGatewayProxyEvent;
  /** The answer's body as text. */
  readonly answer: string;
}

const ROUTES: ReadonlyArray<{ resource: string; pattern: RegExp }> = [
  { resource: WEBHOOK_ROUTES.connector, pattern: /^\/webhooks\/connector$/ },
  { resource: WEBHOOK_ROUTES.messaging, pattern: /^\/webhooks\/messaging\/(?<token>[^/]+)$/ },
];

export async function startLocalApiGateway(options: {
  handler: ProxyHandler;
  stage?: string;
  port?: number;
  /** Lambda timeout the handler's context reports. */
  timeoutMs?: number;
  onRequest?: (info: WebhookExchange) => void;
}): Promise<LocalApiGateway> {
  const stage = options.stage ?? 'live';
  const server: Server = createServer((request, response) => {
    void (async () => {
      const started = performance.now();
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://localhost');
      const path = url.pathname.startsWith(`/${stage}/`) ? url.pathname.slice(stage.length + 1) : undefined;
      const route = path === undefined ? undefined : ROUTES.map((r) => ({ ...r, match: r.pattern.exec(path) })).find((r) => r.match);
      if (!route || request.method !== 'POST') {
        response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Missing Authentication Token"}');
        return;
      }
      const token = route.match?.groups?.token;
      const event = proxyEvent(request, {
        resource: route.resource,
        path: path ?? '',
        stage,
        body,
        token: token ? decodeURIComponent(token) : undefined,
        query: url.searchParams,
      });
      let result: APIGatewayProxyResult;
      try {
        result = await options.handler(event, lambdaContext('webhook-receiver', options.timeoutMs ?? 10_000));
      } catch {
        // What API Gateway answers when the Lambda integration fails.
        result = { statusCode: 502, body: '{"message":"Internal server error"}' };
      }
      response.writeHead(result.statusCode, {
        'content-type': 'application/json',
        ...(result.headers as Record<string, string> | undefined),
      });
      response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      options.onRequest?.({
        resource: route.resource,
        statusCode: result.statusCode,
        durationMs: performance.now() - started,
        event,
        answer: result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body,
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('local API Gateway did not start on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}/${stage}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function proxyEvent(
  request: IncomingMessage,
  parts: { resource: string; path: string; stage: string; body: Buffer; token: string | undefined; query: URLSearchParams },
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = Object.fromEntries(parts.query);
  return {
    resource: parts.resource,
    path: parts.path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: parts.token === undefined ? null : { token: parts.token },
    stageVariables: null,
    // Base64 keeps the bytes exactly as sent, as API Gateway does for binary media types.
    body: parts.body.length > 0 ? parts.body.toString('base64') : null,
    isBase64Encoded: parts.body.length > 0,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: {},
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: 'POST',
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? null,
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${parts.stage}${parts.path}`,
      stage: parts.stage,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: parts.resource,
    },
  };
}

import type { APIGatewayProxyEvent } from 'aws-lambda';

/** An API Gateway REST proxy event as the webhook routes receive it. */
export function apiGatewayEvent(options: {
  resource: string;
  path: string;
  body: Buffer | string | null;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  base64?: boolean;
}): APIGatewayProxyEvent {
  const raw = options.body === null ? null : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  return {
    resource: options.resource,
    path: options.path,
    httpMethod: 'POST',
    headers: options.headers ?? {},
    multiValueHeaders: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: raw === null ? null : options.base64 ? raw.toString('base64') : raw.toString('utf8'),
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: {},
      protocol: 'HTTP/1.1',
      httpMethod: 'POST',
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path: options.path,
      stage: 'live',
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: options.resource,
    },
  };
}

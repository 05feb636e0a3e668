// Small clients for the simulator's contracts, written from the documentation (not from the
// simulator's code) so the tests exercise what a real client would send.
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { LivePersonSimulator } from '#simulator/index.ts';

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body, headers: response.headers };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** An AppJWT from Sentinel, credentials in a form body (the current documented way). */
export async function fetchAppJwt(sim: LivePersonSimulator): Promise<string> {
  const response = await request(`${sim.url}/sentinel/api/account/${sim.accountId}/app/token?v=1.0&grant_type=client_credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret }).toString(),
  });
  if (response.status !== 200) throw new Error(`Sentinel answered ${response.status}`);
  return (response.body as { access_token: string }).access_token;
}

export async function fetchConsumerJws(sim: LivePersonSimulator, appJwt: string, extConsumerId: string): Promise<string> {
  const response = await postJson(
    `${sim.url}/api/account/${sim.accountId}/consumer?v=1.0`,
    { ext_consumer_id: extConsumerId },
    {
      authorization: appJwt,
    },
  );
  if (response.status !== 201) throw new Error(`IdP answered ${response.status}`);
  return (response.body as { token: string }).token;
}

/** An OAuth 1.0a HMAC-SHA1 Authorization header over method, URL (with its query) and the oauth_* parameters. */
export function oauth1Header(
  sim: LivePersonSimulator,
  method: string,
  url: string,
  overrides: { consumerSecret?: string; accessTokenSecret?: string } = {},
): string {
  const { oauth1 } = sim.credentials;
  const oauth = new OAuth({
    consumer: { key: oauth1.consumerKey, secret: overrides.consumerSecret ?? oauth1.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (baseString, key) => createHmac('sha1', key).update(baseString).digest('base64'),
  });
  const authorization = oauth.authorize(
    { url, method },
    { key: oauth1.accessToken, secret: overrides.accessTokenSecret ?? oauth1.accessTokenSecret },
  );
  return oauth.toHeader(authorization).Authorization;
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A consumer of the Connector API: its tokens, CONVERSATION and SEND calls, the same Client-Properties on each. */
/** A CONVERSATION call's body: SetUserProfile (mandatory, first) and ConsumerRequestConversation for the account. */
export function conversationRequests(
  brandId: string,
  extra: { profile?: Record<string, unknown>; conversation?: Record<string, unknown> } = {},
): Array<Record<string, unknown>> {
  return [
    { kind: 'req', id: '1', type: 'userprofile.SetUserProfile', body: extra.profile ?? {} },
    { kind: 'req', id: '2', type: 'cm.ConsumerRequestConversation', body: { brandId, channelType: 'MESSAGING', ...extra.conversation } },
  ];
}

export interface ConnectorConsumer {
  readonly headers: Record<string, string>;
  open(requests?: unknown[]): Promise<JsonResponse>;
  /** Opens a conversation with minimal requests (and a skill when given); returns its id. */
  openConversation(options?: { skillId?: string }): Promise<string>;
  send(body: unknown): Promise<JsonResponse>;
  /** One SEND request of this type, id counting from 100. */
  request(type: string, body: unknown, extra?: Record<string, unknown>): Promise<JsonResponse>;
}

export async function connectorConsumer(
  sim: LivePersonSimulator,
  extConsumerId: string,
  options: { clientProperties?: Record<string, unknown> | string; appJwt?: string } = {},
): Promise<ConnectorConsumer> {
  const appJwt = options.appJwt ?? (await fetchAppJwt(sim));
  const jws = await fetchConsumerJws(sim, appJwt, extConsumerId);
  const properties = options.clientProperties;
  const headers: Record<string, string> = {
    authorization: appJwt,
    'x-lp-on-behalf': jws,
    ...(properties === undefined ? {} : { 'client-properties': typeof properties === 'string' ? properties : JSON.stringify(properties) }),
  };
  const base = `${sim.url}/api/account/${sim.accountId}/messaging/consumer/conversation`;
  let id = 100;
  const consumer: ConnectorConsumer = {
    headers,
    open: (requests) => postJson(`${base}?v=3`, requests ?? conversationRequests(sim.accountId), headers),
    async openConversation(openOptions = {}) {
      const response = await consumer.open(
        conversationRequests(sim.accountId, {
          conversation: openOptions.skillId === undefined ? {} : { skillId: openOptions.skillId },
        }),
      );
      if (response.status !== 200) throw new Error(`CONVERSATION answered ${response.status}: ${JSON.stringify(response.body)}`);
      return (response.body as Array<{ body: { conversationId: string } }>)[1]!.body.conversationId;
    },
    send: (body) => postJson(`${base}/send?v=3`, body, headers),
    request: (type, body, extra = {}) => consumer.send({ kind: 'req', id: String(id++), type, body, ...extra }),
  };
  return consumer;
}

/** The signed storage URL of a `ms.GenerateURLFor…File` answer. */
export function signedStorageUrl(sim: LivePersonSimulator, answer: unknown): string {
  const { relativePath, queryParams } = (answer as { body: { relativePath: string; queryParams: Record<string, string> } }).body;
  return `${sim.url}${relativePath}?${new URLSearchParams(queryParams).toString()}`;
}

/** The JSON types of a value, recursively: what a documented example and an answer must share. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, shapeOf(child)]));
  return value === null ? 'null' : typeof value;
}

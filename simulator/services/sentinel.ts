// Sentinel: issues AppJWTs by OAuth2 client credentials. client_id/client_secret are read from a
// form body or, as older docs and samples do, from the query string.
import type { SimContext } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply, mediaType } from '../http.ts';

/** Simulator-defined error shape: the OAuth2 one (RFC 6749 §5.2), which LivePerson does not document. */
export function sentinelError(status: number, error: string, description: string): SimReply {
  return { status, json: { error, error_description: description } };
}

/** Path: /sentinel/api/account/{accountId}/app/token */
export function handleSentinel(request: SimRequest, context: SimContext): SimReply {
  const { segments, query } = request;
  const [, , , accountId, app, token, ...rest] = segments;
  if (app !== 'app' || token !== 'token' || rest.length > 0) {
    return sentinelError(404, 'not_found', `No Sentinel resource at ${request.path}`);
  }
  if (request.method !== 'POST') return sentinelError(405, 'invalid_request', `${request.method} is not allowed; use POST`);
  if (query.v !== '1.0') return sentinelError(400, 'invalid_request', 'Query parameter v=1.0 is required');

  const form =
    mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded'
      ? new URLSearchParams(request.body)
      : new URLSearchParams();
  const read = (name: string): string | undefined => form.get(name) ?? query[name];

  const grantType = read('grant_type');
  if (grantType === undefined) return sentinelError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') {
    return sentinelError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }

  const { config } = context;
  // Credentials belong to one account: using them on another is as wrong as a bad secret.
  if (read('client_id') !== config.clientId || read('client_secret') !== config.clientSecret || accountId !== config.accountId) {
    return sentinelError(401, 'invalid_client', 'Client authentication failed');
  }
  const accessToken = context.tokens.issueAppJwt({
    clientId: config.clientId,
    accountId: config.accountId,
    ttlSeconds: config.appJwtTtlSeconds,
  });
  // No expires_in: LivePerson does not document one; clients read the JWT's exp claim.
  return jsonReply(200, { access_token: accessToken, token_type: 'Bearer' });
}

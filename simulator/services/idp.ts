// IdP: turns an ext_consumer_id into a consumer JWS for the Connector API's X-LP-ON-BEHALF header.
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import { plainError } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply, mediaType, parseJson } from '../http.ts';

const consumerRequestSchema = z.object({ ext_consumer_id: z.string().min(1) });

/** Path: /api/account/{accountId}/consumer. Errors use the simulator-defined plainError shape. */
export function handleIdp(request: SimRequest, context: SimContext): SimReply {
  const accountId = request.segments[2] ?? '';
  if (request.method !== 'POST') return plainError(405, `${request.method} is not allowed; use POST`);

  // The AppJWT comes raw, without 'Bearer ': a 'Bearer ...' value fails as an invalid token.
  const appJwt = context.tokens.verifyAppJwt(request.headers.authorization);
  if (!appJwt.ok) return plainError(401, `AppJWT ${appJwt.reason}`);
  if (appJwt.claims.acct !== accountId) return plainError(401, `AppJWT was not issued for account ${accountId}`);

  // Simulator-defined strictness: the documented version and media type are required.
  if (request.query.v !== '1.0') return plainError(400, 'Query parameter v=1.0 is required');
  if (mediaType(request.headers['content-type']) !== 'application/json') {
    return plainError(400, 'Content-Type must be application/json');
  }
  const json = parseJson(request.body);
  const parsed = json.ok ? consumerRequestSchema.safeParse(json.value) : undefined;
  if (parsed === undefined || !parsed.success) {
    return plainError(400, 'Body must be JSON {"ext_consumer_id": "<non-empty string>"}');
  }
  const token = context.tokens.issueConsumerJws({ accountId, extConsumerId: parsed.data.ext_consumer_id });
  return jsonReply(201, { token });
}

// CSDS (the Domain API): tells where each service lives. The real CSDS answers bare hosts; the
// simulator answers its own url with scheme (it is plain HTTP), unless options.domains overrides.
import type { SimContext } from '../context.ts';
import { plainError } from '../context.ts';
import type { SimReply, SimRequest } from '../http.ts';
import { jsonReply } from '../http.ts';

export const CSDS_SERVICE_NAMES = [
  'sentinel',
  'idp',
  'asyncMessagingEnt',
  'messagingRestApiDomain',
  'connectToMessagingDomain',
  'agentVep',
  'msgHist',
  'engHistDomain',
  'leDataReporting',
  'swift',
] as const;

const KNOWN_SERVICES: ReadonlySet<string> = new Set(CSDS_SERVICE_NAMES);

/** Paths: /api/account/{accountId}/service/baseURI.json and /api/account/{accountId}/service/{serviceName}/baseURI.json */
export function handleCsds(request: SimRequest, context: SimContext): SimReply {
  const [, , accountId, , first, second, ...rest] = request.segments;
  if (request.method !== 'GET') return plainError(405, `${request.method} is not allowed; use GET`);
  if (accountId !== context.config.accountId) return plainError(404, `Unknown account ${accountId ?? ''}`);

  const entry = (service: string) => ({
    service,
    account: accountId,
    baseURI: context.config.domains[service] ?? context.baseUrl(),
  });

  if (first === 'baseURI.json' && second === undefined) {
    return jsonReply(200, { baseURIs: CSDS_SERVICE_NAMES.map(entry) });
  }
  if (first !== undefined && second === 'baseURI.json' && rest.length === 0) {
    // Case-sensitive, as the real service names are.
    if (!KNOWN_SERVICES.has(first)) return plainError(404, `Unknown service ${first}`);
    return jsonReply(200, entry(first));
  }
  return plainError(404, `No CSDS resource at ${request.path}`);
}

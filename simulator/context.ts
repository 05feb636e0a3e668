// What every service handler may read or change: the resolved configuration and the in-memory state.
import { STATUS_CODES } from 'node:http';
import type { C2mState } from './c2m-state.ts';
import type { ConversationStore } from './conversation-store.ts';
import type { SimReply } from './http.ts';
import type { FileStorage } from './services/storage.ts';
import type { TokenAuthority } from './tokens.ts';
import type { OAuth1Credentials, SurveyConfig } from './types.ts';

export interface SimulatorConfig {
  accountId: string;
  clientId: string;
  clientSecret: string;
  oauth1: OAuth1Credentials;
  appJwtTtlSeconds: number;
  c2mRateLimitPerSecond: number;
  domains: Partial<Record<string, string>>;
  fileUrlTtlSeconds: number;
  reportingPageSize: number;
  reportingDelayMs: number;
  /** The account's post-conversation survey, if any; changed at run time by `connector.configureSurvey`. */
  survey: SurveyConfig | undefined;
}

export interface SimContext {
  config: SimulatorConfig;
  /** The simulator's own url ('http://127.0.0.1:PORT'); known once the server listens. */
  baseUrl(): string;
  tokens: TokenAuthority;
  conversations: ConversationStore;
  c2m: C2mState;
  /** The `swift` file store behind the Connector API's upload and download URLs. */
  storage: FileStorage;
}

/**
 * Simulator-defined error shape of the services whose error bodies LivePerson does not document
 * (CSDS, IdP, unrouted paths): `{"error": "<HTTP reason phrase>", "message": "<what was wrong>"}`.
 */
export function plainError(status: number, message: string): SimReply {
  return { status, json: { error: STATUS_CODES[status] ?? 'Error', message } };
}

// The shapes shared by the route handlers: a parsed request in, a reply out. Handlers never touch
// node:http, so the server alone decides about recording, injected faults and writing.
import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  path: string;
  /** The path split on '/', empty segments dropped. */
  segments: string[];
  /** First value of each query parameter. */
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The body decoded as UTF-8. */
  body: string;
  /** The body's bytes as received (storage uploads are binary). */
  rawBody: Buffer;
  /** The full URL as the client addressed it (scheme from the simulator, host from the Host header). */
  url: string;
}

export interface SimReply {
  status: number;
  /** JSON-encoded into the body. */
  json?: unknown;
  /** Sent as is (text/plain), when json is absent. */
  text?: string;
  /** Sent as is with `contentType`, when json and text are absent (a stored file). */
  bytes?: Buffer;
  contentType?: string;
}

export function jsonReply(status: number, json: unknown): SimReply {
  return { status, json };
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export function firstQueryValues(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!(name in query)) query[name] = value;
  }
  return query;
}

/** The media type of a Content-Type header, lower-cased, parameters (charset) dropped. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** JSON.parse without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

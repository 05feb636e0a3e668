/**
 * Names and values the CDK app and the functions must agree on, written once. Plain data: no AWS SDK,
 * no CDK, so both sides (and the local stack, the CLI and the tests) import it.
 * The LivePerson facts behind the C2M values: docs/liveperson.md#connect-to-messaging-c2m.
 */

/** The Lambda functions, by the folder of their handler (`functions/<name>/index.ts`) and their Powertools service name. */
export const LIVEPERSON_FUNCTION_NAMES = [
  'webhook-receiver',
  'event-processor',
  'c2m-invite',
  'connector-send',
  'domain-refresh',
  'c2m-funnel',
] as const;
export type LivePersonFunctionName = (typeof LIVEPERSON_FUNCTION_NAMES)[number];

/** LivePerson's global Domain API (CSDS) host; every other service's domain is looked up there. */
export const DEFAULT_CSDS_URL = 'https://api.liveperson.net';

/** C2M's own region codes: only a fallback when C2M's domain cannot be looked up (SSM, then CSDS). */
export const C2M_REGIONS = ['va', 'lo', 'sy'] as const;
export type C2mRegion = (typeof C2M_REGIONS)[number];

/**
 * C2M's field limits (its FAQ), counted in UTF-16 units as the service counts them: the deployment
 * config checks its defaults against them, the function every request.
 */
export const C2M_LIMITS = { consumerPhoneNumber: 15, skill: 255, handoffId: 16, overrideMessage: 1600 } as const;

/** The EventBridge source of every event the processor publishes. */
export const EVENT_SOURCE = 'liveperson';

/** detail-type of the brand's events the connector's EventBridge rule routes to the outbound queue by default. */
export const CONNECTOR_COMMAND_DETAIL_TYPE = 'LivePerson Connector Command';

/**
 * Client features LivePerson documents for a consumer client's `Client-Properties` (its schema's six,
 * and QUICK_REPLIES and MULTI_DIALOG from its survey tutorial). Other names pass too: LivePerson's own
 * web client sends more.
 */
export const DOCUMENTED_CLIENT_FEATURES = [
  'AUTO_MESSAGES',
  'RICH_CONTENT',
  'QUICK_REPLIES',
  'MULTI_DIALOG',
  'PHOTO_SHARING',
  'CO_BROWSE',
  'CO_APP',
  'SECURE_FORMS',
] as const;

/**
 * What the connector declares unless configured: structured content, quick replies, surveys in their
 * own dialog, and photo sharing. AUTO_MESSAGES is left out: LivePerson then wants the first message
 * within 10 s of the conversation's opening, and the account must have it enabled.
 */
export const DEFAULT_CLIENT_FEATURES = ['RICH_CONTENT', 'QUICK_REPLIES', 'MULTI_DIALOG', 'PHOTO_SHARING'] as const;

/**
 * What c2m-invite does with C2M's WhatsApp answer, which is "eligible" whatever the consumer's
 * reachability (Meta's policy prevents the check): take C2M's recommendation, prefer SMS when C2M
 * lists it, or deflect only when SMS is available.
 */
export const C2M_WHATSAPP_POLICIES = ['as-recommended', 'prefer-sms', 'require-sms'] as const;
export type C2mWhatsAppPolicy = (typeof C2M_WHATSAPP_POLICIES)[number];

/**
 * The C2M funnel: how late LivePerson's Outbound Reporting data may be (its documented delay), and
 * how long after an invite its later steps (delivered, read, a conversation) are still counted.
 */
export const C2M_FUNNEL_DEFAULTS = { delayMinutes: 20, lookbackHours: 24, scheduleMinutes: 15 } as const;
export const C2M_FUNNEL_LIMITS = {
  delayMinutes: { min: 0, max: 120 },
  lookbackHours: { min: 1, max: 72 },
  scheduleMinutes: { min: 5, max: 60 },
} as const;

/** The `integration` a connector declares (LivePerson's values: WEB_SDK, MOBILE_SDK, BRAND_SDK). */
export const CLIENT_INTEGRATIONS = ['WEB_SDK', 'MOBILE_SDK', 'BRAND_SDK'] as const;
export const CLIENT_DEVICE_FAMILIES = ['DESKTOP', 'TABLET', 'MOBILE', 'OTHER'] as const;
export const CLIENT_OPERATING_SYSTEMS = ['WINDOWS', 'LINUX', 'OSX', 'ANDROID', 'IOS', 'OTHER'] as const;
/** The text fields of a `Client-Properties` object, with the lengths LivePerson's schema allows. */
export const CLIENT_PROPERTY_TEXT_LIMITS = {
  appId: 64,
  appVersion: 32,
  integrationVersion: 64,
  osName: 64,
  osVersion: 64,
  browser: 64,
  browserVersion: 64,
  timeZone: 64,
} as const;
/** A feature name as LivePerson writes them, e.g. QUICK_REPLIES. */
export const CLIENT_FEATURE_NAME = /^[A-Z][A-Z0-9_]*$/;
/** What an HTTP header value may hold: printable ASCII (fetch refuses other characters, and every call would fail). */
export const HEADER_VALUE_TEXT = /^[\x20-\x7E]*$/;

/** The webhook routes of the API (a fixed contract: LivePerson's webhook subscriptions point at them). */
export const WEBHOOK_ROUTES = {
  connector: '/webhooks/connector',
  messaging: '/webhooks/messaging/{token}',
} as const;
export type WebhookRouteName = keyof typeof WEBHOOK_ROUTES;

/** Root of everything this project keeps in SSM Parameter Store. */
export const PARAMETER_ROOT = '/liveperson';

/** SSM path holding one String parameter per LivePerson service name, with the trailing slash. */
export function domainParameterPath(accountId: string): string {
  return `${PARAMETER_ROOT}/${accountId}/domains/`;
}

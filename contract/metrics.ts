/**
 * The custom metrics each function emits (through Powertools, namespace METRICS_NAMESPACE, dimension
 * SERVICE_DIMENSION = the function's name) and the alarms and dashboard read. Handlers and monitoring
 * both name a metric by its key here, so renaming one is a type error on both sides, never a silent
 * alarm on a metric nobody emits.
 */
import type { LivePersonFunctionName } from './constants.ts';

/** Namespace of every custom metric the functions emit. */
export const METRICS_NAMESPACE = 'LivePerson';

/** The dimension Powertools Metrics adds to every metric: the function's service name. */
export const SERVICE_DIMENSION = 'service';

/** The extra dimensions of the breakdown metrics (`…ByReason`, `C2mResults`). */
export const METRIC_DIMENSIONS = {
  route: 'Route',
  reason: 'Reason',
  action: 'Action',
  result: 'Result',
  errorCode: 'ErrorCode',
  channel: 'Channel',
} as const;

export const METRICS = {
  'webhook-receiver': {
    accepted: 'WebhookAccepted',
    rejected: 'WebhookRejected',
    /** Dimensions: route, reason (plus the service). */
    rejectedByReason: 'WebhookRejectedByReason',
    credentialsUnavailable: 'WebhookCredentialsUnavailable',
  },
  'event-processor': {
    processed: 'EventsProcessed',
    duplicatesSkipped: 'DuplicatesSkipped',
    unknownEvents: 'UnknownEvents',
    staleConversationUpdates: 'StaleConversationUpdates',
    failed: 'EventsFailed',
    /** Dimension: reason (plus the service). */
    failedByReason: 'EventsFailedByReason',
  },
  'connector-send': {
    applied: 'CommandsApplied',
    duplicate: 'CommandsDuplicate',
    failed: 'CommandsFailed',
    rejected: 'CommandsRejected',
    forwarded: 'CommandsForwarded',
    conversationsOpened: 'ConversationsOpened',
    conversationsReopened: 'ConversationsReopened',
  },
  'c2m-invite': {
    requests: 'C2mRequests',
    errors: 'C2mErrors',
    /** Dimensions: action, result, errorCode when there is one (plus the service). */
    results: 'C2mResults',
  },
  'domain-refresh': {
    succeeded: 'DomainRefreshSucceeded',
    failed: 'DomainRefreshFailed',
  },
  /**
   * The funnel's steps are counted at the time each happened (the EMF timestamp), once each, with the
   * service dimension only (what the alarm reads) and again per channel (dimension: channel).
   */
  'c2m-funnel': {
    invitesAttempted: 'C2mInvitesAttempted',
    invitesSent: 'C2mInvitesSent',
    invitesDelivered: 'C2mInvitesDelivered',
    invitesRead: 'C2mInvitesRead',
    invitesFailed: 'C2mInvitesFailed',
    conversationsCreated: 'C2mConversationsCreated',
    runSucceeded: 'C2mFunnelRunSucceeded',
    runFailed: 'C2mFunnelRunFailed',
  },
} as const satisfies Record<LivePersonFunctionName, Record<string, string>>;

export type MetricKey<S extends LivePersonFunctionName> = keyof (typeof METRICS)[S];

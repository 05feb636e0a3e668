// Public types and defaults of the LivePerson simulator. Kept apart from the server so that
// code which only needs the credentials (a local stack, a benchmark) does not load the server.

export const SIMULATOR_DEFAULTS = {
  accountId: '12345678',
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  webhookToken: 'sim-webhook-token',
  oauth1: {
    consumerKey: 'sim-consumer-key',
    consumerSecret: 'sim-consumer-secret',
    accessToken: 'sim-access-token',
    accessTokenSecret: 'sim-access-token-secret',
  },
} as const;

/** The services the simulator answers; each request is attributed to one of them (see RecordedRequest). */
export type ServiceName = 'csds' | 'sentinel' | 'idp' | 'asyncMessagingEnt' | 'connectToMessagingDomain' | 'swift' | 'outboundReporting';

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

export interface SimulatorCredentials {
  clientId: string;
  clientSecret: string;
  oauth1: OAuth1Credentials;
}

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  accountId?: string;
  clientId?: string;
  clientSecret?: string;
  oauth1?: Partial<OAuth1Credentials>;
  /** Lifetime of issued AppJWTs; default 3600 (LivePerson's one hour). */
  appJwtTtlSeconds?: number;
  /** C2M requests admitted per sliding second; default 30 (the documented limit). */
  c2mRateLimitPerSecond?: number;
  /** CSDS answers per service name (e.g. a bare host, as the real CSDS gives); default: the simulator's own url. */
  domains?: Partial<Record<string, string>>;
  /**
   * Lifetime of the signed storage URLs `ms.GenerateURLForUploadFile` / `ms.GenerateURLForDownloadFile`
   * answer; default 60 (LivePerson: "File expiration is set to 1 minute by default"). Negative: every URL
   * is issued already expired.
   */
  fileUrlTtlSeconds?: number;
  /** Records per page of the Outbound Reporting transactions (LivePerson's pages vary in length). @default 100 */
  reportingPageSize?: number;
  /**
   * How late the Outbound Reporting data is: an invite, and each later step of it, shows only this long
   * after it happened (LivePerson: up to 20 minutes). @default 0
   */
  reportingDelayMs?: number;
  /**
   * A post-conversation survey configured on the account: closing the main dialog (a consumer's
   * DialogChange) starts it. Default: none, the conversation simply closes.
   */
  survey?: SurveyConfig;
}

/** A post-conversation survey: one question with quick-reply answers, for one skill or every skill. */
export interface SurveyConfig {
  /** The skill whose conversations get the survey (LivePerson: the conversation's last skill); default every skill. */
  skillId?: string;
  /** Default 'How would you rate this conversation?'. */
  text?: string;
  /** Default ['Very good', 'Good', 'Poor']. */
  answers?: string[];
}

export interface RecordedRequest {
  /** 'unrouted' for a path that belongs to no simulated service (answered 404). */
  service: ServiceName | 'unrouted';
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The body as UTF-8; empty for storage (swift) requests, whose bytes are counted in `bodyBytes`. */
  body: string;
  /** Storage (swift) requests only: the size of the raw body. */
  bodyBytes?: number;
  /** 0 while the request is still being answered (e.g. an injected delay). */
  status: number;
  receivedAt: number;
}

export interface FaultRule {
  /** Requests of this service only; any service when omitted. */
  service?: ServiceName;
  /** Answer with this status. Omitted: only delay, then answer normally. */
  status?: number;
  /** JSON-encoded unless a string (sent as is). Default: the service's usual error shape. */
  body?: unknown;
  /** How many matching requests the rule applies to; default 1. */
  times?: number;
  delayMs?: number;
}

export interface C2mConsumerProfile {
  eligible: boolean;
  availableChannels: string[];
  recommendedChannelName: string;
}

export interface C2mInvite {
  callId: string;
  consumerPhoneNumber: string;
  /** The channel used: overrideChannel resolved against availableChannels, else the recommended one. */
  channel: string;
  /** overrideSkill when given, else the eligibility call's skill. */
  skill: string;
  handoffId: string;
  overrideMessage?: string;
  /** From the eligibility call: the SDEs, the in-app consumer id and the template's variables. */
  sdes?: Array<Record<string, unknown>>;
  consumerId?: string;
  templateVariables?: Record<string, string>;
  receivedAt: number;
}

export type ConversationState = 'OPEN' | 'CLOSE';
/** SURVEY_BOT: the post-conversation survey bot (an AGENT of the survey dialog, as in LivePerson's examples). */
export type Originator = 'CONSUMER' | 'AGENT' | 'SURVEY_BOT';

export interface CampaignInfo {
  campaignId: string | number;
  engagementId: string | number;
}

/** A file kept in LivePerson's storage, as a `hosted/file` ContentEvent carries it. */
export type HostedFileMessage = {
  caption?: string;
  relativePath: string;
  fileType: string;
  /** A small base64 image, for image files. */
  preview?: string;
};

/** A published event, as the Connector API carries it. */
export type MessagingEvent =
  | {
      type: 'ContentEvent';
      contentType: string;
      /** Text, or an object for files (`hosted/file`) and forms. */
      message: string | Record<string, unknown>;
      /** Structured content: the replies an agent or bot offers with its message. */
      quickReplies?: Record<string, unknown>;
    }
  | { type: 'RichContentEvent'; content: Record<string, unknown>; quickReplies?: Record<string, unknown> }
  | { type: 'ChatStateEvent'; chatState: 'COMPOSING' | 'ACTIVE' | 'INACTIVE' | 'GONE' | 'PAUSE' }
  | { type: 'AcceptStatusEvent'; status: 'ACCEPT' | 'READ' | 'ACCESS' | 'NACK' | 'ACTION'; sequenceList: number[] };

export interface ConversationMessage {
  sequence: number;
  /** The conversation's id for its main dialog; a survey has a dialog of its own. */
  dialogId: string;
  event: MessagingEvent;
  /** Sent along with the event, e.g. the metadata of a clicked button. */
  metadata?: Array<Record<string, unknown>>;
  originator: Originator;
  /** The consumer's ext_consumer_id, or the simulated agent's id. */
  originatorId: string;
  serverTimestamp: number;
}

export interface ConversationDialogSnapshot {
  /** The main dialog's id is the conversation's. */
  dialogId: string;
  dialogType: 'MAIN' | 'POST_SURVEY';
  state: ConversationState;
  creationTs: number;
  endTs?: number;
  closedBy?: 'CONSUMER' | 'AGENT';
  /** Why it closed, when the closer said so (a consumer's DialogChange, e.g. 'Closed by consumer'). */
  closedCause?: string;
}

/**
 * How a SEND's Client-Properties header compared with the one of its conversation's CONVERSATION call
 * (LivePerson: "Every following request (via the SEND endpoint) must also include" it): SAME (both
 * absent counts as SAME), MISSING (the conversation has one, the SEND none) or DIFFERENT.
 */
export type ClientPropertiesMatch = 'SAME' | 'MISSING' | 'DIFFERENT';

export interface ConversationSend {
  reqId: string;
  /** The request's type, e.g. 'ms.PublishEvent'. */
  type: string;
  clientProperties: ClientPropertiesMatch;
}

export interface ConversationSnapshot {
  conversationId: string;
  /** The main dialog first; a post-conversation survey's after it. */
  dialogs: ConversationDialogSnapshot[];
  /** When anything of the conversation's metadata (state, dialogs, participants) last changed. */
  metaDataLastUpdateTs: number;
  /** The ext_consumer_id named by the consumer JWS. */
  consumerId: string;
  /** CLOSE once the main dialog ends, even while a post-conversation survey still runs (see `stage`). */
  state: ConversationState;
  /** OPEN until the last dialog ends: a survey keeps the stage open after the state closed, as LivePerson reports it. */
  stage: ConversationState;
  skillId?: string;
  campaignInfo?: CampaignInfo;
  userProfile?: Record<string, unknown>;
  ttrDefName?: string;
  conversationContext?: Record<string, unknown>;
  /** The Client-Properties header of the CONVERSATION call, parsed; absent when it had none. */
  clientProperties?: Record<string, unknown>;
  /** Every SEND request addressed to this conversation (or, for requests naming none, to the consumer's open one), in order. */
  sends?: ConversationSend[];
  startTs: number;
  closeTs?: number;
  closedBy?: Originator;
  messages: ConversationMessage[];
}

/** Payload of the 'conversation' event: emitted when a conversation opens, moves to its survey, or closes. */
export interface ConversationChange {
  change: 'OPENED' | 'SURVEY_STARTED' | 'CLOSED';
  conversation: ConversationSnapshot;
}

/** Payload of the 'message' event: emitted for every event published into a conversation. */
export interface MessagePublished {
  conversationId: string;
  /** LivePerson's main dialog id equals the conversation id. */
  dialogId: string;
  message: ConversationMessage;
}

export interface SimulatorEvents {
  conversation: [ConversationChange];
  message: [MessagePublished];
}

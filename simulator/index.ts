// The LivePerson simulator: a loopback HTTP server implementing the documented LivePerson contracts
// (CSDS, Sentinel, IdP, Connector API, Connect-to-Messaging, swift file storage) for tests, a local stack and a benchmark.
export { startLivePersonSimulator } from './server.ts';
export type { LivePersonSimulator } from './server.ts';
export { SIMULATED_AGENT_ID } from './conversation-store.ts';
export { SIMULATOR_DEFAULTS } from './types.ts';
export { WEBHOOK_DEFAULTS } from './webhooks.ts';
export type {
  RedeliveryOptions,
  SignatureAlgorithm,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryOptions,
  WebhookDeliveryState,
  WebhookDropReason,
  WebhookSendOptions,
  WebhookSender,
  WebhookSubscribeOptions,
  WebhookSubscription,
} from './webhooks.ts';
export {
  EX_CONVERSATION_CHANGE_NOTIFICATION,
  MESSAGING_EVENT_NOTIFICATION,
  SIMULATED_TTR_SECONDS,
  WEBHOOK_EVENT_TYPES,
  acceptStatusEventChange,
  changeFromConversation,
  changeFromMessage,
  chatStateEventChange,
  contentEventChange,
  conversationChange,
  conversationNotification,
  messagingNotification,
  quickRepliesContent,
  richContentEventChange,
  SIMULATED_CONTROLLER_ID,
  SIMULATED_SURVEY_BOT_ID,
} from './notifications.ts';
export type {
  AcceptStatus,
  ChatState,
  ConversationChangeInput,
  ConversationDetails,
  ExConversationChange,
  ExConversationChangeNotification,
  MessagingEventChange,
  MessagingEventNotification,
  NotificationEvent,
  OriginatorInput,
  Participant,
  ParticipantRole,
  WebhookEventType,
  WebhookNotification,
} from './notifications.ts';
export { RICH_CONTENT_FALLBACK } from './client-features.ts';
export { HOSTED_FILE_REFUSED, SUPPORTED_SDE_TYPES, USER_PROFILE_SET } from './services/connector.ts';
export { MAX_PREVIEW_BYTES, MAX_UPLOAD_BYTES, TEMP_URL_INVALID, UPLOAD_FILE_TYPES } from './services/storage.ts';
export type { SignedUrl, UploadFileType } from './services/storage.ts';
export type {
  C2mConsumerProfile,
  C2mInvite,
  CampaignInfo,
  ClientPropertiesMatch,
  ConversationChange,
  ConversationDialogSnapshot,
  ConversationSend,
  ConversationMessage,
  ConversationSnapshot,
  ConversationState,
  FaultRule,
  MessagePublished,
  MessagingEvent,
  OAuth1Credentials,
  Originator,
  RecordedRequest,
  ServiceName,
  SimulatorCredentials,
  SimulatorEvents,
  SimulatorOptions,
  SurveyConfig,
} from './types.ts';

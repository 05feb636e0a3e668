// The LivePerson simulator: a loopback HTTP server implementing the documented LivePerson contracts
// (CSDS, Sentinel, IdP, Connector API, Connect-to-Messaging) for tests, a local stack and a benchmark.
export { startLivePersonSimulator } from './server.ts';
export type { LivePersonSimulator } from './server.ts';
export { SIMULATED_AGENT_ID } from './conversation-store.ts';
export { SIMULATOR_DEFAULTS } from './types.ts';
export type {
  C2mConsumerProfile,
  C2mInvite,
  CampaignInfo,
  ConversationChange,
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
} from './types.ts';

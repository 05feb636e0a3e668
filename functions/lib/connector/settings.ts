/**
 * The connector's settings from its own environment, as the contract (contract/environment.ts)
 * parsed it at cold start.
 */
import type { FunctionEnvironment } from '#contract/environment.ts';
import type { RoutingDefaults } from './execute.ts';

export type ConnectorEnvironment = FunctionEnvironment<'connector-send'>;

/** Routing of conversations opened without one in the command; only the variables that are set. */
export function routingDefaultsOf(env: ConnectorEnvironment): RoutingDefaults {
  return {
    ...(env.CONNECTOR_DEFAULT_SKILL_ID === undefined ? {} : { skillId: env.CONNECTOR_DEFAULT_SKILL_ID }),
    ...(env.CONNECTOR_DEFAULT_CAMPAIGN_ID === undefined ? {} : { campaignId: env.CONNECTOR_DEFAULT_CAMPAIGN_ID }),
    ...(env.CONNECTOR_DEFAULT_ENGAGEMENT_ID === undefined ? {} : { engagementId: env.CONNECTOR_DEFAULT_ENGAGEMENT_ID }),
  };
}

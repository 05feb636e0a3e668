import type { ConnectContactFlowEvent } from 'aws-lambda';
import { vi } from 'vitest';
import type { LivePersonSimulator } from '#simulator/index.ts';
import { contactFlowEvent as connectEvent } from '#local/connect-event.ts';

export const CALLER = '+12061234567';

/** A ContactFlowEvent as Amazon Connect sends it to a Lambda function block, for the C2M tests. */
export function contactFlowEvent(
  parameters: Record<string, string> = {},
  options: { phone?: string | null; contactId?: string } = {},
): ConnectContactFlowEvent {
  return connectEvent({
    phoneNumber: options.phone === undefined ? CALLER : options.phone,
    parameters,
    contactId: options.contactId ?? 'contact-0001',
  });
}

/**
 * The environment the stack gives c2m-invite, pointed at the simulator (CSDS there). The simulator is
 * plain http on loopback: `allowInsecureHosts` is the opt-in only the local stack and tests set.
 */
export function stubC2mEnvironment(sim: LivePersonSimulator, options: { allowInsecureHosts: boolean; domainParameterPath?: string }): void {
  vi.stubEnv('LP_ACCOUNT_ID', sim.accountId);
  vi.stubEnv('LP_SECRET_ID', 'liveperson/12345678/credentials');
  vi.stubEnv('LP_DOMAIN_PARAMETER_PATH', options.domainParameterPath ?? '/liveperson/12345678/domains/');
  vi.stubEnv('LP_CSDS_URL', sim.url);
  vi.stubEnv('LP_ALLOW_INSECURE_HOSTS', String(options.allowInsecureHosts));
  vi.stubEnv('C2M_DEFAULT_SKILL', 'support');
  vi.stubEnv('C2M_DEFAULT_HANDOFF_ID', 'H123456789');
}

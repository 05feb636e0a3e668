import type { ConnectContactFlowEvent } from 'aws-lambda';
import { contactFlowEvent as connectEvent } from '../../../local/connect-event.ts';

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

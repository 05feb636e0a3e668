import type { ConnectContactFlowEvent } from 'aws-lambda';

export const CALLER = '+12061234567';

/** A ContactFlowEvent as Amazon Connect sends it to a Lambda function block (trimmed to what matters). */
export function contactFlowEvent(
  parameters: Record<string, string> = {},
  options: { phone?: string | null; contactId?: string } = {},
): ConnectContactFlowEvent {
  const phone = options.phone === undefined ? CALLER : options.phone;
  return {
    Name: 'ContactFlowEvent',
    Details: {
      ContactData: {
        Attributes: {},
        Channel: 'VOICE',
        ContactId: options.contactId ?? 'contact-0001',
        CustomerEndpoint: phone === null ? null : { Address: phone, Type: 'TELEPHONE_NUMBER' },
        InitialContactId: options.contactId ?? 'contact-0001',
        InitiationMethod: 'INBOUND',
        InstanceARN: 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555',
        PreviousContactId: options.contactId ?? 'contact-0001',
        Queue: null,
        SystemEndpoint: { Address: '+18005550100', Type: 'TELEPHONE_NUMBER' },
        MediaStreams: { Customer: { Audio: null } },
      },
      Parameters: parameters,
    },
  };
}

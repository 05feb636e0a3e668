import { randomUUID } from 'node:crypto';
import type { ConnectContactFlowEvent } from 'aws-lambda';

/** An Amazon Connect ContactFlowEvent as an "Invoke AWS Lambda function" block sends it for a voice call. */
export function contactFlowEvent(options: {
  /** null: a withheld number (Connect sends no customer endpoint). */
  phoneNumber: string | null;
  parameters?: Record<string, string>;
  contactId?: string;
  attributes?: Record<string, string>;
}): ConnectContactFlowEvent {
  const contactId = options.contactId ?? randomUUID();
  return {
    Name: 'ContactFlowEvent',
    Details: {
      ContactData: {
        Attributes: options.attributes ?? {},
        Channel: 'VOICE',
        ContactId: contactId,
        CustomerEndpoint: options.phoneNumber === null ? null : { Address: options.phoneNumber, Type: 'TELEPHONE_NUMBER' },
        InitialContactId: contactId,
        InitiationMethod: 'INBOUND',
        InstanceARN: 'arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000000',
        PreviousContactId: contactId,
        Queue: null,
        SystemEndpoint: { Address: '+18005550100', Type: 'TELEPHONE_NUMBER' },
        MediaStreams: { Customer: { Audio: null as never } },
      },
      Parameters: options.parameters ?? {},
    },
  };
}

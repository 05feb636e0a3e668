/**
 * Amazon Connect's ContactFlowEvent → one C2M action, checked against C2M's limits before any call.
 * Parameters arrive as strings (a flow's LambdaInvocationAttributes); an empty one counts as absent,
 * so a flow can pass an unset contact attribute and still get the configured default.
 */
import * as z from '#contract/zod.ts';
import { C2M_LIMITS, isC2mPhoneNumber, type C2mEligibilityRequest, type C2mInviteRequest } from '../liveperson/c2m.ts';
import { IVR_ERROR_CODES, type IvrOutcome } from './outcome.ts';
import { MAX_CONSUMER_ID_LENGTH, sdesOf, type C2mSde, type CallerContext } from './caller-context.ts';
import type { C2mSettings } from './settings.ts';

export const IVR_ACTIONS = ['eligibility', 'invite', 'deflect'] as const;
export type IvrAction = (typeof IVR_ACTIONS)[number];
export const DEFAULT_IVR_ACTION: IvrAction = 'deflect';

export type IvrRequest =
  | { readonly action: 'eligibility'; readonly eligibility: C2mEligibilityRequest }
  | { readonly action: 'invite'; readonly invite: C2mInviteRequest }
  | { readonly action: 'deflect'; readonly eligibility: C2mEligibilityRequest; readonly invite: Omit<C2mInviteRequest, 'callId'> };

/** What the event says about the contact, valid or not: for the log line. */
export interface ContactInfo {
  readonly contactId?: string | undefined;
  readonly phoneNumber?: string | undefined;
  readonly action?: IvrAction | undefined;
}

export type ParsedIvrRequest =
  | { readonly ok: true; readonly contact: ContactInfo; readonly request: IvrRequest }
  | { readonly ok: false; readonly contact: ContactInfo; readonly outcome: IvrOutcome };

// Only what this function reads; Connect sends much more (attributes, queue, media streams).
const contactFlowEventSchema = z.object({
  Details: z.object({
    ContactData: z.object({
      ContactId: z.optional(z.string()),
      CustomerEndpoint: z.nullish(z.object({ Address: z.optional(z.string()) })),
      Attributes: z.nullish(z.record(z.string(), z.unknown())),
    }),
    Parameters: z.nullish(z.record(z.string(), z.unknown())),
  }),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Not C2M limits: sanity bounds for fields C2M documents no limit for.
const MAX_IVR_NUMBER_LENGTH = 255;
const MAX_CHANNEL_LENGTH = 64;

const TEMPLATE_VARIABLES_HINT = 'templateVariables must be a JSON object of string values, e.g. {"1":"Jane"}';

const tooLong = (field: string, max: number, whose = "C2M's limit") => `${field} must be at most ${max} characters (${whose})`;
const notString = (field: string) => `${field} must be a string`;

// zod's max() counts code points; C2M's limits are checked here in UTF-16 units (String.length on
// a Java or JavaScript server), the stricter count, so an emoji cannot slip past a limit.
const atMost = (max: number) => (value: string) => value.length <= max;

/** A required string: `missing` when absent. Messages never repeat the value. */
function requiredText(field: string, max: number, missing: string, whose?: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? missing : notString(field)) })
    .check(z.refine(atMost(max), tooLong(field, max, whose)));
}

function optionalText(field: string, max: number, whose?: string) {
  return z.optional(z.string({ error: notString(field) }).check(z.refine(atMost(max), tooLong(field, max, whose))));
}

const phoneNumberSchema = z
  .string({ error: 'the contact has no caller phone number (Details.ContactData.CustomerEndpoint.Address); C2M needs one' })
  .check(
    z.refine(isC2mPhoneNumber, `the caller's phone number is not E.164 with "+" and at most ${C2M_LIMITS.consumerPhoneNumber} characters`),
  );

const templateVariablesSchema = z.pipe(
  z.pipe(
    z.string({ error: TEMPLATE_VARIABLES_HINT }),
    z.transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: TEMPLATE_VARIABLES_HINT, input: text });
        return z.NEVER;
      }
    }),
  ),
  z.record(z.string(), z.string({ error: TEMPLATE_VARIABLES_HINT }), { error: TEMPLATE_VARIABLES_HINT }),
);

const eligibilityShape = {
  consumerPhoneNumber: phoneNumberSchema,
  skill: requiredText('skill', C2M_LIMITS.skill, 'skill is missing: pass a skill parameter or configure c2m.defaultSkill'),
  handoffId: requiredText(
    'handoffId',
    C2M_LIMITS.handoffId,
    'handoffId is missing: pass a handoffId parameter or configure c2m.defaultHandoffId',
  ),
  ivrNumber: optionalText('ivrNumber', MAX_IVR_NUMBER_LENGTH, 'our sanity limit'),
  templateVariables: z.optional(templateVariablesSchema),
  /** The in-app consumer's id (C2M: mandatory for the INAPP channel). */
  consumerId: optionalText('consumerId', MAX_CONSUMER_ID_LENGTH, 'our sanity limit'),
};
const inviteOptionsShape = {
  overrideChannel: optionalText('overrideChannel', MAX_CHANNEL_LENGTH, 'our sanity limit'),
  overrideMessage: optionalText('overrideMessage', C2M_LIMITS.overrideMessage),
  overrideSkill: optionalText('overrideSkill', C2M_LIMITS.skill),
};
const callIdSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'callId is missing: pass the callId of the eligibility answer (the shipped flow keeps it in the c2mCallId contact attribute)'
        : notString('callId'),
  })
  .check(z.regex(UUID, 'callId must be the callId of an eligibility answer (a UUID)'));

const eligibilitySchema = z.object(eligibilityShape);
const inviteSchema = z.object({ callId: callIdSchema, ...inviteOptionsShape });
const deflectSchema = z.object({ ...eligibilityShape, ...inviteOptionsShape });

const FIELD_ERROR_CODES: Readonly<Record<string, string>> = {
  consumerPhoneNumber: IVR_ERROR_CODES.invalidPhoneNumber,
  skill: IVR_ERROR_CODES.invalidSkill,
  handoffId: IVR_ERROR_CODES.invalidHandoffId,
  ivrNumber: IVR_ERROR_CODES.invalidIvrNumber,
  templateVariables: IVR_ERROR_CODES.invalidTemplateVariables,
  consumerId: IVR_ERROR_CODES.invalidConsumerId,
  callId: IVR_ERROR_CODES.invalidCallId,
  overrideChannel: IVR_ERROR_CODES.invalidOverrideChannel,
  overrideMessage: IVR_ERROR_CODES.invalidOverrideMessage,
  overrideSkill: IVR_ERROR_CODES.invalidOverrideSkill,
};

/** Validates the event and the action's fields; a failure is an ERROR outcome naming the first bad field. */
export function parseIvrRequest(event: unknown, settings: C2mSettings = {}): ParsedIvrRequest {
  const parsedEvent = contactFlowEventSchema.safeParse(event);
  if (!parsedEvent.success) {
    const where = [...new Set(parsedEvent.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
    return {
      ok: false,
      contact: {},
      outcome: {
        result: 'ERROR',
        errorCode: IVR_ERROR_CODES.invalidEvent,
        errorMessage: `not an Amazon Connect ContactFlowEvent (check ${where})`,
      },
    };
  }
  const { ContactData, Parameters } = parsedEvent.data.Details;
  const parameters = Object.fromEntries(Object.entries(Parameters ?? {}).map(([key, value]) => [key, present(value)]));
  const phoneNumber = present(ContactData.CustomerEndpoint?.Address);
  const contact: ContactInfo = { contactId: ContactData.ContactId, phoneNumber: typeof phoneNumber === 'string' ? phoneNumber : undefined };

  const rawAction = parameters.action ?? DEFAULT_IVR_ACTION;
  const action = typeof rawAction === 'string' ? IVR_ACTIONS.find((known) => known === rawAction.toLowerCase()) : undefined;
  if (action === undefined) {
    return {
      ok: false,
      contact,
      outcome: {
        result: 'ERROR',
        errorCode: IVR_ERROR_CODES.invalidAction,
        errorMessage: `action must be one of ${IVR_ACTIONS.join(', ')}`,
      },
    };
  }
  const withAction = { ...contact, action };
  const context: CallerContext = action === 'invite' ? { ok: true } : sdesOf(parameters, ContactData.Attributes ?? {});
  if (!context.ok) {
    return {
      ok: false,
      contact: withAction,
      outcome: { result: 'ERROR', errorCode: IVR_ERROR_CODES.invalidSdes, errorMessage: context.problems.join('; ') },
    };
  }
  const sdes = context.sdes;
  const fields = {
    ...parameters,
    consumerPhoneNumber: phoneNumber,
    skill: parameters.skill ?? settings.defaultSkill,
    handoffId: parameters.handoffId ?? settings.defaultHandoffId,
  };

  switch (action) {
    case 'eligibility': {
      const parsed = eligibilitySchema.safeParse(fields);
      if (!parsed.success) return invalid(withAction, parsed.error);
      return { ok: true, contact: withAction, request: { action, eligibility: eligibilityOf(parsed.data, sdes) } };
    }
    case 'invite': {
      const parsed = inviteSchema.safeParse(fields);
      if (!parsed.success) return invalid(withAction, parsed.error);
      return { ok: true, contact: withAction, request: { action, invite: withoutUndefined(parsed.data) } };
    }
    case 'deflect': {
      const parsed = deflectSchema.safeParse(fields);
      if (!parsed.success) return invalid(withAction, parsed.error);
      const { overrideChannel, overrideMessage, overrideSkill } = parsed.data;
      return {
        ok: true,
        contact: withAction,
        request: {
          action,
          eligibility: eligibilityOf(parsed.data, sdes),
          invite: withoutUndefined({ overrideChannel, overrideMessage, overrideSkill }),
        },
      };
    }
  }
}

/** Trims strings and turns an empty one into "absent"; anything else is kept for the schema to refuse. */
function present(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function eligibilityOf(data: z.output<typeof eligibilitySchema>, sdes: C2mSde[] | undefined): C2mEligibilityRequest {
  const { consumerPhoneNumber, skill, handoffId, ivrNumber, templateVariables, consumerId } = data;
  return withoutUndefined({ consumerPhoneNumber, skill, handoffId, ivrNumber, templateVariables, consumerId, sdes });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function invalid(contact: ContactInfo, error: z.core.$ZodError): ParsedIvrRequest {
  const [first] = error.issues;
  const field = String(first?.path[0] ?? '');
  return {
    ok: false,
    contact,
    outcome: {
      result: 'ERROR',
      errorCode: FIELD_ERROR_CODES[field] ?? IVR_ERROR_CODES.invalidEvent,
      // Every problem at once, in the order of the fields; each message is ours and carries no value.
      errorMessage: [...new Set(error.issues.map((issue) => issue.message))].join('; '),
    },
  };
}

/**
 * Settings of IVR deflection (LivePersonIvrDeflection and the config's `c2m` block): the c2m-invite
 * function Amazon Connect invokes, C2M's defaults and the optional contact flow.
 */
import { z } from 'zod';
import { C2M_FUNNEL_DEFAULTS, C2M_FUNNEL_LIMITS, C2M_LIMITS, C2M_REGIONS, C2M_WHATSAPP_POLICIES } from '#contract/constants.ts';
import { booleanField, patternOrToken } from './fields.ts';

/** Amazon Connect waits at most this long for a synchronous Lambda block. */
export const CONNECT_LAMBDA_LIMIT_SECONDS = 8;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** An Amazon Connect instance ARN; group 1 is its region, group 2 its AWS account. */
export const CONNECT_INSTANCE_ARN = new RegExp(`^arn:aws[-a-z]*:connect:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12}):instance/${UUID}$`);
/**
 * The regions where Amazon Connect is offered (https://docs.aws.amazon.com/connect/latest/adminguide/regions.html;
 * the same list as its service endpoints). Elsewhere its resources fail `cdk synth` (CloudFormation-Validate F3006).
 */
export const AMAZON_CONNECT_REGIONS = [
  'us-east-1',
  'us-west-2',
  'af-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-2',
  'us-gov-west-1',
] as const;

/** Why Amazon Connect cannot be used in this region, or undefined when it can. */
export function connectRegionProblem(region: string): string | undefined {
  return (AMAZON_CONNECT_REGIONS as readonly string[]).includes(region)
    ? undefined
    : `Amazon Connect is not offered in ${region}; it is in ${AMAZON_CONNECT_REGIONS.join(', ')}`;
}

/** An Amazon Connect queue ARN; group 1 is the ARN of its instance. */
export const CONNECT_QUEUE_ARN = new RegExp(`^(arn:aws[-a-z]*:connect:[a-z]{2}(?:-[a-z]+)+-\\d:\\d{12}:instance/${UUID})/queue/${UUID}$`);

const RESERVED_CONCURRENCY_HINT = 'must be a whole number from 1 to 1000, or false for no reserved concurrency';

// UTF-16 units, as C2M's limits are checked at run time (zod's max() counts code points).
const c2mText = (limit: number, message: string) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .refine((value) => value.length <= limit, message);

const wholeIn = (unit: string, range: { readonly min: number; readonly max: number }) =>
  z
    .int({ error: `must be a whole number of ${unit}` })
    .min(range.min, `must be at least ${range.min} ${unit}`)
    .max(range.max, `must be at most ${range.max} ${unit}`);

/** The scheduled c2m-funnel function: the funnel of the invites as CloudWatch metrics (LivePerson's Outbound Reporting API). */
export const c2mFunnelSettingsSchema = z.strictObject({
  enabled: booleanField().default(true),
  /** Minutes between two runs. */
  scheduleMinutes: wholeIn('minutes', C2M_FUNNEL_LIMITS.scheduleMinutes).default(C2M_FUNNEL_DEFAULTS.scheduleMinutes),
  /** C2M_FUNNEL_DELAY_MINUTES: how late LivePerson's reporting data may be (it documents 20 minutes). */
  delayMinutes: wholeIn('minutes', C2M_FUNNEL_LIMITS.delayMinutes).default(C2M_FUNNEL_DEFAULTS.delayMinutes),
  /** C2M_FUNNEL_LOOKBACK_HOURS: how long after an invite its later steps (delivered, read, a conversation) are still counted. */
  lookbackHours: wholeIn('hours', C2M_FUNNEL_LIMITS.lookbackHours).default(C2M_FUNNEL_DEFAULTS.lookbackHours),
  /** C2M_REPORTING_URL: the Outbound Reporting API's base URL instead of the region's (a proxy). */
  reportingUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL, e.g. "https://va.cx-reporting.liveperson.net"' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
});

export const c2mSettingsSchema = z
  .strictObject({
    /** C2M_DEFAULT_SKILL: used when the flow passes no `skill`. */
    defaultSkill: c2mText(C2M_LIMITS.skill, `must be at most ${C2M_LIMITS.skill} characters (C2M's limit)`).optional(),
    /** C2M_DEFAULT_HANDOFF_ID: used when the flow passes no `handoffId`. */
    defaultHandoffId: c2mText(
      C2M_LIMITS.handoffId,
      `must be at most ${C2M_LIMITS.handoffId} characters (C2M handoff ids are short)`,
    ).optional(),
    /** C2M_REGION: C2M's host only when SSM and CSDS both fail. */
    region: z
      .enum(C2M_REGIONS, { error: 'must be "va" (North America), "lo" (EMEA) or "sy" (APAC): the C2M region of the LivePerson account' })
      .optional(),
    /**
     * C2M_WHATSAPP_POLICY: C2M answers eligible for WhatsApp whatever the consumer's reachability.
     * "prefer-sms" invites by SMS when C2M lists it; "require-sms" deflects only then. Unset: C2M's recommendation.
     */
    whatsapp: z.enum(C2M_WHATSAPP_POLICIES, { error: `must be one of ${C2M_WHATSAPP_POLICIES.join(', ')}` }).optional(),
    /** Below Connect's 8 s limit for a Lambda block, with room for a cold start. */
    timeoutSeconds: z
      .int({ error: 'must be a whole number of seconds' })
      .min(2, 'must be at least 2 seconds')
      .max(
        CONNECT_LAMBDA_LIMIT_SECONDS - 1,
        `must be at most ${CONNECT_LAMBDA_LIMIT_SECONDS - 1} seconds: Amazon Connect waits at most ${CONNECT_LAMBDA_LIMIT_SECONDS} s for a Lambda function, cold start included`,
      )
      .default(7),
    /** Keeps the brand under C2M's 30 requests/s (see the README's rate-limit arithmetic). */
    reservedConcurrency: z
      .union(
        [
          z.int({ error: RESERVED_CONCURRENCY_HINT }).min(1, RESERVED_CONCURRENCY_HINT).max(1000, RESERVED_CONCURRENCY_HINT),
          z.literal(false),
        ],
        {
          error: RESERVED_CONCURRENCY_HINT,
        },
      )
      .default(3),
    createContactFlow: booleanField().default(false),
    /** The funnel function (on by default): its schedule and windows. */
    funnel: c2mFunnelSettingsSchema.prefault({}),
    contactFlowName: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(127, 'must be at most 127 characters (the Amazon Connect limit)')
      .optional(),
    fallbackQueueArn: patternOrToken(
      CONNECT_QUEUE_ARN,
      'must be an Amazon Connect queue ARN: arn:aws:connect:<region>:<account>:instance/<uuid>/queue/<uuid>',
    ).optional(),
  })
  .superRefine((c2m, ctx) => {
    if (c2m.fallbackQueueArn !== undefined && !c2m.createContactFlow) {
      ctx.addIssue({
        code: 'custom',
        path: ['fallbackQueueArn'],
        message:
          'is only used by the contact flow the stack creates: set c2m.createContactFlow, or pass --queue-arn when rendering the flow to import',
      });
    }
  });

export type C2mSettings = z.output<typeof c2mSettingsSchema>;
export type C2mSettingsInput = z.input<typeof c2mSettingsSchema>;

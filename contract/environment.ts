/**
 * The environment of each function, by variable name: the CDK constructs set exactly these variables
 * (their props are typed by this file), the handlers parse them with these schemas at cold start.
 * A renamed variable is a type error on both sides. Errors name the variable, never its value.
 */
import * as z from './zod.ts';
import {
  C2M_FUNNEL_DEFAULTS,
  C2M_FUNNEL_LIMITS,
  C2M_LIMITS,
  C2M_REGIONS,
  C2M_WHATSAPP_POLICIES,
  CLIENT_DEVICE_FAMILIES,
  CLIENT_FEATURE_NAME,
  CLIENT_INTEGRATIONS,
  CLIENT_OPERATING_SYSTEMS,
  CLIENT_PROPERTY_TEXT_LIMITS,
  DEFAULT_CLIENT_FEATURES,
  DEFAULT_CSDS_URL,
  HEADER_VALUE_TEXT,
  type LivePersonFunctionName,
} from './constants.ts';
import { allowedHostSuffixesProblem, allowInsecureHostsProblem, HOST_POLICY_ENV } from './host-policy.ts';

/** Variables Powertools reads; set on every function by the construct. */
export const RUNTIME_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** "true" with active tracing: the function loads Powertools Tracer (functions/lib/aws/tracing.ts). */
  traceEnabled: 'POWERTOOLS_TRACE_ENABLED',
  /** Always "false": a handler's answer never goes into a trace. */
  tracerCaptureResponse: 'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
} as const;

/** How long configuration values are cached by default (seconds): a rotated secret takes effect within this time. */
export const DEFAULT_CONFIG_CACHE_SECONDS = 300;
/** How long the processor and the connector remember a handled event or command. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 4 * 24 * 60 * 60;
/** How long a conversation's (or consumer's) state is kept after its last change. */
export const DEFAULT_STATE_RETENTION_DAYS = 90;
/** Conversations (message groups) of one batch the processor handles at once; a batch holds at most 10 records. */
export const DEFAULT_CONVERSATION_CONCURRENCY = 10;
export const MAX_CONVERSATION_CONCURRENCY = 10;

const name = (variable: string) =>
  z
    .string({ error: `${variable} is not set` })
    .check(z.trim())
    .check(z.minLength(1, `${variable} is empty`));
const url = (variable: string, what: string) => z.url({ error: `${variable} must be the URL of ${what}` });
/** Unset and empty both mean "use the default": CloudFormation cannot leave a variable out conditionally. */
const blankAsUnset = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)),
    z.optional(schema),
  );
/** The variable's value, or `fallback` when it is unset or blank. */
const orDefault = <T extends z.ZodMiniType, D>(schema: T, fallback: D) =>
  z.pipe(
    blankAsUnset(schema),
    z.transform((value) => value ?? fallback),
  );
const positiveInt = (variable: string, unit: string) =>
  z.coerce
    .number({ error: `${variable} must be a number of ${unit}` })
    .check(z.int(`${variable} must be a whole number of ${unit}`))
    .check(z.positive(`${variable} must be a positive number of ${unit}`));
const boundedInt = (variable: string, unit: string, range: { readonly min: number; readonly max: number }) =>
  z.coerce
    .number({ error: `${variable} must be a number of ${unit}` })
    .check(z.int(`${variable} must be a whole number of ${unit}`))
    .check(z.gte(range.min, `${variable} must be at least ${range.min} ${unit}`))
    .check(z.lte(range.max, `${variable} must be at most ${range.max} ${unit}`));
const reportProblem =
  (problemOf: (value: string | undefined) => string | undefined) =>
  (value: string | undefined, ctx: z.core.$RefinementCtx<string | undefined>) => {
    const problem = problemOf(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  };
// UTF-16 units, as C2M checks them (zod's max() counts code points).
const c2mLimited = (variable: string, limit: number) =>
  blankAsUnset(
    z
      .string()
      .check(z.trim())
      .check(z.refine((value) => value.length <= limit, `${variable} must be at most ${limit} characters (C2M's limit)`)),
  );
const routingId = (variable: string) =>
  blankAsUnset(
    z
      .string()
      .check(z.trim())
      .check(z.maxLength(64, `${variable} is longer than 64 characters`)),
  );

/**
 * The connector's client properties, as the construct writes them (JSON without `type`); blank means
 * the default features. Field limits are LivePerson's schema's.
 */
const clientPropertiesVariable = () => {
  const text = (max: number) =>
    z.optional(
      z
        .string()
        .check(z.maxLength(max, `at most ${max} characters`))
        .check(z.regex(HEADER_VALUE_TEXT, 'printable ASCII only (it goes in an HTTP header)')),
    );
  const textFields = Object.fromEntries(Object.entries(CLIENT_PROPERTY_TEXT_LIMITS).map(([field, max]) => [field, text(max)])) as {
    readonly [F in keyof typeof CLIENT_PROPERTY_TEXT_LIMITS]: ReturnType<typeof text>;
  };
  const fields = z.strictObject({
    features: z._default(
      z
        .array(z.string().check(z.regex(CLIENT_FEATURE_NAME, 'a feature is a name like QUICK_REPLIES')))
        .check(z.maxLength(20, 'at most 20 features')),
      [...DEFAULT_CLIENT_FEATURES],
    ),
    integration: z.optional(z.enum(CLIENT_INTEGRATIONS)),
    deviceFamily: z.optional(z.enum(CLIENT_DEVICE_FAMILIES)),
    os: z.optional(z.enum(CLIENT_OPERATING_SYSTEMS)),
    ...textFields,
  });
  const problem = (detail: string) => `CONNECTOR_CLIENT_PROPERTIES ${detail}`;
  return z.pipe(
    blankAsUnset(z.string()),
    z.transform((value, ctx) => {
      let json: unknown = {};
      if (value !== undefined) {
        try {
          json = JSON.parse(value);
        } catch {
          ctx.issues.push({ code: 'custom', message: problem('is not JSON'), input: value });
          return z.NEVER;
        }
      }
      const parsed = fields.safeParse(json);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const where = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
          ctx.issues.push({ code: 'custom', message: problem(`${where}: ${issue.message}`), input: value });
        }
        return z.NEVER;
      }
      return { type: '.ClientProperties' as const, integration: 'BRAND_SDK' as const, ...parsed.data };
    }),
  );
};

/** The LivePerson variables every function gets (a fixed contract: brands' tooling reads them). */
export const sharedEnvironment = {
  LP_ACCOUNT_ID: z
    .string({ error: 'LP_ACCOUNT_ID is not set' })
    .check(z.regex(/^\d+$/, 'LP_ACCOUNT_ID must be the LivePerson account (site) id, digits only')),
  LP_SECRET_ID: z.string({ error: 'LP_SECRET_ID is not set' }).check(z.minLength(1, 'LP_SECRET_ID is empty')),
  LP_DOMAIN_PARAMETER_PATH: z
    .string({ error: 'LP_DOMAIN_PARAMETER_PATH is not set' })
    .check(z.regex(/^\/.*\/$/, 'LP_DOMAIN_PARAMETER_PATH must start and end with "/", e.g. /liveperson/12345678/domains/')),
  LP_CSDS_URL: orDefault(z.url({ error: 'LP_CSDS_URL must be a URL, e.g. https://api.liveperson.net' }), DEFAULT_CSDS_URL),
  LP_CONFIG_CACHE_SECONDS: orDefault(
    z.coerce
      .number({ error: 'LP_CONFIG_CACHE_SECONDS must be a number of seconds' })
      .check(z.int('LP_CONFIG_CACHE_SECONDS must be a whole number of seconds'))
      .check(z.gte(0, 'LP_CONFIG_CACHE_SECONDS must be at least 0'))
      .check(z.lte(3600, 'LP_CONFIG_CACHE_SECONDS must be at most 3600: a rotated secret must take effect within the hour')),
    DEFAULT_CONFIG_CACHE_SECONDS,
  ),
  // The host policy: checked with the rest of the contract, read by hostPolicyFromEnvironment.
  [HOST_POLICY_ENV.allowedHostSuffixes]: z.optional(z.string()).check(z.superRefine(reportProblem(allowedHostSuffixesProblem))),
  [HOST_POLICY_ENV.allowInsecureHosts]: z.optional(z.string()).check(z.superRefine(reportProblem(allowInsecureHostsProblem))),
} as const;

export const sharedEnvironmentSchema = z.object(sharedEnvironment);

/**
 * Each function's own variables, besides the shared ones. Built on first use: a function's cold
 * start builds its own schema, not the other four.
 */
const functionEnvironmentBuilders = {
  'webhook-receiver': () =>
    z.object({
      EVENT_QUEUE_URL: url('EVENT_QUEUE_URL', 'the event queue'),
    }),
  'event-processor': () =>
    z.object({
      EVENT_BUS_NAME: name('EVENT_BUS_NAME'),
      STATE_TABLE_NAME: name('STATE_TABLE_NAME'),
      IDEMPOTENCY_TABLE_NAME: name('IDEMPOTENCY_TABLE_NAME'),
      DEAD_LETTER_QUEUE_URL: url('DEAD_LETTER_QUEUE_URL', 'the dead-letter queue'),
      IDEMPOTENCY_TTL_SECONDS: orDefault(positiveInt('IDEMPOTENCY_TTL_SECONDS', 'seconds'), DEFAULT_IDEMPOTENCY_TTL_SECONDS),
      CONVERSATION_RETENTION_DAYS: orDefault(positiveInt('CONVERSATION_RETENTION_DAYS', 'days'), DEFAULT_STATE_RETENTION_DAYS),
      CONVERSATION_CONCURRENCY: orDefault(
        positiveInt('CONVERSATION_CONCURRENCY', 'conversations').check(
          z.lte(
            MAX_CONVERSATION_CONCURRENCY,
            `CONVERSATION_CONCURRENCY must be at most ${MAX_CONVERSATION_CONCURRENCY} conversations (a batch holds at most 10 records)`,
          ),
        ),
        DEFAULT_CONVERSATION_CONCURRENCY,
      ),
    }),
  'connector-send': () =>
    z
      .object({
        STATE_TABLE_NAME: name('STATE_TABLE_NAME'),
        IDEMPOTENCY_TABLE_NAME: name('IDEMPOTENCY_TABLE_NAME'),
        OUTBOUND_DEAD_LETTER_QUEUE_URL: url('OUTBOUND_DEAD_LETTER_QUEUE_URL', 'the outbound dead-letter queue'),
        /** Only the EventBridge route needs it: the queue its events are forwarded to. */
        OUTBOUND_QUEUE_URL: blankAsUnset(url('OUTBOUND_QUEUE_URL', 'the outbound queue')),
        IDEMPOTENCY_TTL_SECONDS: orDefault(positiveInt('IDEMPOTENCY_TTL_SECONDS', 'seconds'), DEFAULT_IDEMPOTENCY_TTL_SECONDS),
        CONSUMER_RETENTION_DAYS: orDefault(positiveInt('CONSUMER_RETENTION_DAYS', 'days'), DEFAULT_STATE_RETENTION_DAYS),
        CONNECTOR_DEFAULT_SKILL_ID: routingId('CONNECTOR_DEFAULT_SKILL_ID'),
        CONNECTOR_DEFAULT_CAMPAIGN_ID: routingId('CONNECTOR_DEFAULT_CAMPAIGN_ID'),
        CONNECTOR_DEFAULT_ENGAGEMENT_ID: routingId('CONNECTOR_DEFAULT_ENGAGEMENT_ID'),
        /** The `Client-Properties` of every Connector API call (features, app and device fields). */
        CONNECTOR_CLIENT_PROPERTIES: clientPropertiesVariable(),
      })
      .check(
        z.refine(
          (env) => (env.CONNECTOR_DEFAULT_CAMPAIGN_ID === undefined) === (env.CONNECTOR_DEFAULT_ENGAGEMENT_ID === undefined),
          'CONNECTOR_DEFAULT_CAMPAIGN_ID and CONNECTOR_DEFAULT_ENGAGEMENT_ID must be set together',
        ),
      ),
  'c2m-invite': () =>
    z.object({
      /** Used when the flow passes no `skill` parameter. */
      C2M_DEFAULT_SKILL: c2mLimited('C2M_DEFAULT_SKILL', C2M_LIMITS.skill),
      /** Used when the flow passes no `handoffId` parameter. */
      C2M_DEFAULT_HANDOFF_ID: c2mLimited('C2M_DEFAULT_HANDOFF_ID', C2M_LIMITS.handoffId),
      /** va, lo or sy: C2M's host when neither SSM nor CSDS answers. */
      C2M_REGION: blankAsUnset(z.enum(C2M_REGIONS, { error: `C2M_REGION must be one of ${C2M_REGIONS.join(', ')}` })),
      /** What to do with C2M's WhatsApp eligibility (C2M_WHATSAPP_POLICIES); default as-recommended. */
      C2M_WHATSAPP_POLICY: blankAsUnset(
        z.enum(C2M_WHATSAPP_POLICIES, { error: `C2M_WHATSAPP_POLICY must be one of ${C2M_WHATSAPP_POLICIES.join(', ')}` }),
      ),
    }),
  'domain-refresh': () => z.object({}),
  'c2m-funnel': () =>
    z.object({
      /** Holds the funnel's watermark (FUNNEL_TABLE). */
      C2M_FUNNEL_TABLE_NAME: name('C2M_FUNNEL_TABLE_NAME'),
      /** va, lo or sy: the reporting host's region when C2M's own domain does not tell it. */
      C2M_REGION: blankAsUnset(z.enum(C2M_REGIONS, { error: `C2M_REGION must be one of ${C2M_REGIONS.join(', ')}` })),
      /** The Outbound Reporting API's base URL instead of the region's (a proxy, the local stack's simulator). */
      C2M_REPORTING_URL: blankAsUnset(url('C2M_REPORTING_URL', 'the Outbound Reporting API')),
      C2M_FUNNEL_DELAY_MINUTES: orDefault(
        boundedInt('C2M_FUNNEL_DELAY_MINUTES', 'minutes', C2M_FUNNEL_LIMITS.delayMinutes),
        C2M_FUNNEL_DEFAULTS.delayMinutes,
      ),
      C2M_FUNNEL_LOOKBACK_HOURS: orDefault(
        boundedInt('C2M_FUNNEL_LOOKBACK_HOURS', 'hours', C2M_FUNNEL_LIMITS.lookbackHours),
        C2M_FUNNEL_DEFAULTS.lookbackHours,
      ),
    }),
} as const satisfies Record<LivePersonFunctionName, () => z.ZodMiniObject>;

type FunctionEnvironmentSchema<N extends LivePersonFunctionName> = ReturnType<(typeof functionEnvironmentBuilders)[N]>;
const builtFunctionEnvironments = new Map<LivePersonFunctionName, z.ZodMiniObject>();

/** One function's own environment schema (its `shape` lists its variables). */
export function functionEnvironmentSchema<N extends LivePersonFunctionName>(name: N): FunctionEnvironmentSchema<N> {
  let schema = builtFunctionEnvironments.get(name);
  if (!schema) {
    schema = functionEnvironmentBuilders[name]();
    builtFunctionEnvironments.set(name, schema);
  }
  return schema as FunctionEnvironmentSchema<N>;
}

export type SharedEnvironment = z.output<typeof sharedEnvironmentSchema>;
export type FunctionEnvironment<N extends LivePersonFunctionName> = z.output<FunctionEnvironmentSchema<N>>;

/** The variable names of the shared contract and of one function's own environment. */
export type SharedVariable = keyof typeof sharedEnvironment;
export type FunctionVariable<N extends LivePersonFunctionName> = keyof FunctionEnvironmentSchema<N>['shape'] & string;

/**
 * What a construct sets for a function's own variables: each by its contract name, as a string (a
 * CloudFormation token too). An unknown name is a type error here; a missing or malformed value is
 * caught by test/cdk/environment-contract.test.ts (every synthesized function's variables parsed
 * with these schemas) and by the handler at cold start.
 */
export type FunctionVariables<N extends LivePersonFunctionName> = { readonly [K in FunctionVariable<N>]?: string };

export type EnvironmentResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

function parseWith<T>(schema: z.ZodMiniType<T>, env: Readonly<Record<string, string | undefined>>): EnvironmentResult<T> {
  const result = schema.safeParse(env);
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: result.error.issues.map((issue) => issue.message) };
}

/** The shared LP_* variables, checked. */
export function parseSharedEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentResult<SharedEnvironment> {
  return parseWith(sharedEnvironmentSchema, env);
}

/** One function's own variables, checked. */
export function parseFunctionEnvironment<N extends LivePersonFunctionName>(
  name: N,
  env: Readonly<Record<string, string | undefined>>,
): EnvironmentResult<FunctionEnvironment<N>> {
  return parseWith(functionEnvironmentSchema(name) as unknown as z.ZodMiniType<FunctionEnvironment<N>>, env);
}

/**
 * The monitoring settings: the deployment config's `monitoring` block and LivePersonMonitoring's
 * thresholds, checked by one schema so both read the same defaults and ranges.
 */
import { z } from 'zod';

const SILENCE_HINT = 'must be a whole number of hours from 1 to 168 (a week, the longest an alarm looks back), or false for none';
const countSchema = z.int({ error: 'must be a whole number' }).min(0, 'must be at least 0 (0 alarms on any)');
const queueAgeSchema = z
  .int({ error: 'must be a whole number of seconds' })
  .min(60, 'must be at least 60 seconds (SQS reports the age once a minute)')
  .max(1_209_600, 'must be at most 1209600 seconds (14 days, the longest SQS keeps a message)');

/** p99 duration of c2m-invite above which to alarm; Amazon Connect gives up at 8 s. Lowered to 1 s under the function timeout when that is shorter. */
export const DEFAULT_C2M_P99_DURATION_MS = 6000;

const silenceHoursSchema = z.union([z.int({ error: SILENCE_HINT }).min(1, SILENCE_HINT).max(168, SILENCE_HINT), z.literal(false)], {
  error: SILENCE_HINT,
});

/**
 * Alarms for silence: nothing happened for a while where something always should. Business hours
 * (UTC: CloudWatch's metric math knows no time zones) keep the traffic heartbeats quiet at night
 * and at weekends.
 */
export const heartbeatSettingsSchema = z
  .strictObject({
    /** Hours without an accepted webhook after which to alarm; false for none. */
    webhookSilenceHours: silenceHoursSchema.default(12),
    /** Hours without a C2M request after which to alarm, when an Amazon Connect instance is configured; false for none. */
    c2mSilenceHours: silenceHoursSchema.default(12),
    /** Alarm when no domain refresh succeeded for two intervals. */
    domainRefresh: z.boolean({ error: 'must be true or false' }).default(true),
    /** Only count silence in these hours (UTC); unset: at any time. */
    businessHours: z
      .strictObject({
        /** First hour of the day counted, 0–23 (UTC). */
        startHourUtc: z.int({ error: 'must be a whole hour, 0 to 23' }).min(0, 'must be 0 to 23').max(23, 'must be 0 to 23'),
        /** The hour the day ends (exclusive), 1–24 (UTC); may be below the start for a day that spans midnight UTC. */
        endHourUtc: z.int({ error: 'must be a whole hour, 1 to 24' }).min(1, 'must be 1 to 24').max(24, 'must be 1 to 24'),
        /** Which days count: Monday to Friday, or every day (UTC days). */
        days: z.enum(['weekdays', 'every-day'], { error: 'must be "weekdays" or "every-day"' }).default('weekdays'),
      })
      .refine((hours) => hours.startHourUtc !== hours.endHourUtc % 24, {
        error: 'startHourUtc and endHourUtc must differ (leave businessHours out to count every hour)',
      })
      .optional(),
  })
  .prefault({});

export const monitoringSettingsSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  alarmEmail: z.email({ error: 'must be an email address (it receives the alarm notifications)' }).optional(),
  /** Oldest event waiting this long in the event queue means processing has stalled. */
  eventQueueMaxAgeSeconds: queueAgeSchema.default(300),
  /** Oldest command waiting this long in the outbound queue means sending has stalled. */
  outboundQueueMaxAgeSeconds: queueAgeSchema.default(300),
  /** API Gateway 4xx answers of the webhook stage in 5 minutes above which to alarm (bad signatures, a rotated secret, probing). */
  webhookClientErrorsPer5Minutes: countSchema.default(50),
  /** 5xx answers in 5 minutes above which to alarm: 0 = any. */
  webhookServerErrorsPer5Minutes: countSchema.default(0),
  /** Errors of one function in 5 minutes above which to alarm: 0 = any. */
  functionErrorsPer5Minutes: countSchema.default(0),
  /** Throttles of one function in 5 minutes above which to alarm: 0 = any. */
  functionThrottlesPer5Minutes: countSchema.default(0),
  /** Share of C2M requests answered ERROR over 5 minutes above which to alarm. */
  c2mErrorRatePercent: z
    .number({ error: 'must be a percentage' })
    .gt(0, 'must be greater than 0 percent')
    .max(100, 'must be at most 100 percent')
    .default(20),
  /** The error rate alarms only over at least this many C2M requests in 5 minutes (a few calls prove nothing). */
  c2mMinimumRequests: z.int({ error: 'must be a whole number of requests' }).min(1, 'must be at least 1 request').default(10),
  /** Share of the C2M invites sent in an hour that were not delivered, above which to alarm (from the funnel). */
  c2mUndeliveredPercent: z
    .number({ error: 'must be a percentage' })
    .gt(0, 'must be greater than 0 percent')
    .max(100, 'must be at most 100 percent')
    .default(50),
  /** The undelivered alarm needs at least this many invites sent in the hour. */
  c2mFunnelMinimumSent: z.int({ error: 'must be a whole number of invites' }).min(1, 'must be at least 1 invite').default(10),
  heartbeats: heartbeatSettingsSchema,
  // No schema default (DEFAULT_C2M_P99_DURATION_MS applies in the construct): it is lowered under a shorter
  // c2m-invite timeout, and a value set is checked against that timeout, a cross-field rule.
  c2mP99DurationMs: z.int({ error: 'must be a whole number of milliseconds' }).min(100, 'must be at least 100 ms').optional(),
});

export type HeartbeatSettings = z.output<typeof heartbeatSettingsSchema>;

/** Validated monitoring settings, defaults applied. */
export type MonitoringSettings = z.output<typeof monitoringSettingsSchema>;
/** What a brand writes in the `monitoring` block (every field optional). */
export type MonitoringSettingsInput = z.input<typeof monitoringSettingsSchema>;

/** The schema's defaults, plus the C2M duration threshold the construct applies when none is set. */
export const MONITORING_DEFAULTS = Object.freeze({
  ...(monitoringSettingsSchema.parse({}) as Omit<MonitoringSettings, 'alarmEmail' | 'c2mP99DurationMs'>),
  c2mP99DurationMs: DEFAULT_C2M_P99_DURATION_MS,
});

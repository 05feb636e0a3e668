/**
 * Scheduled: counts what became of the C2M invites (LivePerson's Outbound Reporting API) and
 * publishes the funnel as CloudWatch metrics, each step once, in the minute it happened.
 */
import type { Context } from 'aws-lambda';
import { readFunctionEnvironment, readRuntimeEnvironment } from '../lib/aws/config.ts';
import { DynamoDbFunnelWatermark } from '../lib/aws/funnel-watermark.ts';
import { countFunnel, summarizeFunnelRun, type FunnelRunSummary } from '../lib/ivr/funnel.ts';
import { publishFunnelCounts } from '../lib/lambda/funnel-telemetry.ts';
import { createTelemetry, lambdaHandler } from '../lib/lambda/telemetry.ts';
import { c2mAuthOf } from '../lib/liveperson/c2m.ts';
import { OutboundReportingClient, reportingBaseUrlResolver } from '../lib/liveperson/outbound-reporting.ts';
import { logSafeError } from '../lib/log-mask.ts';
import { createLivePersonPlatform } from '../lib/platform.ts';

const telemetry = createTelemetry('c2m-funnel');
const { logger } = telemetry;
const environment = readRuntimeEnvironment();
const settings = readFunctionEnvironment('c2m-funnel');
const platform = createLivePersonPlatform({ environment, logger });
const reporting = new OutboundReportingClient({
  accountId: environment.accountId,
  http: platform.http,
  baseUrl: reportingBaseUrlResolver({ url: settings.C2M_REPORTING_URL, region: settings.C2M_REGION, domains: platform.domains }),
  // The API key when the secret has one, else the AppJWT, read on every run (a rotated secret takes effect).
  auth: async () => c2mAuthOf(await platform.credentials.get(), platform.appJwt),
  hostPolicy: environment.hostPolicy,
});
const watermark = new DynamoDbFunnelWatermark({ tableName: settings.C2M_FUNNEL_TABLE_NAME, accountId: environment.accountId });

// Leave time to log and flush before Lambda's own timeout.
const SAFETY_MARGIN_MS = 5_000;

async function run(_event: unknown, context: Context): Promise<FunnelRunSummary> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  try {
    const result = await countFunnel(reporting, watermark, {
      now: Date.now(),
      delayMs: settings.C2M_FUNNEL_DELAY_MINUTES * 60_000,
      lookbackMs: settings.C2M_FUNNEL_LOOKBACK_HOURS * 3_600_000,
      deadline,
    });
    if (result.status === 'counted') publishFunnelCounts(telemetry, result.counts);
    const summary = summarizeFunnelRun(result);
    if (summary.skippedFrom) logger.warn('C2M funnel skipped steps older than CloudWatch takes', { skippedFrom: summary.skippedFrom });
    logger.info('C2M funnel counted', { ...summary });
    telemetry.count('runSucceeded');
    return summary;
  } catch (error) {
    logger.error('C2M funnel run failed', logSafeError(error));
    telemetry.count('runFailed');
    throw error;
  }
}

// The event is never logged, as in every function here.
export const handler = lambdaHandler(telemetry, run);

/**
 * Amazon Connect contact flow → here → C2M Eligibility and Invite. Answers a flat map of strings
 * (result, callId, channels, errorCode, errorMessage) inside Connect's 8 s, and never throws at
 * the flow: every failure is result=ERROR or NOT_ELIGIBLE, which the flow branches on.
 */
import type { Context } from 'aws-lambda';
import { readFunctionEnvironment, readRuntimeEnvironment } from '../lib/aws/config.ts';
import { ContactFlow } from '../lib/ivr/contact-flow.ts';
import type { ConnectAttributes } from '../lib/ivr/outcome.ts';
import { C2mService } from '../lib/ivr/service.ts';
import { c2mSettingsOf } from '../lib/ivr/settings.ts';
import { c2mTelemetry } from '../lib/lambda/c2m-telemetry.ts';
import { createTelemetry, lambdaHandler } from '../lib/lambda/telemetry.ts';
import { createLivePersonPlatform } from '../lib/platform.ts';

const telemetry = createTelemetry('c2m-invite');
const observer = c2mTelemetry(telemetry);

/** Time kept after the deadline to log, flush metrics and hand the answer back before Lambda's timeout. */
const ANSWER_MARGIN_MS = 1_000;
/** The cold-start prefetch stops trying after this long; the first call then tries again. */
const PREFETCH_BUDGET_MS = 5_000;

// Set up inside ContactFlow: a broken environment must still answer the flow (ERROR), and say why in the log.
const contactFlow = new ContactFlow(
  () =>
    new C2mService({
      platform: createLivePersonPlatform({ environment: readRuntimeEnvironment(), logger: telemetry.logger }),
      settings: c2mSettingsOf(readFunctionEnvironment('c2m-invite')),
      onDomainFallback: observer.domainFallback,
    }),
  { observer, prefetchBudgetMs: PREFETCH_BUDGET_MS },
);

async function answer(event: unknown, context: Context): Promise<ConnectAttributes> {
  return contactFlow.answer(event, { deadline: Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS });
}

// The event holds the caller's number: it is never logged. Keys appended for a call are cleared before the next.
export const handler = lambdaHandler(telemetry, answer, { resetKeys: true });

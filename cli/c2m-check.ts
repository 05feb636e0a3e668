/**
 * `liveperson-aws c2m check`: asks C2M whether a phone number can be reached by messaging, with the
 * same client and auth the c2m-invite function uses. It sends no invitation.
 */
import { C2mClient, c2mAuthOf, c2mBaseUrlResolver, isC2mPhoneNumber } from '#functions/lib/liveperson/c2m.ts';
import { livePersonClients, readCredentials, resolveTarget, UsageError, type CommonFlags } from './context.ts';

export interface C2mCheckFlags extends CommonFlags {
  readonly phone?: string | undefined;
  readonly skill?: string | undefined;
  readonly 'handoff-id'?: string | undefined;
}

export interface C2mCheckResult {
  readonly eligible: boolean;
  readonly callId: string;
  readonly recommendedChannel: string;
  readonly availableChannels: readonly string[];
  readonly auth: 'api-key' | 'app-jwt';
}

export async function c2mCheck(flags: C2mCheckFlags): Promise<C2mCheckResult> {
  if (!flags.phone || !isC2mPhoneNumber(flags.phone))
    throw new UsageError('--phone must be an E.164 number with "+", at most 15 characters, e.g. +12065550100');
  const target = resolveTarget(flags);
  const skill = flags.skill ?? target.config?.c2m?.defaultSkill;
  const handoffId = flags['handoff-id'] ?? target.config?.c2m?.defaultHandoffId;
  if (!skill) throw new UsageError('--skill is required (or set c2m.defaultSkill in the deployment config)');
  if (!handoffId) throw new UsageError('--handoff-id is required (or set c2m.defaultHandoffId in the deployment config)');
  const credentials = await readCredentials(flags, target);
  const { http, domains, appJwt } = livePersonClients(target, credentials);
  const auth = c2mAuthOf(credentials, appJwt);
  const c2m = new C2mClient({ accountId: target.accountId, http, baseUrl: c2mBaseUrlResolver({ domains }), auth: () => auth });
  const answer = await c2m.eligibility({ consumerPhoneNumber: flags.phone, skill, handoffId });
  return {
    eligible: answer.eligible,
    callId: answer.callId,
    recommendedChannel: answer.recommendedChannelName,
    availableChannels: answer.availableChannels,
    auth: auth.kind,
  };
}

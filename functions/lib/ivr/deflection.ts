/**
 * The three actions a contact flow asks for: eligibility, invite, or both in one go (deflect).
 * Every failure becomes an outcome: nothing here throws at the caller.
 */
import type { C2mWhatsAppPolicy } from '#contract/constants.ts';
import type { DeadlineOption } from '../liveperson/domains.ts';
import type { C2mEligibility, C2mEligibilityRequest, C2mInvitation, C2mInviteRequest } from '../liveperson/c2m.ts';
import { failureOutcome, type IvrOutcome } from './outcome.ts';
import type { IvrRequest } from './request.ts';

/** The part of C2mClient the actions use (a fake in unit tests). */
export interface C2mOperations {
  eligibility(request: C2mEligibilityRequest, options?: DeadlineOption): Promise<C2mEligibility>;
  invite(request: C2mInviteRequest, options?: DeadlineOption): Promise<C2mInvitation>;
}

export interface IvrRunOptions extends DeadlineOption {
  /** What to do with C2M's WhatsApp eligibility (see channelChoice); default as-recommended. */
  readonly whatsapp?: C2mWhatsAppPolicy | undefined;
}

/** C2M's names for SMS (`twilio` is the same channel; its example answer lists `["sms","wa"]`). */
const SMS_CHANNEL = /^(sms|twilio)$/i;

/**
 * The channel to invite on under the WhatsApp policy. C2M answers eligible for WhatsApp whatever
 * the consumer's reachability (Meta's policy prevents the check), so a brand may prefer SMS when C2M
 * lists it, or deflect only when SMS is there. `override` is the invite's overrideChannel, set only
 * when the policy chose another channel than C2M's recommendation.
 */
export function channelChoice(
  eligibility: Pick<C2mEligibility, 'eligible' | 'recommendedChannelName' | 'availableChannels'>,
  policy: C2mWhatsAppPolicy = 'as-recommended',
): { eligible: boolean; override?: string } {
  if (!eligibility.eligible || policy === 'as-recommended') return { eligible: eligibility.eligible };
  const recommended = eligibility.recommendedChannelName;
  // C2M may recommend SMS without listing it (both fields may be empty): a recommendation counts as available.
  if (SMS_CHANNEL.test(recommended)) return { eligible: true };
  const sms = eligibility.availableChannels.find((channel) => SMS_CHANNEL.test(channel));
  if (sms !== undefined) return { eligible: true, override: sms };
  // prefer-sms without SMS: the channel C2M recommends (WhatsApp, in-app) stays; require-sms deflects nobody.
  return { eligible: policy === 'prefer-sms' };
}

export async function runIvrRequest(request: IvrRequest, c2m: C2mOperations, options: IvrRunOptions = {}): Promise<IvrOutcome> {
  if (request.action === 'invite') {
    try {
      const invitation = await c2m.invite(request.invite, options);
      return { result: 'INVITED', callId: invitation.callId };
    } catch (error) {
      return { ...failureOutcome(error), callId: request.invite.callId };
    }
  }

  let eligibility: C2mEligibility;
  try {
    eligibility = await c2m.eligibility(request.eligibility, options);
  } catch (error) {
    return failureOutcome(error);
  }
  const choice = channelChoice(eligibility, options.whatsapp);
  const found: IvrOutcome = {
    result: choice.eligible ? 'ELIGIBLE' : 'NOT_ELIGIBLE',
    callId: eligibility.callId,
    recommendedChannel: eligibility.recommendedChannelName,
    availableChannels: eligibility.availableChannels,
    ...(choice.override === undefined ? {} : { overrideChannel: choice.override }),
  };
  if (request.action === 'eligibility' || !choice.eligible) return found;

  // Without overrideChannel, C2M sends through the recommended channel itself; the flow's own wins over the policy's.
  const override = request.invite.overrideChannel ?? choice.override;
  try {
    await c2m.invite(
      { callId: eligibility.callId, ...request.invite, ...(override === undefined ? {} : { overrideChannel: override }) },
      options,
    );
    return { ...found, result: 'INVITED' };
  } catch (error) {
    // What eligibility found stays useful to the flow (e.g. to say which channel was tried).
    return { ...found, ...failureOutcome(error) };
  }
}

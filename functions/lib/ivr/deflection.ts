/**
 * The three actions a contact flow asks for: eligibility, invite, or both in one go (deflect).
 * Every failure becomes an outcome: nothing here throws at the caller.
 */
import type { DeadlineOption } from '../liveperson/domains.ts';
import type { C2mEligibility, C2mEligibilityRequest, C2mInvitation, C2mInviteRequest } from '../liveperson/c2m.ts';
import { failureOutcome, type IvrOutcome } from './outcome.ts';
import type { IvrRequest } from './request.ts';

/** The part of C2mClient the actions use (a fake in unit tests). */
export interface C2mOperations {
  eligibility(request: C2mEligibilityRequest, options?: DeadlineOption): Promise<C2mEligibility>;
  invite(request: C2mInviteRequest, options?: DeadlineOption): Promise<C2mInvitation>;
}

export async function runIvrRequest(request: IvrRequest, c2m: C2mOperations, options: DeadlineOption = {}): Promise<IvrOutcome> {
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
  const found: IvrOutcome = {
    result: eligibility.eligible ? 'ELIGIBLE' : 'NOT_ELIGIBLE',
    callId: eligibility.callId,
    recommendedChannel: eligibility.recommendedChannelName,
    availableChannels: eligibility.availableChannels,
  };
  if (request.action === 'eligibility' || !eligibility.eligible) return found;

  // Without overrideChannel, C2M sends through the recommended channel itself.
  try {
    await c2m.invite({ callId: eligibility.callId, ...request.invite }, options);
    return { ...found, result: 'INVITED' };
  } catch (error) {
    // What eligibility found stays useful to the flow (e.g. to say which channel was tried).
    return { ...found, ...failureOutcome(error) };
  }
}

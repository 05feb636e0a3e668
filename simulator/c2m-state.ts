// In-memory state of Connect-to-Messaging: the brand's skills and handoffs, consumer profiles,
// eligibility calls awaiting an invite, the invites sent, and the rate-limit window.
import type { C2mConsumerProfile, C2mInvite } from './types.ts';

/** Profile of a number nobody configured: reachable by SMS. */
const DEFAULT_PROFILE: C2mConsumerProfile = { eligible: true, availableChannels: ['sms'], recommendedChannelName: 'sms' };

export interface EligibilityCall {
  callId: string;
  consumerPhoneNumber: string;
  skill: string;
  handoffId: string;
  profile: C2mConsumerProfile;
  /** The caller's context as the eligibility call gave it: shown to the agent once the consumer answers. */
  sdes?: Array<Record<string, unknown>>;
  consumerId?: string;
  templateVariables?: Record<string, string>;
}

export class C2mState {
  readonly skills = new Set<string>(['support', 'sales']);
  readonly handoffs = new Set<string>(['H123456789']);
  readonly #profiles = new Map<string, C2mConsumerProfile>();
  readonly #calls = new Map<string, EligibilityCall>();
  readonly #invites: C2mInvite[] = [];
  readonly #phonesWithOpenConversation = new Set<string>();
  readonly #admittedAtByAccount = new Map<string, number[]>();
  /** While set, every authenticated, well-formed C2M request fails with this set-up error (1200, 1201 or 1600). */
  accountSetupError: 1200 | 1201 | 1600 | undefined;

  setConsumer(phone: string, profile: C2mConsumerProfile): void {
    // An ineligible consumer has no channel, whatever the caller passed (as C2M's reference describes the answer).
    this.#profiles.set(
      phone,
      profile.eligible ? structuredClone(profile) : { eligible: false, availableChannels: [], recommendedChannelName: '' },
    );
  }

  profileOf(phone: string): C2mConsumerProfile {
    return structuredClone(this.#profiles.get(phone) ?? DEFAULT_PROFILE);
  }

  rememberCall(call: EligibilityCall): void {
    this.#calls.set(call.callId, structuredClone(call));
  }

  call(callId: string): EligibilityCall | undefined {
    const call = this.#calls.get(callId);
    return call === undefined ? undefined : structuredClone(call);
  }

  recordInvite(invite: C2mInvite): void {
    this.#invites.push(structuredClone(invite));
  }

  invites(): C2mInvite[] {
    return structuredClone(this.#invites);
  }

  setOpenConversation(phone: string, open: boolean): void {
    if (open) this.#phonesWithOpenConversation.add(phone);
    else this.#phonesWithOpenConversation.delete(phone);
  }

  hasOpenConversationFlag(phone: string): boolean {
    return this.#phonesWithOpenConversation.has(phone);
  }

  /**
   * Sliding one-second window per account. Only admitted requests count, so a client that backs off
   * for a second after a 429 gets through again.
   */
  admit(accountId: string, limitPerSecond: number, now = Date.now()): boolean {
    const recent = (this.#admittedAtByAccount.get(accountId) ?? []).filter((at) => at > now - 1000);
    const admitted = recent.length < limitPerSecond;
    if (admitted) recent.push(now);
    this.#admittedAtByAccount.set(accountId, recent);
    return admitted;
  }
}

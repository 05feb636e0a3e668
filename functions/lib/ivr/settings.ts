/**
 * The c2m-invite function's settings from its own environment (on top of the shared LP_* contract):
 * defaults the contact flow may leave out, and the region hint used only when C2M's domain cannot be
 * looked up. The variables and their checks are the contract's (contract/environment.ts).
 */
import type { FunctionEnvironment } from '#contract/environment.ts';
import type { C2mRegion, C2mWhatsAppPolicy } from '#contract/constants.ts';

export interface C2mSettings {
  /** Used when the flow passes no `skill` parameter. */
  readonly defaultSkill?: string | undefined;
  /** Used when the flow passes no `handoffId` parameter. */
  readonly defaultHandoffId?: string | undefined;
  /** va, lo or sy: C2M's host when neither SSM nor CSDS answers. */
  readonly region?: C2mRegion | undefined;
  /** What to do with C2M's WhatsApp eligibility; default as-recommended. */
  readonly whatsapp?: C2mWhatsAppPolicy | undefined;
}

/** The settings of the variables the contract parsed. */
export function c2mSettingsOf(env: FunctionEnvironment<'c2m-invite'>): C2mSettings {
  return {
    defaultSkill: env.C2M_DEFAULT_SKILL,
    defaultHandoffId: env.C2M_DEFAULT_HANDOFF_ID,
    region: env.C2M_REGION,
    whatsapp: env.C2M_WHATSAPP_POLICY,
  };
}

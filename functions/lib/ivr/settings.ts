/**
 * The c2m-invite function's settings from its own environment (on top of the shared LP_* contract):
 * defaults the contact flow may leave out, and the region hint used only when C2M's domain cannot be
 * looked up. The variables and their checks are the contract's (contract/environment.ts).
 */
import { parseFunctionEnvironment, type FunctionEnvironment } from '#contract/environment.ts';
import type { C2mRegion } from '#contract/constants.ts';
import { ConfigurationError } from '../errors.ts';

export interface C2mSettings {
  /** Used when the flow passes no `skill` parameter. */
  readonly defaultSkill?: string | undefined;
  /** Used when the flow passes no `handoffId` parameter. */
  readonly defaultHandoffId?: string | undefined;
  /** va, lo or sy: C2M's host when neither SSM nor CSDS answers. */
  readonly region?: C2mRegion | undefined;
}

/** The settings of the variables the contract parsed. */
export function c2mSettingsOf(env: FunctionEnvironment<'c2m-invite'>): C2mSettings {
  return { defaultSkill: env.C2M_DEFAULT_SKILL, defaultHandoffId: env.C2M_DEFAULT_HANDOFF_ID, region: env.C2M_REGION };
}

/** Reads and checks the variables; the error names every broken variable, never a value. */
export function readC2mSettings(env: NodeJS.ProcessEnv = process.env): C2mSettings {
  const result = parseFunctionEnvironment('c2m-invite', env);
  if (!result.ok) throw new ConfigurationError(`invalid environment: ${result.problems.join('; ')}`);
  return c2mSettingsOf(result.value);
}

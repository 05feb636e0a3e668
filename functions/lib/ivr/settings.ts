/**
 * The c2m-invite function's own environment (on top of the shared LP_* contract): defaults the
 * contact flow may leave out, and the region hint used only when C2M's domain cannot be looked up.
 */
import { z } from 'zod';
import { ConfigurationError } from '../aws/config.ts';
import { C2M_LIMITS, C2M_REGIONS, type C2mRegion } from '../liveperson/c2m.ts';

/** Variable names, set by lib/ivr-deflection.ts from the deployment config's `c2m` block. */
export const C2M_ENV = {
  defaultSkill: 'C2M_DEFAULT_SKILL',
  defaultHandoffId: 'C2M_DEFAULT_HANDOFF_ID',
  region: 'C2M_REGION',
} as const;

export interface C2mSettings {
  /** Used when the flow passes no `skill` parameter. */
  readonly defaultSkill?: string | undefined;
  /** Used when the flow passes no `handoffId` parameter. */
  readonly defaultHandoffId?: string | undefined;
  /** va, lo or sy: C2M's host when neither SSM nor CSDS answers. */
  readonly region?: C2mRegion | undefined;
}

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

const settingsSchema = z.object({
  [C2M_ENV.defaultSkill]: optional(
    z.string().trim().refine((value) => value.length <= C2M_LIMITS.skill, `${C2M_ENV.defaultSkill} must be at most ${C2M_LIMITS.skill} characters (C2M's limit)`),
  ),
  [C2M_ENV.defaultHandoffId]: optional(
    z.string().trim().refine((value) => value.length <= C2M_LIMITS.handoffId, `${C2M_ENV.defaultHandoffId} must be at most ${C2M_LIMITS.handoffId} characters (C2M's limit)`),
  ),
  [C2M_ENV.region]: optional(z.enum(C2M_REGIONS, { error: `${C2M_ENV.region} must be one of ${C2M_REGIONS.join(', ')}` })),
});

/** Reads and checks the variables; the error names the variable, never a value. */
export function readC2mSettings(env: NodeJS.ProcessEnv = process.env): C2mSettings {
  const result = settingsSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigurationError(`invalid environment: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const parsed = result.data;
  return {
    defaultSkill: parsed[C2M_ENV.defaultSkill],
    defaultHandoffId: parsed[C2M_ENV.defaultHandoffId],
    region: parsed[C2M_ENV.region],
  };
}

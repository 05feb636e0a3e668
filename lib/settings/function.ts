/**
 * Settings of every LivePersonFunction: the host policy it gets (LP_CSDS_URL, LP_ALLOWED_HOST_SUFFIXES).
 * What the function would refuse at every call is refused at synth: a bad suffix, or a CSDS URL outside them.
 * The deployment config's top-level csdsUrl and allowedHostSuffixes are these fields.
 */
import { z } from 'zod';
import { DEFAULT_CSDS_URL, LIVEPERSON_FUNCTION_NAMES } from '#contract/constants.ts';
import { DEFAULT_ALLOWED_HOST_SUFFIXES, hostPolicyRefusal, hostSuffixProblem } from '#contract/host-policy.ts';
import { bothValid } from './fields.ts';

// Deployed functions only call https hosts under allowedHostSuffixes; the simulator's plain-http URL is for the
// local stack and tests, which opt in through an environment no deployment sets.
export const csdsUrlField = () =>
  z.url({ protocol: /^https$/, error: `must be an https URL, e.g. "${DEFAULT_CSDS_URL}"` }).transform((url) => url.replace(/\/+$/, ''));

export const allowedHostSuffixesField = () =>
  z
    .array(
      z
        .string({ error: 'must be a domain such as "liveperson.net"' })
        .trim()
        .toLowerCase()
        .superRefine((suffix, ctx) => {
          const problem = hostSuffixProblem(suffix);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `must be a domain: ${problem}` });
        }),
      { error: 'must be a list of domains, e.g. ["liveperson.net"]' },
    )
    .min(1, 'must name at least one domain (the functions call no host outside them)')
    .max(20, 'must name at most 20 domains')
    .transform((suffixes) => [...new Set(suffixes)]);

/** Adds the issue of a CSDS URL the functions would refuse (outside the allowed domains) at `path`. */
export function checkCsdsUrl(
  value: { csdsUrl: string; allowedHostSuffixes: readonly string[] },
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): void {
  if (!bothValid([csdsUrlField(), value.csdsUrl], [allowedHostSuffixesField(), value.allowedHostSuffixes])) return;
  const refusal = hostPolicyRefusal(value.csdsUrl, { allowedHostSuffixes: value.allowedHostSuffixes, allowInsecureHosts: false });
  if (refusal !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `is refused: ${refusal}; a LivePerson cloud on another domain goes into allowedHostSuffixes`,
    });
  }
}

export const functionSettingsSchema = z
  .strictObject({
    name: z.enum(LIVEPERSON_FUNCTION_NAMES, { error: `must be one of ${LIVEPERSON_FUNCTION_NAMES.join(', ')}` }),
    csdsUrl: csdsUrlField().default(DEFAULT_CSDS_URL),
    allowedHostSuffixes: allowedHostSuffixesField().default([...DEFAULT_ALLOWED_HOST_SUFFIXES]),
  })
  .superRefine((settings, ctx) => checkCsdsUrl(settings, ctx, ['csdsUrl']));

export type FunctionSettings = z.output<typeof functionSettingsSchema>;
export type FunctionSettingsInput = z.input<typeof functionSettingsSchema>;

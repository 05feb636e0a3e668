/** Settings of the domain refresh (LivePersonDomains; the config's top-level `domainRefreshHours`). */
import { z } from 'zod';
import { booleanField } from './fields.ts';

export const domainsSettingsSchema = z.strictObject({
  refreshHours: z
    .int({ error: 'must be a whole number of hours' })
    .min(1, 'must be at least 1 hour')
    .max(24, 'must be at most 24 hours: CSDS answers may be cached for a day at most')
    .default(12),
  /** Run the refresh once during deployment, so the parameters exist before the first webhook. */
  refreshOnDeploy: booleanField().default(true),
});

export type DomainsSettings = z.output<typeof domainsSettingsSchema>;
export type DomainsSettingsInput = z.input<typeof domainsSettingsSchema>;

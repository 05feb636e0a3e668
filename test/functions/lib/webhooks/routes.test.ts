import { describe, expect, it } from 'vitest';
import { WEBHOOK_ROUTES } from '#contract/constants.ts';
import { webhookRouteOf } from '#functions/lib/webhooks/routes.ts';

describe('webhookRouteOf', () => {
  it('maps each resource of the contract to its route', () => {
    expect(webhookRouteOf(WEBHOOK_ROUTES.connector)).toBe('connector');
    expect(webhookRouteOf('/webhooks/messaging/{token}')).toBe('messaging');
  });

  it('knows no other resource', () => {
    expect(webhookRouteOf('/webhooks/messaging/abc')).toBeUndefined();
    expect(webhookRouteOf('/other')).toBeUndefined();
  });
});

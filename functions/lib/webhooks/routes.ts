/** Which webhook route an API resource is, from the contract's routes (the API and the receiver share them). */
import { WEBHOOK_ROUTES } from '#contract/constants.ts';
import type { WebhookRoute } from './ports.ts';

const ROUTE_BY_RESOURCE: ReadonlyMap<string, WebhookRoute> = new Map(
  (Object.entries(WEBHOOK_ROUTES) as Array<[WebhookRoute, string]>).map(([route, resource]) => [resource, route]),
);

/** The route served at an API Gateway resource (`/webhooks/messaging/{token}`), or undefined. */
export function webhookRouteOf(resource: string): WebhookRoute | undefined {
  return ROUTE_BY_RESOURCE.get(resource);
}

// The cold-start prefetch must end within its budget whatever it waits on: calls wait for it, so a
// prefetch that never settles would hold every call of the container until Connect's deadline.
import { describe, expect, it } from 'vitest';
import { C2mService, type C2mServiceOptions } from '#functions/lib/ivr/service.ts';
import { DeadlineExceededError } from '#functions/lib/liveperson/errors.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { contactFlowEvent } from '#test/functions/c2m-invite/contact-flow-event.ts';

const never = () => new Promise<never>(() => undefined);

function platform(overrides: Partial<C2mServiceOptions['platform']>): C2mServiceOptions['platform'] {
  return {
    environment: { accountId: '12345678' },
    http: new LivePersonHttpClient(),
    credentials: { get: never } as never,
    domains: { resolve: never } as never,
    appJwt: { getToken: never, withToken: (call: (token: string) => Promise<unknown>) => call('token') } as never,
    ...overrides,
  };
}

describe('C2mService.prefetch within its budget', () => {
  it('rejects at its deadline when the secret read and the domain lookup never settle', { timeout: 3_000 }, async () => {
    const service = new C2mService({ platform: platform({}), settings: {} });
    const error = await service.prefetch({ deadline: Date.now() + 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(String(error)).toContain('C2M prefetch');
  });

  it('rejects at its deadline when only the AppJWT never comes', { timeout: 3_000 }, async () => {
    const service = new C2mService({
      platform: platform({
        credentials: { get: () => Promise.resolve({ clientId: 'id', clientSecret: 'secret' }) } as never,
        domains: { resolve: () => Promise.resolve('http://127.0.0.1:9') } as never,
      }),
      settings: {},
    });
    await expect(service.prefetch({ deadline: Date.now() + 200 })).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('lets the calls after it go on with their own lookups once it gave up', { timeout: 5_000 }, async () => {
    // The prefetch's read of the secret never answers; the call's own read does.
    let reads = 0;
    const get = () => (++reads === 1 ? never() : Promise.resolve({ clientId: 'id', clientSecret: 'secret' }));
    const service = new C2mService({
      platform: platform({ credentials: { get } as never, domains: { resolve: () => Promise.resolve('http://127.0.0.1:9') } as never }),
      settings: {},
    });
    void service.prefetch({ deadline: Date.now() + 200 }).catch(() => undefined);
    const { outcome } = await service.answer(contactFlowEvent({ action: 'eligibility', skill: 'a', handoffId: 'b' }), {
      deadline: Date.now() + 1_500,
    });
    expect(reads).toBe(2);
    // Whatever C2M at a closed port makes of it, the call was not left waiting for the prefetch.
    expect(outcome.errorMessage).not.toContain('still waiting for a LivePerson lookup');
  });
});

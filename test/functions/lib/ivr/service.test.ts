import { describe, expect, it } from 'vitest';
import { C2mService, type C2mServiceOptions } from '#functions/lib/ivr/service.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { contactFlowEvent } from '#test/functions/c2m-invite/contact-flow-event.ts';

/** A platform whose domain lookup never settles, as a lookup joined from the cold-start prefetch might not. */
function platformWithStuckLookup(): C2mServiceOptions['platform'] {
  return {
    environment: { accountId: '12345678' },
    http: new LivePersonHttpClient(),
    credentials: { get: () => Promise.resolve({ clientId: 'id', clientSecret: 'secret' }) } as never,
    domains: { resolve: () => new Promise<string>(() => undefined) } as never,
    appJwt: { getToken: () => Promise.resolve('token'), withToken: (call: (token: string) => Promise<unknown>) => call('token') } as never,
  };
}

describe('C2mService', () => {
  it('answers TIMEOUT at the deadline even when a lookup it waits for never settles', async () => {
    const service = new C2mService({ platform: platformWithStuckLookup(), settings: { defaultSkill: 'support', defaultHandoffId: 'H1' } });
    const started = Date.now();
    const { outcome, contact } = await service.answer(contactFlowEvent(), { deadline: started + 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(600);
    expect(outcome).toMatchObject({ result: 'ERROR', errorCode: 'TIMEOUT' });
    expect(contact.action).toBe('deflect');
  });

  it("prefetches C2M's domain while the secret is still being read", async () => {
    let secretRead = false;
    let domainAskedBeforeSecret: boolean | undefined;
    const platform = {
      ...platformWithStuckLookup(),
      credentials: {
        get: () =>
          new Promise((resolve) =>
            setTimeout(() => {
              secretRead = true;
              resolve({ clientId: 'id', clientSecret: 's' });
            }, 50),
          ),
      } as never,
      domains: {
        resolve: () => {
          domainAskedBeforeSecret ??= !secretRead;
          return Promise.resolve('http://127.0.0.1:9');
        },
      } as never,
    };
    await new C2mService({ platform, settings: {} }).prefetch();
    expect(domainAskedBeforeSecret).toBe(true);
  });

  it('lets a call wait for the cold-start prefetch rather than load the same things alongside it', async () => {
    const reads: number[] = [];
    const get = () => {
      reads.push(Date.now());
      return new Promise((resolve) => setTimeout(() => resolve({ clientId: 'id', clientSecret: 's' }), 50));
    };
    const platform = {
      ...platformWithStuckLookup(),
      credentials: { get } as never,
      domains: { resolve: () => Promise.resolve('http://127.0.0.1:9') } as never,
    };
    const service = new C2mService({ platform, settings: {} });
    void service.prefetch().catch(() => undefined);
    await service.answer(contactFlowEvent({ action: 'eligibility', skill: 'a', handoffId: 'b' }), { deadline: Date.now() + 300 });
    // The prefetch's read, then the call's own once the prefetch is over (a cache hit in production).
    expect(reads).toHaveLength(2);
    expect((reads[1] ?? 0) - (reads[0] ?? 0)).toBeGreaterThanOrEqual(45);
  });
});

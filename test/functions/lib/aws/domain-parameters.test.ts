import { describe, expect, it } from 'vitest';
import { refreshDomainParameters, type DomainParameterStore } from '#functions/lib/aws/domain-parameters.ts';

function fakeStore(initial: Record<string, string>) {
  const values = new Map(Object.entries(initial).map(([k, v]) => [`/lp/domains/${k}`, v]));
  const writes: string[] = [];
  const store: DomainParameterStore = {
    getMultiple: async (path) =>
      Object.fromEntries([...values].filter(([name]) => name.startsWith(path)).map(([name, v]) => [name.slice(path.length), v])),
    set: async (name, options) => {
      writes.push(name);
      values.set(name, options.value);
      return 1;
    },
  };
  return { store, values, writes };
}

const resolverWith = (domains: Record<string, string>) => ({ lookupAll: async () => new Map(Object.entries(domains)) });

describe('refreshDomainParameters', () => {
  it('writes new and changed domains and leaves unchanged ones alone', async () => {
    const { store, values, writes } = fakeStore({ sentinel: 'va.sentry.liveperson.net', idp: 'old.idp.liveperson.net' });
    const result = await refreshDomainParameters({
      resolver: resolverWith({
        sentinel: 'va.sentry.liveperson.net',
        idp: 'va.idp.liveperson.net',
        asyncMessagingEnt: 'va.msg.liveperson.net',
      }),
      store,
      path: '/lp/domains/',
    });
    expect(result).toEqual({ written: ['asyncMessagingEnt', 'idp'], unchanged: ['sentinel'] });
    expect(writes).toEqual(['/lp/domains/asyncMessagingEnt', '/lp/domains/idp']);
    expect(values.get('/lp/domains/idp')).toBe('va.idp.liveperson.net');
  });

  it('keeps only the services the functions use, and leaves their unchanged values alone', async () => {
    const { store, writes } = fakeStore({ sentinel: 'va.sentry.liveperson.net' });
    const result = await refreshDomainParameters({
      resolver: resolverWith({
        sentinel: 'va.sentry.liveperson.net',
        connectToMessagingDomain: 'va.connect-to-messaging.liveperson.net',
        agentVep: 'va.agentvep.liveperson.net',
        msgHist: 'va.msghist.liveperson.net',
        leDataReporting: 'va.data.liveperson.net',
      }),
      store,
      path: '/lp/domains/',
    });
    expect(result).toEqual({ written: ['connectToMessagingDomain'], unchanged: ['sentinel'] });
    expect(writes).toEqual(['/lp/domains/connectToMessagingDomain']);
  });

  it('refuses a CSDS answer without any of the services used', async () => {
    const { store, writes } = fakeStore({});
    await expect(
      refreshDomainParameters({ resolver: resolverWith({ agentVep: 'va.agentvep.liveperson.net' }), store, path: '/lp/domains/' }),
    ).rejects.toThrow('CSDS answered with none of sentinel, idp');
    expect(writes).toEqual([]);
  });

  it('refuses an empty CSDS answer rather than writing nothing silently', async () => {
    const { store, writes } = fakeStore({});
    await expect(refreshDomainParameters({ resolver: resolverWith({}), store, path: '/lp/domains/' })).rejects.toThrow(
      'CSDS answered with no domains',
    );
    expect(writes).toEqual([]);
  });
});

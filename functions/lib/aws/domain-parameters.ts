/**
 * Keeps one SSM parameter per LivePerson service the functions use in step with the Domain API (CSDS).
 * Only changed values are written, so a scheduled run costs one CSDS call and one read.
 * LivePerson facts behind this: docs/liveperson.md#domain-api-csds.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { LIVEPERSON_SERVICES, type DomainResolver } from '../liveperson/domains.ts';
import { AWS_CALL_BUDGETS, ssmClient } from './clients.ts';

/** The part of Powertools' SSMProvider this needs (a fake in tests). */
export interface DomainParameterStore {
  getMultiple(path: string, options: { forceFetch: boolean; recursive: boolean }): Promise<Record<string, unknown> | undefined>;
  set(name: string, options: { value: string; overwrite: boolean; description?: string }): Promise<number | undefined>;
}

/** The store domain-refresh writes to: SSM, with more attempts than a request's path allows (SSM throttles a run of writes). */
export function ssmDomainParameterStore(): DomainParameterStore {
  return new SSMProvider({ awsSdkV3Client: ssmClient(AWS_CALL_BUDGETS.ssmDomainRefresh) });
}

export interface DomainRefreshResult {
  readonly written: string[];
  readonly unchanged: string[];
}

export async function refreshDomainParameters(options: {
  resolver: Pick<DomainResolver, 'lookupAll'>;
  store: DomainParameterStore;
  path: string;
  /**
   * The services to keep, of the dozens CSDS lists: each write is a PutParameter, one after another,
   * and a deploy-time run that writes them all can meet SSM's throttling. @default LIVEPERSON_SERVICES
   */
  services?: readonly string[];
  deadline?: number;
}): Promise<DomainRefreshResult> {
  const { resolver, store, path } = options;
  const services = new Set(options.services ?? LIVEPERSON_SERVICES);
  const [domains, stored] = await Promise.all([
    resolver.lookupAll({ deadline: options.deadline }),
    store.getMultiple(path, { forceFetch: true, recursive: false }),
  ]);
  if (domains.size === 0) throw new Error('CSDS answered with no domains: check LP_ACCOUNT_ID');
  const used = [...domains].filter(([service]) => services.has(service));
  if (used.length === 0) throw new Error(`CSDS answered with none of ${[...services].join(', ')}: check LP_ACCOUNT_ID`);

  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [service, domain] of used.sort(([a], [b]) => a.localeCompare(b))) {
    if (stored?.[service] === domain) {
      unchanged.push(service);
      continue;
    }
    await store.set(`${path}${service}`, { value: domain, overwrite: true, description: `LivePerson ${service} domain (from CSDS)` });
    written.push(service);
  }
  return { written, unchanged };
}

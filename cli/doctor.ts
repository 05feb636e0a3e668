/**
 * `liveperson-aws doctor`: checks, in order, what the deployed functions depend on, and says
 * exactly what is wrong: the deployment config, the credentials secret, the domains from CSDS, an
 * AppJWT from Sentinel. Nothing is written anywhere; no token is printed.
 */
import { jwtExpiry } from '#functions/lib/liveperson/app-jwt.ts';
import { LIVEPERSON_SERVICES } from '#functions/lib/liveperson/domains.ts';
import { livePersonClients, messageOf, readCredentials, resolveTarget, type CommonFlags } from './context.ts';

export interface Check {
  readonly name: string;
  /** 'warning': worth knowing, but nothing is broken. */
  readonly level: 'ok' | 'warning' | 'error';
  readonly detail: string;
}

export async function doctor(flags: CommonFlags): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string, levelIfNotOk: 'warning' | 'error' = 'error') => {
    checks.push({ name, level: ok ? 'ok' : levelIfNotOk, detail });
    return ok;
  };

  let target;
  try {
    target = resolveTarget(flags);
  } catch (error) {
    check('config', false, messageOf(error));
    return checks;
  }
  check('config', true, `account ${target.accountId}, CSDS ${target.csdsUrl}${target.config ? ' (cdk.json)' : ''}`);

  let credentials;
  try {
    credentials = await readCredentials(flags, target);
  } catch (error) {
    check('credentials', false, messageOf(error));
    return checks;
  }
  check('credentials', true, `${target.secretSource}: clientId set, clientSecret set`);
  check(
    'messaging route',
    credentials.webhookToken !== undefined,
    credentials.webhookToken !== undefined
      ? 'webhookToken set: POST /webhooks/messaging/{token} is open'
      : 'no webhookToken: POST /webhooks/messaging/{token} answers 401 (add one if you use Messaging API subscriptions)',
    'warning',
  );
  check(
    'c2m auth',
    true,
    credentials.oauth1 ? 'C2M calls are signed with the OAuth 1.0a API key (oauth1)' : 'C2M calls use Bearer <AppJWT> (no oauth1 block)',
  );

  const { domains, appJwt } = livePersonClients(target, credentials);
  try {
    const all = await domains.lookupAll();
    const missing = LIVEPERSON_SERVICES.filter((service) => !all.has(service));
    check(
      'domains',
      missing.length === 0,
      missing.length === 0
        ? LIVEPERSON_SERVICES.map((service) => `${service}=${all.get(service)}`).join(', ')
        : `CSDS knows no domain for ${missing.join(', ')} on account ${target.accountId}: ask LivePerson to enable ${missing.length === 1 ? 'it' : 'them'}`,
    );
  } catch (error) {
    check('domains', false, `${messageOf(error)} (is ${target.accountId} the right account, and ${target.csdsUrl} reachable?)`);
    return checks;
  }

  try {
    const token = await appJwt.getToken();
    const expiry = jwtExpiry(token);
    check('appjwt', true, `Sentinel issued an AppJWT${expiry ? `, valid until ${new Date(expiry).toISOString()}` : ''}`);
  } catch (error) {
    check('appjwt', false, `${messageOf(error)} (check clientId/clientSecret: they come from LivePerson's app installation)`);
  }
  return checks;
}

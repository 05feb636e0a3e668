/**
 * C2M for a contact flow: wires the C2M client to the platform (secret, domains, AppJWT), picks the
 * API key or the AppJWT from the secret on every call, and answers every event before its deadline.
 */
import { C2mClient, c2mAuthOf, c2mBaseUrlResolver, type C2mAuth, type C2mRegion } from '../liveperson/c2m.ts';
import type { DeadlineOption } from '../liveperson/domains.ts';
import { DeadlineExceededError } from '../liveperson/errors.ts';
import { runIvrRequest } from './deflection.ts';
import { errorOutcome, failureOutcome, IVR_ERROR_CODES, type IvrOutcome } from './outcome.ts';
import type { C2mPlatform } from './ports.ts';
import { parseIvrRequest, type ContactInfo } from './request.ts';
import type { C2mSettings } from './settings.ts';

export interface C2mServiceOptions {
  readonly platform: C2mPlatform;
  readonly settings: C2mSettings;
  /** Told when C2M's domain comes from the region table (SSM and CSDS both failed). */
  readonly onDomainFallback?: (region: C2mRegion, error: unknown) => void;
}

export interface C2mAnswer {
  readonly contact: ContactInfo;
  readonly outcome: IvrOutcome;
}

/**
 * The calls stop themselves at the deadline; this backstop covers what they do not control (a
 * lookup started by the cold-start prefetch that this call joined), a few ms later.
 */
const BACKSTOP_GRACE_MS = 50;

export class C2mService {
  readonly client: C2mClient;
  readonly #options: C2mServiceOptions;
  readonly #baseUrl: (options: DeadlineOption) => Promise<string>;
  /** Settles when the last prefetch has; calls wait for it (within their deadline) rather than fetch twice. */
  #ready: Promise<unknown> = Promise.resolve();

  constructor(options: C2mServiceOptions) {
    const { platform, settings } = options;
    this.#options = options;
    this.#baseUrl = c2mBaseUrlResolver({ domains: platform.domains, region: settings.region, onFallback: options.onDomainFallback });
    this.client = new C2mClient({
      accountId: platform.environment.accountId,
      http: platform.http,
      baseUrl: this.#baseUrl,
      auth: () => this.#auth(),
    });
  }

  /**
   * Loads the secret, C2M's domain and (without an API key) an AppJWT, so the first call does not
   * wait for them. Rejects when something could not be loaded, and at the deadline at the latest
   * even if a lookup it started never answers (calls wait for the prefetch, so it must end); calls
   * then load what is missing themselves.
   */
  prefetch(options: DeadlineOption = {}): Promise<void> {
    const loading = this.#load(options);
    const settled =
      options.deadline === undefined
        ? loading
        : rejectAt(loading, options.deadline, () => new DeadlineExceededError('C2M prefetch', 'not loaded by the prefetch deadline'));
    this.#ready = settled.catch(() => undefined);
    return settled;
  }

  /** Validates the event, runs its action and answers by `deadline` at the latest (TIMEOUT then). */
  async answer(event: unknown, options: { readonly deadline: number }): Promise<C2mAnswer> {
    const parsed = parseIvrRequest(event, this.#options.settings);
    if (!parsed.ok) return { contact: parsed.contact, outcome: parsed.outcome };
    const work = this.#ready
      .then(() => runIvrRequest(parsed.request, this.client, { deadline: options.deadline, whatsapp: this.#options.settings.whatsapp }))
      .catch(failureOutcome);
    const outcome = await settleBy(work, options.deadline + BACKSTOP_GRACE_MS, () =>
      errorOutcome(IVR_ERROR_CODES.timeout, 'no answer within the time Amazon Connect allows (still waiting for a LivePerson lookup)'),
    );
    return { contact: parsed.contact, outcome };
  }

  async #load(options: DeadlineOption): Promise<void> {
    const { credentials, appJwt } = this.#options.platform;
    // C2M's domain does not depend on the secret: both lookups run at once. Only the AppJWT waits
    // for the secret, which says whether one is needed at all.
    const token = async () => ((await credentials.get()).oauth1 ? undefined : appJwt.getToken(options));
    await Promise.all([this.#baseUrl(options), token()]);
  }

  async #auth(): Promise<C2mAuth> {
    const { credentials, appJwt } = this.#options.platform;
    const secret = await credentials.get();
    return c2mAuthOf(secret, appJwt);
  }
}

/** `work`, or a rejection with `onLate()` when `work` is not settled at `time` (epoch ms). */
function rejectAt<T>(work: Promise<T>, time: number, onLate: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onLate()), Math.max(0, time - Date.now()));
  });
  // Past the deadline the work's own outcome is no one's: it must not surface as an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `work`'s value, or `onLate()`'s when `work` is not settled at `time` (epoch ms). */
function settleBy<T>(work: Promise<T>, time: number, onLate: () => T): Promise<T> {
  // A plain timer: aborting a timers/promises sleep builds a DOMException on every call, which costs more than the rest of the handler.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onLate()), Math.max(0, time - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

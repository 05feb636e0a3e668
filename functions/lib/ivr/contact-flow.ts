/**
 * One contact flow call, start to end: answered inside Connect's time, and never a throw at the
 * flow: every failure is result=ERROR or NOT_ELIGIBLE, which the flow branches on. A service that
 * could not be set up (a broken environment) still answers, ERROR with CONFIGURATION_ERROR, and the
 * reason is reported once at the cold start.
 */
import { logSafeReason } from '../log-mask.ts';
import type { C2mRegion } from '../liveperson/c2m.ts';
import { errorOutcome, failureOutcome, IVR_ERROR_CODES, toConnectAttributes, type ConnectAttributes, type IvrOutcome } from './outcome.ts';
import type { ContactInfo } from './request.ts';
import type { C2mService } from './service.ts';

/** What one call did, for its log line and metrics. `phoneNumber` is the caller's, unmasked. */
export interface C2mCallReport {
  readonly action: ContactInfo['action'];
  readonly phoneNumber: string | undefined;
  readonly outcome: IvrOutcome;
  readonly durationMs: number;
}

/** Told what happens, for logs and metrics. */
export interface ContactFlowObserver {
  /** First thing of every call: the contact it is about (Connect's ContactId, when the event has one). */
  started?(contactId: string | undefined): void;
  answered?(report: C2mCallReport): void;
  /** The service could not be set up: every call answers CONFIGURATION_ERROR. */
  misconfigured?(error: unknown): void;
  prefetchFailed?(error: unknown): void;
  /** C2M's domain came from the region table (SSM and CSDS both failed). */
  domainFallback?(region: C2mRegion, error: unknown): void;
}

export interface ContactFlowOptions {
  readonly observer?: ContactFlowObserver;
  /** The cold-start prefetch stops trying after this long; the first call then tries again. */
  readonly prefetchBudgetMs: number;
}

export class ContactFlow {
  readonly #setup: { readonly service: C2mService } | { readonly error: unknown };
  readonly #observer: ContactFlowObserver;

  /** Sets the service up with `create` and starts its prefetch, during the cold start rather than on the first caller's time. */
  constructor(create: () => C2mService, options: ContactFlowOptions) {
    this.#observer = options.observer ?? {};
    this.#setup = setUp(create, this.#observer);
    if ('service' in this.#setup) {
      // A failure is only reported: each call tries again.
      this.#setup.service
        .prefetch({ deadline: Date.now() + options.prefetchBudgetMs })
        .catch((error: unknown) => this.#observer.prefetchFailed?.(error));
    }
  }

  /** The flow's answer to `event`, by `deadline` (epoch ms). */
  async answer(event: unknown, options: { readonly deadline: number }): Promise<ConnectAttributes> {
    const startedAt = Date.now();
    this.#observer.started?.(contactIdOf(event));
    let contact: ContactInfo = {};
    let outcome: IvrOutcome;
    if ('error' in this.#setup) {
      outcome = errorOutcome(IVR_ERROR_CODES.configurationError, logSafeReason(this.#setup.error));
    } else {
      try {
        ({ contact, outcome } = await this.#setup.service.answer(event, options));
      } catch (error) {
        outcome = failureOutcome(error);
      }
    }
    this.#observer.answered?.({ action: contact.action, phoneNumber: contact.phoneNumber, outcome, durationMs: Date.now() - startedAt });
    return toConnectAttributes(outcome);
  }
}

function setUp(create: () => C2mService, observer: ContactFlowObserver): { service: C2mService } | { error: unknown } {
  try {
    return { service: create() };
  } catch (error) {
    observer.misconfigured?.(error);
    return { error };
  }
}

/** Connect's ContactId, read before the event is validated (for the log lines of an invalid one too). */
export function contactIdOf(event: unknown): string | undefined {
  const contactId = (event as { Details?: { ContactData?: { ContactId?: unknown } } } | null)?.Details?.ContactData?.ContactId;
  return typeof contactId === 'string' ? contactId.slice(0, 128) : undefined;
}

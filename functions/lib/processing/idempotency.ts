/**
 * The idempotency ledger's port, under its former path for the imports not moved yet: the port is in
 * ports.ts, the Powertools adapter in ../aws/event-ledger.ts.
 */
export { EventInProgressError, type ClaimResult, type EventLedger } from './ports.ts';

/**
 * LivePerson's own published notification examples (test/fixtures/liveperson/notifications), each
 * with the page or sample app it comes from. Tests run every one of them through the code that
 * real traffic meets, so a wrong reading of the docs fails a test instead of losing an event.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NotificationFixture {
  /** The file name, e.g. `content-event-text-dialogid-only.json`. */
  readonly name: string;
  readonly source: { readonly url: string; readonly repository?: string; readonly path?: string; readonly section?: string };
  readonly note: string;
  /** True when a documented event shape was put into the documented change envelope by hand. */
  readonly constructed: boolean;
  readonly notification: { readonly type?: string; readonly body: { readonly changes: readonly unknown[] } };
}

export const NOTIFICATION_FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'liveperson', 'notifications');

export function notificationFixtures(): NotificationFixture[] {
  return readdirSync(NOTIFICATION_FIXTURE_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = JSON.parse(readFileSync(join(NOTIFICATION_FIXTURE_DIR, name), 'utf8')) as Omit<
        NotificationFixture,
        'name' | 'constructed'
      > & { constructed?: boolean };
      return { name, source: file.source, note: file.note, constructed: file.constructed === true, notification: file.notification };
    });
}

/** The latest timestamp a notification carries: sending the corpus in this order keeps each conversation's updates in order. */
export function latestTimestamp(notification: unknown): number {
  let latest = 0;
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === 'number' && key !== undefined && /(?:Ts|Timestamp|Time)$/.test(key)) latest = Math.max(latest, value);
    else if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(notification);
  return latest;
}

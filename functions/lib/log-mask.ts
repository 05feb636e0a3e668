/**
 * What may appear in a log line about a person: phone numbers keep only their last four digits,
 * so a line can be matched to a caller without exposing the number.
 */
export function maskPhoneNumber(phoneNumber: string | undefined): string | undefined {
  if (phoneNumber === undefined) return undefined;
  const digits = phoneNumber.replace(/\D/g, '');
  return digits.length > 4 ? `***${digits.slice(-4)}` : '***';
}

// A phone number however it is written, wherever it sits in an id: 7 or more digits, with an optional
// leading "+" or "(" and up to 3 separators (spaces, dots, dashes, brackets) between two digits.
const PHONE_RUN = /\+?\(?\d(?:[\s.()-]{0,3}\d){6,}/g;
// A UUID's hex may hold a run of 7 digits by chance; it is never a phone number, and stays readable.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * An identifier chosen by a brand (a consumer id, a message group id) as it may be logged: every run
 * of 7 or more digits in it is masked to its last four, as brands often build ids from a phone number
 * (`whatsapp:+14155550100`, `14155550100@c.us`, `customer-14155550100`).
 */
export function logSafeId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  let masked = '';
  let from = 0;
  for (const uuid of id.matchAll(UUID)) {
    masked += maskPhoneRuns(id.slice(from, uuid.index)) + uuid[0];
    from = uuid.index + uuid[0].length;
  }
  return masked + maskPhoneRuns(id.slice(from));
}

function maskPhoneRuns(text: string): string {
  return text.replace(PHONE_RUN, (run) => `***${run.replace(/\D/g, '').slice(-4)}`);
}

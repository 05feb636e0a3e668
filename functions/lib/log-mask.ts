/**
 * What may appear in a log line about a person: phone numbers keep only their last four digits,
 * so a line can be matched to a caller without exposing the number.
 */
export function maskPhoneNumber(phoneNumber: string | undefined): string | undefined {
  if (phoneNumber === undefined) return undefined;
  const digits = phoneNumber.replace(/\D/g, '');
  return digits.length > 4 ? `***${digits.slice(-4)}` : '***';
}

// A phone number however it is written: digits with optional "+", spaces, dots, dashes, brackets.
const PHONE_LIKE = /^\+?[\d\s().-]+$/;

/**
 * An identifier chosen by a brand (a consumer id, a message group id) as it may be logged: masked
 * when it looks like a phone number (at least 7 digits), as brands often key consumers by number.
 */
export function logSafeId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return PHONE_LIKE.test(id) && id.replace(/\D/g, '').length >= 7 ? maskPhoneNumber(id) : id;
}

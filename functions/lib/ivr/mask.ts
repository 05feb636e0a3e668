/** Phone numbers in logs: only the last four digits stay, so a line can be matched to a caller without exposing them. */
export function maskPhoneNumber(phoneNumber: string | undefined): string | undefined {
  if (phoneNumber === undefined) return undefined;
  const digits = phoneNumber.replace(/\D/g, '');
  return digits.length > 4 ? `***${digits.slice(-4)}` : '***';
}

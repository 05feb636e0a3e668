/**
 * The caller's context for the agent: C2M's eligibility call takes `sdes` (Customer Info and
 * Personal Info, LivePerson's `[{type, info}]` array) and, for the in-app channel, `consumerId`
 * (docs/liveperson.md#connect-to-messaging-c2m). A contact flow gives SDEs two ways:
 * - `sdes`: LivePerson's array as JSON text (any field, nested ones such as `contacts` too);
 * - one field at a time, `lp_sde_<type>_<field>` (e.g. `lp_sde_personal_language = en-US`,
 *   `lp_sde_ctmrinfo_customerId = 138766AC`), as a Lambda parameter or a contact attribute (the
 *   parameter wins). Only LivePerson's documented scalar fields are taken this way, numbers as numbers.
 * A flat field overrides the same field of the JSON. Everything is checked here, before any call;
 * messages name the field, never its value.
 */
import * as z from '#contract/zod.ts';

export const SDE_TYPES = ['ctmrinfo', 'personal'] as const;
export type SdeType = (typeof SDE_TYPES)[number];
export type C2mSde = { readonly type: SdeType; readonly info: Readonly<Record<string, unknown>> };

/** The scalar fields of each SDE a flat parameter may set, and whether LivePerson types it as a number. */
const FLAT_FIELDS: Readonly<Record<SdeType, Readonly<Record<string, 'text' | 'number' | 'integer'>>>> = {
  ctmrinfo: {
    ctype: 'text',
    cstatus: 'text',
    balance: 'number',
    currency: 'text',
    customerId: 'text',
    socialId: 'text',
    imei: 'text',
    userName: 'text',
    companySize: 'integer',
    companyBranch: 'text',
    accountName: 'text',
    role: 'text',
    loginStatus: 'integer',
    storeZipCode: 'text',
    storeNumber: 'text',
  },
  personal: { firstname: 'text', lastname: 'text', gender: 'text', company: 'text', language: 'text' },
};

/** Not C2M limits (it documents none): sanity bounds, so an attribute gone wrong cannot bloat the call. */
export const MAX_SDES_JSON_LENGTH = 8192;
export const MAX_SDE_TEXT_LENGTH = 256;
export const MAX_CONSUMER_ID_LENGTH = 256;
const FLAT_KEY = /^lp_sde_([a-z]+)_([A-Za-z]+)$/;

const sdesArraySchema = z
  .array(
    z.object({
      type: z.enum(SDE_TYPES, { error: 'sdes: each SDE must be of type ctmrinfo or personal' }),
      info: z.record(z.string(), z.unknown(), { error: 'sdes: each SDE needs an info object' }),
    }),
    { error: 'sdes must be a JSON array of SDEs, e.g. [{"type":"personal","info":{"firstname":"Ada"}}]' },
  )
  .check(z.maxLength(2, 'sdes: at most one ctmrinfo and one personal SDE'))
  .check(z.refine((sdes) => new Set(sdes.map((sde) => sde.type)).size === sdes.length, 'sdes: each type at most once'));

export type CallerContext = { ok: true; sdes?: C2mSde[] } | { ok: false; problems: string[] };

/** The SDEs of the `sdes` parameter and the `lp_sde_*` parameters and attributes, merged and checked. */
export function sdesOf(parameters: Readonly<Record<string, unknown>>, attributes: Readonly<Record<string, unknown>> = {}): CallerContext {
  const problems: string[] = [];
  const byType = new Map<SdeType, Record<string, unknown>>();
  const json = parameters.sdes;
  if (json !== undefined) {
    if (typeof json !== 'string') problems.push('sdes must be a string of JSON');
    else if (json.length > MAX_SDES_JSON_LENGTH)
      problems.push(`sdes must be at most ${MAX_SDES_JSON_LENGTH} characters (our sanity limit)`);
    else {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        problems.push('sdes is not JSON');
      }
      if (problems.length === 0) {
        const parsed = sdesArraySchema.safeParse(value);
        if (parsed.success) for (const sde of parsed.data) byType.set(sde.type, { ...sde.info });
        else problems.push(...new Set(parsed.error.issues.map((issue) => issue.message)));
      }
    }
  }
  // Attributes first, then parameters: the Lambda block's own parameter wins. An attribute that names no
  // documented field is left alone (another block may have set it for its own use); a parameter is refused.
  const entries = [
    ...Object.entries(attributes).map((entry) => [...entry, 'attribute'] as const),
    ...Object.entries(parameters).map((entry) => [...entry, 'parameter'] as const),
  ];
  for (const [key, raw, source] of entries) {
    const match = FLAT_KEY.exec(key);
    if (!match) continue;
    const [, type = '', field = ''] = match;
    const kind = (FLAT_FIELDS as Record<string, Record<string, string> | undefined>)[type]?.[field];
    if (kind === undefined) {
      if (source === 'parameter')
        problems.push(`${key} names no SDE field LivePerson documents (lp_sde_ctmrinfo_<field> or lp_sde_personal_<field>)`);
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : raw;
    if (text === undefined || text === '') continue;
    if (typeof text !== 'string') {
      problems.push(`${key} must be a string`);
      continue;
    }
    if (text.length > MAX_SDE_TEXT_LENGTH) {
      problems.push(`${key} must be at most ${MAX_SDE_TEXT_LENGTH} characters (our sanity limit)`);
      continue;
    }
    let value: string | number = text;
    if (kind !== 'text') {
      value = Number(text);
      if (!Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value))) {
        problems.push(`${key} must be ${kind === 'integer' ? 'a whole number' : 'a number'}`);
        continue;
      }
    }
    const sdeType = type as SdeType;
    byType.set(sdeType, { ...byType.get(sdeType), [field]: value });
  }
  if (problems.length > 0) return { ok: false, problems };
  const sdes = SDE_TYPES.filter((type) => byType.has(type)).map((type) => ({ type, info: byType.get(type) ?? {} }));
  return sdes.length === 0 ? { ok: true } : { ok: true, sdes };
}

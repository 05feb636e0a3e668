// AppJWTs and consumer JWSs: real HS256 JWTs, signed with keys drawn at random per simulator, so a
// token from one simulator (or a hand-made one) is rejected by another.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

const appJwtClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  acct: z.string(),
  iat: z.number(),
  exp: z.number(),
  jti: z.string(),
});
export type AppJwtClaims = z.infer<typeof appJwtClaimsSchema>;

const consumerJwsClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  acct: z.string(),
  iat: z.number(),
});
export type ConsumerJwsClaims = z.infer<typeof consumerJwsClaimsSchema>;

export type TokenCheck<Claims> = { ok: true; claims: Claims } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export interface TokenAuthority {
  issueAppJwt(input: { clientId: string; accountId: string; ttlSeconds: number }): string;
  verifyAppJwt(token: string | undefined): TokenCheck<AppJwtClaims>;
  /** From now on every AppJWT issued so far is answered as expired. */
  expireIssuedAppJwts(): void;
  issueConsumerJws(input: { accountId: string; extConsumerId: string }): string;
  verifyConsumerJws(token: string | undefined): TokenCheck<ConsumerJwsClaims>;
}

export function createTokenAuthority(): TokenAuthority {
  // Separate keys: an AppJWT passed where a consumer JWS belongs (or the reverse) fails verification.
  const appJwtKey = randomBytes(32);
  const consumerJwsKey = randomBytes(32);
  const issuedAppJwtIds = new Set<string>();
  const expiredAppJwtIds = new Set<string>();

  return {
    issueAppJwt({ clientId, accountId, ttlSeconds }) {
      const iat = Math.floor(Date.now() / 1000);
      const jti = randomUUID();
      issuedAppJwtIds.add(jti);
      return sign({ iss: 'liveperson-simulator/sentinel', sub: clientId, acct: accountId, iat, exp: iat + ttlSeconds, jti }, appJwtKey);
    },
    verifyAppJwt(token) {
      const check = verify(token, appJwtKey, appJwtClaimsSchema);
      if (!check.ok) return check;
      const expired = check.claims.exp <= Date.now() / 1000 || expiredAppJwtIds.has(check.claims.jti);
      return expired ? { ok: false, reason: 'expired' } : check;
    },
    expireIssuedAppJwts() {
      for (const id of issuedAppJwtIds) expiredAppJwtIds.add(id);
      issuedAppJwtIds.clear();
    },
    issueConsumerJws({ accountId, extConsumerId }) {
      // No exp: the documented consumer JWS never expires.
      return sign(
        { iss: 'liveperson-simulator/idp', sub: extConsumerId, acct: accountId, iat: Math.floor(Date.now() / 1000) },
        consumerJwsKey,
      );
    },
    verifyConsumerJws(token) {
      return verify(token, consumerJwsKey, consumerJwsClaimsSchema);
    },
  };
}

function sign(claims: object, key: Buffer): string {
  const signingInput = `${JWT_HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${hmac(signingInput, key).toString('base64url')}`;
}

function verify<Claims>(token: string | undefined, key: Buffer, schema: z.ZodType<Claims>): TokenCheck<Claims> {
  if (token === undefined || token === '') return { ok: false, reason: 'missing' };
  const [header, payload, signature, ...rest] = token.split('.');
  if (header !== JWT_HEADER || payload === undefined || signature === undefined || rest.length > 0) {
    return { ok: false, reason: 'invalid' };
  }
  // Compare the encoded forms: decoding base64url is lenient (stray characters are skipped).
  const expected = Buffer.from(hmac(`${header}.${payload}`, key).toString('base64url'));
  const received = Buffer.from(signature);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, reason: 'invalid' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parsed = schema.safeParse(decoded);
  return parsed.success ? { ok: true, claims: parsed.data } : { ok: false, reason: 'invalid' };
}

function hmac(data: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

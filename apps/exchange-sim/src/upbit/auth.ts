import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface UpbitJwtPayload {
  access_key: string;
  nonce: string;
  query_hash?: string;
  query_hash_alg?: string;
}

export type JwtCheck = { ok: true; payload: UpbitJwtPayload } | { ok: false; reason: 'format' | 'algorithm' };

const ALGORITHMS: Record<string, string> = { HS256: 'sha256', HS512: 'sha512' };

function base64UrlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
}

/** Splits and decodes a JWT without trusting it yet: the access key names the secret to check it with. */
export function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown>; signingInput: string; signature: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = base64UrlJson(parts[0]);
    const payload = base64UrlJson(parts[1]);
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return undefined;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: parts[2],
    };
  } catch {
    return undefined;
  }
}

/** HS256 or HS512 signature check (Upbit's own examples use HS512; ccxt signs HS256). */
export function verifyJwtSignature(alg: unknown, signingInput: string, signature: string, secret: string): boolean {
  const digest = typeof alg === 'string' ? ALGORITHMS[alg] : undefined;
  if (!digest) return false;
  const expected = createHmac(digest, secret).update(signingInput).digest();
  const given = Buffer.from(signature, 'base64url');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Signs a JWT as an Upbit client would (used by tests and the benchmark). */
export function signUpbitJwt(payload: Record<string, unknown>, secret: string, alg: 'HS256' | 'HS512' = 'HS256'): string {
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac(ALGORITHMS[alg], secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

/**
 * The unencoded `k=v&k=v` string Upbit hashes into `query_hash`: the query string as sent,
 * percent-decoded, or for a JSON body its keys in order (arrays as `k[]=v` per element).
 */
export function queryHashInput(method: string, rawQuery: string, rawBody: string): string | undefined {
  if (method === 'GET' || method === 'DELETE' || !rawBody) return queryStringHashInput(rawQuery);
  return bodyHashInput(rawBody);
}

function queryStringHashInput(rawQuery: string): string | undefined {
  if (!rawQuery) return undefined;
  try {
    return decodeURIComponent(rawQuery.replace(/\+/g, ' '));
  } catch {
    return rawQuery;
  }
}

function bodyHashInput(rawBody: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (Array.isArray(v)) for (const item of v) pairs.push(`${k}[]=${String(item)}`);
    else if (v !== undefined && v !== null) pairs.push(`${k}=${bodyValueText(v)}`);
  }
  return pairs.length > 0 ? pairs.join('&') : undefined;
}

/** A body value as the hash input writes it: JSON's objects are plain, and String() prints one as `[object Object]`. */
function bodyValueText(value: unknown): string {
  return typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
}

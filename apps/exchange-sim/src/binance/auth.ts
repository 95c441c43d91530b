import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 hex, as Binance signs `totalParams` (query string followed by the request body). */
export function binanceSignature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function withoutSignature(raw: string): { rest: string; signature?: string } {
  if (!raw) return { rest: '' };
  let signature: string | undefined;
  const kept: string[] = [];
  for (const pair of raw.split('&')) {
    if (pair.startsWith('signature=')) signature = decodeURIComponent(pair.slice('signature='.length));
    else if (pair.length > 0) kept.push(pair);
  }
  return { rest: kept.join('&'), signature };
}

/**
 * What Binance signs: the query string (without `signature`) immediately followed by the body —
 * no separator, per the documented mixed query/body example — and the signature sent.
 */
export function signedPayload(rawQuery: string, rawBody: string): { payload: string; signature?: string } {
  const q = withoutSignature(rawQuery);
  const b = withoutSignature(rawBody);
  return { payload: q.rest + b.rest, signature: q.signature ?? b.signature };
}

export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(binanceSignature(secret, payload), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

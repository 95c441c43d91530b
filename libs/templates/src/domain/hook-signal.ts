import { createHash, timingSafeEqual } from 'node:crypto';
import { byCodeUnits, ValidationError } from '@tradedesk/shared';
import { invalid, objectWith, UUID } from './template-errors.js';
import { parseSize, type SizeDefinition, symbolOf } from './template-definition.js';

/** A webhook signal (a TradingView alert's message): which template to run, with what, and when it was sent. */
export interface HookSignal {
  secret: string;
  templateId: string;
  symbol?: string;
  side?: 'buy' | 'sell';
  size?: SizeDefinition;
  /** When the alert was sent, as the sender says. */
  timestamp: Date;
}

const SIGNAL_FIELDS = ['secret', 'template', 'symbol', 'side', 'size', 'timestamp'];
const MAX_SECRET_LENGTH = 200;
/** Below this a number timestamp is read as seconds since the epoch, above it as milliseconds. */
const MILLISECONDS_FROM = 1e11;

/** The signal's fields checked one by one; a 400 (`HOOK.MALFORMED_SIGNAL`) names the first that is wrong. */
export function parseSignal(body: unknown): HookSignal {
  try {
    const o = objectWith(body, SIGNAL_FIELDS, '');
    if (typeof o.secret !== 'string' || o.secret === '' || o.secret.length > MAX_SECRET_LENGTH)
      invalid('secret', 'must be the hook secret');
    if (typeof o.template !== 'string' || !UUID.test(o.template)) invalid('template', 'must be a template id (UUID)');
    if (o.side !== undefined && o.side !== 'buy' && o.side !== 'sell') invalid('side', 'must be buy or sell');
    return {
      secret: o.secret,
      templateId: o.template.toLowerCase(),
      ...(o.symbol !== undefined ? { symbol: symbolOf(o.symbol, 'symbol') } : {}),
      ...(o.side !== undefined ? { side: o.side } : {}),
      ...(o.size !== undefined ? { size: parseSize(o.size, 'size') } : {}),
      timestamp: timestampOf(o.timestamp),
    };
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError('HOOK.MALFORMED_SIGNAL', error.message, error.details);
    throw error;
  }
}

/** ISO-8601 (TradingView's `{{timenow}}`) or a Unix time in seconds or milliseconds. */
function timestampOf(value: unknown): Date {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value < MILLISECONDS_FROM ? value * 1000 : value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return invalid('timestamp', 'must be when the signal was sent: an ISO-8601 instant such as "2026-11-26T12:00:00Z" or a Unix time');
}

/**
 * The hash that recognizes a replayed signal: SHA-256 of the body with its keys sorted, so that
 * the same signal re-sent with other spacing or key order is still the same signal.
 */
export function signalHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort(byCodeUnits)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** What is stored of a hook secret: its SHA-256, never the secret. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares a given secret with the stored digest in constant time (both sides are 32-byte digests). */
export function secretMatches(given: string, stored: Buffer): boolean {
  return timingSafeEqual(secretDigest(given), stored);
}

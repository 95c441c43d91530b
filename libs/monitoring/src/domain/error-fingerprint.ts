import { createHash } from 'node:crypto';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** A word of letters and digits mixed (`td-3kf9a2…`, `x-Q2f8…`, `0x1f2e…`): a client order id, a hash, hex. */
const MIXED_ID = /\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{6,}\b/g;
const NUMBER = /\d+(?:\.\d+)?/g;
const MAX_PATTERN_LENGTH = 300;

/**
 * The shape of a message with what varies from one occurrence to the next taken out — ids, hex,
 * numbers — so that "order 5f…1 timed out after 10000 ms" and "order 9a…c timed out after 9998 ms"
 * are one error.
 */
export function messagePattern(message: string): string {
  return message
    .replace(UUID, '<id>')
    .replace(MIXED_ID, '<id>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_PATTERN_LENGTH);
}

/** One error (or warning) across its occurrences: its level, where it was logged and its message's pattern. */
export function errorFingerprint(level: string, context: string | null, pattern: string): string {
  return createHash('sha1')
    .update(`${level}\u0000${context ?? ''}\u0000${pattern}`)
    .digest('hex')
    .slice(0, 16);
}

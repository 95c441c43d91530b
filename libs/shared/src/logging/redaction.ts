/**
 * Keeps secrets out of every log line. Two nets: values under sensitive keys are masked wherever
 * they appear in structured data, and every secret the process knows (API token, master key,
 * decrypted exchange secrets) is registered here and masked inside any string, including error
 * messages and stack traces written by libraries.
 */
export const REDACTED = '[REDACTED]';

const SENSITIVE_KEY = /secret|password|passphrase|token|(?:api|master|private|access)[-_]?key|authorization|signature|cookie/i;
const BEARER = /(Bearer\s+)[a-z0-9._~+/=-]+/gi;
const SIGNATURE_PARAM = /((?:signature|apiKey|api_key|secret|token)=)[^&\s"']+/gi;
const MIN_SECRET_LENGTH = 6;

const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

export function redactString(text: string): string {
  let out = text.replace(BEARER, `$1${REDACTED}`).replace(SIGNATURE_PARAM, `$1${REDACTED}`);
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

export function redact<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    const copy = new Error(redactString(value.message));
    copy.name = value.name;
    copy.stack = value.stack ? redactString(value.stack) : undefined;
    return copy as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v, depth + 1)) as T;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string | symbol, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, depth + 1);
  }
  // winston keeps level/message under symbols; they must survive the copy.
  for (const sym of Object.getOwnPropertySymbols(value)) out[sym] = redact((value as Record<symbol, unknown>)[sym], depth + 1);
  return out as T;
}

/** The Idempotency-Key a template execution places its entry with: one entry per execution, ever. */
export function entryKeyOf(executionId: string): string {
  return `${ENTRY_KEY_PREFIX}${executionId}`;
}

/** Whether an order's key is a template entry's (orders without one are not followed). */
export function isEntryKey(key: string | undefined): boolean {
  return key?.startsWith(ENTRY_KEY_PREFIX) ?? false;
}

const ENTRY_KEY_PREFIX = 'tmpl-';

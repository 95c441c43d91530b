/**
 * Compares strings by their UTF-16 code units: the order `Array.prototype.sort()` gives without a
 * comparator, the same on every machine and in every locale (`localeCompare` is neither). For
 * identifiers (asset codes, symbols, key ids) where any fixed order will do but it must not vary.
 */
export function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

import type { ExecutionOverrides } from './execution.js';
import { parseSize, symbolOf } from './template-definition.js';
import { invalid, objectWith, UUID } from './template-errors.js';

/**
 * The overrides of a preview or an execution (`accountId`, `symbol`, `size`; `side` only where a
 * signal names it), checked field by field. An absent body is no override.
 */
export function parseOverrides(input: unknown, options: { side?: boolean } = {}): ExecutionOverrides {
  if (input === undefined || input === null) return {};
  const o = objectWith(input, options.side ? ['accountId', 'symbol', 'size', 'side'] : ['accountId', 'symbol', 'size'], '');
  const overrides: ExecutionOverrides = {};
  if (o.accountId !== undefined) {
    if (typeof o.accountId !== 'string' || !UUID.test(o.accountId)) invalid('accountId', 'must be an account id (UUID)');
    overrides.accountId = o.accountId.toLowerCase();
  }
  if (o.symbol !== undefined) overrides.symbol = symbolOf(o.symbol, 'symbol');
  if (o.size !== undefined) overrides.size = parseSize(o.size, 'size');
  if (o.side !== undefined) {
    if (o.side !== 'buy' && o.side !== 'sell') invalid('side', 'must be buy or sell');
    overrides.side = o.side;
  }
  return overrides;
}

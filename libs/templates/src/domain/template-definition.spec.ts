import { ValidationError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { parseDefinition } from './template-definition.js';

const base = {
  name: 'BTC scalp',
  accountId: '3F1C2A9E-5B7D-4C1E-9A8F-2D6B7E0C1A23',
  symbol: 'BTC/USDT',
  side: 'buy',
  entry: { type: 'market' },
  size: { cost: '100.50' },
};

/** The field a refusal names, with its code. */
function refusal(input: unknown): { code: string; field: unknown } {
  try {
    parseDefinition(input);
  } catch (error) {
    if (error instanceof ValidationError) return { code: error.code, field: error.details?.field };
    throw error;
  }
  throw new Error('accepted');
}

describe('parseDefinition', () => {
  it("takes api.md's template request and normalizes it (lower-case ids, canonical decimals)", () => {
    const parsed = parseDefinition({
      ...base,
      exits: {
        stopLoss: { triggerPercent: '2.0' },
        takeProfit: {
          ladder: [
            { offsetPercent: '2', sizePercent: '50' },
            { offsetPercent: '4', sizePercent: '50.0' },
          ],
        },
        trailing: { trailPercent: '1.5' },
        breakEvenAfterFirstTarget: true,
      },
    });
    expect(parsed).toEqual({
      name: 'BTC scalp',
      accountId: '3f1c2a9e-5b7d-4c1e-9a8f-2d6b7e0c1a23',
      symbol: 'BTC/USDT',
      side: 'buy',
      entry: { type: 'market' },
      size: { cost: '100.5' },
      exits: {
        stopLoss: { triggerPercent: '2' },
        takeProfit: {
          ladder: [
            { offsetPercent: '2', sizePercent: '50' },
            { offsetPercent: '4', sizePercent: '50' },
          ],
        },
        trailing: { trailPercent: '1.5' },
        breakEvenAfterFirstTarget: true,
      },
    });
  });

  it.each([
    [
      {
        ...base,
        exits: {
          takeProfit: {
            ladder: [
              { offsetPercent: '2', sizePercent: '60' },
              { offsetPercent: '3', sizePercent: '30' },
            ],
          },
        },
      },
      'TEMPLATE.LADDER_NOT_100',
      'exits.takeProfit.ladder',
    ],
    [
      {
        ...base,
        exits: {
          takeProfit: {
            ladder: [
              { offsetPercent: '3', sizePercent: '50' },
              { offsetPercent: '2', sizePercent: '50' },
            ],
          },
        },
      },
      'TEMPLATE.INVALID',
      'exits.takeProfit.ladder[1].offsetPercent',
    ],
    [{ ...base, exits: { stopLoss: { triggerPercent: '-1' } } }, 'TEMPLATE.EXIT_WRONG_SIDE', 'exits.stopLoss.triggerPercent'],
    [{ ...base, exits: { takeProfit: { triggerPercent: '0' } } }, 'TEMPLATE.EXIT_WRONG_SIDE', 'exits.takeProfit.triggerPercent'],
    [{ ...base, side: 'sell', exits: { stopLoss: { triggerPercent: '2' } } }, 'TEMPLATE.EXITS_NEED_A_BUY', 'exits'],
    [{ ...base, size: { riskPercent: '1' } }, 'TEMPLATE.INVALID', 'size.riskPercent'],
    [{ ...base, size: { cost: '1', amount: '1' } }, 'TEMPLATE.INVALID', 'size'],
    [{ ...base, exchange: 'binance' }, 'TEMPLATE.INVALID', 'accountId'],
    [{ ...base, entry: { type: 'limit' } }, 'TEMPLATE.INVALID', 'entry.offsetPercent'],
    [{ ...base, entry: { type: 'limit', offsetPercent: '-1', expiresAfter: 'P31D' } }, 'TEMPLATE.INVALID', 'entry.expiresAfter'],
    [
      { ...base, exits: { breakEvenAfterFirstTarget: true, stopLoss: { triggerPercent: '2' } } },
      'TEMPLATE.INVALID',
      'exits.breakEvenAfterFirstTarget',
    ],
    [{ ...base, leverage: '10' }, 'TEMPLATE.INVALID', 'leverage'],
  ])('refuses %j with %s naming %s', (input, code, field) => {
    expect(refusal(input)).toEqual({ code, field });
  });
});

import { dec, type Decimal } from '@tradedesk/shared';
import type { OrderBookLevel, OrderSide } from './exchange-gateway.js';

export interface DepthFill {
  /** Volume-weighted average price of the part the book can fill. */
  averagePrice: Decimal;
  /** Amount the visible book fills (less than asked when the book is too thin). */
  filled: Decimal;
  /** Quote value of the filled amount before fees. */
  gross: Decimal;
  sufficient: boolean;
}

/** Walks the book's levels (asks for a buy, bids for a sell) for `amount` of the base asset. */
export function fillFromDepth(levels: OrderBookLevel[], amount: Decimal): DepthFill {
  let remaining = amount;
  let gross = dec(0);
  for (const level of levels) {
    if (remaining.isZero()) break;
    const take = smaller(level.amount, remaining);
    gross = gross.plus(take.mul(level.price));
    remaining = remaining.minus(take);
  }
  const filled = amount.minus(remaining);
  return { averagePrice: filled.isZero() ? dec(0) : gross.div(filled), filled, gross, sufficient: remaining.isZero() };
}

function smaller(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

export interface VenueCost {
  averagePrice: Decimal;
  gross: Decimal;
  fee: Decimal;
  /** Buy: what it costs including the fee; sell: what it brings after the fee (quote currency). */
  total: Decimal;
  sufficient: boolean;
}

/** Effective cost (buy) or proceeds (sell) of `amount` at this venue's depth and taker fee. */
export function venueCost(side: OrderSide, levels: OrderBookLevel[], amount: Decimal, feeRate: Decimal): VenueCost {
  const fill = fillFromDepth(levels, amount);
  const fee = fill.gross.mul(feeRate);
  return {
    averagePrice: fill.averagePrice,
    gross: fill.gross,
    fee,
    total: side === 'buy' ? fill.gross.plus(fee) : fill.gross.minus(fee),
    sufficient: fill.sufficient,
  };
}

/** A quote amount in KRW and USDT, given the USDT price in KRW (Upbit KRW-USDT). */
export function inKrwAndUsdt(value: Decimal, quote: string, usdtKrw: Decimal | undefined): { krw?: Decimal; usdt?: Decimal } {
  if (quote === 'KRW') return { krw: value, usdt: usdtKrw && !usdtKrw.isZero() ? value.div(usdtKrw) : undefined };
  if (quote === 'USDT') return { usdt: value, krw: usdtKrw ? value.mul(usdtKrw) : undefined };
  return {};
}

/** KRW premium in percent: Upbit KRW price over Binance USDT price × USDT/KRW, minus one. */
export function krwPremiumPercent(krwPrice: Decimal, usdtPrice: Decimal, usdtKrw: Decimal): Decimal {
  return krwPrice.div(usdtPrice.mul(usdtKrw)).minus(1).mul(100);
}

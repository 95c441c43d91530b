import { Decimal, ZERO } from '@tradedesk/shared';

export interface Fill {
  side: 'buy' | 'sell';
  price: Decimal;
  amount: Decimal;
  fee: Decimal;
  feeCurrency?: string;
}

export interface PositionFigures {
  quantity: Decimal;
  averageEntry: Decimal | undefined;
  /** Cost of what is still held (quote currency, fees of the buys included). */
  costBasis: Decimal;
  realizedPnl: Decimal;
  /** Everything ever paid for buys: the denominator of the return. */
  totalBought: Decimal;
  /** Fees in a currency that is neither base nor quote (e.g. BNB): not in PnL, reported apart. */
  otherFees: Record<string, Decimal>;
}

/**
 * The average-cost method of trading-semantics.md, for one market of one account:
 * a buy adds q·p + fee to the cost (a fee in the base asset reduces the quantity instead);
 * a sell realizes q·(p − avg) − fee and removes q·avg from the cost.
 */
export class PositionBook {
  private quantity = ZERO;
  private costBasis = ZERO;
  private realized = ZERO;
  private totalBought = ZERO;
  private readonly otherFees: Record<string, Decimal> = {};

  constructor(
    readonly base: string,
    readonly quote: string,
  ) {}

  apply(fill: Fill): void {
    const feeIn =
      fill.fee.isZero() || !fill.feeCurrency
        ? 'quote'
        : fill.feeCurrency === this.base
          ? 'base'
          : fill.feeCurrency === this.quote
            ? 'quote'
            : 'other';
    if (feeIn === 'other') this.otherFees[fill.feeCurrency!] = (this.otherFees[fill.feeCurrency!] ?? ZERO).plus(fill.fee);
    const quoteFee = feeIn === 'quote' ? fill.fee : ZERO;
    const baseFee = feeIn === 'base' ? fill.fee : ZERO;
    if (fill.side === 'buy') {
      const paid = fill.amount.times(fill.price).plus(quoteFee);
      this.costBasis = this.costBasis.plus(paid);
      this.totalBought = this.totalBought.plus(paid);
      this.quantity = this.quantity.plus(fill.amount).minus(baseFee);
      return;
    }
    // A sell larger than what we recorded (coins bought elsewhere) realizes against avg 0 for the excess.
    const sold = fill.amount.plus(baseFee);
    const avg = this.averageEntry() ?? ZERO;
    const matched = Decimal.min(sold, this.quantity);
    const proceedsFee = quoteFee.plus(baseFee.times(fill.price));
    this.realized = this.realized.plus(fill.amount.times(fill.price.minus(avg))).minus(proceedsFee);
    this.costBasis = this.quantity.isZero() ? ZERO : this.costBasis.minus(matched.times(avg));
    this.quantity = Decimal.max(ZERO, this.quantity.minus(sold));
    if (this.quantity.isZero()) this.costBasis = ZERO;
  }

  averageEntry(): Decimal | undefined {
    return this.quantity.isZero() ? undefined : this.costBasis.div(this.quantity);
  }

  figures(): PositionFigures {
    return {
      quantity: this.quantity,
      averageEntry: this.averageEntry(),
      costBasis: this.costBasis,
      realizedPnl: this.realized,
      totalBought: this.totalBought,
      otherFees: { ...this.otherFees },
    };
  }

  /** Unrealized PnL and return % at a price (return = (realized + unrealized) / everything bought). */
  valuation(last: Decimal | undefined): { unrealizedPnl?: Decimal; returnPercent?: Decimal; marketValue?: Decimal } {
    if (!last) return {};
    const avg = this.averageEntry();
    const unrealized = avg ? this.quantity.times(last.minus(avg)) : ZERO;
    const returnPercent = this.totalBought.isZero() ? undefined : this.realized.plus(unrealized).div(this.totalBought).times(100);
    return { unrealizedPnl: unrealized, returnPercent, marketValue: this.quantity.times(last) };
  }
}

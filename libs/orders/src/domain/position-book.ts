import { Decimal, ZERO } from '@tradedesk/shared';

export interface Fill {
  side: 'buy' | 'sell';
  price: Decimal;
  amount: Decimal;
  fee: Decimal;
  feeCurrency?: string;
}

/** What a position remembers between fills: the stored row of the positions table. */
export interface PositionState {
  quantity: Decimal;
  /** Cost of what is still held (quote currency, fees of the buys included). */
  costBasis: Decimal;
  realizedPnl: Decimal;
  /** Everything ever paid for buys and adoptions: the denominator of the return. */
  totalBought: Decimal;
  /** Fees in a currency that is neither base nor quote (e.g. BNB): not in PnL, reported apart. */
  otherFees: Record<string, Decimal>;
}

export interface PositionFigures extends PositionState {
  averageEntry: Decimal | undefined;
}

/**
 * The stored figures keep 18 decimal places, what PostgreSQL's numeric(36,18) holds: every step
 * rounds the same way on both drivers, so figures kept fill by fill equal a recomputation from
 * all fills exactly.
 */
const STORED_PLACES = 18;

function stored(value: Decimal): Decimal {
  return value.toDecimalPlaces(STORED_PLACES, Decimal.ROUND_HALF_EVEN);
}

/**
 * The average-cost method of docs/trading-semantics.md, for one market of one account. A position
 * holds only what tradedesk bought there (and what the user adopted): a buy adds q·p + fee to the
 * cost (a fee in the base asset reduces the quantity instead); a sell realizes PnL on the part the
 * position holds and removes that part at the average entry. Whatever a sell takes beyond the
 * position (coins held before, or bought elsewhere) is `untracked`: it never enters PnL.
 */
export class PositionBook {
  private quantity = ZERO;
  private costBasis = ZERO;
  private realized = ZERO;
  private totalBought = ZERO;
  private otherFees: Record<string, Decimal> = {};

  constructor(
    readonly base: string,
    readonly quote: string,
  ) {}

  static restore(base: string, quote: string, state: PositionState): PositionBook {
    const book = new PositionBook(base, quote);
    book.quantity = state.quantity;
    book.costBasis = state.costBasis;
    book.realized = state.realizedPnl;
    book.totalBought = state.totalBought;
    book.otherFees = { ...state.otherFees };
    return book;
  }

  /** Applies one fill; answers how much of a sell was beyond the position (zero for buys). */
  apply(fill: Fill): { untracked: Decimal } {
    const feeIn = this.feeCurrencyOf(fill);
    if (feeIn === 'other') this.otherFees[fill.feeCurrency!] = (this.otherFees[fill.feeCurrency!] ?? ZERO).plus(fill.fee);
    const quoteFee = feeIn === 'quote' ? fill.fee : ZERO;
    const baseFee = feeIn === 'base' ? fill.fee : ZERO;
    if (fill.side === 'buy') {
      const paid = fill.amount.times(fill.price).plus(quoteFee);
      this.costBasis = stored(this.costBasis.plus(paid));
      this.totalBought = stored(this.totalBought.plus(paid));
      this.quantity = this.quantity.plus(fill.amount).minus(baseFee);
      return { untracked: ZERO };
    }
    const sold = fill.amount.plus(baseFee);
    const matched = Decimal.min(sold, this.quantity);
    const untracked = sold.minus(matched);
    if (matched.isZero()) return { untracked };
    // The fee is shared out like the amount: the untracked part's fee is not the position's either.
    const share = matched.div(sold);
    const avg = this.averageEntry()!;
    const proceedsFee = quoteFee.plus(baseFee.times(fill.price)).times(share);
    this.realized = stored(this.realized.plus(fill.amount.times(share).times(fill.price.minus(avg))).minus(proceedsFee));
    this.quantity = this.quantity.minus(matched);
    this.costBasis = this.quantity.isZero() ? ZERO : stored(this.costBasis.minus(matched.times(avg)));
    return { untracked };
  }

  /** Coins held outside tradedesk brought into the position at the price the user paid (no fee). */
  adopt(amount: Decimal, averageEntry: Decimal): void {
    const paid = amount.times(averageEntry);
    this.costBasis = stored(this.costBasis.plus(paid));
    this.totalBought = stored(this.totalBought.plus(paid));
    this.quantity = this.quantity.plus(amount);
  }

  averageEntry(): Decimal | undefined {
    return this.quantity.isZero() ? undefined : this.costBasis.div(this.quantity);
  }

  state(): PositionState {
    return {
      quantity: this.quantity,
      costBasis: this.costBasis,
      realizedPnl: this.realized,
      totalBought: this.totalBought,
      otherFees: { ...this.otherFees },
    };
  }

  figures(): PositionFigures {
    return { ...this.state(), averageEntry: this.averageEntry() };
  }

  /** Unrealized PnL and return % at a price (return = (realized + unrealized) / everything bought). */
  valuation(last: Decimal | undefined): { unrealizedPnl?: Decimal; returnPercent?: Decimal; marketValue?: Decimal } {
    if (!last) return {};
    const avg = this.averageEntry();
    const unrealized = avg ? this.quantity.times(last.minus(avg)) : ZERO;
    const returnPercent = this.totalBought.isZero() ? undefined : this.realized.plus(unrealized).div(this.totalBought).times(100);
    return { unrealizedPnl: unrealized, returnPercent, marketValue: this.quantity.times(last) };
  }

  private feeCurrencyOf(fill: Fill): 'base' | 'quote' | 'other' {
    if (fill.fee.isZero() || !fill.feeCurrency || fill.feeCurrency === this.quote) return 'quote';
    return fill.feeCurrency === this.base ? 'base' : 'other';
  }
}

import { Dec } from './decimal.js';
import { byCodeUnits } from './code-unit-order.js';

export type ExchangeId = 'binance' | 'upbit';
export const EXCHANGES: readonly ExchangeId[] = ['binance', 'upbit'];

export interface Market {
  exchange: ExchangeId;
  /** Exchange market id: BTCUSDT on Binance, KRW-BTC on Upbit. */
  id: string;
  /** ccxt form: BTC/USDT, BTC/KRW. */
  symbol: string;
  base: string;
  quote: string;
  /** Binance PRICE_FILTER tick; Upbit KRW markets use the price-step table instead (tickSize undefined). */
  tickSize?: Dec;
  minPrice: Dec;
  maxPrice: Dec;
  /** Binance LOT_SIZE; Upbit accepts 8 decimals. */
  stepSize: Dec;
  minQty: Dec;
  maxQty: Dec;
  marketMaxQty: Dec;
  /** Binance NOTIONAL minNotional; Upbit minimum order total (5,000 KRW). */
  minNotional: Dec;
  maxNotional: Dec;
  synthetic: boolean;
  koreanName?: string;
  englishName?: string;
}

interface BinanceSpec {
  base: string;
  quote: string;
  tick: string;
  step: string;
  minQty: string;
  maxQty: string;
  marketMaxQty: string;
  minNotional: string;
}

// Filter values copied from Binance's live exchangeInfo where the design notes give them (BTCUSDT),
// real-looking elsewhere; orderTypes are the ones exchange-apis.md lists for BTCUSDT.
const BINANCE_SPECS: BinanceSpec[] = [
  { base: 'BTC', quote: 'USDT', tick: '0.01', step: '0.00001', minQty: '0.00001', maxQty: '9000', marketMaxQty: '120', minNotional: '5' },
  { base: 'ETH', quote: 'USDT', tick: '0.01', step: '0.0001', minQty: '0.0001', maxQty: '9000', marketMaxQty: '2500', minNotional: '5' },
  { base: 'XRP', quote: 'USDT', tick: '0.0001', step: '0.1', minQty: '0.1', maxQty: '9222449', marketMaxQty: '1500000', minNotional: '5' },
  { base: 'SOL', quote: 'USDT', tick: '0.01', step: '0.001', minQty: '0.001', maxQty: '9000', marketMaxQty: '15000', minNotional: '5' },
  { base: 'BNB', quote: 'USDT', tick: '0.01', step: '0.001', minQty: '0.001', maxQty: '9000', marketMaxQty: '1500', minNotional: '5' },
  { base: 'DOGE', quote: 'USDT', tick: '0.00001', step: '1', minQty: '1', maxQty: '9000000', marketMaxQty: '5000000', minNotional: '1' },
  { base: 'ADA', quote: 'USDT', tick: '0.0001', step: '0.1', minQty: '0.1', maxQty: '900000', marketMaxQty: '500000', minNotional: '5' },
  {
    base: 'ETH',
    quote: 'BTC',
    tick: '0.00001',
    step: '0.0001',
    minQty: '0.0001',
    maxQty: '100000',
    marketMaxQty: '2000',
    minNotional: '0.0001',
  },
];

const UPBIT_SPECS: Array<{ base: string; korean: string; english: string }> = [
  { base: 'BTC', korean: '비트코인', english: 'Bitcoin' },
  { base: 'ETH', korean: '이더리움', english: 'Ethereum' },
  { base: 'XRP', korean: '엑스알피(리플)', english: 'XRP' },
  { base: 'SOL', korean: '솔라나', english: 'Solana' },
  { base: 'USDT', korean: '테더', english: 'Tether' },
  { base: 'DOGE', korean: '도지코인', english: 'Dogecoin' },
  { base: 'ADA', korean: '에이다', english: 'Cardano' },
];

/** USD reference prices the feeds start from; USDT is the dollar. */
export const REFERENCE_START_PRICES: Record<string, string> = {
  BTC: '60000',
  ETH: '3000',
  XRP: '0.6',
  SOL: '150',
  BNB: '600',
  DOGE: '0.15',
  ADA: '0.45',
};
export const USDT_KRW_START = '1380';

export function syntheticBase(index: number): string {
  return `SYN${String(index + 1).padStart(3, '0')}`;
}

/** A spread of start prices from cents to thousands, fixed per index so every run sees the same markets. */
export function syntheticStartPrice(index: number): string {
  const mantissa = 1 + ((index * 7919) % 9000) / 1000;
  const exponent = (index % 5) - 1;
  return new Dec(mantissa).mul(new Dec(10).pow(exponent)).toDecimalPlaces(4).toFixed();
}

function binanceMarket(spec: BinanceSpec, synthetic: boolean): Market {
  return {
    exchange: 'binance',
    id: spec.base + spec.quote,
    symbol: `${spec.base}/${spec.quote}`,
    base: spec.base,
    quote: spec.quote,
    tickSize: new Dec(spec.tick),
    minPrice: new Dec(spec.tick),
    maxPrice: new Dec('1000000'),
    stepSize: new Dec(spec.step),
    minQty: new Dec(spec.minQty),
    maxQty: new Dec(spec.maxQty),
    marketMaxQty: new Dec(spec.marketMaxQty),
    minNotional: new Dec(spec.minNotional),
    maxNotional: new Dec('9000000'),
    synthetic,
  };
}

function upbitMarket(base: string, korean: string, english: string, synthetic: boolean): Market {
  return {
    exchange: 'upbit',
    id: `KRW-${base}`,
    symbol: `${base}/KRW`,
    base,
    quote: 'KRW',
    minPrice: new Dec('0.000001'),
    maxPrice: new Dec('10000000000'),
    stepSize: new Dec('0.00000001'),
    minQty: new Dec('0.00000001'),
    maxQty: new Dec('100000000000'),
    marketMaxQty: new Dec('100000000000'),
    minNotional: new Dec('5000'),
    maxNotional: new Dec('1000000000'),
    synthetic,
    koreanName: korean,
    englishName: english,
  };
}

/** The reasons Upbit lists under `market_event.caution` (주의 종목), each a boolean in its market list. */
export const UPBIT_CAUTION_REASONS = [
  'PRICE_FLUCTUATIONS',
  'TRADING_VOLUME_SOARING',
  'DEPOSIT_AMOUNT_SOARING',
  'GLOBAL_PRICE_DIFFERENCES',
  'CONCENTRATION_OF_SMALL_ACCOUNTS',
] as const;
export type UpbitCautionReason = (typeof UPBIT_CAUTION_REASONS)[number];

/**
 * Upbit's flags on a market: `warning` is the investment-warning designation (유의 종목, also
 * `market_warning: "CAUTION"` in the older field), `cautions` the caution reasons set now.
 */
export interface MarketNotice {
  warning: boolean;
  cautions: UpbitCautionReason[];
}

const NO_NOTICE: MarketNotice = { warning: false, cautions: [] };

export class MarketCatalog {
  private readonly byKey = new Map<string, Market>();
  /** Only flagged markets are here; a test sets them through the control API, a reset clears them. */
  private readonly notices = new Map<string, MarketNotice>();
  private readonly bySymbol = new Map<string, Market>();
  private readonly lists: Record<ExchangeId, Market[]> = { binance: [], upbit: [] };

  constructor(syntheticMarkets = 0) {
    for (const spec of BINANCE_SPECS) this.add(binanceMarket(spec, false));
    for (const spec of UPBIT_SPECS) this.add(upbitMarket(spec.base, spec.korean, spec.english, false));
    for (let i = 0; i < syntheticMarkets; i++) {
      const base = syntheticBase(i);
      this.add(
        binanceMarket(
          {
            base,
            quote: 'USDT',
            tick: '0.0001',
            step: '0.01',
            minQty: '0.01',
            maxQty: '9000000',
            marketMaxQty: '1000000',
            minNotional: '5',
          },
          true,
        ),
      );
      this.add(upbitMarket(base, `합성${i + 1}`, `Synthetic ${i + 1}`, true));
    }
  }

  private add(market: Market): void {
    this.byKey.set(marketKey(market.exchange, market.id), market);
    this.bySymbol.set(`${market.exchange}:${market.symbol}`, market);
    this.lists[market.exchange].push(market);
  }

  get(exchange: ExchangeId, id: string): Market | undefined {
    return this.byKey.get(marketKey(exchange, id));
  }

  bySymbolName(exchange: ExchangeId, symbol: string): Market | undefined {
    return this.bySymbol.get(`${exchange}:${symbol.toUpperCase()}`);
  }

  list(exchange: ExchangeId): readonly Market[] {
    return this.lists[exchange];
  }

  all(): Market[] {
    return [...this.lists.binance, ...this.lists.upbit];
  }

  noticeOf(market: Market): MarketNotice {
    return this.notices.get(marketKey(market.exchange, market.id)) ?? NO_NOTICE;
  }

  setNotice(market: Market, notice: MarketNotice): void {
    const key = marketKey(market.exchange, market.id);
    if (notice.warning || notice.cautions.length > 0) this.notices.set(key, { warning: notice.warning, cautions: [...notice.cautions] });
    else this.notices.delete(key);
  }

  clearNotices(): void {
    this.notices.clear();
  }

  /** Every asset a market of this exchange trades, for balance listings. */
  assets(exchange: ExchangeId): string[] {
    const seen = new Set<string>();
    for (const m of this.lists[exchange]) {
      if (!m.synthetic) {
        seen.add(m.base);
        seen.add(m.quote);
      }
    }
    return [...seen].sort(byCodeUnits);
  }
}

export function marketKey(exchange: ExchangeId, id: string): string {
  return `${exchange}:${id}`;
}

const UPBIT_KRW_STEPS: Array<[string, string]> = [
  ['1000000', '1000'],
  ['500000', '500'],
  ['100000', '100'],
  ['50000', '50'],
  ['10000', '10'],
  ['5000', '5'],
  ['100', '1'],
  ['10', '0.1'],
  ['1', '0.01'],
  ['0.1', '0.001'],
  ['0.01', '0.0001'],
  ['0.001', '0.00001'],
  ['0.0001', '0.000001'],
];
const UPBIT_STEPS = UPBIT_KRW_STEPS.map(([floor, step]) => [new Dec(floor), new Dec(step)] as const);
const UPBIT_SMALLEST_STEP = new Dec('0.0000001');

/** Upbit's KRW price unit for a price (exchange-apis.md table). */
export function upbitKrwTick(price: Dec): Dec {
  for (const [floor, step] of UPBIT_STEPS) if (price.greaterThanOrEqualTo(floor)) return step;
  return UPBIT_SMALLEST_STEP;
}

/** The tick that applies to a price in this market. */
export function tickFor(market: Market, price: Dec): Dec {
  return market.tickSize ?? upbitKrwTick(price);
}

import type { ExchangeSimAccount } from '@tradedesk/exchange-sim-client';
import type { ExchangeId } from './markets.js';
import type { RateLimitOptions } from './rate-limits.js';

export interface BookOptions {
  /** Best bid to best ask, in basis points of the price (0 = both at the price). */
  spreadBps?: number | string;
  /** Levels per side. */
  bookLevels?: number;
  /** Quote currency resting at each level (USDT on Binance, KRW on Upbit). */
  levelQuoteDepth?: number | string;
  /** Distance between levels, in basis points of the price. */
  levelStepBps?: number | string;
}

export interface ExchangeSimOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Where the state file lives (created if missing). */
  dataDir: string;
  /** Seed of the random-walk feed (and of fault sampling); 1 by default. */
  seed?: number;
  /** 'random' (default) walks prices every tickMs; 'manual' moves them only through /_sim/price. */
  feed?: 'random' | 'manual';
  /** Random-walk tick; 1000 ms by default; 0 stops the clock (advance with POST /_sim/tick). */
  tickMs?: number;
  /** Per-tick volatility of the random walk in basis points; 5 by default. */
  volatilityBps?: number;
  /** Upbit KRW prices over Binance USDT prices × USDT/KRW, as a fraction; '0.01' by default. */
  premium?: string;
  /** Accounts created when missing (existing ones are left as they are — state is durable). */
  accounts?: ExchangeSimAccount[];
  /** Extra generated markets per exchange (SYN001/USDT, KRW-SYN001, …) for many-market benchmarks. */
  syntheticMarkets?: number;
  rateLimits?: RateLimitOptions;
  book?: Partial<Record<ExchangeId, BookOptions>>;
  /** Receives one line per notable event (listening, errors); silent by default. */
  log?: (line: string) => void;
}

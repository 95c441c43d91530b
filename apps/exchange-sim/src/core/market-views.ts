import { buildBook } from './book.js';
import type { Book, BookConfig } from './book.js';
import { Dec } from './decimal.js';
import type { PriceFeed } from './feed.js';
import { MarketHistory } from './history.js';
import { marketKey } from './markets.js';
import type { ExchangeId, Market } from './markets.js';

/** What the engine shows of each market: its price, its order book (rebuilt when either moves) and its trade history. */
export class MarketViews {
  private readonly histories = new Map<string, MarketHistory>();
  private readonly books = new Map<string, { price: string; version: number; book: Book }>();
  private bookVersion = 0;

  constructor(
    private readonly feed: PriceFeed,
    private readonly bookConfig: Record<ExchangeId, BookConfig>,
  ) {}

  price(market: Market): Dec {
    return this.feed.price(market.exchange, market.id);
  }

  book(market: Market): Book {
    const key = marketKey(market.exchange, market.id);
    const priceText = this.feed.priceText(market.exchange, market.id);
    const cached = this.books.get(key);
    if (cached && cached.price === priceText && cached.version === this.bookVersion) return cached.book;
    const book = buildBook(market, new Dec(priceText), this.bookConfig[market.exchange]);
    this.books.set(key, { price: priceText, version: this.bookVersion, book });
    return book;
  }

  bookSettings(exchange: ExchangeId): BookConfig {
    return this.bookConfig[exchange];
  }

  updateBookSettings(exchange: ExchangeId, patch: Partial<BookConfig>): void {
    this.bookConfig[exchange] = { ...this.bookConfig[exchange], ...patch };
    this.bookVersion += 1;
  }

  history(market: Market): MarketHistory {
    const key = marketKey(market.exchange, market.id);
    let history = this.histories.get(key);
    if (!history) {
      history = new MarketHistory(market.synthetic ? 60 : 1440);
      this.histories.set(key, history);
    }
    return history;
  }
}

// Figures for the conditions engine: per-tick evaluation of the in-memory trigger books over 200
// markets with nothing triggering, next to a naive full scan measured in the same run, for 100,
// 10,000 and 100,000 armed conditions; plus RSS.
// Run: npm run build && node --expose-gc dist/bench/triggers.bench.js
import { type Decimal, dec } from '@tradedesk/shared';
import { MarketTriggerBook } from '@tradedesk/conditions';

const MARKETS = 200;
const TICKS = Number(process.env.BENCH_TICKS ?? 200);

interface Naive {
  market: number;
  stop?: Decimal;
  takeProfit?: Decimal;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function run(armed: number): { armed: number; booksP50: number; booksP99: number; scanP50: number; scanP99: number } {
  const books = Array.from({ length: MARKETS }, () => new MarketTriggerBook());
  const naive: Naive[] = [];
  for (let i = 0; i < armed; i++) {
    const market = i % MARKETS;
    // Stops 50–95, take-profits 105–150, trailing stops: prices tick between 99 and 101.
    const kind = i % 3;
    const stop = dec(50 + (i % 4500) / 100);
    const takeProfit = dec(105 + (i % 4500) / 100);
    if (kind === 0) {
      books[market]!.add({ id: String(i), stopPrice: stop });
      naive.push({ market, stop });
    } else if (kind === 1) {
      books[market]!.add({ id: String(i), takeProfitPrice: takeProfit });
      naive.push({ market, takeProfit });
    } else {
      books[market]!.add({ id: String(i), stopPrice: stop, takeProfitPrice: takeProfit });
      naive.push({ market, stop, takeProfit });
    }
  }
  const prices = Array.from({ length: TICKS }, (_, t) => dec(99 + ((t * 7) % 200) / 100));
  const bookTimes: number[] = [];
  const scanTimes: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    const price = prices[t]!;
    let started = process.hrtime.bigint();
    let hits = 0;
    for (const book of books) hits += book.observe(price).hits.length;
    bookTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    started = process.hrtime.bigint();
    let scanHits = 0;
    for (const c of naive) if ((c.stop && price.lte(c.stop)) || (c.takeProfit && price.gte(c.takeProfit))) scanHits++;
    scanTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (hits !== 0 || scanHits !== 0) throw new Error('nothing should trigger in this benchmark');
  }
  bookTimes.sort((a, b) => a - b);
  scanTimes.sort((a, b) => a - b);
  return {
    armed,
    booksP50: percentile(bookTimes, 50),
    booksP99: percentile(bookTimes, 99),
    scanP50: percentile(scanTimes, 50),
    scanP99: percentile(scanTimes, 99),
  };
}

run(1_000); // warm-up (JIT)
const rows = [100, 10_000, 100_000].map(run);
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
console.log(`conditions tick over ${MARKETS} markets, ${TICKS} ticks each, nothing triggering`);
for (const r of rows) {
  console.log(
    `${String(r.armed).padStart(7)} armed: books p50 ${fmt(r.booksP50)} p99 ${fmt(r.booksP99)} | naive scan p50 ${fmt(r.scanP50)} p99 ${fmt(r.scanP99)}`,
  );
}
const small = rows[0]!;
const large = rows[1]!;
console.log(
  `ratio 10,000 vs 100 armed (p50): books ${(large.booksP50 / small.booksP50).toFixed(2)}×, naive scan ${(large.scanP50 / small.scanP50).toFixed(2)}×`,
);
console.log(`RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);

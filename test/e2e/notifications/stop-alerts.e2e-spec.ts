import { SMTP_TEST_PASSWORD, SmtpCatcher, TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface Notification {
  id: number;
  type: string;
  title: string;
  body: string;
  readAt: string | null;
  data: Record<string, string | number | null>;
}

interface Order {
  id: string;
  status: string;
  filled: string;
  average: string;
  fee: string;
  feeCurrency: string;
}

const CASES = [
  {
    exchange: 'binance' as const,
    symbol: 'BTC/USDT',
    buy: { amount: '0.01' },
    entry: '50000',
    trigger: '48000',
    crash: '47000',
    pnlPattern: /-3\d\.\d+ USDT/,
  },
  {
    exchange: 'upbit' as const,
    symbol: 'BTC/KRW',
    buy: { cost: '700000' },
    entry: '70000000',
    trigger: '68000000',
    crash: '67000000',
    pnlPattern: /-₩3\d,\d{3}\b/,
  },
];

describe.each(TEST_DRIVERS)('stop alerts on %s: a stop firing is one email and one web notification with its fill and PnL', (driver) => {
  let s: TradingStack;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    s = await startTradingStack(driver, {
      SMTP_URL: smtp.url,
      SMTP_FROM: 'tradedesk <alerts@example.com>',
      NOTIFY_EMAIL_TO: 'trader@example.com',
      NOTIFY_LOCALE: 'en',
      TICK_MS: '100',
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  const notifications = async (query = '') =>
    (await s.api().get(`/api/notifications?limit=500${query}`).expect(200)).body as { items: Notification[]; unread: number };

  it.each(CASES)('$exchange $symbol', async ({ exchange, symbol, buy, entry, trigger, crash, pnlPattern }) => {
    const accountId = exchange === 'binance' ? s.binanceAccountId : s.upbitAccountId;
    await s.setPrice(exchange, symbol, entry);
    await s.buyAtMarket({ accountId, symbol, ...buy });
    const stop = (await s.api().post('/api/conditions').send({ kind: 'stop_loss', accountId, symbol, triggerPrice: trigger }).expect(201))
      .body as {
      id: string;
    };
    await s.setPrice(exchange, symbol, crash);
    const done = await s.conditionInStatus<{ status: string; orderIds: string[] }>(stop.id, 'DONE', 15_000);
    const exit = (await s.api().get(`/api/orders/${done.orderIds[0]}`).expect(200)).body as Order;
    expect(exit.status).toBe('FILLED');

    const mails = await smtp.waitFor((m) => m.some((x) => x.subject.includes(symbol)), 10_000, `the ${symbol} email`);
    const trade = (await notifications('&type=trade.completed')).items.filter((n) => n.data.symbol === symbol);
    expect(trade).toHaveLength(1);
    const [web] = trade as [Notification];
    // The fill that closed the position is told inside the trade: no separate fill notification.
    expect((await notifications()).items.filter((n) => n.data.orderId === exit.id)).toHaveLength(1);
    expect(web.data).toMatchObject({ orderId: exit.id, filled: exit.filled, average: exit.average, fee: exit.fee, symbol });
    const position = (
      (await s.api().get('/api/positions').query({ accountId, symbol }).expect(200)).body as {
        positions: Array<{ symbol: string; realizedPnl: string }>;
      }
    ).positions.find((p) => p.symbol === symbol)!;
    const quote = symbol.split('/')[1];
    expect(Number(web.data.realizedPnl)).toBeLessThan(0);
    // Rounded as GET /api/positions rounds it (KRW whole won, USDT 8 places): the same figure.
    expect(roundMoney(String(web.data.realizedPnl), quote)).toBe(position.realizedPnl);

    // Give a late duplicate every chance to arrive: the outbox has nothing left for this notification.
    await expect
      .poll(
        async () =>
          (
            (await s.api().get(`/api/notifications/deliveries?notificationId=${web.id}`).expect(200)).body as {
              items: Array<{ status: string }>;
            }
          ).items.map((d) => d.status),
        { timeout: 10_000 },
      )
      .toEqual(['sent']);
    const forSymbol = mails.filter((m) => m.subject.includes(symbol));
    expect(forSymbol).toHaveLength(1);
    const [mail] = forSymbol as [(typeof mails)[number]];
    expect(mail.to).toEqual(['trader@example.com']);
    expect(mail.subject).toMatch(new RegExp(`Trade completed: ${symbol.replace('/', '\\/')}`));
    expect(mail.text).toMatch(pnlPattern);
    expect(mail.text).toContain('Closed by: Stop-loss');
    expect(mail.text).toContain(`Average price: ${exchange === 'binance' ? '47,000 USDT' : '₩67,000,000'}`);
    expect(mail.text).toContain(`Amount: ${exit.filled} BTC`);
    expect(mail.html).toContain('<table>');
    expect(mail.text).toMatch(/KST/);
    expect(mail.text).not.toContain(SMTP_TEST_PASSWORD);
  });

  it('never shows the SMTP password: not in the health report, nor in the rules or deliveries', async () => {
    const answers = await Promise.all(
      ['/api/health', '/api/notifications/rules', '/api/notifications/deliveries', '/api/notifications'].map(async (path) =>
        JSON.stringify((await s.api().get(path)).body),
      ),
    );
    for (const answer of answers) expect(answer).not.toContain(SMTP_TEST_PASSWORD);
    const health = (await s.api().get('/api/health')).body as {
      details: { notifications: { status: string; email: { reachable: boolean } } };
    };
    expect(health.details.notifications).toMatchObject({ status: 'up', email: { reachable: true } });
  });
});

function roundMoney(value: string, currency: string): string {
  const places = currency === 'KRW' ? 0 : 8;
  const [int, frac = ''] = value.replace('-', '').split('.');
  const negative = value.startsWith('-');
  const digits = `${int}${frac.padEnd(places + 1, '0').slice(0, places + 1)}`;
  let n = BigInt(digits.slice(0, -1));
  if (Number(digits.slice(-1)) >= 5) n += 1n;
  const str = n.toString().padStart(places + 1, '0');
  const out = places === 0 ? str : withoutTrailingZeros(`${str.slice(0, -places)}.${str.slice(-places)}`);
  return `${negative && out !== '0' ? '-' : ''}${out}`;
}

/** `1.50000000` → `1.5`, `2.00000000` → `2` (counted: the regex for it backtracks). */
function withoutTrailingZeros(fixed: string): string {
  let end = fixed.length;
  while (fixed[end - 1] === '0') end--;
  return fixed[end - 1] === '.' ? fixed.slice(0, end - 1) : fixed.slice(0, end);
}

/* eslint-disable @typescript-eslint/no-explicit-any */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { type TestDriver } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedTables, type DatabaseSnapshot, type SnapshotReader, snapshotReader } from '../../support/db-snapshot.js';
import { type FuzzRequest, fuzzedRoutes, type OpenApiDocument, requestsFor, type Resource } from '../../support/openapi-requests.js';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness, ZERO_SPREAD_BOOK } from '../../support/sim-harness.js';

// Seeded and sized for CI: 2,000 requests on SQLite and 1,000 on PostgreSQL, about a minute in all.
// FUZZ_SEED, FUZZ_RUNS (per driver) and FUZZ_DRIVERS change a local run.
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const DRIVERS = (process.env.FUZZ_DRIVERS ?? 'sqlite,postgres').split(',') as TestDriver[];
const RUNS: Record<TestDriver, number> = {
  sqlite: Number(process.env.FUZZ_RUNS ?? 2000),
  postgres: Number(process.env.FUZZ_RUNS ?? 1000),
};

const market = fc.constantFrom(
  { account: '@@account:binance@@', symbol: 'BTC/USDT', price: '50000', cost: '20', amount: '0.0005' },
  { account: '@@account:upbit@@', symbol: 'BTC/KRW', price: '70000000', cost: '10000', amount: '0.0002' },
);
/**
 * Written by the notifications' event handlers after an earlier accepted request's commit (a fill
 * told): they may land during any later request, however long `settled` waits. Rules, the one
 * notification table a request writes, are still checked.
 */
const TOLD_AFTER_COMMIT = ['notifications', 'notification_facts', 'notification_deliveries'];

const near = (price: string, percent: number) => String(Math.round(Number(price) * (1 + percent / 100)));

/** Requests a careful user would send (the right account for the market, sizes above the minimums): they reach the domain and the exchange. */
const COHERENT_BODIES: Record<string, fc.Arbitrary<unknown>> = {
  'POST /api/orders': fc
    .tuple(market, fc.constantFrom('buy', 'sell'), fc.constantFrom('market', 'limit'), fc.integer({ min: -30, max: 30 }))
    .map(([m, side, type, offset]) =>
      type === 'market'
        ? side === 'buy'
          ? { accountId: m.account, symbol: m.symbol, side, type, cost: m.cost }
          : { accountId: m.account, symbol: m.symbol, side, type, amount: m.amount }
        : { accountId: m.account, symbol: m.symbol, side, type, amount: m.amount, price: near(m.price, offset) },
    ),
  'POST /api/positions/close': market.map((m) => ({ accountId: m.account, symbol: m.symbol })),
  'POST /api/conditions': fc
    .tuple(market, fc.constantFrom('stop_loss', 'take_profit', 'trailing_stop', 'bracket', 'conditional'), fc.integer({ min: 1, max: 20 }))
    .map(([m, kind, percent]) => {
      const common = { accountId: m.account, symbol: m.symbol, amount: m.amount };
      if (kind === 'stop_loss') return { kind, ...common, triggerPrice: near(m.price, -percent) };
      if (kind === 'take_profit') return { kind, ...common, triggerPrice: near(m.price, percent) };
      if (kind === 'trailing_stop') return { kind, ...common, trailPercent: String(percent) };
      if (kind === 'bracket')
        return {
          kind,
          ...common,
          stopLoss: { triggerPrice: near(m.price, -percent) },
          takeProfit: { triggerPrice: near(m.price, percent) },
        };
      return {
        kind,
        accountId: m.account,
        when: {
          all: [
            { time: { after: 'P1D' } },
            {
              price: {
                exchange: m.symbol.endsWith('KRW') ? 'upbit' : 'binance',
                symbol: m.symbol,
                op: '<=',
                value: near(m.price, -percent),
              },
            },
          ],
        },
        then: { order: { symbol: m.symbol, side: 'buy', type: 'market', cost: m.cost } },
        expiresAt: '2030-12-31T00:00:00Z',
      };
    }),
  'PATCH /api/conditions/{id}': fc.integer({ min: 1, max: 20 }).map((percent) => ({ triggerPercent: String(percent) })),
  'POST /api/accounts': fc.oneof(
    fc.constantFrom('binance', 'upbit').map((exchange) => ({ exchange, mode: 'paper', label: `paper ${exchange}` })),
    fc
      .constantFrom(...SEEDED_SIM_ACCOUNTS)
      .map((a) => ({ exchange: a.exchange, mode: 'sim', label: `sim ${a.exchange}`, apiKey: a.apiKey, secret: a.secret })),
  ),
};

/** The api.md error body; its `code` is a stable machine code such as `ORDER.BELOW_MIN_NOTIONAL`. */
function errorBodyProblem(status: number, text: string, requestIdHeader: string | null): string | undefined {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  if (body?.statusCode !== status) return `statusCode ${body?.statusCode} is not the status ${status}`;
  if (typeof body.error !== 'string' || body.error === '') return 'no error reason';
  if (typeof body.message !== 'string' || body.message === '') return 'no message';
  if (typeof body.code !== 'string' || !/^[A-Z][A-Z_]*(\.[A-Z0-9_]+)+$/.test(body.code))
    return `code ${JSON.stringify(body.code)} is not a machine code`;
  if (typeof body.requestId !== 'string' || body.requestId === '') return 'no requestId';
  if (requestIdHeader !== body.requestId) return `X-Request-Id ${requestIdHeader} is not the body's requestId ${body.requestId}`;
  return undefined;
}

describe.each(DRIVERS)('the API under requests generated from its OpenAPI document (%s)', (driver) => {
  let harness: SimHarness;
  let t: TestApp;
  let doc: OpenApiDocument;
  let reader: SnapshotReader;
  const seeded: string[] = [];
  const simAccounts: Record<string, string> = {};
  const pools: Record<Resource, string[]> = { accounts: [], orders: [], conditions: [] };

  beforeAll(async () => {
    harness = await startSimHarness({ accounts: SEEDED_SIM_ACCOUNTS, book: ZERO_SPREAD_BOOK });
    await harness.setPrice('binance', 'BTC/USDT', '50000');
    await harness.setPrice('upbit', 'BTC/KRW', '70000000');
    await harness.setPrice('upbit', 'USDT/KRW', '1400');
    t = await bootTestApp({
      database: driver,
      env: {
        SIM: 'on',
        SIM_URL: harness.url,
        PAPER_MARKET_DATA_URL: harness.url,
        // No scheduler tick or order poll during the run: the database changes only through requests.
        TICK_MS: '3600000',
        ORDER_POLL_MS: '3600000',
        AUTH_FAILURES_PER_MINUTE: '10000000',
      },
    });
    doc = (await (await fetch(`${t.url}/api/docs-json`)).json()) as OpenApiDocument;
    const accounts = (await (await fetch(`${t.url}/api/accounts`, { headers: { Authorization: t.auth } })).json()) as Array<{
      id: string;
      exchange: string;
    }>;
    seeded.push(...accounts.map((a) => a.id));
    for (const account of accounts) simAccounts[account.exchange] = account.id;
    pools.accounts.push(...seeded);
    reader = await snapshotReader(t.databaseUrl);
  }, 120_000);
  afterAll(async () => {
    await reader?.close();
    await t?.close();
    await harness?.close();
  });

  /** Replaces the generator's id markers by ids that exist now (the seeded accounts are never deleted: later requests need them). */
  function materialize(request: FuzzRequest): { path: string; body?: string } {
    const replace = (text: string) =>
      text
        .replace(/@@account:(binance|upbit)@@/g, (_m, exchange: string) => simAccounts[exchange])
        .replace(/@@id:(accounts|orders|conditions):(\d+)@@/g, (_m, resource: Resource, n: string) => {
          const candidates =
            request.method === 'DELETE' && resource === 'accounts' ? pools.accounts.filter((id) => !seeded.includes(id)) : pools[resource];
          return candidates.length === 0 ? randomUUID() : candidates[Number(n) % candidates.length];
        });
    return { path: replace(request.path), body: request.body === undefined ? undefined : replace(request.body) };
  }

  /** After an accepted request: waits until the writes it started (answers recorded after the response) have landed. */
  async function settled(): Promise<DatabaseSnapshot> {
    let previous = await reader.snapshot();
    const deadline = Date.now() + 5000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      const next = await reader.snapshot();
      if (changedTables(previous, next).length === 0 || Date.now() > deadline) return next;
      previous = next;
    }
  }

  it(
    `never answers 5xx, always answers errors with the api.md body, and leaves the database as it was after every rejection (${RUNS[driver]} requests, seed ${SEED})`,
    async () => {
      const routes = fuzzedRoutes(doc);
      expect(routes.map((r) => `${r.method} ${r.route}`)).toEqual(
        expect.arrayContaining([
          'POST /api/accounts',
          'PATCH /api/accounts/{id}',
          'DELETE /api/accounts/{id}',
          'POST /api/orders',
          'POST /api/conditions',
        ]),
      );
      const arbitrary = fc.oneof(
        ...routes.map((route) =>
          requestsFor(doc, route, {
            token: t.token,
            simKeys: SEEDED_SIM_ACCOUNTS.map((a) => ({ apiKey: a.apiKey, secret: a.secret })),
            coherent: COHERENT_BODIES,
          }),
        ),
      );
      const byStatus: Record<number, number> = {};
      const byRoute: Record<string, number> = {};
      const byCode: Record<string, number> = {};
      let sent = 0;
      let before = await reader.snapshot();

      await fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          const { path, body } = materialize(request);
          const res = await fetch(`${t.url}${path}`, { method: request.method, headers: request.headers, body });
          const text = await res.text();
          sent++;
          byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
          byRoute[`${request.method} ${request.route}`] = (byRoute[`${request.method} ${request.route}`] ?? 0) + 1;
          const what = `${request.method} ${path.slice(0, 200)} [${request.kind}] ${JSON.stringify(request.headers)} ${(body ?? '').slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;

          expect(res.status, what).toBeLessThan(500);
          if (res.status >= 400) {
            expect(errorBodyProblem(res.status, text, res.headers.get('x-request-id')), what).toBeUndefined();
            const code = (JSON.parse(text) as { code: string }).code;
            byCode[code] = (byCode[code] ?? 0) + 1;
          }
          // 422 is the exchange refusing an order that was recorded (and sent) first, by design.
          if (res.status >= 400 && res.status !== 422) {
            const changed = changedTables(before, await reader.snapshot()).filter((table) => !TOLD_AFTER_COMMIT.includes(table));
            expect(changed, what).toEqual([]);
            return;
          }
          const created = text ? (JSON.parse(text) as { id?: unknown }) : undefined;
          if (res.status < 300 && typeof created?.id === 'string') {
            const resource = (['accounts', 'orders', 'conditions'] as Resource[]).find((r) => request.route.startsWith(`/api/${r}`));
            if (resource && request.method === 'POST') pools[resource].push(created.id);
          }
          before = await settled();
        }),
        { numRuns: RUNS[driver], seed: SEED, endOnFailure: true },
      );

      expect(sent).toBeGreaterThanOrEqual(RUNS[driver]);
      // The spread of answers, so a run that only ever met the validator shows it.
      console.info(
        `openapi fuzz (${driver}): ${sent} requests; by status ${JSON.stringify(byStatus)}; by route ${JSON.stringify(byRoute)}; by code ${JSON.stringify(byCode)}`,
      );
      expect(Object.keys(byRoute)).toHaveLength(routes.length);
      expect(Object.keys(byStatus).filter((s) => Number(s) < 300).length).toBeGreaterThan(0);
    },
    15 * 60_000,
  );
});

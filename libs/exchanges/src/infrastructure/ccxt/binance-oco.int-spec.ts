import { dec } from '@tradedesk/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BINANCE_ACCOUNT, type SimHarness, startSimHarness, ZERO_SPREAD_BOOK } from '../../../../../test/support/sim-harness.js';
import type { OcoSellRequest } from '../../domain/exchange-gateway.js';
import { InvalidOrder, OutcomeUnknown } from '../../domain/exchange.errors.js';
import { BinanceGateway } from './binance.gateway.js';
import { UpbitGateway } from './upbit.gateway.js';

let harness: SimHarness;
let sut: BinanceGateway;
let seq = 0;
const cid = (leg: string) => `td-oco-${Date.now().toString(36)}-${seq++}-${leg}`;
const credentials = { apiKey: BINANCE_ACCOUNT.apiKey, secret: BINANCE_ACCOUNT.secret };

function request(overrides: Partial<OcoSellRequest> = {}): OcoSellRequest {
  return {
    symbol: 'BTC/USDT',
    amount: dec('0.01'),
    listClientOrderId: cid('l'),
    takeProfit: { price: dec('66000'), clientOrderId: cid('tp') },
    stopLoss: { stopPrice: dec('55000'), clientOrderId: cid('sl') },
    ...overrides,
  };
}

interface SimOrderJson {
  clientOrderId: string;
  type: string;
  status: string;
  filled: string;
}

async function simOrder(clientOrderId: string): Promise<SimOrderJson> {
  const { orders } = await harness.control<{ orders: SimOrderJson[] }>(
    'GET',
    `/orders?exchange=binance&clientOrderId=${encodeURIComponent(clientOrderId)}`,
  );
  expect(orders).toHaveLength(1);
  return orders[0];
}

beforeAll(async () => {
  harness = await startSimHarness({ book: ZERO_SPREAD_BOOK });
  sut = BinanceGateway.create({ mode: 'sim', simUrl: harness.url, credentials, timeoutMs: 2000 });
});
afterAll(async () => {
  await sut.close();
  await harness.close();
});
beforeEach(async () => {
  await harness.control('DELETE', '/faults');
  await harness.control('POST', '/reset');
  await harness.setPrice('binance', 'BTC/USDT', '60000');
});

describe('BinanceGateway native OCO sells against the emulator', () => {
  it('says so in its capabilities; Upbit does not', () => {
    expect(sut.capabilities.nativeOco).toBe(true);
    expect(typeof sut.createOcoSell).toBe('function');
    const upbit = UpbitGateway.create({ mode: 'sim', simUrl: harness.url });
    expect(upbit.capabilities.nativeOco).toBe(false);
    expect((upbit as { createOcoSell?: unknown }).createOcoSell).toBeUndefined();
  });

  it('places a LIMIT_MAKER take-profit and a STOP_LOSS stop as one list; both legs are visible and parsed', async () => {
    const sent = request();
    const list = await sut.createOcoSell(sent);
    expect(list.listClientOrderId).toBe(sent.listClientOrderId);
    expect(list.exchangeListId).toMatch(/^\d+$/);
    expect(list.takeProfit).toMatchObject({ clientOrderId: sent.takeProfit.clientOrderId, status: 'open', side: 'sell' });
    expect(list.takeProfit.price!.toFixed()).toBe('66000');
    expect(list.stopLoss).toMatchObject({ clientOrderId: sent.stopLoss.clientOrderId, status: 'open', side: 'sell' });
    expect(list.stopLoss.amount!.toFixed()).toBe('0.01');

    expect(await simOrder(sent.takeProfit.clientOrderId)).toMatchObject({ type: 'LIMIT_MAKER', status: 'NEW' });
    expect(await simOrder(sent.stopLoss.clientOrderId)).toMatchObject({ type: 'STOP_LOSS', status: 'NEW' });
    const byClientId = await sut.fetchOrderByClientOrderId('BTC/USDT', sent.stopLoss.clientOrderId);
    expect(byClientId.exchangeOrderId).toBe(list.stopLoss.exchangeOrderId);

    // Through the stop: the market stop executes, the exchange expires the take-profit.
    await harness.setPrice('binance', 'BTC/USDT', '54000');
    expect(await simOrder(sent.stopLoss.clientOrderId)).toMatchObject({ status: 'FILLED', filled: '0.01' });
    expect(await simOrder(sent.takeProfit.clientOrderId)).toMatchObject({ status: 'EXPIRED' });
    const expired = await sut.fetchOrder('BTC/USDT', list.takeProfit.exchangeOrderId);
    expect(expired.status).toBe('expired');
    const filled = await sut.fetchOrder('BTC/USDT', list.stopLoss.exchangeOrderId);
    expect(filled.status).toBe('closed');
  });

  it('places a STOP_LOSS_LIMIT stop when the stop has a limit price; cancelling one leg cancels the list', async () => {
    const sent = request({ stopLoss: { stopPrice: dec('55000'), price: dec('54500'), clientOrderId: cid('sl') } });
    const list = await sut.createOcoSell(sent);
    expect(await simOrder(sent.stopLoss.clientOrderId)).toMatchObject({ type: 'STOP_LOSS_LIMIT', status: 'NEW' });
    expect(list.stopLoss.price!.toFixed()).toBe('54500');
    const canceled = await sut.cancelOrderByClientOrderId('BTC/USDT', sent.stopLoss.clientOrderId);
    expect(canceled.status).toBe('canceled');
    expect((await sut.fetchOrder('BTC/USDT', list.takeProfit.exchangeOrderId)).status).toBe('canceled');
  });

  it('translates a bad leg into InvalidOrder and a lost answer into OutcomeUnknown (sent once)', async () => {
    // A take-profit below the market would take liquidity: Binance refuses the whole list.
    await expect(sut.createOcoSell(request({ takeProfit: { price: dec('59000'), clientOrderId: cid('tp') } }))).rejects.toBeInstanceOf(
      InvalidOrder,
    );

    const sent = request();
    await harness.control('POST', '/faults', {
      exchange: 'binance',
      endpoint: '/api/v3/orderList/oco',
      method: 'POST',
      timeoutAfterExecute: '-1007',
      count: 1,
    });
    await expect(sut.createOcoSell(sent)).rejects.toBeInstanceOf(OutcomeUnknown);
    // Executed once: each leg is found by its client order id.
    expect((await sut.fetchOrderByClientOrderId('BTC/USDT', sent.takeProfit.clientOrderId)).status).toBe('open');
    expect((await sut.fetchOrderByClientOrderId('BTC/USDT', sent.stopLoss.clientOrderId)).status).toBe('open');
  });
});

/** Swagger examples for both exchanges. */
export const binanceTemplate = {
  name: 'BTC scalp',
  accountId: '3f1c2a9e-5b7d-4c1e-9a8f-2d6b7e0c1a23',
  symbol: 'BTC/USDT',
  side: 'buy',
  entry: { type: 'market' },
  size: { cost: '100' },
  exits: {
    stopLoss: { triggerPercent: '2' },
    takeProfit: {
      ladder: [
        { offsetPercent: '2', sizePercent: '50' },
        { offsetPercent: '4', sizePercent: '30' },
        { offsetPercent: '6', sizePercent: '20' },
      ],
    },
    breakEvenAfterFirstTarget: true,
  },
};

export const upbitTemplate = {
  name: 'KRW dip buy',
  exchange: 'upbit',
  side: 'buy',
  entry: { type: 'limit', offsetPercent: '-0.5', expiresAfter: 'PT30M' },
  size: { balancePercent: '10' },
  exits: {
    stopLoss: { triggerPercent: '3' },
    takeProfit: { triggerPercent: '5' },
    trailing: { trailPercent: '2', activationPercent: '3' },
  },
};

export const templateExample = {
  id: '9b2e4f1a-7c3d-4e5f-8a9b-0c1d2e3f4a5b',
  version: 1,
  currentVersion: 1,
  ...binanceTemplate,
  createdAt: '2026-12-07T12:00:00.000Z',
  updatedAt: '2026-12-07T12:00:00.000Z',
  deletedAt: null,
};

export const overridesExample = { symbol: 'ETH/KRW', size: { cost: '100000' } };

export const previewExample = {
  templateId: templateExample.id,
  version: 1,
  accountId: '7d3e1b2c-4a5f-4e6d-9c8b-1a2b3c4d5e6f',
  exchange: 'upbit',
  symbol: 'ETH/KRW',
  side: 'buy',
  entry: { type: 'market', amount: null, cost: '100000', price: null, expectedPrice: '4001000' },
  estimate: {
    price: '4001000',
    amount: '0.02499375',
    cost: '100000',
    fee: '50',
    feeCurrency: 'KRW',
    received: '0.02499375',
    paid: '100050',
  },
  exits: [
    {
      role: 'stop_loss',
      rung: 0,
      amount: '0.02499375',
      triggerPrice: '3920000',
      trailPercent: null,
      activationPrice: null,
      execution: { type: 'market' },
    },
    {
      role: 'take_profit',
      rung: 1,
      amount: '0.02499375',
      triggerPrice: '4085000',
      trailPercent: null,
      activationPrice: null,
      execution: { type: 'market' },
      offsetPercent: '2',
      sizePercent: '100',
    },
  ],
  riskReward: '1.04',
  warnings: [
    {
      code: 'TEMPLATE.EXIT_BELOW_MINIMUM',
      field: 'exits.takeProfit.ladder[2]',
      message: "exits.takeProfit.ladder[2]: its share (0.0049 at 4245000) is below the market's minimum order: sold with rung 2",
    },
    {
      code: 'TEMPLATE.MARKET_UNDER_CAUTION',
      field: 'symbol',
      message: "symbol: ETH/KRW is under Upbit's caution flag (PRICE_FLUCTUATIONS): read Upbit's notice on it before trading",
    },
  ],
  executable: true,
};

export const executionExample = {
  id: '5c4b3a29-1807-4f6e-9d5c-4b3a29180706',
  templateId: templateExample.id,
  version: 1,
  status: 'exits_armed',
  source: 'api',
  sourceId: null,
  accountId: binanceTemplate.accountId,
  exchange: 'binance',
  symbol: 'BTC/USDT',
  side: 'buy',
  orderId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  conditionIds: ['2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f'],
  entry: { type: 'market', cost: '100', expectedPrice: '50000', filled: '0.002', average: '50000', received: '0.001998', paid: '100' },
  sold: '0',
  breakEvenMoved: false,
  closedAt: null,
  failure: null,
  exits: [
    {
      conditionId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
      status: 'armed',
      role: 'stop_loss',
      rung: 0,
      amount: '0.00199',
      triggerPrice: '49000',
      trailPercent: null,
      activationPrice: null,
      sold: null,
      reason: null,
    },
    {
      conditionId: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
      status: 'armed',
      role: 'take_profit',
      rung: 1,
      amount: '0.00199',
      triggerPrice: '51000',
      trailPercent: null,
      activationPrice: null,
      sold: null,
      reason: null,
    },
  ],
  timeline: [{ at: '2026-12-07T12:00:00.000Z', event: 'requested', details: { source: 'api', version: 1 } }],
  createdAt: '2026-12-07T12:00:00.000Z',
  updatedAt: '2026-12-07T12:00:01.000Z',
};

import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { dec, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, PageQuery, ValidationError } from '@tradedesk/shared';
import { CancelOrderCommand } from '../../application/commands/cancel-order.js';
import { AdoptPositionCommand, type AdoptPositionResult } from '../../application/commands/adopt-position.js';
import { ClosePositionCommand, type ClosePositionResult } from '../../application/commands/close-position.js';
import { PlaceOrderCommand, type PlaceOrderResult } from '../../application/commands/place-order.js';
import { ReconcileOrdersCommand } from '../../application/commands/reconcile-orders.js';
import type { OrderView, Page, TimelineEntryView, TradeView } from '../../application/queries/order-views.js';
import { GetOrderQuery, GetOrderTimelineQuery, ListOrdersQuery, ListTradesQuery } from '../../application/queries/orders.queries.js';
import { GetPositionTimelineQuery, type PositionTimelineLine } from '../../application/queries/position.query.js';
import { GetPositionsQuery, type PositionsReport, type PositionView } from '../../application/queries/positions.query.js';
import {
  AdoptPositionRequestDto,
  ClosePositionRequestDto,
  PositionTimelineQueryDto,
  ListOrdersQueryDto,
  ListTradesQueryDto,
  OrderIdParam,
  PlaceOrderRequestDto,
  PositionsQueryDto,
} from './orders.dto.js';

const orderExample = {
  id: '0b5e3c7a-1f0e-4f51-9a57-3c1c2f1f8a11',
  accountId: '3f1c2a9e-5b7d-4c1e-9a8f-2d6b7e0c1a23',
  exchange: 'binance',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  status: 'FILLED',
  purpose: 'manual',
  clientOrderId: 'td-0b5e3c7a1f0e4f519a573c1c2f1f8a11',
  exchangeOrderId: '28457',
  amount: '0.01',
  cost: null,
  price: null,
  filled: '0.01',
  filledCost: '500.12',
  average: '50012',
  fee: '0.00001',
  feeCurrency: 'BTC',
  needsAttention: false,
  rejectReason: null,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.120Z',
  timeline: [{ at: '2026-11-26T12:00:00.000Z', event: 'placed', status: 'PENDING', cause: 'api' }],
};

interface ReplyLike {
  status(code: number): unknown;
}

function page(q: { limit?: number; offset?: number; from?: string; to?: string }) {
  return {
    limit: q.limit ?? DEFAULT_PAGE_LIMIT,
    offset: q.offset ?? 0,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}

@ApiTags('orders')
@ApiBearerAuth()
@Controller()
export class OrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('orders')
  @ApiOperation({
    summary: 'Place an order',
    description:
      'The order is recorded with its client order id before it is sent, and sent exactly once. Exchange rules (precision, KRW price steps, minimum notional / 5,000 KRW minimum, balance) are checked first: a breach is a 400 naming the rule and nothing is sent. With `Idempotency-Key`, the same key and body return the same order (200); the same key with another body is a 409. A submission whose outcome is unknown (timeout, 5xx) answers with status `UNKNOWN` and is resolved by looking it up, never by resending.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 128 printable characters; makes retries of this request safe',
  })
  @ApiResponse({ status: 201, description: 'Placed (see `status` for what the exchange said)', schema: { example: orderExample } })
  @ApiResponse({
    status: 200,
    description: 'Replay of an earlier request with the same Idempotency-Key',
    schema: { example: orderExample },
  })
  @ApiConflictResponse({ description: '`ORDER.IDEMPOTENCY_KEY_REUSED`' })
  @ApiNotFoundResponse({ description: '`ACCOUNT.NOT_FOUND` / `MARKET.NOT_FOUND`' })
  @ApiUnprocessableEntityResponse({ description: 'Refused by the exchange (`EXCHANGE.INVALID_ORDER`, `EXCHANGE.INSUFFICIENT_FUNDS`)' })
  async place(
    @Body() body: PlaceOrderRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<OrderView> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(idempotencyKey)) {
      throw new ValidationError('REQUEST.VALIDATION_FAILED', 'Idempotency-Key: must be 1–128 printable characters', {
        field: 'Idempotency-Key',
      });
    }
    const result: PlaceOrderResult = await this.commands.execute(
      new PlaceOrderCommand(
        {
          accountId: body.accountId,
          symbol: body.symbol,
          side: body.side,
          type: body.type,
          ...(body.amount ? { amount: dec(body.amount) } : {}),
          ...(body.cost ? { cost: dec(body.cost) } : {}),
          ...(body.price ? { price: dec(body.price) } : {}),
        },
        { idempotencyKey },
      ),
    );
    reply.status(result.created ? 201 : 200);
    return this.queries.execute(new GetOrderQuery(result.orderId));
  }

  @Get('orders')
  @ApiOperation({ summary: 'List orders, newest first (filters: account, symbol, status, time)' })
  @ApiResponse({ status: 200, schema: { example: { items: [{ ...orderExample, timeline: undefined }], total: 1, limit: 50, offset: 0 } } })
  list(@Query() q: ListOrdersQueryDto): Promise<Page<OrderView>> {
    return this.queries.execute(new ListOrdersQuery({ ...page(q), accountId: q.accountId, symbol: q.symbol, status: q.status }));
  }

  @Post('orders/reconcile')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch every live order (OPEN, PARTIALLY_FILLED, UNKNOWN) from its exchange now and record what changed' })
  @ApiResponse({ status: 200, schema: { example: { checked: 3 } } })
  reconcile(): Promise<{ checked: number }> {
    return this.commands.execute(new ReconcileOrdersCommand());
  }

  @Get('orders/:id')
  @ApiOperation({
    summary:
      'One order with its timeline (every state change, its cause and the exchange facts): its first 500 lines, the rest at /orders/:id/timeline',
  })
  @ApiResponse({ status: 200, schema: { example: orderExample } })
  @ApiNotFoundResponse({ description: '`ORDER.NOT_FOUND`' })
  get(@Param() p: OrderIdParam): Promise<OrderView> {
    return this.queries.execute(new GetOrderQuery(p.id));
  }

  @Get('orders/:id/timeline')
  @ApiOperation({
    summary: 'An order’s timeline, oldest first, a page at a time (`GET /orders/:id` embeds its first 500 lines)',
  })
  @ApiResponse({ status: 200, schema: { example: { items: orderExample.timeline, total: 1, limit: 50, offset: 0 } } })
  @ApiNotFoundResponse({ description: '`ORDER.NOT_FOUND`' })
  timelineOf(@Param() p: OrderIdParam, @Query() q: PageQuery): Promise<Page<TimelineEntryView>> {
    return this.queries.execute(new GetOrderTimelineQuery(p.id, q.limit ?? DEFAULT_PAGE_LIMIT, q.offset ?? 0));
  }

  @Delete('orders/:id')
  @ApiOperation({ summary: 'Cancel an order; answers with its state after the exchange replied' })
  @ApiResponse({ status: 200, schema: { example: { ...orderExample, status: 'CANCELED', type: 'limit', price: '45000', filled: '0' } } })
  @ApiNotFoundResponse({ description: '`ORDER.NOT_FOUND`' })
  @ApiConflictResponse({ description: '`ORDER.NOT_CANCELABLE`: already FILLED, CANCELED or REJECTED' })
  async cancel(@Param() p: OrderIdParam): Promise<OrderView> {
    await this.commands.execute(new CancelOrderCommand(p.id));
    return this.queries.execute(new GetOrderQuery(p.id));
  }

  @Get('trades')
  @ApiOperation({
    summary: 'Fills, newest first (filters: account, symbol, order, time)',
    description: '`untracked`: the part of a sell beyond its position (coins the position never held); it is in no PnL figure.',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        items: [
          {
            id: '…',
            accountId: '…',
            orderId: '…',
            tradeId: '9120',
            symbol: 'BTC/USDT',
            side: 'buy',
            price: '50012',
            amount: '0.01',
            fee: '0.00001',
            feeCurrency: 'BTC',
            untracked: '0',
            timestamp: '2026-11-26T12:00:00.100Z',
          },
        ],
        total: 1,
        limit: 50,
        offset: 0,
      },
    },
  })
  trades(@Query() q: ListTradesQueryDto): Promise<Page<TradeView>> {
    return this.queries.execute(new ListTradesQuery({ ...page(q), accountId: q.accountId, symbol: q.symbol, orderId: q.orderId }));
  }

  @Get('positions')
  @ApiOperation({
    summary: 'Positions with PnL (average-cost method)',
    description:
      'A position is what tradedesk bought on a market of an account (less what it sold, plus what you adopted) — never the wallet: coins held before tradedesk are in no position. Per account and market: quantity, average entry (buy fees included), cost basis, realized and unrealized PnL, return % = (realized + unrealized) / everything bought, protection status; totals converted to KRW and USDT with Upbit’s USDT/KRW price. Figures are rounded for people and accepted back as input: prices to the market’s tick (averages: up to 4 more digits), money in whole KRW or 8-decimal USDT, percentages to 4 decimals.',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        positions: [
          {
            accountId: '…',
            exchange: 'upbit',
            symbol: 'BTC/KRW',
            base: 'BTC',
            quote: 'KRW',
            quantity: '0.01',
            averageEntry: '140070000',
            costBasis: '1400700',
            realizedPnl: '0',
            unrealizedPnl: '9300',
            returnPercent: '0.664',
            lastPrice: '141000000',
            marketValue: '1410000',
            otherFees: {},
            openedAt: '2026-11-26T12:00:00.000Z',
            protection: 'none',
          },
        ],
        totals: {
          KRW: { marketValue: '1410000', realizedPnl: '0', unrealizedPnl: '9300' },
          USDT: { marketValue: '1004.27350427', realizedPnl: '0', unrealizedPnl: '6.62393162' },
        },
        usdtKrw: '1404',
      },
    },
  })
  positions(@Query() q: PositionsQueryDto): Promise<PositionsReport> {
    return this.queries.execute(new GetPositionsQuery({ accountId: q.accountId, symbol: q.symbol }));
  }

  @Post('positions/close')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Close a position: full liquidation',
    description:
      'Cancels the position’s own resting sell orders (tradedesk’s open sells on the market), then market-sells the position: what tradedesk bought there less what it sold, plus what you adopted, capped by the free balance. Coins held before tradedesk are not sold unless you adopted them or ask for `"amount": "balance"` (the whole free balance). Answers with the liquidation order.',
  })
  @ApiResponse({ status: 201, schema: { example: { ...orderExample, side: 'sell', purpose: 'liquidation', canceledOrderIds: [] } } })
  @ApiUnprocessableEntityResponse({
    description: '`POSITION.NOTHING_TO_CLOSE`, `POSITION.CLOSED` (everything left is held by sells that could not be cancelled)',
  })
  async close(@Body() body: ClosePositionRequestDto): Promise<OrderView & { canceledOrderIds: string[] }> {
    const result: ClosePositionResult = await this.commands.execute(
      new ClosePositionCommand(body.accountId, body.symbol, 'api', { scope: body.amount === 'balance' ? 'balance' : 'position' }),
    );
    const order: OrderView = await this.queries.execute(new GetOrderQuery(result.orderId));
    return { ...order, canceledOrderIds: result.canceledOrderIds };
  }

  @Post('positions/adopt')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Adopt coins held outside tradedesk into a position',
    description:
      'A position holds only what tradedesk bought. Coins you held before (or bought elsewhere) are outside every position — `all` never sells them — until you adopt them here, at the average price you paid. At most the free balance that no position of the account counts yet. The position’s timeline gets an `adopted` line.',
  })
  @ApiResponse({ status: 201, description: 'The position after the adoption (as in GET /api/positions)' })
  @ApiBadRequestResponse({ description: '`POSITION.ADOPT_EXCEEDS_BALANCE`, `POSITION.ADOPT_AMOUNT_STEP`, `REQUEST.VALIDATION_FAILED`' })
  async adopt(@Body() body: AdoptPositionRequestDto): Promise<PositionView> {
    const result: AdoptPositionResult = await this.commands.execute(
      new AdoptPositionCommand(body.accountId, body.symbol, dec(body.amount), dec(body.averageEntry)),
    );
    const report: PositionsReport = await this.queries.execute(
      new GetPositionsQuery({ accountId: result.accountId, symbol: result.symbol, includeClosed: true }),
    );
    return report.positions[0];
  }

  @Get('positions/timeline')
  @ApiOperation({
    summary: 'A position’s timeline: `opened`, `adopted`, `closed`, oldest first; `limit` (default and at most 500) and `offset` page it',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: [
        { at: '2026-11-26T12:00:00.000Z', event: 'adopted', details: { amount: '0.05', averageEntry: '68000000', quantity: '0.05' } },
      ],
    },
  })
  timeline(@Query() q: PositionTimelineQueryDto): Promise<PositionTimelineLine[]> {
    return this.queries.execute(new GetPositionTimelineQuery(q.accountId, q.symbol, q.limit ?? MAX_PAGE_LIMIT, q.offset ?? 0));
  }
}

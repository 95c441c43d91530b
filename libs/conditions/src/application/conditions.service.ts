import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways, type Market, roundPrice } from '@tradedesk/exchanges';
import { ConflictError, type Decimal, dec, inputPlaces, NotFoundError, Outbox, UnitOfWork } from '@tradedesk/shared';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { CONDITION_KINDS, type ConditionKind, type ConditionStatus, type DowntimePolicy, priceOf } from '../domain/condition.types.js';
import { isRecurring, parseWhen } from '../domain/when-tree.js';
import { ConditionTimelineOrmEntity } from '../infrastructure/persistence/condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import {
  breakEvenTrigger,
  checkExitAmount,
  checkSource,
  checkWhenMarkets,
  invalid,
  onlyKnownKeys,
  parseAmount,
  percent,
  positive,
  readPositionFacts,
  type ResolvedTrigger,
  resolveTrigger,
} from './arming-checks.js';
import { appendTimeline, compareAndSet } from './condition-store.js';
import { type ConditionView, toView } from './condition-views.js';
import { NATIVE_BRACKET_TOPIC, NativeBracketHandler } from './native-bracket.handler.js';

export interface TriggerInput {
  triggerPrice?: string;
  triggerPercent?: string;
}

/** The request shapes of api.md (already checked for types by the HTTP layer; rules are checked here). */
export interface CreateConditionInput extends TriggerInput {
  kind: ConditionKind;
  accountId: string;
  symbol?: string;
  trailPercent?: string;
  trailAmount?: string;
  activationPrice?: string;
  amount?: string;
  execution?: { type?: string; limitOffset?: string };
  /** bracket: `emulated` (default, tradedesk fires it) or `native` (a Binance OCO list at the exchange). */
  placement?: string;
  source?: string;
  watch?: { exchange?: string; symbol?: string };
  onDowntime?: string;
  expiresAt?: string;
  allowImmediate?: boolean;
  stopLoss?: TriggerInput;
  takeProfit?: TriggerInput;
  when?: unknown;
  then?: { order?: Record<string, unknown> };
}

export interface AdjustConditionInput extends TriggerInput {
  /** `breakEven`: a stop moves to the average entry plus the fees paid and to be paid. */
  moveTo?: string;
  stopLoss?: TriggerInput & { moveTo?: string };
  takeProfit?: TriggerInput;
  amount?: string;
  trailPercent?: string;
  trailAmount?: string;
  expiresAt?: string;
  allowImmediate?: boolean;
}

const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{2,8}$/;

/** Fields each kind takes: anything else in the request is refused, not silently dropped. */
const FIELDS_OF: Record<ConditionKind, readonly string[]> = {
  stop_loss: [
    'triggerPrice',
    'triggerPercent',
    'amount',
    'execution',
    'source',
    'watch',
    'onDowntime',
    'expiresAt',
    'allowImmediate',
    'symbol',
  ],
  take_profit: [
    'triggerPrice',
    'triggerPercent',
    'amount',
    'execution',
    'source',
    'watch',
    'onDowntime',
    'expiresAt',
    'allowImmediate',
    'symbol',
  ],
  trailing_stop: [
    'trailPercent',
    'trailAmount',
    'activationPrice',
    'amount',
    'execution',
    'source',
    'watch',
    'onDowntime',
    'expiresAt',
    'symbol',
  ],
  bracket: [
    'stopLoss',
    'takeProfit',
    'amount',
    'execution',
    'placement',
    'source',
    'watch',
    'onDowntime',
    'expiresAt',
    'allowImmediate',
    'symbol',
  ],
  conditional: ['when', 'then', 'onDowntime', 'expiresAt'],
};
const COMMON_FIELDS = ['kind', 'accountId'];

const ACTIVE: ConditionStatus[] = ['ARMED', 'PAUSED'];

/** Arming, adjusting, pausing and cancelling conditions; every change lands on the timeline. */
@Injectable()
export class ConditionsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
    private readonly queries: QueryBus,
    private readonly outbox: Outbox,
    private readonly native: NativeBracketHandler,
  ) {}

  async create(input: CreateConditionInput, now = new Date()): Promise<ConditionView> {
    if (!CONDITION_KINDS.includes(input.kind)) invalid('kind', `must be one of ${CONDITION_KINDS.join(', ')}`);
    const allowed = [...COMMON_FIELDS, ...FIELDS_OF[input.kind]];
    for (const [field, value] of Object.entries(input))
      if (value !== undefined && !allowed.includes(field)) invalid(field, `does not apply to a ${input.kind}`);
    const account = await this.gateways.describeAccount(input.accountId);
    const gateway = await this.gateways.forAccount(account.id);
    const onDowntime = (input.onDowntime ?? 'fire') as DowntimePolicy;
    if (!['fire', 'skip', 'notify'].includes(onDowntime)) invalid('onDowntime', 'must be one of fire, skip, notify');
    let expiresAt: Date | null = null;
    if (input.expiresAt !== undefined) {
      expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) invalid('expiresAt', 'must be an ISO-8601 instant');
      if (expiresAt.getTime() <= now.getTime()) invalid('expiresAt', 'is before now', 'CONDITION.EXPIRY_IN_PAST');
    }
    const row = newConditionRow(input.kind, account, onDowntime, expiresAt, now);
    const armed: Record<string, unknown> = { at: now.toISOString() };
    let observed: Decimal | undefined;
    if (input.kind === 'conditional') {
      if (input.when === undefined) invalid('when', 'a conditional needs a when tree');
      const when = parseWhen(input.when, now);
      const action = await this.checkAction(input, account.id);
      await checkWhenMarkets(when, this.gateways, { accountId: account.id, exchange: account.exchange, actionSymbol: action.symbol! });
      row.whenTree = JSON.stringify(input.when);
      row.action = JSON.stringify(action);
    } else {
      if (typeof input.symbol !== 'string' || !SYMBOL.test(input.symbol)) invalid('symbol', 'must look like BTC/USDT or BTC/KRW');
      const market = await gateway.market(input.symbol);
      const grid = { market, gateway };
      row.symbol = market.symbol;
      row.watchAccountId = account.id;
      row.watchSymbol = market.symbol;
      let watchGateway = gateway;
      onlyKnownKeys(input.watch, ['exchange', 'symbol'], 'watch');
      onlyKnownKeys(input.execution, ['type', 'limitOffset'], 'execution');
      onlyKnownKeys(input.stopLoss, ['triggerPrice', 'triggerPercent'], 'stopLoss');
      onlyKnownKeys(input.takeProfit, ['triggerPrice', 'triggerPercent'], 'takeProfit');
      if (input.watch) {
        const accounts = await this.gateways.listAccounts();
        const watched = accounts.find((a) => a.exchange === input.watch!.exchange);
        if (!watched)
          throw new NotFoundError('ACCOUNT.NOT_FOUND', `watch.exchange: no account on ${String(input.watch.exchange)}`, {
            field: 'watch.exchange',
          });
        if (typeof input.watch.symbol !== 'string' || !SYMBOL.test(input.watch.symbol)) invalid('watch.symbol', 'must look like BTC/USDT');
        watchGateway = await this.gateways.forAccount(watched.id);
        row.watchAccountId = watched.id;
        row.watchSymbol = (await watchGateway.market(input.watch.symbol)).symbol;
      }
      row.source = checkSource(input.source, watchGateway, 'source');
      row.amount = parseAmount(input.amount ?? 'all');
      const execution = input.execution ?? {};
      if (execution.type !== undefined && execution.type !== 'market' && execution.type !== 'limit')
        invalid('execution.type', 'must be market or limit');
      row.executionType = (execution.type ?? 'market') as 'market' | 'limit';
      if (execution.limitOffset !== undefined) {
        if (row.executionType !== 'limit') invalid('execution.limitOffset', 'only a limit execution takes an offset');
        row.limitOffset = percent(execution.limitOffset, 'execution.limitOffset');
      } else if (row.executionType === 'limit') row.limitOffset = dec(0);

      const position = await readPositionFacts(this.queries, account.id, market.symbol);
      const entry = position.averageEntry;
      const record = (leg: string, t: ResolvedTrigger | undefined) => {
        if (t?.exact)
          armed[leg] = { triggerPercent: t.percent!.toFixed(), exact: inputPlaces(t.exact).toFixed(), snapped: t.price.toFixed() };
        return t?.price;
      };
      switch (input.kind) {
        case 'stop_loss':
        case 'take_profit': {
          const direction = input.kind === 'stop_loss' ? -1 : 1;
          const trigger = record('trigger', resolveTrigger(input, '', direction, entry, grid));
          if (!trigger) invalid('triggerPrice', 'give exactly one of triggerPrice or triggerPercent');
          if (input.kind === 'stop_loss') row.stopPrice = trigger;
          else row.takeProfitPrice = trigger;
          break;
        }
        case 'bracket':
          if (!input.stopLoss) invalid('stopLoss', 'a bracket needs a stopLoss leg');
          if (!input.takeProfit) invalid('takeProfit', 'a bracket needs a takeProfit leg');
          row.stopPrice = record('stopLoss', resolveTrigger(input.stopLoss, 'stopLoss.', -1, entry, grid)) ?? null;
          row.takeProfitPrice = record('takeProfit', resolveTrigger(input.takeProfit, 'takeProfit.', 1, entry, grid)) ?? null;
          if (!row.stopPrice) invalid('stopLoss.triggerPrice', 'give exactly one of triggerPrice or triggerPercent');
          if (!row.takeProfitPrice) invalid('takeProfit.triggerPrice', 'give exactly one of triggerPrice or triggerPercent');
          if (row.stopPrice.gte(row.takeProfitPrice))
            invalid('stopLoss.triggerPrice', 'the stop must be below the take-profit', 'CONDITION.BRACKET_INVERTED');
          break;
        case 'trailing_stop':
          if ((input.trailPercent === undefined) === (input.trailAmount === undefined))
            invalid('trailPercent', 'give exactly one of trailPercent or trailAmount');
          if (input.trailPercent !== undefined) row.trailPercent = percent(input.trailPercent, 'trailPercent');
          else row.trailAmount = positive(input.trailAmount, 'trailAmount');
          if (input.activationPrice !== undefined) row.activationPrice = positive(input.activationPrice, 'activationPrice');
          break;
      }
      const native = input.placement !== undefined && input.placement !== 'emulated';
      if (native) this.checkNative(input, row, account, gateway);
      await checkExitAmount(row.amount, position, market, gateway);
      if (native) {
        // The list is one order of one amount: "all" is the position as it is now, "balance" the free balance.
        if (row.amount === 'all') row.amount = position.available.toFixed();
        if (row.amount === 'balance') row.amount = ((await gateway.fetchBalances())[market.base]?.free ?? dec(0)).toFixed();
      }
      // The price now, not a cached one: a trigger crossed a moment ago would fire on the next tick.
      const ticker = await watchGateway.fetchTicker(row.watchSymbol!, { fresh: true });
      observed = priceOf(ticker, row.source);
      if (!input.allowImmediate) checkNotCrossed(row, observed);
    }

    if (row.placement === 'native') {
      // The exchange's rules for each leg, checked now: a list that cannot be placed is a 400, not a later FAILED.
      const checked = await this.gateways.validateOcoSell(account.id, {
        symbol: row.symbol!,
        amount: dec(row.amount!),
        listClientOrderId: 'td-check',
        takeProfit: { price: row.takeProfitPrice!, clientOrderId: 'td-check-tp' },
        stopLoss: {
          stopPrice: row.stopPrice!,
          ...(row.executionType === 'limit' ? { price: row.stopPrice!.times(dec(100).minus(row.limitOffset ?? 0)).div(100) } : {}),
          clientOrderId: 'td-check-sl',
        },
      });
      row.amount = checked.amount.toFixed();
    }
    const intent = await this.uow.run(async (tx) => {
      await tx.manager.insert(ConditionOrmEntity, row as QueryDeepPartialEntity<ConditionOrmEntity>);
      await appendTimeline(tx, row.id, [
        {
          event: 'armed',
          status: 'ARMED',
          price: observed ?? null,
          trigger: row.stopPrice ?? row.takeProfitPrice ?? null,
          details: {
            source: row.source,
            ...armed,
            ...(row.placement === 'native' ? { placement: 'native', amount: row.amount } : {}),
          },
        },
      ]);
      // A native bracket's list is placed by an intent committed with the row: a crash cannot lose it.
      if (row.placement === 'native')
        return (await this.outbox.enqueue(tx, NATIVE_BRACKET_TOPIC, { conditionId: row.id }, { priority: 0 })).id;
      return undefined;
    });
    if (intent) await this.outbox.dispatchNow(intent);
    return this.get(row.id);
  }

  /** A native bracket: only where the exchange holds OCO lists, on its own market, watching the last price, for one fixed amount. */
  private checkNative(
    input: CreateConditionInput,
    row: ConditionOrmEntity,
    account: { exchange: string; mode: string },
    gateway: { capabilities: { nativeOco: boolean } },
  ): void {
    if (input.placement !== 'native') invalid('placement', 'must be emulated or native');
    row.placement = 'native';
    if (row.kind !== 'bracket') invalid('placement', 'only a bracket can be placed natively', 'CONDITION.NATIVE_NOT_SUPPORTED');
    if (!gateway.capabilities.nativeOco)
      invalid(
        'placement',
        `${account.exchange} (${account.mode}) cannot hold an OCO order list; this bracket can only be emulated (placement: emulated)`,
        'CONDITION.NATIVE_NOT_SUPPORTED',
      );
    if (input.watch)
      invalid('placement', 'a native bracket triggers on its own market at the exchange: no watch', 'CONDITION.NATIVE_NOT_SUPPORTED');
    if (row.source !== 'last')
      invalid(
        'placement',
        'the exchange triggers a native bracket on the last price: source must be last',
        'CONDITION.NATIVE_NOT_SUPPORTED',
      );
    if (row.amount!.endsWith('%'))
      invalid('placement', 'a native bracket sells one fixed amount: give a base amount or "all"', 'CONDITION.NATIVE_NOT_SUPPORTED');
  }

  private async checkAction(input: CreateConditionInput, accountId: string): Promise<Record<string, string>> {
    const order = input.then?.order;
    if (!order || typeof order !== 'object') invalid('then.order', 'a conditional needs then.order');
    const { symbol, side, type, amount, cost, price } = order as Record<string, unknown>;
    for (const key of Object.keys(order))
      if (!['symbol', 'side', 'type', 'amount', 'cost', 'price'].includes(key)) invalid(`then.order.${key}`, 'is not a known field');
    if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) invalid('then.order.symbol', 'must look like BTC/USDT or BTC/KRW');
    if (side !== 'buy' && side !== 'sell') invalid('then.order.side', 'must be buy or sell');
    if (type !== 'market' && type !== 'limit') invalid('then.order.type', 'must be market or limit');
    const gateway = await this.gateways.forAccount(accountId);
    let market: Market;
    try {
      market = await gateway.market(symbol);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new NotFoundError('MARKET.NOT_FOUND', `then.order.symbol: ${gateway.exchange} has no spot market ${symbol}`, {
          field: 'then.order.symbol',
        });
      throw error;
    }
    const out: Record<string, string> = { symbol: market.symbol, side, type };
    if (amount !== undefined) out.amount = positive(amount, 'then.order.amount').toFixed();
    if (cost !== undefined) out.cost = positive(cost, 'then.order.cost').toFixed();
    if (price !== undefined) out.price = positive(price, 'then.order.price').toFixed();
    if ((out.amount === undefined) === (out.cost === undefined)) invalid('then.order.amount', 'give exactly one of amount or cost');
    if (type === 'limit' && !out.price) invalid('then.order.price', 'a limit order needs a price');
    return out;
  }

  async get(id: string): Promise<ConditionView> {
    const { row, timeline } = await this.uow.run(async ({ manager }) => {
      const row = await manager.findOne(ConditionOrmEntity, { where: { id } });
      if (!row) throw new NotFoundError('CONDITION.NOT_FOUND', `No condition ${id}`, { conditionId: id });
      const timeline = await manager.find(ConditionTimelineOrmEntity, { where: { conditionId: id }, order: { id: 'ASC' } });
      return { row, timeline };
    });
    return toView(row, timeline, await this.priceRounding(row));
  }

  async list(filter: { accountId?: string; status?: ConditionStatus; symbol?: string; limit: number; offset: number }) {
    const where: { accountId?: string; status?: ConditionStatus; symbol?: string } = {};
    if (filter.accountId) where.accountId = filter.accountId;
    if (filter.status) where.status = filter.status;
    if (filter.symbol) where.symbol = filter.symbol;
    const [rows, total] = await this.uow.autocommit((manager) =>
      manager.findAndCount(ConditionOrmEntity, { where, order: { createdAt: 'DESC', id: 'ASC' }, take: filter.limit, skip: filter.offset }),
    );
    const items = await Promise.all(rows.map(async (r) => toView(r, undefined, await this.priceRounding(r))));
    return { items, total, limit: filter.limit, offset: filter.offset };
  }

  /** How a computed price of this condition (a trailing stop's current trigger) is shown: on its watched market's precision. */
  private async priceRounding(row: ConditionOrmEntity): Promise<((price: Decimal) => Decimal) | undefined> {
    if (row.kind !== 'trailing_stop' || !row.watchAccountId || !row.watchSymbol) return undefined;
    try {
      const market = await (await this.gateways.forAccount(row.watchAccountId)).market(row.watchSymbol);
      return (price) => roundPrice(price, market);
    } catch {
      // The account or market is gone: shown within the input limit instead.
      return undefined;
    }
  }

  private async load(id: string): Promise<ConditionOrmEntity> {
    const row = await this.uow.run(({ manager }) => manager.findOne(ConditionOrmEntity, { where: { id } }));
    if (!row) throw new NotFoundError('CONDITION.NOT_FOUND', `No condition ${id}`, { conditionId: id });
    return row;
  }

  private async transition(
    row: ConditionOrmEntity,
    from: ConditionStatus[],
    set: QueryDeepPartialEntity<ConditionOrmEntity>,
    event: string,
    status: ConditionStatus,
    details?: Record<string, unknown>,
  ) {
    const ok = await this.uow.run(async (tx) => {
      if (!(await compareAndSet(tx, row.id, from, row.version, set))) return false;
      await appendTimeline(tx, row.id, [{ event, status, details: { cause: 'api', ...details } }]);
      return true;
    });
    if (!ok)
      throw new ConflictError(
        'CONDITION.NOT_ADJUSTABLE',
        `Condition ${row.id} is ${(await this.load(row.id)).status} and can no longer be changed this way`,
        { conditionId: row.id },
      );
    return this.get(row.id);
  }

  async cancel(id: string): Promise<ConditionView> {
    const row = await this.load(id);
    if (row.placement === 'native' && row.status === 'ARMED') {
      await this.native.cancel(row);
      return this.get(id);
    }
    // A recurring rule is also stopped while its order works (FIRED): that order is left to finish.
    const cancellable: ConditionStatus[] =
      row.kind === 'conditional' && row.whenTree && isRecurring(parseWhen(JSON.parse(row.whenTree), new Date(0)))
        ? [...ACTIVE, 'FIRED']
        : ACTIVE;
    if (!cancellable.includes(row.status))
      throw new ConflictError('CONDITION.NOT_CANCELLABLE', `Condition ${id} is ${row.status}`, { conditionId: id });
    return this.transition(row, cancellable, { status: 'CANCELLED' }, 'cancelled', 'CANCELLED');
  }

  /** A native bracket is an order list at the exchange: it is cancelled and armed again, never changed in place. */
  private refuseNative(row: ConditionOrmEntity, what: string): void {
    if (row.placement === 'native')
      throw new ConflictError(
        'CONDITION.NATIVE_NOT_ADJUSTABLE',
        `Condition ${row.id} is a native bracket resting at the exchange as an order list; it cannot be ${what} — cancel it and arm a new one`,
        { conditionId: row.id, placement: 'native' },
      );
  }

  async pause(id: string): Promise<ConditionView> {
    const row = await this.load(id);
    this.refuseNative(row, 'paused');
    if (row.status !== 'ARMED')
      throw new ConflictError('CONDITION.NOT_ARMED', `Condition ${id} is ${row.status}, not ARMED`, { conditionId: id });
    return this.transition(row, ['ARMED'], { status: 'PAUSED' }, 'paused', 'PAUSED');
  }

  async resume(id: string, input: { allowImmediate?: boolean } = {}): Promise<ConditionView> {
    const row = await this.load(id);
    this.refuseNative(row, 'resumed');
    if (row.status !== 'PAUSED')
      throw new ConflictError('CONDITION.NOT_PAUSED', `Condition ${id} is ${row.status}, not PAUSED`, { conditionId: id });
    // The same check as arming: a trigger the price crossed while it was paused would fire at once.
    let observed: Decimal | undefined;
    if (row.kind !== 'conditional') {
      observed = priceOf(
        await (await this.gateways.forAccount(row.watchAccountId!)).fetchTicker(row.watchSymbol!, { fresh: true }),
        row.source,
      );
      if (!input.allowImmediate) checkNotCrossed(row, observed);
    }
    return this.transition(row, ['PAUSED'], { status: 'ARMED' }, 'resumed', 'ARMED', observed ? { price: observed.toFixed() } : {});
  }

  async adjust(id: string, input: AdjustConditionInput, now = new Date()): Promise<ConditionView> {
    const row = await this.load(id);
    this.refuseNative(row, 'adjusted');
    if (!ACTIVE.includes(row.status))
      throw new ConflictError('CONDITION.NOT_ADJUSTABLE', `Condition ${id} is ${row.status}`, { conditionId: id });
    if (row.kind === 'conditional') invalid('kind', 'a conditional cannot be adjusted; cancel it and arm a new one');
    onlyKnownKeys(input.stopLoss, ['triggerPrice', 'triggerPercent', 'moveTo'], 'stopLoss');
    onlyKnownKeys(input.takeProfit, ['triggerPrice', 'triggerPercent'], 'takeProfit');
    const gateway = await this.gateways.forAccount(row.accountId);
    const market = await gateway.market(row.symbol!);
    const grid = { market, gateway };
    const set: QueryDeepPartialEntity<ConditionOrmEntity> = {};
    // Named as the request names them (triggerPrice, stopLoss.triggerPrice…), with what was computed from a percentage.
    const changes: Record<string, { from: string | null; to: string; exact?: string; triggerPercent?: string; moveTo?: string }> = {};
    const position = await readPositionFacts(this.queries, row.accountId, row.symbol!);
    const entry = position.averageEntry;
    const resolve = async (t: AdjustTrigger | undefined, prefix: string, direction: -1 | 1): Promise<ResolvedTrigger | undefined> => {
      if (t?.moveTo === undefined) return resolveTrigger(t, prefix, direction, entry, grid);
      if (t.moveTo !== 'breakEven') invalid(`${prefix}moveTo`, 'must be breakEven');
      if (direction > 0) invalid(`${prefix}moveTo`, 'only a stop moves to break-even');
      if (t.triggerPrice !== undefined || t.triggerPercent !== undefined)
        invalid(`${prefix}moveTo`, 'give moveTo without triggerPrice or triggerPercent');
      if (!entry) invalid(`${prefix}moveTo`, 'there is no position with an average entry to break even on', 'CONDITION.NO_POSITION');
      return { ...(await breakEvenTrigger(entry, grid)), moveTo: 'breakEven' } as ResolvedTrigger & { moveTo: string };
    };
    const change = (field: string, from: Decimal | null, to: ResolvedTrigger & { moveTo?: string }) => {
      changes[field] = {
        from: from?.toFixed() ?? null,
        to: to.price.toFixed(),
        ...(to.exact ? { exact: inputPlaces(to.exact).toFixed() } : {}),
        ...(to.percent ? { triggerPercent: to.percent.toFixed() } : {}),
        ...(to.moveTo ? { moveTo: to.moveTo } : {}),
      };
    };
    let stop = row.stopPrice;
    let tp = row.takeProfitPrice;
    if (row.kind === 'stop_loss') {
      const t = await resolve(input, '', -1);
      if (t && !t.price.eq(stop ?? -1)) change('triggerPrice', stop, t);
      stop = t?.price ?? stop;
    }
    if (row.kind === 'take_profit') {
      if (input.moveTo !== undefined) invalid('moveTo', 'only a stop moves to break-even');
      const t = await resolve(input, '', 1);
      if (t && !t.price.eq(tp ?? -1)) change('triggerPrice', tp, t);
      tp = t?.price ?? tp;
    }
    if (row.kind === 'bracket') {
      const sl = await resolve(input.stopLoss, 'stopLoss.', -1);
      const tk = await resolve(input.takeProfit, 'takeProfit.', 1);
      if (sl && !sl.price.eq(stop ?? -1)) change('stopLoss.triggerPrice', stop, sl);
      if (tk && !tk.price.eq(tp ?? -1)) change('takeProfit.triggerPrice', tp, tk);
      stop = sl?.price ?? stop;
      tp = tk?.price ?? tp;
      if (stop && tp && stop.gte(tp))
        invalid('stopLoss.triggerPrice', 'the stop must be below the take-profit', 'CONDITION.BRACKET_INVERTED');
    }
    if (row.kind !== 'bracket' && (input.stopLoss !== undefined || input.takeProfit !== undefined))
      invalid(input.stopLoss !== undefined ? 'stopLoss' : 'takeProfit', `does not apply to a ${row.kind}`);
    if (row.kind === 'bracket' || row.kind === 'trailing_stop')
      for (const field of ['triggerPrice', 'triggerPercent', 'moveTo'] as const)
        if (input[field] !== undefined)
          invalid(field, `does not apply to a ${row.kind}${row.kind === 'bracket' ? ' (use stopLoss / takeProfit)' : ''}`);
    if (row.kind !== 'trailing_stop' && (input.trailPercent !== undefined || input.trailAmount !== undefined))
      invalid(input.trailPercent !== undefined ? 'trailPercent' : 'trailAmount', `does not apply to a ${row.kind}`);
    if (input.trailPercent !== undefined && input.trailAmount !== undefined)
      invalid('trailPercent', 'give one of trailPercent or trailAmount');
    if (input.trailPercent !== undefined) {
      const trail = percent(input.trailPercent, 'trailPercent');
      set.trailPercent = trail;
      set.trailAmount = null;
      changes.trailPercent = { from: row.trailPercent?.toFixed() ?? null, to: trail.toFixed() };
    }
    if (input.trailAmount !== undefined) {
      const trail = positive(input.trailAmount, 'trailAmount');
      set.trailAmount = trail;
      set.trailPercent = null;
      changes.trailAmount = { from: row.trailAmount?.toFixed() ?? null, to: trail.toFixed() };
    }
    if (stop && !stop.eq(row.stopPrice ?? -1)) set.stopPrice = stop;
    if (tp && !tp.eq(row.takeProfitPrice ?? -1)) set.takeProfitPrice = tp;
    if (input.amount !== undefined) {
      const amount = parseAmount(input.amount);
      await checkExitAmount(amount, position, market, gateway);
      set.amount = amount;
      changes.amount = { from: row.amount, to: amount };
    }
    if (input.expiresAt !== undefined) {
      const expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) invalid('expiresAt', 'must be an ISO-8601 instant');
      if (expiresAt.getTime() <= now.getTime()) invalid('expiresAt', 'is before now', 'CONDITION.EXPIRY_IN_PAST');
      set.expiresAt = expiresAt;
      changes.expiresAt = { from: row.expiresAt?.toISOString() ?? null, to: expiresAt.toISOString() };
    }
    if (Object.keys(changes).length === 0) invalid('body', 'nothing to change');
    if ((set.stopPrice || set.takeProfitPrice) && !input.allowImmediate) {
      const observed = priceOf(
        await (await this.gateways.forAccount(row.watchAccountId!)).fetchTicker(row.watchSymbol!, { fresh: true }),
        row.source,
      );
      checkNotCrossed(
        {
          kind: row.kind,
          stopPrice: (set.stopPrice as Decimal | undefined) ?? null,
          takeProfitPrice: (set.takeProfitPrice as Decimal | undefined) ?? null,
        },
        observed,
      );
    }
    return this.transition(row, ACTIVE, set, 'adjusted', row.status, { changes });
  }
}

type AdjustTrigger = { triggerPrice?: string; triggerPercent?: string; moveTo?: string };

/** A new condition's row: ARMED, version 1, with nothing watched or fired yet. */
function newConditionRow(
  kind: ConditionKind,
  account: { id: string; exchange: string },
  onDowntime: DowntimePolicy,
  expiresAt: Date | null,
  now: Date,
): ConditionOrmEntity {
  return Object.assign(new ConditionOrmEntity(), {
    id: randomUUID(),
    kind,
    status: 'ARMED' as const,
    version: 1,
    accountId: account.id,
    exchange: account.exchange,
    symbol: null,
    watchAccountId: null,
    watchSymbol: null,
    source: 'last' as const,
    stopPrice: null,
    takeProfitPrice: null,
    trailPercent: null,
    trailAmount: null,
    activationPrice: null,
    highWaterMark: null,
    amount: null,
    executionType: 'market' as const,
    limitOffset: null,
    placement: 'emulated' as const,
    stopOrderId: null,
    takeProfitOrderId: null,
    onDowntime,
    whenTree: null,
    action: null,
    memory: null,
    expiresAt,
    firedLeg: null,
    firedTrigger: null,
    firedPrice: null,
    firings: 0,
    lastOrderId: null,
    orderIds: '[]',
    failureReason: null,
    armedAt: now,
    createdAt: now,
    changedAt: now,
  });
}

/**
 * A stop at or above the price, or a take-profit at or below it, would fire on the next tick:
 * refused unless the request says `allowImmediate` (arming, adjusting and resuming alike).
 */
function checkNotCrossed(
  row: Pick<ConditionOrmEntity, 'kind' | 'stopPrice' | 'takeProfitPrice'> & { source?: string },
  observed: Decimal,
): void {
  const bracket = row.kind === 'bracket';
  if (row.stopPrice && observed.lte(row.stopPrice))
    invalid(
      bracket ? 'stopLoss.triggerPrice' : 'triggerPrice',
      `the price ${observed.toFixed()} is already at or below the stop ${row.stopPrice.toFixed()}; it would fire at once (allowImmediate: true to accept)`,
      'CONDITION.WOULD_FIRE_IMMEDIATELY',
    );
  if (row.takeProfitPrice && observed.gte(row.takeProfitPrice))
    invalid(
      bracket ? 'takeProfit.triggerPrice' : 'triggerPrice',
      `the price ${observed.toFixed()} is already at or above the take-profit ${row.takeProfitPrice.toFixed()}; it would fire at once (allowImmediate: true to accept)`,
      'CONDITION.WOULD_FIRE_IMMEDIATELY',
    );
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { GetPositionsQuery, type PositionsReport } from '@tradedesk/orders';
import { ConflictError, type Decimal, dec, NotFoundError, Outbox, UnitOfWork, ValidationError } from '@tradedesk/shared';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import {
  CONDITION_KINDS,
  type ConditionKind,
  type ConditionStatus,
  type DowntimePolicy,
  PRICE_SOURCES,
  type PriceSource,
  priceOf,
} from '../domain/condition.types.js';
import { isRecurring, parseWhen } from '../domain/when-tree.js';
import { ConditionTimelineOrmEntity } from '../infrastructure/persistence/condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
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
  stopLoss?: TriggerInput;
  takeProfit?: TriggerInput;
  amount?: string;
  trailPercent?: string;
  trailAmount?: string;
  expiresAt?: string;
  allowImmediate?: boolean;
}

const DECIMAL = /^(0|[1-9]\d{0,17})(\.\d{1,18})?$/;
const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{2,8}$/;

function invalid(field: string, message: string, code = 'CONDITION.INVALID'): never {
  throw new ValidationError(code, `${field}: ${message}`, { field });
}

function positive(value: unknown, field: string): Decimal {
  if (typeof value !== 'string' || !DECIMAL.test(value) || dec(value).lte(0)) invalid(field, 'must be a positive decimal string');
  return dec(value);
}

function percent(value: unknown, field: string): Decimal {
  const p = positive(value, field);
  if (p.gte(100)) invalid(field, 'must be below 100 (percent)');
  return p;
}

/** `all`, `N%` (0 < N ≤ 100) or a positive base amount. */
export function parseAmount(value: unknown, field = 'amount'): string {
  if (value === 'all') return 'all';
  if (typeof value === 'string' && value.endsWith('%')) {
    const p = positive(value.slice(0, -1), field);
    if (p.gt(100)) invalid(field, 'a percentage of the position must be at most 100%');
    return `${p.toFixed()}%`;
  }
  return positive(value, field).toFixed();
}

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
    const account = await this.gateways.describeAccount(input.accountId);
    const gateway = await this.gateways.forAccount(account.id);
    const source = (input.source ?? 'last') as PriceSource;
    if (!PRICE_SOURCES.includes(source)) invalid('source', `must be one of ${PRICE_SOURCES.join(', ')}`);
    const onDowntime = (input.onDowntime ?? 'fire') as DowntimePolicy;
    if (!['fire', 'skip', 'notify'].includes(onDowntime)) invalid('onDowntime', 'must be one of fire, skip, notify');
    let expiresAt: Date | null = null;
    if (input.expiresAt !== undefined) {
      expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) invalid('expiresAt', 'must be an ISO-8601 instant');
      if (expiresAt.getTime() <= now.getTime()) invalid('expiresAt', 'is before now', 'CONDITION.EXPIRY_IN_PAST');
    }
    const row: ConditionOrmEntity = Object.assign(new ConditionOrmEntity(), {
      id: randomUUID(),
      kind: input.kind,
      status: 'ARMED' as const,
      version: 1,
      accountId: account.id,
      exchange: account.exchange,
      symbol: null,
      watchAccountId: null,
      watchSymbol: null,
      source,
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

    let observed: Decimal | undefined;
    if (input.kind === 'conditional') {
      if (input.when === undefined) invalid('when', 'a conditional needs a when tree');
      parseWhen(input.when, now);
      row.whenTree = JSON.stringify(input.when);
      row.action = JSON.stringify(await this.checkAction(input, account.id));
    } else {
      if (typeof input.symbol !== 'string' || !SYMBOL.test(input.symbol)) invalid('symbol', 'must look like BTC/USDT or BTC/KRW');
      const market = await gateway.market(input.symbol);
      row.symbol = market.symbol;
      row.watchAccountId = account.id;
      row.watchSymbol = market.symbol;
      if (input.watch) {
        const accounts = await this.gateways.listAccounts();
        const watched = accounts.find((a) => a.exchange === input.watch!.exchange);
        if (!watched)
          throw new NotFoundError('ACCOUNT.NOT_FOUND', `watch.exchange: no account on ${String(input.watch.exchange)}`, {
            field: 'watch.exchange',
          });
        if (typeof input.watch.symbol !== 'string' || !SYMBOL.test(input.watch.symbol)) invalid('watch.symbol', 'must look like BTC/USDT');
        row.watchAccountId = watched.id;
        row.watchSymbol = (await (await this.gateways.forAccount(watched.id)).market(input.watch.symbol)).symbol;
      }
      row.amount = parseAmount(input.amount ?? 'all');
      const execution = input.execution ?? {};
      if (execution.type !== undefined && execution.type !== 'market' && execution.type !== 'limit')
        invalid('execution.type', 'must be market or limit');
      row.executionType = (execution.type ?? 'market') as 'market' | 'limit';
      if (execution.limitOffset !== undefined) {
        if (row.executionType !== 'limit') invalid('execution.limitOffset', 'only a limit execution takes an offset');
        row.limitOffset = percent(execution.limitOffset, 'execution.limitOffset');
      } else if (row.executionType === 'limit') row.limitOffset = dec(0);

      const position = await this.position(account.id, market.symbol);
      const entry = position?.averageEntry ? dec(position.averageEntry) : undefined;
      const resolve = (t: TriggerInput | undefined, prefix: string, direction: -1 | 1): Decimal => {
        const hasPrice = t?.triggerPrice !== undefined;
        const hasPercent = t?.triggerPercent !== undefined;
        if (hasPrice === hasPercent) invalid(`${prefix}triggerPrice`, 'give exactly one of triggerPrice or triggerPercent');
        if (hasPrice) return positive(t!.triggerPrice, `${prefix}triggerPrice`);
        const p = percent(t!.triggerPercent, `${prefix}triggerPercent`);
        if (!entry)
          invalid(`${prefix}triggerPercent`, 'there is no position with an average entry to take a percentage of', 'CONDITION.NO_POSITION');
        return entry.times(dec(100).plus(p.times(direction))).div(100);
      };
      switch (input.kind) {
        case 'stop_loss':
          row.stopPrice = resolve(input, '', -1);
          break;
        case 'take_profit':
          row.takeProfitPrice = resolve(input, '', 1);
          break;
        case 'bracket':
          if (!input.stopLoss) invalid('stopLoss', 'a bracket needs a stopLoss leg');
          if (!input.takeProfit) invalid('takeProfit', 'a bracket needs a takeProfit leg');
          row.stopPrice = resolve(input.stopLoss, 'stopLoss.', -1);
          row.takeProfitPrice = resolve(input.takeProfit, 'takeProfit.', 1);
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
      await this.checkAmount(row.amount, position, account.id, market.base);
      if (input.placement !== undefined && input.placement !== 'emulated') {
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
        if (source !== 'last')
          invalid(
            'placement',
            'the exchange triggers a native bracket on the last price: source must be last',
            'CONDITION.NATIVE_NOT_SUPPORTED',
          );
        if (row.amount.endsWith('%'))
          invalid('placement', 'a native bracket sells one fixed amount: give a base amount or "all"', 'CONDITION.NATIVE_NOT_SUPPORTED');
        if (row.amount === 'all') {
          // The list is one order of one amount: "all" is the position as it is now.
          const quantity = position ? dec(position.quantity) : dec(0);
          if (!quantity.gt(0)) invalid('amount', 'there is no position to sell all of', 'CONDITION.NO_POSITION');
          row.amount = quantity.toFixed();
        }
      }
      const ticker = await (await this.gateways.forAccount(row.watchAccountId)).fetchTicker(row.watchSymbol!);
      observed = priceOf(ticker, source);
      if (!input.allowImmediate) {
        const field = row.kind === 'bracket' ? 'stopLoss.triggerPrice' : 'triggerPrice';
        if (row.stopPrice && observed.lte(row.stopPrice))
          invalid(
            field,
            `the ${source} price ${observed.toFixed()} is already at or below the stop; it would fire at once (allowImmediate: true to accept)`,
            'CONDITION.WOULD_FIRE_IMMEDIATELY',
          );
        if (row.takeProfitPrice && observed.gte(row.takeProfitPrice))
          invalid(
            row.kind === 'bracket' ? 'takeProfit.triggerPrice' : 'triggerPrice',
            `the ${source} price ${observed.toFixed()} is already at or above the take-profit; it would fire at once (allowImmediate: true to accept)`,
            'CONDITION.WOULD_FIRE_IMMEDIATELY',
          );
      }
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
          details: { source, at: now.toISOString(), ...(row.placement === 'native' ? { placement: 'native', amount: row.amount } : {}) },
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

  private async position(accountId: string, symbol: string) {
    const report: PositionsReport = await this.queries.execute(new GetPositionsQuery({ accountId, symbol }));
    return report.positions.find((p) => p.accountId === accountId && p.symbol === symbol);
  }

  private async checkAmount(amount: string, position: { quantity: string } | undefined, accountId: string, base: string): Promise<void> {
    if (amount === 'all') return;
    let held = position ? dec(position.quantity) : dec(0);
    if (held.isZero()) {
      // No recorded position (e.g. coins deposited): the free balance is what could be sold.
      const balances = await (await this.gateways.forAccount(accountId)).fetchBalances();
      held = balances[base]?.free ?? dec(0);
    }
    if (amount.endsWith('%')) {
      if (held.isZero()) invalid('amount', 'there is no position to take a percentage of', 'CONDITION.NO_POSITION');
      return;
    }
    if (dec(amount).gt(held))
      invalid('amount', `${amount} is larger than the position (${held.toFixed()} ${base})`, 'CONDITION.AMOUNT_EXCEEDS_POSITION');
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
    const out: Record<string, string> = { symbol: (await (await this.gateways.forAccount(accountId)).market(symbol)).symbol, side, type };
    if (amount !== undefined) out.amount = positive(amount, 'then.order.amount').toFixed();
    if (cost !== undefined) out.cost = positive(cost, 'then.order.cost').toFixed();
    if (price !== undefined) out.price = positive(price, 'then.order.price').toFixed();
    if ((out.amount === undefined) === (out.cost === undefined)) invalid('then.order.amount', 'give exactly one of amount or cost');
    if (type === 'limit' && !out.price) invalid('then.order.price', 'a limit order needs a price');
    return out;
  }

  async get(id: string): Promise<ConditionView> {
    return this.uow.run(async ({ manager }) => {
      const row = await manager.findOne(ConditionOrmEntity, { where: { id } });
      if (!row) throw new NotFoundError('CONDITION.NOT_FOUND', `No condition ${id}`, { conditionId: id });
      const timeline = await manager.find(ConditionTimelineOrmEntity, { where: { conditionId: id }, order: { id: 'ASC' } });
      return toView(row, timeline);
    });
  }

  async list(filter: { accountId?: string; status?: ConditionStatus; symbol?: string; limit: number; offset: number }) {
    return this.uow.run(async ({ manager }) => {
      const where: { accountId?: string; status?: ConditionStatus; symbol?: string } = {};
      if (filter.accountId) where.accountId = filter.accountId;
      if (filter.status) where.status = filter.status;
      if (filter.symbol) where.symbol = filter.symbol;
      const [rows, total] = await manager.findAndCount(ConditionOrmEntity, {
        where,
        order: { createdAt: 'DESC', id: 'ASC' },
        take: filter.limit,
        skip: filter.offset,
      });
      return { items: rows.map((r) => toView(r)), total, limit: filter.limit, offset: filter.offset };
    });
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

  async resume(id: string): Promise<ConditionView> {
    const row = await this.load(id);
    this.refuseNative(row, 'resumed');
    if (row.status !== 'PAUSED')
      throw new ConflictError('CONDITION.NOT_PAUSED', `Condition ${id} is ${row.status}, not PAUSED`, { conditionId: id });
    return this.transition(row, ['PAUSED'], { status: 'ARMED' }, 'resumed', 'ARMED');
  }

  async adjust(id: string, input: AdjustConditionInput, now = new Date()): Promise<ConditionView> {
    const row = await this.load(id);
    this.refuseNative(row, 'adjusted');
    if (!ACTIVE.includes(row.status))
      throw new ConflictError('CONDITION.NOT_ADJUSTABLE', `Condition ${id} is ${row.status}`, { conditionId: id });
    if (row.kind === 'conditional') invalid('kind', 'a conditional cannot be adjusted; cancel it and arm a new one');
    const set: QueryDeepPartialEntity<ConditionOrmEntity> = {};
    const changes: Record<string, { from: string | null; to: string }> = {};
    const position =
      input.triggerPercent || input.stopLoss?.triggerPercent || input.takeProfit?.triggerPercent
        ? await this.position(row.accountId, row.symbol!)
        : undefined;
    const entry = position?.averageEntry ? dec(position.averageEntry) : undefined;
    const resolve = (t: TriggerInput, prefix: string, direction: -1 | 1): Decimal | undefined => {
      if (t.triggerPrice !== undefined) return positive(t.triggerPrice, `${prefix}triggerPrice`);
      if (t.triggerPercent === undefined) return undefined;
      const p = percent(t.triggerPercent, `${prefix}triggerPercent`);
      if (!entry) invalid(`${prefix}triggerPercent`, 'there is no position with an average entry', 'CONDITION.NO_POSITION');
      return entry.times(dec(100).plus(p.times(direction))).div(100);
    };
    let stop = row.stopPrice;
    let tp = row.takeProfitPrice;
    if (row.kind === 'stop_loss') stop = resolve(input, '', -1) ?? stop;
    if (row.kind === 'take_profit') tp = resolve(input, '', 1) ?? tp;
    if (row.kind === 'bracket') {
      if (input.stopLoss) stop = resolve(input.stopLoss, 'stopLoss.', -1) ?? stop;
      if (input.takeProfit) tp = resolve(input.takeProfit, 'takeProfit.', 1) ?? tp;
      if (stop && tp && stop.gte(tp))
        invalid('stopLoss.triggerPrice', 'the stop must be below the take-profit', 'CONDITION.BRACKET_INVERTED');
    }
    if (row.kind !== 'trailing_stop' && (input.trailPercent !== undefined || input.trailAmount !== undefined))
      invalid('trailPercent', 'only a trailing stop has a trail');
    if (input.trailPercent !== undefined) {
      set.trailPercent = percent(input.trailPercent, 'trailPercent');
      set.trailAmount = null;
      changes.trailPercent = { from: row.trailPercent?.toFixed() ?? null, to: input.trailPercent };
    }
    if (input.trailAmount !== undefined) {
      set.trailAmount = positive(input.trailAmount, 'trailAmount');
      set.trailPercent = null;
      changes.trailAmount = { from: row.trailAmount?.toFixed() ?? null, to: input.trailAmount };
    }
    if (stop && !stop.eq(row.stopPrice ?? -1)) {
      set.stopPrice = stop;
      changes.stopPrice = { from: row.stopPrice?.toFixed() ?? null, to: stop.toFixed() };
    }
    if (tp && !tp.eq(row.takeProfitPrice ?? -1)) {
      set.takeProfitPrice = tp;
      changes.takeProfitPrice = { from: row.takeProfitPrice?.toFixed() ?? null, to: tp.toFixed() };
    }
    if (input.amount !== undefined) {
      const amount = parseAmount(input.amount);
      const market = await (await this.gateways.forAccount(row.accountId)).market(row.symbol!);
      await this.checkAmount(amount, position ?? (await this.position(row.accountId, row.symbol!)), row.accountId, market.base);
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
      const ticker = await (await this.gateways.forAccount(row.watchAccountId!)).fetchTicker(row.watchSymbol!);
      const observed = priceOf(ticker, row.source);
      if (set.stopPrice && observed.lte(stop!))
        invalid(
          row.kind === 'bracket' ? 'stopLoss.triggerPrice' : 'triggerPrice',
          `the price ${observed.toFixed()} is already at or below the stop`,
          'CONDITION.WOULD_FIRE_IMMEDIATELY',
        );
      if (set.takeProfitPrice && observed.gte(tp!))
        invalid(
          row.kind === 'bracket' ? 'takeProfit.triggerPrice' : 'triggerPrice',
          `the price ${observed.toFixed()} is already at or above the take-profit`,
          'CONDITION.WOULD_FIRE_IMMEDIATELY',
        );
    }
    return this.transition(row, ACTIVE, set, 'adjusted', row.status, { changes });
  }
}

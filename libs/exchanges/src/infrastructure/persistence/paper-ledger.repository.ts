import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { byCodeUnits, type Decimal, ZERO } from '@tradedesk/shared';
import { DataSource, type EntityManager, In, MoreThanOrEqual } from 'typeorm';
import type { ExchangeId, ExchangeOrderStatus } from '../../domain/exchange-gateway.js';
import { accruedFee, type PaperOrder, type PaperTrade } from '../../domain/paper/paper-matching.js';
import { PaperWallet } from '../../domain/paper/paper-wallet.js';
import { PaperAccountOrmEntity } from './paper-account.orm-entity.js';
import { PaperBalanceOrmEntity } from './paper-balance.orm-entity.js';
import { PaperOrderOrmEntity } from './paper-order.orm-entity.js';
import { PaperTradeOrmEntity } from './paper-trade.orm-entity.js';

export type PaperOrderKey = { id: string; clientOrderId?: undefined } | { clientOrderId: string; id?: undefined };

/** Rows of the paper tables, mapped to and from the fill simulation's own types. */
@Injectable()
export class PaperLedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async createAccount(manager: EntityManager, accountId: string, exchange: ExchangeId, balances: Record<string, Decimal>): Promise<void> {
    const now = new Date();
    const startingBalances = Object.fromEntries(Object.entries(balances).map(([asset, amount]) => [asset, amount.toFixed()]));
    await manager.insert(PaperAccountOrmEntity, {
      accountId,
      exchange,
      startingBalances: JSON.stringify(startingBalances),
      createdAt: now,
    });
    const rows = Object.entries(balances).map(([asset, free]) => ({ accountId, asset, free, locked: ZERO, updatedAt: now }));
    if (rows.length > 0) await manager.insert(PaperBalanceOrmEntity, rows);
  }

  async deleteAccount(manager: EntityManager, accountId: string): Promise<void> {
    await manager.delete(PaperTradeOrmEntity, { accountId });
    await manager.delete(PaperOrderOrmEntity, { accountId });
    await manager.delete(PaperBalanceOrmEntity, { accountId });
    await manager.delete(PaperAccountOrmEntity, { accountId });
  }

  /** Locks the account for a change (row lock on PostgreSQL; SQLite writers are serialized); false when it has no paper side. */
  async lockAccount(manager: EntityManager, accountId: string): Promise<boolean> {
    const query = manager.createQueryBuilder(PaperAccountOrmEntity, 'a').where('a.accountId = :accountId', { accountId });
    if (manager.dataSource.options.type === 'postgres') query.setLock('pessimistic_write');
    return (await query.getOne()) !== null;
  }

  async startingBalances(accountId: string): Promise<Record<string, string> | undefined> {
    const row = await this.manager().findOneBy(PaperAccountOrmEntity, { accountId });
    return row ? (JSON.parse(row.startingBalances) as Record<string, string>) : undefined;
  }

  async wallet(accountId: string, manager?: EntityManager): Promise<PaperWallet> {
    const rows = await this.manager(manager).find(PaperBalanceOrmEntity, { where: { accountId }, order: { asset: 'ASC' } });
    return new PaperWallet(rows);
  }

  async saveWallet(manager: EntityManager, accountId: string, wallet: PaperWallet): Promise<void> {
    const now = new Date();
    const rows = wallet.changed().map((b) => ({ accountId, asset: b.asset, free: b.free, locked: b.locked, updatedAt: now }));
    if (rows.length > 0) await manager.save(PaperBalanceOrmEntity, rows);
  }

  /** The order with this exchange id, or the newest with this client order id. */
  async findOrder(accountId: string, key: PaperOrderKey, manager?: EntityManager): Promise<PaperOrderOrmEntity | null> {
    return this.manager(manager).findOne(PaperOrderOrmEntity, {
      where: key.id !== undefined ? { accountId, id: key.id } : { accountId, clientOrderId: key.clientOrderId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  async ordersWithClientOrderId(manager: EntityManager, accountId: string, clientOrderId: string): Promise<PaperOrderOrmEntity[]> {
    return manager.find(PaperOrderOrmEntity, { where: { accountId, clientOrderId } });
  }

  async openOrders(accountId: string, symbols?: string[], manager?: EntityManager): Promise<PaperOrderOrmEntity[]> {
    return this.manager(manager).find(PaperOrderOrmEntity, {
      where: { accountId, status: 'open', ...(symbols ? { symbol: In(symbols) } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Markets in which the account has resting orders: the only ones whose price a read must look at. */
  async restingSymbols(accountId: string): Promise<string[]> {
    const rows = await this.manager()
      .createQueryBuilder(PaperOrderOrmEntity, 'o')
      .select('DISTINCT o.symbol', 'symbol')
      .where('o.accountId = :accountId AND o.status = :status', { accountId, status: 'open' })
      .getRawMany<{ symbol: string }>();
    return rows.map((r) => r.symbol).sort(byCodeUnits);
  }

  async tradesOfOrders(orderIds: string[], manager?: EntityManager): Promise<Map<string, PaperTrade[]>> {
    const byOrder = new Map<string, PaperTrade[]>(orderIds.map((id) => [id, []]));
    // No order, no query (an empty IN list).
    const rows =
      orderIds.length === 0
        ? []
        : await this.manager(manager).find(PaperTradeOrmEntity, {
            where: { orderId: In(orderIds) },
            order: { executedAt: 'ASC', id: 'ASC' },
          });
    for (const row of rows) byOrder.get(row.orderId)?.push(toTrade(row));
    return byOrder;
  }

  async trades(accountId: string, symbol: string, since?: Date): Promise<PaperTrade[]> {
    const rows = await this.manager().find(PaperTradeOrmEntity, {
      where: { accountId, symbol, ...(since ? { executedAt: MoreThanOrEqual(since) } : {}) },
      order: { executedAt: 'ASC', id: 'ASC' },
    });
    return rows.map(toTrade);
  }

  async saveOrder(manager: EntityManager, accountId: string, order: PaperOrder, trades: PaperTrade[]): Promise<void> {
    const row = Object.assign(new PaperOrderOrmEntity(), {
      id: order.id,
      accountId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      status: order.status,
      amount: order.amount ?? null,
      price: order.price ?? null,
      requestedCost: order.requestedCost ?? null,
      filled: order.filled,
      cost: order.cost,
      fee: order.fee,
      feeCurrency: order.feeCurrency,
      reservedAsset: order.reservedAsset,
      reserved: order.reserved,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    });
    await manager.save(PaperOrderOrmEntity, row);
    if (trades.length > 0)
      await manager.insert(
        PaperTradeOrmEntity,
        trades.map((t) => ({ ...t, accountId })),
      );
  }
}

/** A stored order back as the simulation's state, with its fills (which rebuild its unrounded fee). */
export function toPaperOrder(row: PaperOrderOrmEntity, trades: PaperTrade[]): PaperOrder {
  const order: PaperOrder = {
    id: row.id,
    clientOrderId: row.clientOrderId,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    status: row.status as ExchangeOrderStatus,
    amount: row.amount ?? undefined,
    price: row.price ?? undefined,
    requestedCost: row.requestedCost ?? undefined,
    filled: row.filled,
    cost: row.cost,
    fee: row.fee,
    feeCurrency: row.feeCurrency,
    feeAccrued: row.fee,
    reservedAsset: row.reservedAsset,
    reserved: row.reserved,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  // Symbols are `BASE/QUOTE`: a fee in the base asset was charged on the amount, any other on the value.
  order.feeAccrued = accruedFee(order, row.symbol.split('/')[0], trades);
  return order;
}

function toTrade(row: PaperTradeOrmEntity): PaperTrade {
  return {
    id: row.id,
    orderId: row.orderId,
    symbol: row.symbol,
    side: row.side,
    price: row.price,
    amount: row.amount,
    fee: row.fee,
    feeCurrency: row.feeCurrency,
    feeRate: row.feeRate,
    maker: row.maker,
    executedAt: row.executedAt,
  };
}

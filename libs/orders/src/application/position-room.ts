import { type Decimal, dec, UnprocessableError, ZERO } from '@tradedesk/shared';
import { type EntityManager, In } from 'typeorm';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { PositionOrmEntity } from '../infrastructure/persistence/position.orm-entity.js';
import { type PositionKey } from '../infrastructure/persistence/position.repository.js';
import { TradeOrmEntity } from '../infrastructure/persistence/trade.orm-entity.js';

/** Sells that still take coins out of a position: the exchange may fill what they have not filled yet. */
const LIVE_STATUSES = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'UNKNOWN'] as const;

/** What closed a position (or holds all of it): the last sell order, and the condition that placed it if one did. */
export interface ClosedBy {
  orderId: string;
  conditionId?: string;
}

/** What an exit may still sell of a position: its quantity less the unfilled rest of its live sells. */
export interface ExitRoom {
  quantity: Decimal;
  committed: Decimal;
  available: Decimal;
}

/**
 * An exit found nothing left to sell: the position was sold (or is being sold) by another order.
 * Not a failure: the condition that wanted to sell ends CANCELLED "position closed".
 */
export class PositionClosedError extends UnprocessableError {
  constructor(
    key: PositionKey,
    readonly closedBy: ClosedBy | undefined,
    reason = 'position closed',
  ) {
    super('POSITION.CLOSED', `${reason}: nothing is left of the ${key.symbol} position to sell`, {
      accountId: key.accountId,
      symbol: key.symbol,
      reason,
      ...(closedBy ? { closedBy } : {}),
    });
  }

  get reason(): string {
    return this.details!.reason as string;
  }
}

/** A condition's orders carry the idempotency key `cond-<conditionId>-<firing>`. */
export function conditionOfKey(idempotencyKey: string | null): string | undefined {
  return /^cond-([0-9a-f-]{36})-\d+$/.exec(idempotencyKey ?? '')?.[1];
}

/**
 * The room an exit has, read inside the caller's transaction (after it locked the position, for a
 * figure no other writer can change before commit). A native list's two legs sell the same coins
 * once, so a list counts once.
 */
export async function exitRoom(manager: EntityManager, key: PositionKey, quantity?: Decimal): Promise<ExitRoom> {
  const held =
    quantity ??
    (await manager.findOne(PositionOrmEntity, { where: { accountId: key.accountId, symbol: key.symbol }, select: { quantity: true } }))
      ?.quantity ??
    ZERO;
  // Raw columns, no entities: a burst of exits reads hundreds of live sells per batch.
  const sells = await manager
    .createQueryBuilder(OrderOrmEntity, 'o')
    .select(['o.amount AS amount', 'o.filled AS filled', 'o.listClientOrderId AS list'])
    .where('o.accountId = :accountId AND o.symbol = :symbol AND o.side = :side', { ...key, side: 'sell' })
    .andWhere('o.status IN (:...live)', { live: [...LIVE_STATUSES] })
    .getRawMany<{ amount: string | null; filled: string; list: string | null }>();
  const byList = new Map<string, Decimal>();
  let committed = ZERO;
  for (const o of sells) {
    const rest = dec(o.amount ?? 0).minus(dec(o.filled));
    if (!rest.gt(0)) continue;
    if (o.list) {
      const other = byList.get(o.list);
      byList.set(o.list, other && other.gt(rest) ? other : rest);
    } else committed = committed.plus(rest);
  }
  for (const rest of byList.values()) committed = committed.plus(rest);
  const available = held.minus(committed);
  return { quantity: held, committed, available: available.gt(0) ? available : ZERO };
}

/** The order that sold the position last or holds what is left of it, for a "position closed" reason. */
export async function closedBy(manager: EntityManager, key: PositionKey): Promise<ClosedBy | undefined> {
  const live = await manager.findOne(OrderOrmEntity, {
    where: { accountId: key.accountId, symbol: key.symbol, side: 'sell', status: In([...LIVE_STATUSES]) },
    order: { createdAt: 'DESC' },
    select: { id: true, idempotencyKey: true },
  });
  let order = live;
  if (!order) {
    const trade = await manager.findOne(TradeOrmEntity, {
      where: { accountId: key.accountId, symbol: key.symbol, side: 'sell' },
      order: { recordedAt: 'DESC' },
      select: { orderId: true },
    });
    if (!trade) return undefined;
    order = await manager.findOne(OrderOrmEntity, { where: { id: trade.orderId }, select: { id: true, idempotencyKey: true } });
    if (!order) return { orderId: trade.orderId };
  }
  const conditionId = conditionOfKey(order.idempotencyKey);
  return { orderId: order.id, ...(conditionId ? { conditionId } : {}) };
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { type Decimal, UnitOfWork, ValidationError, ZERO } from '@tradedesk/shared';
import { Like } from 'typeorm';
import { PositionOrmEntity } from '../../infrastructure/persistence/position.orm-entity.js';
import { PositionRepository, positionKey } from '../../infrastructure/persistence/position.repository.js';

/** Coins held outside tradedesk (bought before, elsewhere, deposited) brought into a position. */
export class AdoptPositionCommand {
  constructor(
    readonly accountId: string,
    readonly symbol: string,
    readonly amount: Decimal,
    readonly averageEntry: Decimal,
  ) {}
}

export interface AdoptPositionResult {
  accountId: string;
  symbol: string;
  adopted: Decimal;
  quantity: Decimal;
}

/**
 * A position holds only what tradedesk bought, so that `all` never sells coins the user kept
 * apart. Adopting is how the user says otherwise: up to the free balance that no position of the
 * account already counts, at the average entry the user paid (it enters PnL and returns from then on).
 */
@CommandHandler(AdoptPositionCommand)
export class AdoptPositionHandler implements ICommandHandler<AdoptPositionCommand, AdoptPositionResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
  ) {}

  async execute({ accountId, symbol, amount, averageEntry }: AdoptPositionCommand): Promise<AdoptPositionResult> {
    const gateway = await this.gateways.forAccount(accountId);
    const market = await gateway.market(symbol);
    if (!amount.gt(0)) throw new ValidationError('REQUEST.VALIDATION_FAILED', 'amount: must be greater than 0', { field: 'amount' });
    if (!averageEntry.gt(0))
      throw new ValidationError('REQUEST.VALIDATION_FAILED', 'averageEntry: must be greater than 0', { field: 'averageEntry' });
    if (!amount.div(market.amountStep).isInteger())
      throw new ValidationError(
        'POSITION.ADOPT_AMOUNT_STEP',
        `amount: ${market.symbol} amounts go in steps of ${market.amountStep.toFixed()} ${market.base}`,
        { field: 'amount', step: market.amountStep.toFixed() },
      );
    await this.gateways.invalidateBalances(accountId);
    const balance = (await gateway.fetchBalances())[market.base];
    const free = balance?.free ?? ZERO;
    const total = balance?.total ?? ZERO;
    const key = { accountId, symbol: market.symbol };
    return this.uow.run(async (tx) => {
      const positions = await PositionRepository.lock(tx.manager, [key]);
      const held = positions.get(positionKey(key))!;
      // Every position of this account holding the same coin (BTC/USDT and BTC/FDUSD share the BTC).
      const sameBase = await tx.manager.find(PositionOrmEntity, { where: { accountId, symbol: Like(`${market.base}/%`) } });
      const inPositions = sameBase.reduce((sum, p) => sum.plus(p.quantity), ZERO);
      const outside = total.minus(inPositions);
      const room = outside.lt(free) ? outside : free;
      const adoptable = room.gt(0) ? room : ZERO;
      if (amount.gt(adoptable))
        throw new ValidationError(
          'POSITION.ADOPT_EXCEEDS_BALANCE',
          `amount: ${amount.toFixed()} ${market.base} is more than the ${adoptable.toFixed()} ${market.base} free on this account outside its positions`,
          {
            field: 'amount',
            adoptable: adoptable.toFixed(),
            free: free.toFixed(),
            inPositions: inPositions.toFixed(),
          },
        );
      held.book.adopt(amount, averageEntry);
      await PositionRepository.save(tx.manager, held, { cause: 'adopted' });
      await PositionRepository.appendEvent(tx.manager, key, 'adopted', {
        amount: amount.toFixed(),
        averageEntry: averageEntry.toFixed(),
        quantity: held.book.state().quantity.toFixed(),
      });
      return { accountId, symbol: market.symbol, adopted: amount, quantity: held.book.state().quantity };
    });
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { PositionUnprotectedEvent } from '../domain/condition.events.js';
import { ConditionEngine } from './condition-engine.js';

/** Ticks in a row without a market's price before the positions its stops protect are reported unprotected. */
export const UNPROTECTED_AFTER_TICKS = 5;

/**
 * Markets whose price could not be read, tick after tick. One market's failure never hides
 * another's (the scheduler reads the rest); after UNPROTECTED_AFTER_TICKS the protective conditions
 * watching it are reported once, as a PositionUnprotectedEvent, until the market is read again.
 */
@Injectable()
export class UnreadableMarkets {
  private readonly logger = new Logger(UnreadableMarkets.name);
  private readonly streaks = new Map<string, { ticks: number; since: Date; reported: boolean }>();

  constructor(
    private readonly engine: ConditionEngine,
    private readonly events: EventBus,
  ) {}

  unreadable(accountId: string, symbol: string, reason: string): void {
    const key = `${accountId} ${symbol}`;
    const streak = this.streaks.get(key) ?? { ticks: 0, since: new Date(), reported: false };
    streak.ticks++;
    this.streaks.set(key, streak);
    if (streak.ticks === 1) this.logger.warn(`market ${symbol} of account ${accountId} cannot be read: ${reason}`);
    if (streak.reported || streak.ticks < UNPROTECTED_AFTER_TICKS) return;
    const conditions = this.engine.protectiveWatching(accountId, symbol);
    if (conditions.length === 0) return;
    streak.reported = true;
    this.logger.error(
      `market ${symbol} of account ${accountId} unread for ${streak.ticks} ticks: ${conditions.length} protective condition(s) cannot fire (${reason})`,
    );
    this.events.publish(new PositionUnprotectedEvent(accountId, symbol, conditions, reason, streak.since));
  }

  read(accountId: string, symbol: string): void {
    const key = `${accountId} ${symbol}`;
    const streak = this.streaks.get(key);
    if (!streak) return;
    this.streaks.delete(key);
    this.logger.log(`market ${symbol} of account ${accountId} is read again after ${streak.ticks} tick(s)`);
  }

  /** A market nothing watches any more has no streak to keep. */
  forgetUnwatched(watched: Map<string, Set<string>>): void {
    for (const key of this.streaks.keys()) {
      const [accountId, symbol] = key.split(' ') as [string, string];
      if (!watched.get(accountId)?.has(symbol)) this.streaks.delete(key);
    }
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderTracker } from '../order-tracker.js';

/** Brings every live order up to date with its exchange now, instead of at the next poll. */
export class ReconcileOrdersCommand {}

@CommandHandler(ReconcileOrdersCommand)
export class ReconcileOrdersHandler implements ICommandHandler<ReconcileOrdersCommand, { checked: number }> {
  constructor(private readonly tracker: OrderTracker) {}

  async execute(): Promise<{ checked: number }> {
    return { checked: await this.tracker.pollNow(true) };
  }
}

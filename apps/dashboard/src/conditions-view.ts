// How a condition reads at a glance: the price that fires it and how far away that is.
import type { Condition } from './types';

export interface TriggerLine {
  role: 'stopLoss' | 'takeProfit' | 'trailing';
  price: string;
}

/** Every trigger price a condition is armed at (a bracket has two). */
export function triggerLines(condition: Condition): TriggerLine[] {
  const lines: TriggerLine[] = [];
  if (condition.kind === 'stop_loss' && condition.triggerPrice) lines.push({ role: 'stopLoss', price: condition.triggerPrice });
  if (condition.kind === 'take_profit' && condition.triggerPrice) lines.push({ role: 'takeProfit', price: condition.triggerPrice });
  if (condition.kind === 'trailing_stop' && (condition.currentTrigger ?? condition.triggerPrice))
    lines.push({ role: 'trailing', price: (condition.currentTrigger ?? condition.triggerPrice) as string });
  if (condition.kind === 'bracket') {
    if (condition.stopLoss?.triggerPrice && condition.stopLoss.status === 'ARMED')
      lines.push({ role: 'stopLoss', price: condition.stopLoss.triggerPrice });
    if (condition.takeProfit?.triggerPrice && condition.takeProfit.status === 'ARMED')
      lines.push({ role: 'takeProfit', price: condition.takeProfit.triggerPrice });
  }
  return lines;
}

/** (trigger − last) / last in percent, to 2 places, as a string; display only. */
export function distancePercent(trigger: string, last: string | undefined): string | null {
  if (!last || Number(last) === 0) return null;
  return (((Number(trigger) - Number(last)) / Number(last)) * 100).toFixed(2);
}

export function hasStop(condition: Condition): boolean {
  return condition.kind === 'stop_loss' || (condition.kind === 'bracket' && condition.stopLoss?.status === 'ARMED');
}

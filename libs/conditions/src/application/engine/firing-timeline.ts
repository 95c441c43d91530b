import type { PriceSource } from '../../domain/condition.types.js';
import type { TimelineEntry } from '../../domain/condition.js';
import type { BookHit } from '../../domain/trigger-book.js';
import type { Decimal } from '@tradedesk/shared';
import type { Held } from './engine-state.js';

export const FIRE_TOPIC = 'conditions.fire';

/** The idempotency key of a condition's order for one firing, numbered from 1 (a recurring rule or a re-placed exit fires again). */
export function firingKey(conditionId: string, firing: number): string {
  return `cond-${conditionId}-${firing}`;
}

/** The timeline of a firing: what was crossed (price, trigger, source), FIRING, and for a bracket its other leg cancelled. */
export function firingEntries(
  h: Pick<Held, 'kind' | 'onDowntime'>,
  crossing: { hit: BookHit | undefined; source: PriceSource; downtime: boolean },
  now: Date,
  cause: Record<string, unknown> = {},
  observedPrice?: Decimal,
): TimelineEntry[] {
  const { hit, source, downtime } = crossing;
  const leg = hit ? hit.leg : 'when';
  const common = { price: hit?.price ?? observedPrice ?? null, trigger: hit?.trigger ?? null, at: now };
  const details = { source, leg, ...cause, ...(downtime ? { crossedWhileDown: true, policy: h.onDowntime } : {}) };
  const entries: TimelineEntry[] = [
    { event: 'triggered', status: 'TRIGGERED', ...common, details },
    { event: 'firing', status: 'FIRING', ...common, details: { leg } },
  ];
  if (h.kind === 'bracket')
    entries.push({ event: 'leg-cancelled', status: 'FIRING', ...common, details: { leg: leg === 'stop' ? 'take_profit' : 'stop' } });
  return entries;
}

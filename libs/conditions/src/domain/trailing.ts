import { type Decimal, dec } from '@tradedesk/shared';

export interface TrailingSpec {
  trailPercent?: Decimal;
  trailAmount?: Decimal;
  activationPrice?: Decimal;
}

/** What a trailing stop remembers between observations; `highWaterMark` undefined = not activated. */
export interface TrailingState {
  highWaterMark?: Decimal;
}

export interface TrailingStep {
  state: TrailingState;
  /** The trigger after this observation (undefined while not activated). */
  trigger?: Decimal;
  fired: boolean;
  /** true when the high-water mark moved (to be persisted). */
  moved: boolean;
}

export function trailingTrigger(spec: TrailingSpec, highWaterMark: Decimal): Decimal {
  if (spec.trailAmount) return highWaterMark.minus(spec.trailAmount);
  return highWaterMark.times(dec(100).minus(spec.trailPercent ?? 0)).div(100);
}

/**
 * One observation of a trailing stop (trading-semantics.md): nothing trails before activation;
 * afterwards H only rises, trigger = H × (1 − trail%), fires at or below the trigger.
 */
export function observeTrailing(spec: TrailingSpec, state: TrailingState, price: Decimal): TrailingStep {
  let h = state.highWaterMark;
  let moved = false;
  if (!h) {
    if (spec.activationPrice && price.lt(spec.activationPrice)) return { state, fired: false, moved: false };
    h = price;
    moved = true;
  } else if (price.gt(h)) {
    h = price;
    moved = true;
  }
  const trigger = trailingTrigger(spec, h);
  return { state: { highWaterMark: h }, trigger, fired: price.lte(trigger), moved };
}

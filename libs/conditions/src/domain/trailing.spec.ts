import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { observeTrailing, type TrailingState } from './trailing.js';

function run(spec: Parameters<typeof observeTrailing>[0], prices: string[]) {
  let state: TrailingState = {};
  const steps = [];
  for (const p of prices) {
    const step = observeTrailing(spec, state, dec(p));
    state = step.state;
    steps.push(step);
  }
  return steps;
}

describe('trailing stop (trading-semantics.md)', () => {
  it('entry 100, trail 10%: 100 → 120 → 111 → 107.9 → H = 120, trigger 108, fires at 107.9', () => {
    const steps = run({ trailPercent: dec(10) }, ['100', '120', '111', '107.9']);
    expect(steps.map((s) => s.fired)).toEqual([false, false, false, true]);
    expect(steps[3].state.highWaterMark!.toFixed()).toBe('120');
    expect(steps[3].trigger!.toFixed()).toBe('108');
    expect(steps[1].moved).toBe(true);
    expect(steps[2].moved).toBe(false);
  });

  it('does not fire at 108.01 and fires exactly at 108', () => {
    expect(run({ trailPercent: dec(10) }, ['120', '108.01']).map((s) => s.fired)).toEqual([false, false]);
    expect(run({ trailPercent: dec(10) }, ['120', '108']).map((s) => s.fired)).toEqual([false, true]);
  });

  it('activation 115 never reached (100 → 112 → 100): never activated, never fires', () => {
    const steps = run({ trailPercent: dec(10), activationPrice: dec(115) }, ['100', '112', '100']);
    expect(steps.every((s) => !s.fired && s.trigger === undefined && s.state.highWaterMark === undefined)).toBe(true);
  });

  it('activation reached then falls through the trail', () => {
    const steps = run({ trailPercent: dec(10), activationPrice: dec(115) }, ['100', '116', '104.4']);
    expect(steps.map((s) => s.fired)).toEqual([false, false, true]);
  });

  it('trailAmount trails by an absolute distance and the trigger only moves up', () => {
    const steps = run({ trailAmount: dec(5) }, ['100', '110', '106', '105']);
    expect(steps.map((s) => s.trigger!.toFixed())).toEqual(['95', '105', '105', '105']);
    expect(steps.map((s) => s.fired)).toEqual([false, false, false, true]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestLane } from '../../domain/exchange-gateway.js';
import { RateGovernor } from './rate-governor.js';

describe('RateGovernor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const ok = () => Promise.resolve(Date.now());

  it('never lets more than its share of a limit through in any window', async () => {
    const sut = new RateGovernor({ weight: { limit: 10, windowMs: 1000 } }, { jitterMs: 0 });
    const starts: number[] = [];
    const calls = Array.from({ length: 40 }, () =>
      sut.run('order', { weight: 1 }, async () => {
        starts.push(Date.now());
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
    expect(starts).toHaveLength(40);
    // order lane: floor(10 × 0.9 × 0.9) = 8 per sliding second
    for (const t of starts) expect(starts.filter((s) => s > t - 1000 && s <= t).length).toBeLessThanOrEqual(8);
    expect(starts.at(-1)! - starts[0]).toBeGreaterThanOrEqual(4000);
  });

  it('serves a protective exit before queued market data', async () => {
    const sut = new RateGovernor(
      { requests: { limit: 4, windowMs: 1000 } },
      { safety: 1, jitterMs: 0, laneShare: { protective: 1, order: 1, 'market-data': 1 } },
    );
    const order: string[] = [];
    const track = (name: string, lane: RequestLane) =>
      sut.run(lane, { requests: 1 }, async () => {
        order.push(name);
      });
    const all = [
      track('md1', 'market-data'),
      track('md2', 'market-data'),
      track('md3', 'market-data'),
      track('md4', 'market-data'),
      track('md5', 'market-data'),
      track('md6', 'market-data'),
    ];
    all.push(track('stop', 'protective'), track('buy', 'order'));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(all);
    expect(order.slice(0, 4)).toEqual(['md1', 'md2', 'md3', 'md4']);
    expect(order[4]).toBe('stop');
    expect(order[5]).toBe('buy');
  });

  it('keeps the last part of a budget for orders and protective exits', async () => {
    const sut = new RateGovernor({ requests: { limit: 10, windowMs: 1000 } }, { safety: 1, jitterMs: 0 });
    let marketData = 0;
    const reads = Array.from({ length: 10 }, () =>
      sut.run('market-data', { requests: 1 }, async () => {
        marketData++;
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(marketData).toBe(7);
    const started = vi.fn();
    const stop = sut.run('protective', { requests: 1 }, async () => started());
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all([...reads, stop]);
    expect(marketData).toBe(10);
  });

  it('lets a lower lane through when the higher lane waits on another budget', async () => {
    const sut = new RateGovernor(
      { orders: { limit: 1, windowMs: 1000 }, weight: { limit: 100, windowMs: 1000 } },
      { safety: 1, jitterMs: 0 },
    );
    await sut.run('order', { orders: 1, weight: 1 }, ok);
    const order = sut.run('order', { orders: 1, weight: 1 }, ok);
    const read = vi.fn(async () => 'ticker');
    const readDone = sut.run('market-data', { quotation: 1 }, read);
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1000);
    await expect(order).resolves.toBeGreaterThanOrEqual(1_001_000);
    await readDone;
  });

  it('lets a price read pass protective exits that wait for the order budget, never an exit pass another', async () => {
    const sut = new RateGovernor(
      { orders: { limit: 2, windowMs: 10_000 }, weight: { limit: 100, windowMs: 60_000 } },
      { safety: 1, jitterMs: 0 },
    );
    const started: string[] = [];
    const track = (name: string, costs: Record<string, number>) =>
      sut.run('protective', costs, async () => {
        started.push(name);
      });
    const exits = Array.from({ length: 5 }, (_, i) => track(`exit${i}`, { orders: 1, weight: 1 }));
    const read = track('read', { weight: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['exit0', 'exit1', 'read']);
    await vi.advanceTimersByTimeAsync(30_000);
    await Promise.all([...exits, read]);
    expect(started).toEqual(['exit0', 'exit1', 'read', 'exit2', 'exit3', 'exit4']);
  });

  it('pauses every lane for a Retry-After and a budget for an exhausted window', async () => {
    const sut = new RateGovernor({ weight: { limit: 100, windowMs: 60_000 }, default: { limit: 30, windowMs: 1000 } });
    sut.pause(3000);
    const first = sut.run('protective', { weight: 1 }, ok);
    await vi.advanceTimersByTimeAsync(2999);
    expect(sut.snapshot().queued.protective).toBe(1);
    expect(sut.snapshot().pausedUntil).toBeInstanceOf(Date);
    await vi.advanceTimersByTimeAsync(1);
    await expect(first).resolves.toBe(1_003_000);
    sut.pauseBudget('default', 500);
    const second = sut.run('order', { default: 1 }, ok);
    await vi.advanceTimersByTimeAsync(500);
    await expect(second).resolves.toBe(1_003_500);
  });

  it('counts what the exchange reports as used and takes published limits', async () => {
    const sut = new RateGovernor(
      { weight: { limit: 100, windowMs: 60_000 } },
      { safety: 1, jitterMs: 0, laneShare: { protective: 1, order: 1, 'market-data': 1 } },
    );
    sut.observeUsed('weight', 95);
    sut.observeUsed('weight', 90);
    expect(sut.snapshot().budgets.weight.used).toBe(95);
    const started = vi.fn();
    const call = sut.run('order', { weight: 10 }, async () => started());
    await vi.advanceTimersByTimeAsync(59_998);
    expect(started).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2);
    await call;
    expect(started).toHaveBeenCalledOnce();
    sut.setLimit('weight', { limit: 6000, windowMs: 60_000 });
    sut.setLimit('orders', { limit: 50, windowMs: 10_000 });
    expect(sut.limitOf('orders')).toEqual({ limit: 50, windowMs: 10_000 });
    expect(sut.snapshot().budgets.weight.limit).toBe(6000);
  });

  it('passes a call failure to its caller and goes on', async () => {
    const sut = new RateGovernor({ weight: { limit: 10, windowMs: 1000 } });
    await expect(sut.run('order', { weight: 1 }, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(sut.run('order', { weight: 1 }, ok)).resolves.toBe(1_000_000);
  });

  it('sends one request at a time on an uncalibrated budget until the exchange tells the limit', async () => {
    const sut = new RateGovernor({ default: { limit: 30, windowMs: 1000, calibrate: true } }, { jitterMs: 0 });
    let release!: () => void;
    const first = sut.run('order', { default: 1 }, () => new Promise<void>((r) => (release = r)));
    const second = vi.fn(async () => undefined);
    const next = sut.run('order', { default: 1 }, second);
    await vi.advanceTimersByTimeAsync(100);
    expect(second).not.toHaveBeenCalled();
    expect(sut.isCalibrated('default')).toBe(false);
    sut.calibrate('default', 5);
    release();
    await Promise.all([first, next]);
    expect(second).toHaveBeenCalledOnce();
    expect(sut.limitOf('default')!.limit).toBe(5);
    expect(sut.isCalibrated('default')).toBe(true);
  });
});

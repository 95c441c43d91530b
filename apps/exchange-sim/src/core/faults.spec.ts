import { describe, expect, it } from 'vitest';
import { FaultBoard, validateFault } from './faults.js';

describe('fault injection rules', () => {
  it('validates fault specs', () => {
    expect(
      validateFault({ exchange: 'binance', endpoint: '/binance/api/v3/order', method: 'post', timeoutAfterExecute: '-1007', count: 1 }),
    ).toEqual({
      exchange: 'binance',
      endpoint: '/api/v3/order',
      method: 'POST',
      timeoutAfterExecute: '-1007',
      count: 1,
    });
    expect(() => validateFault(null)).toThrow(/object/);
    expect(() => validateFault({ exchange: 'kraken' })).toThrow(/exchange/);
    expect(() => validateFault({ endpoint: 'order' })).toThrow(/endpoint/);
    expect(() => validateFault({ status: 42 })).toThrow(/status/);
    expect(() => validateFault({ timeoutAfterExecute: 'later' })).toThrow(/timeoutAfterExecute/);
    expect(() => validateFault({ method: 1 })).toThrow(/method/);
  });

  it('matches by exchange, endpoint and method, samples rate429 with the seeded random, and expires after count', () => {
    const values = [0.1, 0.9];
    const board = new FaultBoard(() => values.shift() ?? 0.5);
    board.add({ exchange: 'upbit', rate429: 0.5 });
    board.add({ endpoint: '/api/v3/order', method: 'POST', latencyMs: 5, count: 1 });
    expect(board.decide('binance', 'GET', '/api/v3/ping')).toBeUndefined();
    expect(board.decide('upbit', 'GET', '/v1/ticker')).toMatchObject({ rate429: true });
    expect(board.decide('upbit', 'GET', '/v1/ticker')).toBeUndefined();
    expect(board.decide('binance', 'POST', '/api/v3/order')).toMatchObject({ latencyMs: 5, rate429: false });
    expect(board.decide('binance', 'POST', '/api/v3/order')).toBeUndefined();
    expect(board.list()).toHaveLength(1);
    board.clear();
    expect(board.list()).toEqual([]);
  });
});

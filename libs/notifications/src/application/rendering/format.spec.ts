import { describe, expect, it } from 'vitest';
import { backoffMs } from '../delivery/deliver-notification.js';
import { duration, money, moment, signedMoney } from './format.js';

describe('format', () => {
  it('KRW in whole won, USDT to 8 places without trailing zeros', () => {
    expect(money('1234567.5', 'KRW')).toBe('₩1,234,568');
    expect(money('-30685.4', 'KRW')).toBe('-₩30,685');
    expect(money('1234.50000000', 'USDT')).toBe('1,234.5 USDT');
    expect(money('0.123456789', 'USDT')).toBe('0.12345679 USDT');
    expect(signedMoney('12000', 'KRW')).toBe('+₩12,000');
  });

  it('times in Asia/Seoul (KST), in English or Korean', () => {
    expect(moment('2026-12-07T15:04:05.000Z', 'en', 'Asia/Seoul')).toBe('2026-12-08 00:04:05 KST');
    expect(moment('2026-12-07T15:04:05.000Z', 'ko', 'Asia/Seoul')).toBe('2026년 12월 8일 00:04:05 KST');
  });

  it('durations for people', () => {
    expect(duration(93784, 'en')).toBe('1d 2h 3m');
    expect(duration(65, 'ko')).toBe('1분 5초');
  });

  it('backoff doubles with jitter between half and one and a half of it, capped', () => {
    expect(backoffMs(1, 1000, () => 0)).toBe(500);
    expect(backoffMs(3, 1000, () => 0.5)).toBe(4000);
    expect(backoffMs(4, 1000, () => 0.999)).toBeLessThan(12_000);
    expect(backoffMs(40, 1000, () => 0.5)).toBe(600_000);
  });
});

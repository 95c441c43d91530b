import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorSpikeDetector, type SpikeChange } from './error-spike.js';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 7) + ms);

describe('ErrorSpikeDetector', () => {
  it('tells a spike once when the window reaches the threshold, and its end once the window holds under half', () => {
    const d = new ErrorSpikeDetector(5, 10);
    const changes: Array<SpikeChange | undefined> = [];
    for (let i = 0; i < 20; i++) changes.push(d.error(at(i * 100)));
    expect(changes.filter(Boolean)).toEqual([{ kind: 'detected', errors: 5, since: at(400) }]);
    expect(d.check(at(5_000))).toBeUndefined();
    expect(d.check(at(12_000))).toEqual({ kind: 'resolved', since: at(400), at: at(12_000), peak: 20 });
    expect(d.check(at(13_000))).toBeUndefined();
    expect(d.spiking).toBe(false);
  });

  it('errors spread thinner than the threshold per window are never a spike', () => {
    const d = new ErrorSpikeDetector(5, 10);
    for (let i = 0; i < 100; i++) expect(d.error(at(i * 2_500))).toBeUndefined();
  });

  it('a rate hovering around the threshold does not flap: any error sequence alternates detected/resolved, starting with detected', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 10 }), (gaps, threshold) => {
        const d = new ErrorSpikeDetector(threshold, 5);
        const kinds: string[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const change = d.error(at(now)) ?? d.check(at(now));
          if (change) kinds.push(change.kind);
        }
        kinds.forEach((kind, i) => expect(kind).toBe(i % 2 === 0 ? 'detected' : 'resolved'));
      }),
    );
  });
});

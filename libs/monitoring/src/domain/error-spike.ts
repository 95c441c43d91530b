/** What changed in the error rate: a spike began, or the one in progress ended. */
export type SpikeChange = { kind: 'detected'; errors: number; since: Date } | { kind: 'resolved'; since: Date; at: Date; peak: number };

/**
 * Watches the rate of errors: `threshold` errors within `windowSeconds` is a spike, told once; it
 * is resolved once the window holds fewer than half the threshold (a rate hovering at the
 * threshold does not flap), told once. Counts per second, so an error storm costs a bounded map.
 */
export class ErrorSpikeDetector {
  private readonly seconds = new Map<number, number>();
  private inWindow = 0;
  private spike: { since: Date; peak: number } | undefined;

  constructor(
    readonly threshold: number,
    readonly windowSeconds: number,
  ) {}

  get spiking(): boolean {
    return this.spike !== undefined;
  }

  /** An error logged just now (`at`); a change when it starts a spike. */
  error(at: Date): SpikeChange | undefined {
    this.slide(at);
    const second = Math.floor(at.getTime() / 1000);
    this.seconds.set(second, (this.seconds.get(second) ?? 0) + 1);
    this.inWindow++;
    if (this.spike) {
      this.spike.peak = Math.max(this.spike.peak, this.inWindow);
      return undefined;
    }
    if (this.inWindow < this.threshold) return undefined;
    this.spike = { since: at, peak: this.inWindow };
    return { kind: 'detected', errors: this.inWindow, since: at };
  }

  /** Called on a timer: a change when the spike in progress has subsided. */
  check(now = new Date()): SpikeChange | undefined {
    this.slide(now);
    if (!this.spike || this.inWindow * 2 >= this.threshold) return undefined;
    const { since, peak } = this.spike;
    this.spike = undefined;
    return { kind: 'resolved', since, at: now, peak };
  }

  private slide(now: Date): void {
    const oldest = Math.floor(now.getTime() / 1000) - this.windowSeconds;
    for (const [second, count] of this.seconds)
      if (second <= oldest) {
        this.seconds.delete(second);
        this.inWindow -= count;
      }
  }
}

import { Injectable } from '@nestjs/common';

/** Conditions waiting for their order's acknowledgement at most this long (a lookup that never ends is forgotten). */
const FORGET_AFTER_MS = 60 * 60_000;
const MAX_WAITING = 10_000;

/**
 * Trigger-to-acknowledgement: when a condition's trigger was seen crossed (ConditionTriggeredEvent's
 * `observedAt`) until the first acknowledgement by the exchange of the order it placed (accepted,
 * partly filled or filled). Held in memory: a restart between the two loses that one sample.
 */
@Injectable()
export class StopLatency {
  private readonly waiting = new Map<string, { observedAt: number; kind: string }>();

  triggered(conditionId: string, kind: string, observedAt: Date): void {
    if (this.waiting.size >= MAX_WAITING) this.forgetOld(Date.now());
    if (this.waiting.size >= MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value!);
    this.waiting.delete(conditionId);
    this.waiting.set(conditionId, { observedAt: observedAt.getTime(), kind });
  }

  /** The order of `conditionId` was acknowledged at `at`: the latency in seconds and the condition's kind, once. */
  acknowledged(conditionId: string, at: Date): { seconds: number; kind: string } | undefined {
    const waiting = this.waiting.get(conditionId);
    if (!waiting) return undefined;
    this.waiting.delete(conditionId);
    return { seconds: Math.max(0, at.getTime() - waiting.observedAt) / 1000, kind: waiting.kind };
  }

  get size(): number {
    return this.waiting.size;
  }

  private forgetOld(now: number): void {
    for (const [id, w] of this.waiting) if (now - w.observedAt > FORGET_AFTER_MS) this.waiting.delete(id);
  }
}

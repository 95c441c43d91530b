import type { ExchangeId } from './markets.js';

export type TimeoutAfterExecute = 'hang' | '-1007';

export interface FaultSpec {
  /** Limit to one exchange; both when absent. */
  exchange?: ExchangeId;
  /** Limit to one endpoint, as the exchange names it: `/api/v3/order`, `/v1/orders` (prefix-free). */
  endpoint?: string;
  /** Limit to one HTTP method. */
  method?: string;
  /** Delay before the request is handled (it still executes). */
  latencyMs?: number;
  /** Answer with this HTTP status (e.g. 503) without executing. */
  status?: number;
  /** Fraction of matching requests answered 429 without executing. */
  rate429?: number;
  /** Destroy the connection without an answer, before executing. */
  reset?: boolean;
  /** Execute, then never answer (`true`/'hang'), or — Binance only — answer -1007 (`'-1007'`). */
  timeoutAfterExecute?: boolean | TimeoutAfterExecute;
  /** How many matching requests the fault affects; unlimited when absent. */
  count?: number;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  applied: number;
}

export interface FaultDecision {
  latencyMs: number;
  reset: boolean;
  status?: number;
  rate429: boolean;
  timeoutAfterExecute?: TimeoutAfterExecute;
}

export function validateFault(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null) throw new Error('fault must be an object');
  const f = input as Record<string, unknown>;
  // Checked, and listed back, in this order: which requests, then what happens to them.
  const spec: FaultSpec = {
    ...requestsMatched(f),
    latencyMs: boundedNumber(f, 'latencyMs', 0, 600_000),
    status: boundedNumber(f, 'status', 100, 599),
    rate429: boundedNumber(f, 'rate429', 0, 1),
    count: boundedNumber(f, 'count', 1, Number.MAX_SAFE_INTEGER),
    ...failureModes(f),
  };
  for (const key of Object.keys(spec) as Array<keyof FaultSpec>) if (spec[key] === undefined) delete spec[key];
  return spec;
}

/** Which requests a fault applies to: exchange, endpoint (without the /binance or /upbit prefix) and method, each when given. */
function requestsMatched(f: Record<string, unknown>): Pick<FaultSpec, 'exchange' | 'endpoint' | 'method'> {
  const spec: Pick<FaultSpec, 'exchange' | 'endpoint' | 'method'> = {};
  if (f.exchange !== undefined) {
    if (f.exchange !== 'binance' && f.exchange !== 'upbit') throw new Error('exchange must be binance or upbit');
    spec.exchange = f.exchange;
  }
  if (f.endpoint !== undefined) {
    if (typeof f.endpoint !== 'string' || !f.endpoint.startsWith('/')) throw new Error('endpoint must be a path such as /api/v3/order');
    spec.endpoint = f.endpoint.replace(/^\/(binance|upbit)(?=\/)/, '');
  }
  if (f.method !== undefined) {
    if (typeof f.method !== 'string') throw new Error('method must be a string');
    spec.method = f.method.toUpperCase();
  }
  return spec;
}

function boundedNumber(f: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = f[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${key} must be a number in [${min}, ${max}]`);
  return v;
}

/** The failures that are not numbers: a reset connection, an answer lost after executing. */
function failureModes(f: Record<string, unknown>): Pick<FaultSpec, 'reset' | 'timeoutAfterExecute'> {
  const spec: Pick<FaultSpec, 'reset' | 'timeoutAfterExecute'> = {};
  if (f.reset !== undefined) spec.reset = f.reset === true;
  if (f.timeoutAfterExecute !== undefined) {
    const t = f.timeoutAfterExecute;
    if (t !== true && t !== false && t !== 'hang' && t !== '-1007') throw new Error("timeoutAfterExecute must be true, 'hang' or '-1007'");
    spec.timeoutAfterExecute = t;
  }
  return spec;
}

/** Injected failures, matched per request in the order they were added. */
export class FaultBoard {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = { ...spec, id: this.nextId++, applied: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  decide(exchange: ExchangeId, method: string, path: string): FaultDecision | undefined {
    if (this.faults.length === 0) return undefined;
    let decision: FaultDecision | undefined;
    for (const fault of this.faults) {
      if (!appliesTo(fault, exchange, method, path)) continue;
      const hit429 = fault.rate429 !== undefined && (fault.rate429 >= 1 || this.random() < fault.rate429);
      // A fault that only answers 429 does nothing to the requests its probability spares.
      if (onlyRate429(fault) && !hit429) continue;
      decision ??= { latencyMs: 0, reset: false, rate429: false };
      addEffects(decision, fault, hit429);
      fault.applied += 1;
    }
    this.faults = this.faults.filter((f) => f.count === undefined || f.applied < f.count);
    return decision;
  }
}

function appliesTo(fault: ActiveFault, exchange: ExchangeId, method: string, path: string): boolean {
  if (fault.exchange && fault.exchange !== exchange) return false;
  if (fault.endpoint && fault.endpoint !== path) return false;
  return !fault.method || fault.method === method;
}

function onlyRate429(fault: ActiveFault): boolean {
  return fault.latencyMs === undefined && !fault.reset && fault.status === undefined && !fault.timeoutAfterExecute;
}

/** Faults add up: latencies sum, the first status wins, a reset or a 429 from any of them holds, the last lost-answer mode wins. */
function addEffects(decision: FaultDecision, fault: ActiveFault, hit429: boolean): void {
  if (fault.latencyMs) decision.latencyMs += fault.latencyMs;
  if (fault.reset) decision.reset = true;
  if (fault.status !== undefined) decision.status ??= fault.status;
  if (hit429) decision.rate429 = true;
  if (fault.timeoutAfterExecute) decision.timeoutAfterExecute = fault.timeoutAfterExecute === '-1007' ? '-1007' : 'hang';
}

import { DomainEvent } from '@tradedesk/shared';

/** The errors that weigh most in a spike: the notification names them. */
export interface SpikeCulprit {
  fingerprint: string;
  context: string | null;
  pattern: string;
  count: number;
}

/** The process logged at least ERROR_SPIKE_THRESHOLD errors within ERROR_SPIKE_WINDOW_SECONDS: told once per spike. */
export class ErrorSpikeDetectedEvent extends DomainEvent {
  constructor(
    readonly errors: number,
    readonly windowSeconds: number,
    readonly threshold: number,
    readonly since: Date,
    readonly culprits: readonly SpikeCulprit[],
  ) {
    super();
  }
}

/** The spike told by ErrorSpikeDetectedEvent (same `since`) has subsided. */
export class ErrorSpikeResolvedEvent extends DomainEvent {
  constructor(
    readonly since: Date,
    readonly at: Date,
    /** The most errors the window held during the spike. */
    readonly peak: number,
  ) {
    super();
  }
}

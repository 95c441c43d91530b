/** What the incidents of one exchange venue decided: tell the user it is unavailable, or that it recovered. */
export type IncidentChange =
  | { kind: 'unavailable'; venue: string; since: Date; reason: string; failuresInARow: number }
  | { kind: 'recovered'; venue: string; since: Date; at: Date };

interface VenueState {
  failuresInARow: number;
  /** Set while an "unavailable" was told and its "recovered" not yet. */
  openSince?: Date;
  /** First success after the last failure of an open incident. */
  answeringSince?: Date;
}

/**
 * Turns a flapping exchange into one "unavailable" and one "recovered". An incident opens after
 * `threshold` failed calls in a row; it resolves only once the exchange has answered for
 * `cooldownMs` without a single failure, so an outage that comes and goes stays one incident.
 */
export class ExchangeIncidents {
  private readonly venues = new Map<string, VenueState>();

  /** An incident told before a restart is still open until the venue has answered for the cooldown. */
  restoreOpen(venue: string, since: Date): void {
    this.state(venue).openSince = since;
  }

  failed(venue: string, at: Date, reason: string, threshold: number): IncidentChange | undefined {
    const s = this.state(venue);
    s.failuresInARow += 1;
    s.answeringSince = undefined;
    if (s.openSince || s.failuresInARow < threshold) return undefined;
    s.openSince = at;
    return { kind: 'unavailable', venue, since: at, reason, failuresInARow: s.failuresInARow };
  }

  succeeded(venue: string, at: Date): void {
    const s = this.state(venue);
    s.failuresInARow = 0;
    if (s.openSince && !s.answeringSince) s.answeringSince = at;
  }

  /** Incidents whose venue has answered for `cooldownMs(venue)` by `now`: closed and reported. */
  resolve(now: Date, cooldownMs: (venue: string) => number): IncidentChange[] {
    const changes: IncidentChange[] = [];
    for (const [venue, s] of this.venues) {
      if (!s.openSince || !s.answeringSince || now.getTime() - s.answeringSince.getTime() < cooldownMs(venue)) continue;
      changes.push({ kind: 'recovered', venue, since: s.openSince, at: now });
      s.openSince = undefined;
      s.answeringSince = undefined;
    }
    return changes;
  }

  isOpen(venue: string): boolean {
    return this.venues.get(venue)?.openSince !== undefined;
  }

  private state(venue: string): VenueState {
    const known = this.venues.get(venue);
    if (known) return known;
    const fresh: VenueState = { failuresInARow: 0 };
    this.venues.set(venue, fresh);
    return fresh;
  }
}

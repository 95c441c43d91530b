import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

export interface HealthContributor {
  /** Key in the health report, e.g. `exchanges` or `reconciliation`. */
  name: string;
  /** Part of /api/health/ready (the app cannot serve without it) or only of /api/health. */
  readiness: boolean;
  /** Down makes the instance `degraded` (200), not in error: it serves everything without it (alert channels). */
  degradable?: boolean;
  check(): Promise<HealthIndicatorResult>;
}

/** Where contexts add their own health checks without the health controller knowing them. */
@Injectable()
export class HealthRegistry {
  private readonly contributors: HealthContributor[] = [];

  register(contributor: HealthContributor): void {
    this.contributors.push(contributor);
  }

  list(filter: { readiness?: boolean } = {}): HealthContributor[] {
    return this.contributors.filter((c) => filter.readiness === undefined || c.readiness === filter.readiness);
  }
}

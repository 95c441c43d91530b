import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  DiskHealthIndicator,
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthRegistry, Public, RequestContext, ResilientCache, ServerConfig } from '@tradedesk/shared';

const HEAP_LIMIT_BYTES = 1536 * 1024 * 1024;
const DISK_FULL_RATIO = 0.98;

/**
 * Components tradedesk serves every request without, only slower: their outage makes the
 * instance `degraded` (200), not unready — an orchestrator must not pull an instance that works.
 */
const DEGRADABLE = new Set(['cache']);

type ComponentReport = { status: string } & Record<string, unknown>;
interface HealthReport {
  status: 'ok' | 'degraded' | 'error';
  info: Record<string, ComponentReport>;
  error: Record<string, ComponentReport>;
  details: Record<string, ComponentReport>;
}

interface ReplyLike {
  status(code: number): unknown;
}

const example = {
  status: 'ok',
  info: { database: { status: 'up' }, cache: { status: 'up' } },
  error: {},
  details: { database: { status: 'up' }, cache: { status: 'up' } },
};
const degradedExample = {
  status: 'degraded',
  info: { database: { status: 'up' } },
  error: { cache: { status: 'down' } },
  details: { database: { status: 'up' }, cache: { status: 'down' } },
};

@ApiTags('health')
@ApiBearerAuth()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly cache: ResilientCache,
    private readonly registry: HealthRegistry,
    private readonly server: ServerConfig,
  ) {}

  // Probes are never throttled: an orchestrator sharing an address with a busy script must still see the process.
  @Public()
  @SkipThrottle()
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process runs and its event loop answers' })
  @ApiOkResponse({
    description: 'Always 200 while the process is alive',
    schema: { example: { status: 'ok', info: {}, error: {}, details: {} } },
  })
  live() {
    return this.health.check([]);
  }

  @Public()
  @SkipThrottle()
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: database, cache, disk space of DATA_DIR, heap, and start-up work such as order reconciliation',
    description:
      'Public, so it says only `up`/`down` per component (the authenticated `GET /api/health` has the details). ' +
      '`status` is `ok`, `degraded` (200: the cache is down and requests are served without it) or `error` (503).',
  })
  @ApiOkResponse({ description: 'Ready to serve (`ok`, or `degraded` while the cache is away)', schema: { example: degradedExample } })
  @ApiServiceUnavailableResponse({ description: 'A component it cannot serve without is down; `error` names it' })
  async ready(@Res({ passthrough: true }) reply: ReplyLike) {
    return this.answer(reply, await this.report([...this.platformChecks(), ...this.readinessChecks()]), false);
  }

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Full health: readiness plus every other component (exchange reachability and latency…), with the details of each',
  })
  @ApiOkResponse({ description: 'All components up, or only the cache down (`degraded`)', schema: { example } })
  @ApiServiceUnavailableResponse({ description: 'A component is down' })
  async full(@Res({ passthrough: true }) reply: ReplyLike) {
    return this.answer(reply, await this.report([...this.platformChecks(), ...this.contributedChecks()]), true);
  }

  private readinessChecks(): HealthIndicatorFunction[] {
    return this.contributedChecks({ readiness: true });
  }

  /** A contributor that throws (its own database read failed) is reported down by its name, not as the route's 500/503. */
  private contributedChecks(filter: { readiness?: boolean } = {}): HealthIndicatorFunction[] {
    return this.registry.list(filter).map((c) => async () => {
      try {
        return await c.check();
      } catch (error) {
        return { [c.name]: { status: 'down' as const, message: error instanceof Error ? error.message : String(error) } };
      }
    });
  }

  private degradable(name: string): boolean {
    return DEGRADABLE.has(name) || this.registry.list().some((c) => c.name === name && c.degradable === true);
  }

  private async report(checks: HealthIndicatorFunction[]): Promise<HealthReport> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    const details = (result.details ?? {}) as Record<string, ComponentReport>;
    const down = Object.keys(details).filter((name) => details[name].status !== 'up');
    return {
      status: down.length === 0 ? 'ok' : down.every((name) => this.degradable(name)) ? 'degraded' : 'error',
      info: pick(details, (c) => c.status === 'up'),
      error: pick(details, (c) => c.status !== 'up'),
      details,
    };
  }

  /**
   * Public answers keep only each component's status: messages carry internal addresses
   * (`connect ECONNREFUSED 127.0.0.1:5432`), paths and account labels. A 503 also carries the
   * api.md fields (`code`, `message`, `requestId`); `error` stays the map of failing components.
   */
  private answer(reply: ReplyLike, report: HealthReport, withDetails: boolean) {
    const strip = (components: Record<string, ComponentReport>) =>
      withDetails ? components : Object.fromEntries(Object.entries(components).map(([name, c]) => [name, { status: c.status }]));
    const body = { status: report.status, info: strip(report.info), error: strip(report.error), details: strip(report.details) };
    if (report.status !== 'error') return body;
    reply.status(503);
    return {
      statusCode: 503,
      code: 'HEALTH.DOWN',
      message: `down: ${Object.keys(report.error).join(', ')}`,
      requestId: RequestContext.correlationId() ?? 'unknown',
      ...body,
    };
  }

  private platformChecks(): HealthIndicatorFunction[] {
    return [
      () => this.db.pingCheck('database').withTimeout(1500),
      async () => {
        const session = this.indicator.check('cache');
        return (await this.cache.isReachable())
          ? session.up({ store: this.cache.kind })
          : session.down({ store: this.cache.kind, message: 'cache store does not answer; serving without cache' });
      },
      () => this.disk.checkStorage('disk', { path: this.server.dataDir, thresholdPercent: DISK_FULL_RATIO }),
      () => this.memory.checkHeap('heap', HEAP_LIMIT_BYTES),
    ];
  }
}

function pick(components: Record<string, ComponentReport>, keep: (c: ComponentReport) => boolean): Record<string, ComponentReport> {
  return Object.fromEntries(Object.entries(components).filter(([, c]) => keep(c)));
}

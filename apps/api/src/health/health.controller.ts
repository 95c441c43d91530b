import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  DiskHealthIndicator,
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorFunction,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthRegistry, Public, ResilientCache, ServerConfig } from '@tradedesk/shared';

const HEAP_LIMIT_BYTES = 1536 * 1024 * 1024;
const DISK_FULL_RATIO = 0.98;

const example = {
  status: 'ok',
  info: { database: { status: 'up' }, cache: { status: 'up', store: 'memory' } },
  error: {},
  details: { database: { status: 'up' }, cache: { status: 'up', store: 'memory' } },
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
  @ApiOperation({ summary: 'Readiness: database, cache, disk space of DATA_DIR, heap, and start-up work such as order reconciliation' })
  @ApiOkResponse({ description: 'Ready to serve', schema: { example } })
  @ApiServiceUnavailableResponse({ description: 'A component is down; `error` names it' })
  ready() {
    return this.health.check([...this.platformChecks(), ...this.registry.list({ readiness: true }).map((c) => () => c.check())]);
  }

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Full health: readiness plus every other component (exchange reachability and latency…)' })
  @ApiOkResponse({ description: 'All components up', schema: { example } })
  @ApiServiceUnavailableResponse({ description: 'A component is down' })
  full() {
    return this.health.check([...this.platformChecks(), ...this.registry.list().map((c) => () => c.check())]);
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

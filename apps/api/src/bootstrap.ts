import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { answerClientError, ApiAuthenticator, ApiTokenService, type AppConfig, createValidationPipe } from '@tradedesk/shared';
import { AppModule } from './app.module.js';
import { answerFrameworkError, CORS_OPTIONS, installJsonBodyParser, installRequestGuard } from './http/request-guards.js';
import { DashboardConfig, serveDashboard } from './http/dashboard.js';
import { setupSwagger } from './http/swagger.js';

export interface StartedApp {
  app: NestFastifyApplication;
  /** http://host:port of the API (the `/api` prefix is not included). */
  url: string;
  /** Set only on the very first start without API_TOKEN: the one time it is shown. */
  generatedToken?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The largest body the API reads (api.md); beyond it a 413 before the rest is read. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds, starts and listens: shared by `main.ts` and the e2e helpers so tests boot the real thing. */
export async function startApp(config: AppConfig, logger: LoggerService): Promise<StartedApp> {
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    clientErrorHandler: answerClientError,
    // Replaces the adapter's own, which only runs Nest's security hook (not used here) and sends Fastify's body.
    frameworkErrors: answerFrameworkError,
    // A caller's X-Request-Id is kept (so its logs and ours line up); otherwise we mint one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger,
    abortOnError: false,
    // installJsonBodyParser is the only body parser.
    bodyParser: false,
  });
  // Prometheus looks for /metrics by default: the one route outside /api.
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  if (config.server.corsOrigins.length > 0) app.enableCors({ origin: config.server.corsOrigins, ...CORS_OPTIONS });
  const fastify = app.getHttpAdapter().getInstance();
  installJsonBodyParser(fastify, BODY_LIMIT_BYTES);
  installRequestGuard(fastify, app.get(ApiAuthenticator));
  await app.register(helmet, {
    // Swagger UI runs inline scripts and styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  setupSwagger(app);
  await serveDashboard(app, config.get(DashboardConfig));
  await app.init();

  const generatedToken = await app.get(ApiTokenService).initialize();
  await app.listen({ port: config.server.port, host: config.server.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  new Logger('Bootstrap').log(
    `tradedesk listening on ${url} (database: ${config.database.kind}, cache: ${config.cache.redisUrl ? 'redis' : 'memory'})`,
  );
  return { app, url, generatedToken };
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EnvReader } from '@tradedesk/shared';

/** The repository (or installed package) root: the nearest folder up from here with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the built dashboard is served from (`npm run build` writes it). */
export class DashboardConfig {
  constructor(
    /** DASHBOARD_DIR: the folder holding the built index.html and assets/. */
    readonly dir: string,
  ) {}

  static fromEnv(env: EnvReader): DashboardConfig {
    return new DashboardConfig(env.path('DASHBOARD_DIR', join(packageRoot(), 'dist', 'dashboard')));
  }
}

// Vite names every asset by its content hash: a changed file is a new URL, so browsers may keep
// them for a year. index.html names the current assets, so it is revalidated on every load.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Serves the dashboard at `/` (the page) and `/assets/*` (its hashed bundles). The page routes by
 * hash (`/#/market`), so no other path needs a fallback. Without a build, `/` answers a JSON 404
 * that says how to build it.
 */
export async function serveDashboard(app: NestFastifyApplication, config: DashboardConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  if (!existsSync(join(config.dir, 'index.html'))) {
    fastify.get('/', (request, reply) => {
      void reply.status(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `The dashboard is not built (no index.html in ${config.dir}): run npm run build, or set DASHBOARD_DIR`,
        code: 'DASHBOARD.NOT_BUILT',
        requestId: request.id,
      });
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: config.dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (reply, path) => {
      void reply.header('cache-control', path.startsWith(join(config.dir, 'assets')) ? IMMUTABLE : REVALIDATE);
    },
  });
}

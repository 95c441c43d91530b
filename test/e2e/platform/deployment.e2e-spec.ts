import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
}

describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };

  it('composes the app with PostgreSQL and Redis, each health-checked, the app waiting for both', () => {
    const { app, postgres, redis } = compose.services;
    expect(app?.build).toBeDefined();
    expect(postgres?.image).toMatch(/^postgres:1[6-9]/);
    expect(redis?.image).toMatch(/^redis:7/);
    for (const service of [app, postgres, redis]) expect(service?.healthcheck?.test).toBeDefined();
    expect(app?.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(app?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(app?.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(JSON.stringify(app?.healthcheck?.test)).toContain('/api/health/ready');
  });

  it('starts the built entry point in the image', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toContain('CMD ["node", "dist/apps/api/src/main.js"]');
    expect(read('package.json')).toContain('node dist/apps/api/src/main.js');
  });

  it('documents in .env.example only variables the configuration reads', () => {
    // The platform's namespaces and every context's (`<context>.config.ts`).
    const namespaces = ['libs', 'apps'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => /(^|\/)(app-config|[a-z-]+\.config)\.ts$/.test(file))
        .map((file) => join(dir, file)),
    );
    expect(namespaces).toEqual(expect.arrayContaining(['libs/shared/src/config/app-config.ts', 'libs/exchanges/src/exchanges.config.ts']));
    const known = namespaces.map(read).join('\n');
    const documented = [...read('.env.example').matchAll(/^# ([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(15);
    for (const name of documented) expect(known, name).toMatch(new RegExp(`(env\\.${name}\\b|'${name}')`));
  });
});

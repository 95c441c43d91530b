import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

// Serving touches no table: one driver is enough here (the browser story runs on both).
describe('the dashboard served at /', () => {
  let built: TestApp;
  let unbuilt: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let missing: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    [dir, missing] = await Promise.all([tempDir(), tempDir()]);
    await mkdir(join(dir.path, 'assets'));
    await writeFile(
      join(dir.path, 'index.html'),
      '<!doctype html><title>tradedesk</title><script type="module" src="/assets/index-abc123.js"></script>',
    );
    await writeFile(join(dir.path, 'assets', 'index-abc123.js'), 'console.log("dashboard")');
    [built, unbuilt] = await Promise.all([
      bootTestApp({ database: 'sqlite', env: { DASHBOARD_DIR: dir.path } }),
      bootTestApp({ database: 'sqlite', env: { DASHBOARD_DIR: missing.path } }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([built?.close(), unbuilt?.close()]);
    await Promise.all([dir?.remove(), missing?.remove()]);
  });

  it('serves the page without a token, revalidated on every load', async () => {
    const page = await request(built.url).get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain('/assets/index-abc123.js');
    // The API's security headers apply to the page too.
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('lets browsers keep the content-hashed assets for a year', async () => {
    const asset = await request(built.url).get('/assets/index-abc123.js').expect(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps the API behind its token and unknown paths JSON 404s', async () => {
    await request(built.url).get('/api/positions').expect(401);
    const unknown = await request(built.url).get('/assets/nothing.js').expect(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, code: 'ROUTE.NOT_FOUND' });
  });

  it('says how to build it when there is no build', async () => {
    const res = await request(unbuilt.url).get('/').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'DASHBOARD.NOT_BUILT' });
    expect(res.body.message).toContain('npm run build');
    expect(res.body.requestId).toEqual(expect.any(String));
  });
});

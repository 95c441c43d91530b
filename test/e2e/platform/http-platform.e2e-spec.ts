import { TEST_DRIVERS } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

describe.each(TEST_DRIVERS)('HTTP platform on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ database: driver });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers liveness and readiness without a token', async () => {
    await request(t.url).get('/api/health/live').expect(200);
    // Ready once start-up work (order reconciliation) is done: a moment after listening.
    await expect.poll(async () => (await request(t.url).get('/api/health/ready')).status, { timeout: 15_000, interval: 50 }).toBe(200);
    const ready = await request(t.url).get('/api/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(Object.keys(ready.body.details)).toEqual(expect.arrayContaining(['database', 'cache', 'disk', 'heap']));
  });

  it('rejects the full health report without a token, with the api.md error body', async () => {
    const res = await request(t.url).get('/api/health').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'AUTH.MISSING_TOKEN' });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('rejects a wrong token and accepts the right one', async () => {
    const wrong = await request(t.url).get('/api/health').set('Authorization', 'Bearer not-the-token-at-all').expect(401);
    expect(wrong.body.code).toBe('AUTH.INVALID_TOKEN');
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-token-at-all');
    const ok = await request(t.url).get('/api/health').set('Authorization', t.auth).expect(200);
    expect(ok.body.details.database.status).toBe('up');
  });

  it('keeps a caller-supplied request id', async () => {
    const res = await request(t.url).get('/api/health/live').set('X-Request-Id', 'trace-abc.123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc.123');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(t.url).get('/api/no-such-route').set('Authorization', t.auth).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'ROUTE.NOT_FOUND' });
  });

  it('answers malformed JSON with a JSON 400 that says so', async () => {
    const res = await request(t.url)
      .post('/api/health')
      .set('Authorization', t.auth)
      .set('Content-Type', 'application/json')
      .send('{"a":')
      .expect(400);
    expect(res.body.code).toBe('REQUEST.MALFORMED_JSON');
  });

  it('serves the OpenAPI spec and the Swagger UI without a token', async () => {
    const spec = await request(t.url).get('/api/docs-json').expect(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toContain('/api/health/ready');
    expect(spec.body.components.securitySchemes).toBeDefined();
    const ui = await request(t.url).get('/api/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('declares the bearer token as the opaque `td_…` token it is, not a JWT', async () => {
    const spec = await request(t.url).get('/api/docs-json').expect(200);
    expect(spec.body.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
      description: expect.stringMatching(/opaque.*td_…/),
    });
  });

  it('sets security headers (helmet)', async () => {
    const res = await request(t.url).get('/api/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

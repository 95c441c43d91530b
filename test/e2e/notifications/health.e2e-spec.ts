import { freePort, SMTP_TEST_PASSWORD, TEST_DRIVERS } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

describe.each(TEST_DRIVERS)('alert channels in the health report on %s', (driver) => {
  let app: TestApp;

  beforeAll(async () => {
    // Nothing listens on these ports: both channels are down.
    const [smtpPort, hookPort] = [await freePort(), await freePort()];
    app = await bootTestApp({
      database: driver,
      env: {
        SMTP_URL: `smtp://alerts:${SMTP_TEST_PASSWORD}@127.0.0.1:${smtpPort}`,
        NOTIFY_EMAIL_TO: 'trader@example.com',
        NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/hook/secret-path`,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('SMTP and the webhook down: degraded (200), never an error, and ready', async () => {
    const health = await request(app.url).get('/api/health').set('Authorization', app.auth).expect(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.details.notifications).toMatchObject({
      status: 'down',
      email: { configured: true, reachable: false },
      webhook: { configured: true, reachable: false },
    });
    const text = JSON.stringify(health.body);
    expect(text).not.toContain(SMTP_TEST_PASSWORD);
    expect(text).not.toContain('secret-path');
    const ready = await request(app.url).get('/api/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
  });
});

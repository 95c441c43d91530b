/* eslint-disable @typescript-eslint/no-explicit-any */
import { AuditTrail } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../../support/sql-client.js';
import { BINANCE_ACCOUNT, type SimHarness, startSimHarness } from '../../support/sim-harness.js';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

// Issue 12: an audit log of sensitive actions, each entry written in the transaction of its action,
// readable at GET /api/audit (bearer, newest first, limit/offset).
describe.each(TEST_DRIVERS)('audit log (%s)', (database) => {
  let harness: SimHarness;
  let app: TestApp;

  beforeAll(async () => {
    harness = await startSimHarness();
    app = await bootTestApp({ database, env: { SIM: 'on', SIM_URL: harness.url } });
  });
  afterAll(async () => {
    await app?.close();
    await harness?.close();
  });

  const call = async (method: string, path: string, body?: unknown, auth = app.auth) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method,
      headers: { ...(auth ? { Authorization: auth } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, requestId: res.headers.get('x-request-id'), body: text ? JSON.parse(text) : undefined };
  };
  const newest = async () => (await call('GET', '/audit?limit=1')).body.items[0];

  it('records the sim accounts tradedesk created itself on its first start, as the system', async () => {
    const page = await call('GET', '/audit?action=account.created');
    expect(page.status).toBe(200);
    const seeded = page.body.items.filter((e: any) => e.actor === 'system');
    expect(seeded.map((e: any) => e.details.label).sort()).toEqual(['Binance (sim)', 'Upbit (sim)']);
    for (const entry of seeded) {
      expect(entry).toMatchObject({ action: 'account.created', subject: { type: 'account', id: expect.any(String) } });
      expect(entry.details).toMatchObject({ mode: 'sim', maskedKey: expect.stringMatching(/^\*{4}/) });
    }
  });

  it('records account creation, update and deletion with the request id and client, never the keys', async () => {
    const created = await call('POST', '/accounts', {
      exchange: 'binance',
      mode: 'sim',
      label: 'audited',
      apiKey: BINANCE_ACCOUNT.apiKey,
      secret: BINANCE_ACCOUNT.secret,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(await newest()).toMatchObject({
      action: 'account.created',
      actor: 'api',
      subject: { type: 'account', id },
      requestId: created.requestId,
      clientIp: '127.0.0.1',
      details: { exchange: 'binance', mode: 'sim', label: 'audited', maskedKey: created.body.apiKey },
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });

    const renamed = await call('PATCH', `/accounts/${id}`, {
      label: 'audited, renamed',
      apiKey: BINANCE_ACCOUNT.apiKey,
      secret: BINANCE_ACCOUNT.secret,
    });
    expect(renamed.status).toBe(200);
    expect(await newest()).toMatchObject({
      action: 'account.updated',
      subject: { type: 'account', id },
      requestId: renamed.requestId,
      details: {
        label: 'audited, renamed',
        changes: { label: { from: 'audited', to: 'audited, renamed' }, keys: { from: created.body.apiKey, to: created.body.apiKey } },
      },
    });

    const removed = await call('DELETE', `/accounts/${id}`);
    expect(removed.status).toBe(204);
    expect(await newest()).toMatchObject({
      action: 'account.deleted',
      subject: { type: 'account', id },
      requestId: removed.requestId,
      details: { exchange: 'binance', mode: 'sim', label: 'audited, renamed' },
    });

    const everything = await call('GET', '/audit?limit=500');
    expect(everything.text).not.toContain(BINANCE_ACCOUNT.secret);
    expect(everything.text).not.toContain(BINANCE_ACCOUNT.apiKey);
  });

  it('writes nothing for an action that was refused', async () => {
    const before = (await call('GET', '/audit')).body.total;
    const badKeys = await call('POST', '/accounts', {
      exchange: 'binance',
      mode: 'sim',
      label: 'x',
      apiKey: BINANCE_ACCOUNT.apiKey,
      secret: 'wrong',
    });
    expect(badKeys.status).toBe(422);
    const missing = await call('DELETE', '/accounts/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect((await call('GET', '/audit')).body.total).toBe(before);
  });

  it('rolls the action back when its entry cannot be written (one transaction)', async () => {
    const created = await call('POST', '/accounts', { exchange: 'upbit', mode: 'paper', label: 'kept as is' });
    expect(created.status).toBe(201);
    const sql = await sqlClient(app.databaseUrl);
    try {
      await sql.query('ALTER TABLE audit_log RENAME TO audit_log_hidden');
      const failed = await call('PATCH', `/accounts/${created.body.id}`, { label: 'never stored' });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      const deleted = await call('DELETE', `/accounts/${created.body.id}`);
      expect(deleted.status).toBeGreaterThanOrEqual(500);
    } finally {
      await sql.query('ALTER TABLE audit_log_hidden RENAME TO audit_log');
      await sql.close();
    }
    const account = await call('GET', `/accounts/${created.body.id}`);
    expect(account.status).toBe(200);
    expect(account.body.label).toBe('kept as is');
    expect((await call('DELETE', `/accounts/${created.body.id}`)).status).toBe(204);
  });

  it('pages newest first with limit and offset, filters by action and validates its query', async () => {
    const all = (await call('GET', '/audit?limit=500')).body;
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThanOrEqual(7);
    const ids = all.items.map((e: any) => e.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    const times = all.items.map((e: any) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));

    const second = await call('GET', '/audit?limit=2&offset=1');
    expect(second.body).toMatchObject({ total: all.total, limit: 2, offset: 1 });
    expect(second.body.items.map((e: any) => e.id)).toEqual(ids.slice(1, 3));
    const defaults = (await call('GET', '/audit')).body;
    expect(defaults).toMatchObject({ limit: 50, offset: 0 });

    const deletions = (await call('GET', '/audit?action=account.deleted')).body;
    expect(deletions.total).toBeGreaterThanOrEqual(2);
    expect(deletions.items.every((e: any) => e.action === 'account.deleted')).toBe(true);

    for (const query of ['limit=0', 'limit=501', 'offset=-1', 'limit=x', 'action=account.stolen']) {
      const res = await call('GET', `/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe('REQUEST.VALIDATION_FAILED');
    }
    const anonymous = await call('GET', '/audit', undefined, '');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('AUTH.MISSING_TOKEN');
  });

  it('redacts keys, secrets and tokens in details, whoever appends', async () => {
    await app.app.get(AuditTrail).append({
      action: 'account.updated',
      actor: 'system',
      details: { label: 'x', secret: 's3cr3t-value', nested: { apiKey: 'AKIA-looking-key', token: 'td_abc' } },
    });
    expect((await newest()).details).toEqual({ label: 'x', secret: '[REDACTED]', nested: { apiKey: '[REDACTED]', token: '[REDACTED]' } });
  });

  it('is documented in the OpenAPI spec with its query parameters', async () => {
    const spec = (await (await fetch(`${app.url}/api/docs-json`)).json()) as any;
    const operation = spec.paths['/api/audit']?.get;
    expect(operation).toBeDefined();
    expect(operation.parameters.map((p: any) => p.name).sort()).toEqual(['action', 'limit', 'offset']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
  });
});

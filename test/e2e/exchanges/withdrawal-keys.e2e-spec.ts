import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness } from '../../support/sim-harness.js';

const WITHDRAWING = { exchange: 'binance', apiKey: 'withdrawal-enabled-key-W1', secret: 'withdrawal-enabled-secret-0001' };
const TRADE_ONLY = { exchange: 'binance', apiKey: 'trade-only-key-T2', secret: 'trade-only-secret-0002' };

// Issue 12: keys that can withdraw are refused where the exchange reports permissions (Binance
// GET /sapi/v1/account/apiRestrictions, answered by the emulator over HTTP).
describe.each(TEST_DRIVERS)('exchange keys with withdrawal rights (%s)', (database) => {
  let harness: SimHarness;
  let app: TestApp;

  beforeAll(async () => {
    harness = await startSimHarness();
    await harness.control('POST', '/accounts', { ...WITHDRAWING, balances: { USDT: '100' }, enableWithdrawals: true });
    await harness.control('POST', '/accounts', { ...TRADE_ONLY, balances: { USDT: '100' } });
    app = await bootTestApp({ database, env: { SIM: 'on', SIM_URL: harness.url } });
  });
  afterAll(async () => {
    await app?.close();
    await harness?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method,
      headers: { Authorization: app.auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };
  const restrictionCalls = async () => {
    const { requests } = await harness.control<{ requests: Record<string, number> }>('GET', '/requests?exchange=binance');
    return Object.entries(requests)
      .filter(([route]) => route.includes('/sapi/v1/account/apiRestrictions'))
      .reduce((sum, [, n]) => sum + n, 0);
  };

  it('refuses a Binance key that can withdraw with 400 ACCOUNT.KEY_CAN_WITHDRAW naming apiKey, and stores nothing', async () => {
    const before = (await call('GET', '/accounts')).body.length;
    const calls = await restrictionCalls();
    const res = await call('POST', '/accounts', { ...WITHDRAWING, mode: 'sim', label: 'can withdraw' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      code: 'ACCOUNT.KEY_CAN_WITHDRAW',
      details: { field: 'apiKey' },
      requestId: expect.any(String),
    });
    expect(res.body.message).toMatch(/^apiKey: this Binance API key has withdrawals enabled/);
    expect(res.body.message).toMatch(/trade-only key/);
    expect(res.body.message).toMatch(/"allowWithdrawalKeys": true/);
    expect(res.text).not.toContain(WITHDRAWING.secret);
    expect(res.text).not.toContain(WITHDRAWING.apiKey);
    expect(await restrictionCalls()).toBe(calls + 1);
    expect((await call('GET', '/accounts')).body).toHaveLength(before);
  });

  it('stores it when the request says allowWithdrawalKeys: true', async () => {
    const res = await call('POST', '/accounts', { ...WITHDRAWING, mode: 'sim', label: 'withdrawals allowed', allowWithdrawalKeys: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ exchange: 'binance', mode: 'sim', label: 'withdrawals allowed' });
    expect((await call('GET', `/accounts/${res.body.id}/balances`)).status).toBe(200);
    expect((await call('DELETE', `/accounts/${res.body.id}`)).status).toBe(204);
  });

  it('checks a trade-only key and stores it', async () => {
    const calls = await restrictionCalls();
    const res = await call('POST', '/accounts', { ...TRADE_ONLY, mode: 'sim', label: 'trade only' });
    expect(res.status).toBe(201);
    expect(await restrictionCalls()).toBe(calls + 1);
    expect((await call('DELETE', `/accounts/${res.body.id}`)).status).toBe(204);
  });

  it('checks replacement keys too: a key that can withdraw is refused and the old keys stay', async () => {
    const created = await call('POST', '/accounts', { ...TRADE_ONLY, mode: 'sim', label: 'rotating keys' });
    expect(created.status).toBe(201);
    const refused = await call('PATCH', `/accounts/${created.body.id}`, { apiKey: WITHDRAWING.apiKey, secret: WITHDRAWING.secret });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'ACCOUNT.KEY_CAN_WITHDRAW', details: { field: 'apiKey' } });
    const unchanged = await call('GET', `/accounts/${created.body.id}`);
    expect(unchanged.body.apiKey).toBe(created.body.apiKey);
    expect(unchanged.body.updatedAt).toBe(created.body.updatedAt);

    const allowed = await call('PATCH', `/accounts/${created.body.id}`, {
      apiKey: WITHDRAWING.apiKey,
      secret: WITHDRAWING.secret,
      allowWithdrawalKeys: true,
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.apiKey).not.toBe(created.body.apiKey);

    const alone = await call('PATCH', `/accounts/${created.body.id}`, { label: 'x', allowWithdrawalKeys: true });
    expect(alone.status).toBe(400);
    expect(alone.body).toMatchObject({ code: 'ACCOUNT.FIELD_NOT_APPLICABLE', details: { field: 'allowWithdrawalKeys' } });
    expect((await call('DELETE', `/accounts/${created.body.id}`)).status).toBe(204);
  });

  it('refuses allowWithdrawalKeys where nothing can be checked (Upbit reports no permissions, paper has no keys)', async () => {
    const before = (await call('GET', '/accounts')).body.length;
    const upbit = await call('POST', '/accounts', {
      exchange: 'upbit',
      mode: 'sim',
      label: 'upbit',
      apiKey: 'whatever-access',
      secret: 'whatever-secret',
      allowWithdrawalKeys: true,
    });
    expect(upbit.status).toBe(400);
    expect(upbit.body).toMatchObject({ code: 'ACCOUNT.FIELD_NOT_APPLICABLE', details: { field: 'allowWithdrawalKeys' } });
    expect(upbit.body.message).toMatch(/Upbit's API does not report what a key may do/);
    const paper = await call('POST', '/accounts', { exchange: 'binance', mode: 'paper', label: 'paper', allowWithdrawalKeys: false });
    expect(paper.status).toBe(400);
    expect(paper.body.code).toBe('ACCOUNT.FIELD_NOT_APPLICABLE');
    const notBoolean = await call('POST', '/accounts', { ...TRADE_ONLY, mode: 'sim', label: 'x', allowWithdrawalKeys: 'yes' });
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.text).toContain('allowWithdrawalKeys');
    expect((await call('GET', '/accounts')).body).toHaveLength(before);
  });
});

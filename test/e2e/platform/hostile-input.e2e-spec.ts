/* eslint-disable @typescript-eslint/no-explicit-any */
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConnection, rawRequest } from '../../support/raw-http.js';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness } from '../../support/sim-harness.js';

/** The api.md error body, with the request id the response header carries. */
function expectErrorBody(body: any, status: number, code: string, requestIdHeader?: string): void {
  expect(body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String), code });
  expect(body.requestId).toEqual(expect.any(String));
  if (requestIdHeader !== undefined) expect(body.requestId).toBe(requestIdHeader);
}

function nestedArrays(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function nestedWhen(depth: number): unknown {
  let node: unknown = { price: { exchange: 'binance', symbol: 'BTC/USDT', source: 'last', op: '<=', value: '1' } };
  for (let level = 0; level < depth; level++) node = { all: [node] };
  return node;
}

describe.each(TEST_DRIVERS)('hostile input over HTTP (%s)', (database) => {
  let harness: SimHarness;
  let t: TestApp;
  beforeAll(async () => {
    harness = await startSimHarness();
    t = await bootTestApp({ database, env: { SIM: 'on', SIM_URL: harness.url } });
  });
  afterAll(async () => {
    await t?.close();
    await harness?.close();
  });

  const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/api${path}`, {
      method,
      headers: { Authorization: t.auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  };
  const simAccount = async (exchange: string) =>
    ((await send('GET', '/accounts')).body as any[]).find((a) => a.exchange === exchange && a.mode === 'sim');

  it('refuses JSON nested deeper than the documented limit with 400 REQUEST.TOO_DEEP (not a 500 from a stack overflow)', async () => {
    const arrays = await send('POST', '/orders', nestedArrays(1314));
    expect(arrays.status).toBe(400);
    expectErrorBody(arrays.body, 400, 'REQUEST.TOO_DEEP', arrays.headers.get('x-request-id')!);
    expect(arrays.body.message).toMatch(/32/);

    const objects = await send('PATCH', `/accounts/${(await simAccount('binance')).id}`, '{"label":'.repeat(40) + '"x"' + '}'.repeat(40));
    expect(objects.status).toBe(400);
    expect(objects.body.code).toBe('REQUEST.TOO_DEEP');

    const account = await simAccount('binance');
    const deepWhen = await send(
      'POST',
      '/conditions',
      JSON.stringify({ kind: 'conditional', accountId: account.id, when: nestedWhen(843), then: { order: { symbol: 'BTC/USDT' } } }),
    );
    expect(deepWhen.status).toBe(400);
    expect(deepWhen.body.code).toBe('REQUEST.TOO_DEEP');
  });

  it('parses a body at the depth limit normally (the limit counts containers, 32 deep is allowed)', async () => {
    // 31 arrays inside the body object: 32 levels. Validation, not the depth guard, answers.
    const res = await send('POST', '/orders', `{"accountId":${nestedArrays(31)}}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
  });

  it('answers an unauthenticated body with 401 before reading it', async () => {
    // Announce 1 MB, send 1 KB and wait: a server that reads (and parses) before checking the
    // token cannot answer until the rest arrives, which never happens.
    const chunk = '['.repeat(1024);
    const res = await rawRequest(
      t.url,
      `POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n`,
      chunk,
    );
    expect(res.status).toBe(401);
    expectErrorBody(JSON.parse(res.body), 401, 'AUTH.MISSING_TOKEN', res.headers['x-request-id']);
  });

  it('hangs up on an unauthenticated request whose large body is still coming, instead of reading it to drop it', async () => {
    // 20 clients sending 1 MB without a token kept the event loop reading bodies it had refused
    // (bench/hostile-bodies: health probe p99 242 ms); now the 401 says Connection: close and the
    // socket ends, with 1 KB of the announced 1 MB sent and the client still holding the rest.
    const connection = await rawConnection(t.url);
    try {
      connection.write(
        `POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n`,
      );
      connection.write('['.repeat(1024));
      const res = await connection.response();
      expect(res.status).toBe(401);
      expect(res.headers.connection).toBe('close');
      expectErrorBody(JSON.parse(res.body), 401, 'AUTH.MISSING_TOKEN', res.headers['x-request-id']);
      expect(await connection.closedByServer(5000)).toBe(true);
    } finally {
      connection.destroy();
    }
    // Chunked bodies have no announced size: the same.
    const chunked = await rawConnection(t.url);
    try {
      chunked.write(`POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      chunked.write(`400\r\n${'['.repeat(1024)}\r\n`);
      const res = await chunked.response();
      expect(res.status).toBe(401);
      expect(res.headers.connection).toBe('close');
      expect(await chunked.closedByServer(5000)).toBe(true);
    } finally {
      chunked.destroy();
    }
  });

  it('keeps the connection of a refused request with a small body, so a client with a wrong token reads its 401 and goes on', async () => {
    const connection = await rawConnection(t.url);
    try {
      const body = '{"accountId":"x"}';
      connection.write(
        `POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong-token-0000000000\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      const refused = await connection.response();
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body).code).toBe('AUTH.INVALID_TOKEN');
      expect(refused.headers.connection).not.toBe('close');
      connection.write(`GET /api/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect((await connection.response()).status).toBe(200);
    } finally {
      connection.destroy();
    }
  });

  it('refuses __proto__ and constructor keys with their own message, however they are spelled', async () => {
    for (const body of [
      '{"label":"x","__proto__":{"polluted":true}}',
      '{"label":"x","nested":{"\\u005f_proto__":{"polluted":true}}}',
      '{"label":"x","constructor":{"prototype":{"polluted":true}}}',
    ]) {
      const res = await send('PATCH', `/accounts/${(await simAccount('upbit')).id}`, body);
      expect(res.status, body).toBe(400);
      expectErrorBody(res.body, 400, 'REQUEST.FORBIDDEN_KEY');
      expect(res.body.message).toMatch(/__proto__|constructor/);
      expect(res.body.message).not.toMatch(/not valid JSON/i);
    }
    expect(({} as any).polluted).toBeUndefined();
  });

  it('refuses control characters in text fields and stores nothing', async () => {
    const account = await simAccount('binance');
    for (const label of ['nul\u0000byte', 'bell\u0007', 'line\nbreak', 'tab\tbed', 'del\u007f']) {
      const res = await send('PATCH', `/accounts/${account.id}`, JSON.stringify({ label }));
      expect(res.status, JSON.stringify(label)).toBe(400);
      expectErrorBody(res.body, 400, /[\n\t]/.test(label) ? 'REQUEST.VALIDATION_FAILED' : 'REQUEST.CONTROL_CHARACTER');
      expect(res.body.message).toContain('label');
    }
    const create = await send(
      'POST',
      '/accounts',
      JSON.stringify({ exchange: 'binance', mode: 'sim', label: 'a\u0000b', apiKey: 'k', secret: 's' }),
    );
    expect(create.status).toBe(400);
    expect(create.body.code).toBe('REQUEST.CONTROL_CHARACTER');
    const query = await send('GET', '/orders?symbol=BTC%00/USDT');
    expect(query.status).toBe(400);
    expect(query.body.code).toBe('REQUEST.CONTROL_CHARACTER');
    expect((await simAccount('binance')).label).toBe(account.label);
  });

  it('refuses unknown fields, naming them', async () => {
    const account = await simAccount('binance');
    const res = await send('PATCH', `/accounts/${account.id}`, JSON.stringify({ label: 'ok', colour: 'red' }));
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 400, 'REQUEST.VALIDATION_FAILED');
    expect(res.body.message).toContain('colour');
  });

  it('answers the HTTP server’s own refusals (431, 413, 415) with the api.md error body', async () => {
    const symbols = Array.from({ length: 2000 }, (_, i) => `C${i}/USDT`).join(',');
    const longUrl = await rawRequest(
      t.url,
      `GET /api/tickers?symbols=${encodeURIComponent(symbols)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.auth}\r\n\r\n`,
    );
    expect(longUrl.status).toBe(431);
    expect(longUrl.headers['content-type']).toMatch(/application\/json/);
    expectErrorBody(JSON.parse(longUrl.body), 431, 'REQUEST.HEADERS_TOO_LARGE', longUrl.headers['x-request-id']);

    const big = await send('POST', '/orders', JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
    expectErrorBody(big.body, 413, 'REQUEST.TOO_LARGE', big.headers.get('x-request-id')!);

    const text = await send('POST', '/orders', 'side=buy', { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expectErrorBody(text.body, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', text.headers.get('x-request-id')!);

    const form = await send('POST', '/orders', 'side=buy', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');

    const badRequestLine = await rawRequest(t.url, `GET /api/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n`);
    expect(badRequestLine.status).toBe(400);
    expectErrorBody(JSON.parse(badRequestLine.body), 400, 'REQUEST.MALFORMED_HTTP', badRequestLine.headers['x-request-id']);
  });

  it('answers a path parameter over the router’s limit (414) and a malformed URL (400) with the api.md body', async () => {
    const long = await send('POST', `/conditions/${'x'.repeat(150)}/pause`);
    expect(long.status).toBe(414);
    expectErrorBody(long.body, 414, 'REQUEST.URI_TOO_LONG', long.headers.get('x-request-id')!);
    const malformed = await rawRequest(
      t.url,
      `DELETE /api/orders/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.auth}\r\n\r\n`,
    );
    expect(malformed.status).toBe(400);
    expectErrorBody(JSON.parse(malformed.body), 400, 'REQUEST.MALFORMED_URL', malformed.headers['x-request-id']);
  });

  it('answers a body that is not an object where an object is expected with a 400', async () => {
    const account = await simAccount('binance');
    for (const body of ['[]', '"label"', '42', 'null', '[{"label":"x"}]']) {
      const res = await send('PATCH', `/accounts/${account.id}`, body);
      expect(res.status, body).toBe(400);
      expectErrorBody(res.body, 400, expect.any(String));
    }
  });
});

describe('throttling and CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({
      database: 'sqlite',
      env: { THROTTLE_PER_MINUTE: '12' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts requests per client across routes, as documented, and answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 7; n++) statuses.push((await fetch(`${t.url}/api/exchanges`, { headers: { Authorization: t.auth } })).status);
    for (let n = 0; n < 7; n++) statuses.push((await fetch(`${t.url}/api/accounts`, { headers: { Authorization: t.auth } })).status);
    expect(statuses.slice(0, 12).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(12)).toEqual([429, 429]);
    const limited = await fetch(`${t.url}/api/orders`, { headers: { Authorization: t.auth } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expectErrorBody(await limited.json(), 429, 'REQUEST.RATE_LIMITED');
    // Probes are not throttled: an orchestrator on the same address must still see the process.
    expect((await fetch(`${t.url}/api/health/live`)).status).toBe(200);
  });
});

describe('failed authentication limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ database: 'sqlite', env: { AUTH_FAILURES_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 AUTH.TOO_MANY_FAILURES after the allowed failures, to the right token too, while other routes stay open', async () => {
    const wrong = { Authorization: 'Bearer wrong-token-wrong-token' };
    for (let n = 0; n < 5; n++) expect((await fetch(`${t.url}/api/accounts`, { headers: wrong })).status).toBe(401);
    const blocked = await fetch(`${t.url}/api/accounts`, { headers: wrong });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expectErrorBody(await blocked.json(), 429, 'AUTH.TOO_MANY_FAILURES', blocked.headers.get('x-request-id')!);
    // A guess that happens to be right gets no answer about it while the client is blocked.
    expect((await fetch(`${t.url}/api/accounts`, { headers: { Authorization: t.auth } })).status).toBe(429);
    expect((await fetch(`${t.url}/api/health/live`)).status).toBe(200);
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ database: 'sqlite', env: { CORS_ORIGINS: 'https://desk.example' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets an allowed origin PATCH and DELETE with the headers the API reads, and exposes the headers it sets', async () => {
    for (const method of ['PATCH', 'DELETE', 'POST']) {
      const preflight = await fetch(`${t.url}/api/accounts/0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://desk.example',
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key,x-request-id',
        },
      });
      expect(preflight.status, method).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://desk.example');
      expect(preflight.headers.get('access-control-allow-methods')).toContain(method);
      const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['authorization', 'content-type', 'idempotency-key', 'x-request-id']) expect(allowed).toContain(header);
    }
    const res = await fetch(`${t.url}/api/accounts`, { headers: { Origin: 'https://desk.example', Authorization: t.auth } });
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const header of ['x-request-id', 'retry-after', 'x-ratelimit-remaining']) expect(exposed).toContain(header);
    const other = await fetch(`${t.url}/api/accounts`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'DELETE' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import winston from 'winston';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoggingConfig } from '../config/app-config.js';
import { RequestContext } from '../context/request-context.js';
import { createWinstonLogger, LOG_FILE_PREFIX } from './logger.factory.js';
import { REDACTED, redact, redactString, registerSecret } from './redaction.js';

function capture(): { transport: winston.transport; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    transport: new winston.transports.Stream({ stream }),
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('redaction', () => {
  it('masks values under sensitive keys at any depth, keeps the rest', () => {
    const out = redact({ apiKey: 'k-123456', nested: { secret: 's-123456', price: '100.5' }, list: [{ Authorization: 'Bearer abc' }] });
    expect(out).toEqual({ apiKey: REDACTED, nested: { secret: REDACTED, price: '100.5' }, list: [{ Authorization: REDACTED }] });
  });

  it('masks bearer tokens and signature parameters inside strings', () => {
    expect(redactString('GET /x Authorization: Bearer td_abcdef123')).toBe(`GET /x Authorization: Bearer ${REDACTED}`);
    expect(redactString('/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=deadbeef')).toBe(
      `/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=${REDACTED}`,
    );
  });

  it('masks every registered secret wherever it appears, including error messages and stacks', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim().length >= 8 && !s.includes(REDACTED)),
        fc.string(),
        fc.string(),
        (secret, before, after) => {
          registerSecret(secret);
          expect(redactString(`${before}${secret}${after}`)).not.toContain(secret);
        },
      ),
      { numRuns: 200 },
    );
    registerSecret('planted-exchange-secret-42');
    const error = redact(new Error('signing with planted-exchange-secret-42 failed'));
    expect(error.message).not.toContain('planted-exchange-secret-42');
    expect(error.stack).not.toContain('planted-exchange-secret-42');
  });
});

describe('logger', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes JSON lines with timestamp, level, context and correlation id, and never a planted secret', async () => {
    dir = await mkdtemp(join(tmpdir(), 'td-log-'));
    const sink = capture();
    const config = new LoggingConfig('info', dir, '1m', 3);
    const logger = createWinstonLogger(config, { console: false, extra: [sink.transport] });
    const token = 'td_planted_api_token_value_0001';
    const exchangeSecret = 'planted-binance-secret-value-0002';
    registerSecret(token);
    registerSecret(exchangeSecret);

    RequestContext.run('req-77', () => {
      logger.info('placing order', { context: 'Orders', headers: { authorization: `Bearer ${token}` } });
      logger.warn(`ccxt said: invalid signature for key ${exchangeSecret}`, { context: 'Exchanges' });
      logger.error('request failed', { context: 'Http', error: new Error(`token ${token} rejected`), secret: exchangeSecret });
    });
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());

    const lines = sink.lines();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({ correlationId: 'req-77' });
      expect(typeof line.timestamp).toBe('string');
      expect(['info', 'warn', 'error']).toContain(line.level);
      expect(typeof line.context).toBe('string');
    }
    expect(sink.text()).not.toContain(token);
    expect(sink.text()).not.toContain(exchangeSecret);

    // The rotating file stream flushes on its own schedule: poll it with a deadline.
    const fileText = await vi.waitFor(
      () => {
        const files = readdirSync(dir!).filter((f) => f.startsWith(LOG_FILE_PREFIX));
        expect(files).toHaveLength(1);
        const text = readFileSync(join(dir!, files[0]), 'utf8');
        expect(text.trim().split('\n')).toHaveLength(3);
        return text;
      },
      { timeout: 5000, interval: 20 },
    );
    expect(fileText).not.toContain(token);
    expect(fileText).not.toContain(exchangeSecret);
    expect(existsSync(join(dir, '.audit.json'))).toBe(true);
  });
});

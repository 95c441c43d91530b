import { createConnection } from 'node:net';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

describe('throwaway servers of the test run', () => {
  it('PostgreSQL answers queries', async () => {
    const client = new pg.Client({ connectionString: inject('postgresUrl') });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('select 40 + 2 as n');
    await client.end();
    expect(Number(rows[0]?.n)).toBe(42);
  });

  it('Redis answers PING', async () => {
    const url = new URL(inject('redisUrl'));
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: url.hostname, port: Number(url.port) }, () => socket.write('PING\r\n'));
      socket.once('data', (d) => (socket.destroy(), resolve(d.toString())));
      socket.once('error', reject);
    });
    expect(reply).toBe('+PONG\r\n');
  });
});

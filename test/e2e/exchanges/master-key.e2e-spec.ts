import { tempDir } from '@tradedesk/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { bootTestApp } from '../../support/boot-test-app.js';

describe('a wrong MASTER_KEY', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('stops the start, naming MASTER_KEY, instead of sending garbage keys to exchanges', async () => {
    const dir = await tempDir();
    cleanup.push(dir.remove);
    // PostgreSQL: a start that fails leaves its SQLite file lock to the (then exiting) process.
    // First start: sim mode creates two accounts whose keys are sealed under the first key.
    const first = await bootTestApp({ database: 'postgres', dataDir: dir.path, env: { SIM: 'on', SIM_PORT: '0' } });
    const accounts = (await (await fetch(`${first.url}/api/accounts`, { headers: { Authorization: first.auth } })).json()) as unknown[];
    expect(accounts).toHaveLength(2);
    const databaseUrl = first.databaseUrl;
    await first.close();

    const wrongKey = 'ab'.repeat(32);
    const failed = await bootTestApp({
      database: 'postgres',
      dataDir: dir.path,
      databaseUrl,
      env: { SIM: 'on', SIM_PORT: '0', MASTER_KEY: wrongKey },
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/^MASTER_KEY: cannot decrypt the API keys of exchange account "(Binance|Upbit) \(sim\)"/);
    expect((failed as Error).message).not.toContain(wrongKey);

    // With the right key it starts again and finds the same accounts (no duplicates).
    const again = await bootTestApp({ database: 'postgres', dataDir: dir.path, databaseUrl, env: { SIM: 'on', SIM_PORT: '0' } });
    const after = (await (await fetch(`${again.url}/api/accounts`, { headers: { Authorization: again.auth } })).json()) as unknown[];
    expect(after).toHaveLength(2);
    await again.close();
  });
});

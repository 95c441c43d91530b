// Standalone emulator (`npm run sim`): survives tradedesk being killed, as crash tests need.
import { resolve } from 'node:path';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { startExchangeSim } from './index.js';

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer in [${min}, ${max}], got "${text}"`);
    process.exit(1);
  }
  return value;
}

const port = intFromEnv('SIM_PORT', 7070, 0, 65535);
const seed = intFromEnv('SIM_SEED', 1, 0, 2 ** 32 - 1);
const tickMs = intFromEnv('SIM_TICK_MS', 1000, 0, 3_600_000);
const dataDir = resolve(process.env.DATA_DIR ?? './data');
const feed = process.env.SIM_FEED === 'manual' ? 'manual' : 'random';

const sim = await startExchangeSim({
  port,
  host: process.env.SIM_HOST ?? '127.0.0.1',
  dataDir,
  seed,
  feed,
  tickMs,
  accounts: SEEDED_SIM_ACCOUNTS,
  log: (line) => console.log(line),
});
console.log(`exchange-sim ready: binance ${sim.url}/binance, upbit ${sim.url}/upbit, control ${sim.url}/_sim`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  });
}

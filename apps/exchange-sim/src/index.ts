// Owns the Binance- and Upbit-compatible exchange emulator: start it in process (clients reach it through @tradedesk/exchange-sim-client).
import { BinanceApi } from './binance/routes.js';
import { ControlApi } from './control/control-api.js';
import type { ExchangeSimOptions } from './core/options.js';
import { ExchangeSimulator } from './core/sim.js';
import { SimHttpServer } from './http/server.js';
import { UpbitApi } from './upbit/routes.js';

export type { ExchangeSimOptions } from './core/options.js';
export type { BookOptions } from './core/options.js';
export type { RateLimitOptions } from './core/rate-limits.js';
export type { FaultSpec } from './core/faults.js';
export type { ExchangeId } from './core/markets.js';
export { ExchangeSimulator } from './core/sim.js';

export interface RunningExchangeSim {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  simulator: ExchangeSimulator;
  close(): Promise<void>;
}

/** Starts the emulator's HTTP server (loopback by default) on its own durable state under `dataDir`. */
export async function startExchangeSim(options: ExchangeSimOptions): Promise<RunningExchangeSim> {
  const simulator = new ExchangeSimulator(options);
  const control = new ControlApi(simulator);
  const server = new SimHttpServer(simulator, { binance: new BinanceApi(simulator), upbit: new UpbitApi(simulator) }, control.handle);
  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (error) {
    simulator.close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  simulator.log(`exchange-sim listening on ${url} (state in ${options.dataDir})`);
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    simulator,
    close: () => {
      closed ??= server.close().then(() => simulator.close());
      return closed;
    },
  };
}

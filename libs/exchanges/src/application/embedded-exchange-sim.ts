import type { ExchangeSimAccount } from '@tradedesk/exchange-sim-client';

export interface EmbeddedExchangeSimOptions {
  port: number;
  /** Where the emulator keeps its durable state. */
  dataDir: string;
  seed: number;
  /** Created when missing. */
  accounts: ExchangeSimAccount[];
  log(line: string): void;
}

export interface RunningEmbeddedExchangeSim {
  /** `http://host:port`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * The exchange emulator a process carries inside it, which sim mode starts when SIM_URL is unset.
 * The app that embeds one provides it (apps/api); this context never depends on the emulator app.
 */
export abstract class EmbeddedExchangeSim {
  abstract start(options: EmbeddedExchangeSimOptions): Promise<RunningEmbeddedExchangeSim>;
}

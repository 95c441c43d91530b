import { ConfigError, type EnvReader } from '@tradedesk/shared';

export type SimSwitch = 'on' | 'off' | 'auto';

export class SimConfig {
  constructor(
    /** `auto`: on while no `live` or `testnet` account exists; paper accounts do not count. */
    readonly mode: SimSwitch,
    readonly port: number,
    readonly url: string | undefined,
    readonly seed: number,
  ) {}
}

export class PaperConfig {
  constructor(
    /**
     * Where paper accounts read public market data: an exchange emulator's URL (its `/binance`,
     * `/upbit` prefixes) for rehearsals and tests; unset = the running sim-mode emulator, else the
     * real exchanges.
     */
    readonly marketDataUrl: string | undefined,
  ) {}
}

const SIM_SWITCHES: Record<string, SimSwitch> = { on: 'on', true: 'on', '1': 'on', off: 'off', false: 'off', '0': 'off', auto: 'auto' };

/** The exchanges context's configuration namespace: sim mode (SIM, SIM_PORT, SIM_URL, SIM_SEED) and PAPER_MARKET_DATA_URL. */
export class ExchangesConfig {
  constructor(
    readonly sim: SimConfig,
    readonly paper: PaperConfig,
  ) {}

  static fromEnv(env: EnvReader): ExchangesConfig {
    const raw = (env.text('SIM') ?? 'auto').toLowerCase();
    const mode = SIM_SWITCHES[raw];
    if (!mode) throw new ConfigError('SIM', `must be on, off or auto (got "${raw}")`);
    const url = env.httpUrl('SIM_URL', 'must be an http:// URL of a running emulator');
    const sim = new SimConfig(mode, env.int('SIM_PORT', 7070, 0, 65535), url, env.int('SIM_SEED', 42, 0, 2 ** 31));
    const marketDataUrl = env.httpUrl(
      'PAPER_MARKET_DATA_URL',
      'must be an http:// URL of an exchange emulator (unset: the sim-mode emulator when it runs, else the real exchanges)',
    );
    return new ExchangesConfig(sim, new PaperConfig(marketDataUrl));
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { ConfigError, MASTER_KEY_NEXT_FILE, ServerConfig } from '@tradedesk/shared';
import type { ExchangeId } from '../domain/exchange-gateway.js';
import { ExchangesConfig, type SimConfig } from '../exchanges.config.js';
import { SecretDecryptionError } from '../infrastructure/crypto/secret-cipher.js';
import { ExchangeAccountRepository } from '../infrastructure/persistence/exchange-account.repository.js';
import { AccountSecrets } from './account-secrets.js';
import { AccountsService } from './accounts.service.js';
import { EmbeddedExchangeSim, type RunningEmbeddedExchangeSim } from './embedded-exchange-sim.js';
import { SimEndpoint } from './sim-endpoint.js';

export const SIM_ACCOUNT_LABELS: Record<ExchangeId, string> = { binance: 'Binance (sim)', upbit: 'Upbit (sim)' };

/**
 * Start-up of the exchanges context, before the app listens: every stored key must open with
 * this MASTER_KEY (a wrong key stops the start instead of sending garbage keys to exchanges), then
 * sim mode: the emulator the app embeds (or the one at SIM_URL) and the two seeded sim accounts.
 */
@Injectable()
export class ExchangesBootstrap implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Exchanges');
  private running: RunningEmbeddedExchangeSim | undefined;
  private readonly sim: SimConfig;

  constructor(
    config: ExchangesConfig,
    private readonly server: ServerConfig,
    private readonly repository: ExchangeAccountRepository,
    private readonly secrets: AccountSecrets,
    private readonly accounts: AccountsService,
    private readonly endpoint: SimEndpoint,
    @Optional() private readonly embedded?: EmbeddedExchangeSim,
  ) {
    this.sim = config.sim;
  }

  async onModuleInit(): Promise<void> {
    await this.checkMasterKey();
    await this.startSimMode();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }

  private async checkMasterKey(): Promise<void> {
    for (const row of await this.repository.list()) {
      // A paper account has nothing sealed to open.
      if (row.mode === 'paper') continue;
      try {
        this.secrets.open(row);
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        const interrupted = existsSync(join(this.server.dataDir, MASTER_KEY_NEXT_FILE));
        throw new ConfigError(
          'MASTER_KEY',
          `cannot decrypt the API keys of exchange account "${row.label}" (${row.id}): they were sealed under key id ${row.keyId}, this key is ${this.secrets.keyId}. ` +
            (interrupted
              ? `An interrupted npm run master-key:rotate left ${MASTER_KEY_NEXT_FILE} in DATA_DIR: run npm run master-key:rotate again to finish it.`
              : 'Start with the MASTER_KEY used when the account was added (after npm run master-key:rotate, the new one).'),
        );
      }
    }
  }

  private async startSimMode(): Promise<void> {
    if (this.sim.mode === 'off') return;
    // Paper accounts keep it on: they trade nothing real, and without PAPER_MARKET_DATA_URL they read its prices.
    if (this.sim.mode === 'auto' && (await this.repository.existsInModes(['live', 'testnet']))) {
      this.logger.log('SIM=auto: a live or testnet account exists, so the exchange emulator stays off');
      return;
    }
    if (this.sim.url) {
      await this.seedRemoteEmulator(this.sim.url);
      this.endpoint.url = this.sim.url;
      this.logger.log(`sim mode: using the exchange emulator at ${this.sim.url}`);
    } else {
      if (!this.embedded)
        throw new ConfigError('SIM_URL', 'this process embeds no exchange emulator: point SIM_URL at a running one (npm run sim)');
      this.running = await this.embedded.start({
        port: this.sim.port,
        dataDir: join(this.server.dataDir, 'exchange-sim'),
        seed: this.sim.seed,
        accounts: SEEDED_SIM_ACCOUNTS,
        log: (line) => this.logger.log(line),
      });
      this.endpoint.url = this.running.url;
      this.logger.log(`sim mode: exchange emulator started on ${this.running.url} (control API under /_sim)`);
    }
    await this.seedAccounts();
  }

  /** Creates the seeded accounts on an emulator we did not start, when it lacks them. */
  private async seedRemoteEmulator(url: string): Promise<void> {
    const listed = await fetch(`${url}/_sim/accounts`).catch((error: unknown) => {
      throw new ConfigError(
        'SIM_URL',
        `no exchange emulator answers at ${url} (${error instanceof Error ? error.message : String(error)})`,
      );
    });
    if (!listed.ok)
      throw new ConfigError('SIM_URL', `${url}/_sim/accounts answered ${listed.status}; is it a tradedesk exchange emulator?`);
    const { accounts } = (await listed.json()) as { accounts: Array<{ exchange: string; apiKey: string }> };
    for (const seeded of SEEDED_SIM_ACCOUNTS) {
      if (accounts.some((a) => a.exchange === seeded.exchange && a.apiKey === seeded.apiKey)) continue;
      const created = await fetch(`${url}/_sim/accounts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(seeded),
      });
      if (!created.ok)
        throw new ConfigError(
          'SIM_URL',
          `the emulator at ${url} refused to create the seeded ${seeded.exchange} account (${created.status})`,
        );
    }
  }

  private async seedAccounts(): Promise<void> {
    const existing = await this.repository.findByModes(['sim']);
    for (const seeded of SEEDED_SIM_ACCOUNTS) {
      if (existing.some((row) => row.exchange === seeded.exchange)) continue;
      // The emulator holds these keys itself: no balance call needed to trust them.
      const account = await this.accounts.create(
        {
          exchange: seeded.exchange,
          mode: 'sim',
          label: SIM_ACCOUNT_LABELS[seeded.exchange],
          apiKey: seeded.apiKey,
          secret: seeded.secret,
        },
        { verify: false, actor: 'system' },
      );
      this.logger.log(`sim mode: created account "${account.label}" (${account.id})`);
    }
  }
}

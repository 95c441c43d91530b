import { randomBytes } from 'node:crypto';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { ConfigError, MasterKey, ServerConfig } from '@tradedesk/shared';
import { describe, expect, it, vi } from 'vitest';
import { ExchangesConfig, PaperConfig, SimConfig } from '../exchanges.config.js';
import type { ExchangeAccountRepository } from '../infrastructure/persistence/exchange-account.repository.js';
import { AccountSecrets } from './account-secrets.js';
import type { AccountsService } from './accounts.service.js';
import type { EmbeddedExchangeSim } from './embedded-exchange-sim.js';
import { ExchangesBootstrap } from './exchanges-bootstrap.service.js';
import { SimEndpoint } from './sim-endpoint.js';

function setup(
  sim: SimConfig,
  rows: Array<{ id: string; label: string; keyId: string; apiKeyCiphertext: string; secretCiphertext: string }> = [],
  realAccountModes: string[] = [],
  embedded?: EmbeddedExchangeSim,
) {
  const repository = {
    list: vi.fn(async () => rows),
    existsInModes: vi.fn(async (modes: string[]) => modes.some((m) => realAccountModes.includes(m))),
    findByModes: vi.fn(async () => []),
  } as unknown as ExchangeAccountRepository;
  const accounts = { create: vi.fn(async (input: { label: string }) => ({ id: 'acc', label: input.label })) } as unknown as AccountsService;
  const endpoint = new SimEndpoint();
  const secrets = new AccountSecrets(new MasterKey(randomBytes(32), 'env'));
  const server = new ServerConfig(0, '127.0.0.1', '/srv/td-data', [], 100, 20);
  const config = new ExchangesConfig(sim, new PaperConfig(undefined));
  return { sut: new ExchangesBootstrap(config, server, repository, secrets, accounts, endpoint, embedded), endpoint, accounts, secrets };
}

describe('ExchangesBootstrap', () => {
  it('does nothing with SIM=off, and leaves sim accounts unreachable', async () => {
    const { sut, endpoint, accounts } = setup(new SimConfig('off', 0, undefined, 1));
    await sut.onModuleInit();
    expect(endpoint.url).toBeUndefined();
    expect(accounts.create).not.toHaveBeenCalled();
    expect(() => endpoint.require('binance')).toThrow(/emulator is not running/);
  });

  it.each(['live', 'testnet'])('keeps the emulator off with SIM=auto once a %s account exists', async (mode) => {
    const { sut, endpoint } = setup(new SimConfig('auto', 0, undefined, 1), [], [mode]);
    await sut.onModuleInit();
    expect(endpoint.url).toBeUndefined();
  });

  it('starts the emulator the app embeds without SIM_URL, seeds the sim accounts, and stops it on shutdown', async () => {
    const close = vi.fn(async () => undefined);
    const start = vi.fn(async () => ({ url: 'http://127.0.0.1:7123', close }));
    const { sut, endpoint, accounts } = setup(new SimConfig('on', 7123, undefined, 9), [], [], { start });
    await sut.onModuleInit();
    expect(start).toHaveBeenCalledWith(
      expect.objectContaining({ port: 7123, dataDir: '/srv/td-data/exchange-sim', seed: 9, accounts: SEEDED_SIM_ACCOUNTS }),
    );
    expect(endpoint.url).toBe('http://127.0.0.1:7123');
    expect(vi.mocked(accounts.create).mock.calls.map(([input]) => input)).toEqual(
      SEEDED_SIM_ACCOUNTS.map((a) => expect.objectContaining({ exchange: a.exchange, mode: 'sim', apiKey: a.apiKey })),
    );
    await sut.onApplicationShutdown();
    expect(close).toHaveBeenCalledOnce();
  });

  it('names SIM_URL when sim mode needs an emulator and the process embeds none', async () => {
    const { sut } = setup(new SimConfig('on', 0, undefined, 1));
    await expect(sut.onModuleInit()).rejects.toThrow(/^SIM_URL: this process embeds no exchange emulator/);
  });

  it('names SIM_URL when no emulator answers there', async () => {
    const { sut } = setup(new SimConfig('on', 0, 'http://127.0.0.1:9', 1));
    await expect(sut.onModuleInit()).rejects.toThrow(ConfigError);
    await expect(sut.onModuleInit()).rejects.toThrow(/^SIM_URL: no exchange emulator answers/);
  });

  it('names MASTER_KEY when a stored key does not open', async () => {
    const other = new AccountSecrets(new MasterKey(randomBytes(32), 'env'));
    const sealed = other.seal('acc-1', { apiKey: 'k'.repeat(20), secret: 's'.repeat(20) });
    const { sut, secrets } = setup(new SimConfig('off', 0, undefined, 1), [{ id: 'acc-1', label: 'Main', ...sealed }]);
    await expect(sut.onModuleInit()).rejects.toThrow(
      `MASTER_KEY: cannot decrypt the API keys of exchange account "Main" (acc-1): they were sealed under key id ${sealed.keyId}, this key is ${secrets.keyId}`,
    );
  });
});

import { randomBytes } from 'node:crypto';
import { ConfigError, MasterKey, ServerConfig, SimConfig } from '@tradedesk/shared';
import { describe, expect, it, vi } from 'vitest';
import type { ExchangeAccountRepository } from '../infrastructure/persistence/exchange-account.repository.js';
import { AccountSecrets } from './account-secrets.js';
import type { AccountsService } from './accounts.service.js';
import { ExchangesBootstrap } from './exchanges-bootstrap.service.js';
import { SimEndpoint } from './sim-endpoint.js';

function setup(
  sim: SimConfig,
  rows: Array<{ id: string; label: string; keyId: string; apiKeyCiphertext: string; secretCiphertext: string }> = [],
  realAccountModes: string[] = [],
) {
  const repository = {
    list: vi.fn(async () => rows),
    existsInModes: vi.fn(async (modes: string[]) => modes.some((m) => realAccountModes.includes(m))),
    findByModes: vi.fn(async () => []),
  } as unknown as ExchangeAccountRepository;
  const accounts = { create: vi.fn() } as unknown as AccountsService;
  const endpoint = new SimEndpoint();
  const secrets = new AccountSecrets(new MasterKey(randomBytes(32), 'env'));
  const server = new ServerConfig(0, '127.0.0.1', '/tmp/unused', [], 100, 20);
  return { sut: new ExchangesBootstrap(sim, server, repository, secrets, accounts, endpoint), endpoint, accounts, secrets };
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

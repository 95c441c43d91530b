import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ValidationError } from '@tradedesk/shared';
import { type ApiCredentials, apiKeyHint, type ExchangeAccount, maskApiKey } from '../domain/exchange-account.js';
import type { AccountMode, Balances, ExchangeId } from '../domain/exchange-gateway.js';
import { ExchangeAccountOrmEntity } from '../infrastructure/persistence/exchange-account.orm-entity.js';
import { ExchangeAccountRepository } from '../infrastructure/persistence/exchange-account.repository.js';
import { AccountSecrets } from './account-secrets.js';
import { accountNotFound, ExchangeGatewaysService } from './exchange-gateways.service.js';
import { ADAPTERS, GatewayFactory } from './gateway-factory.js';

export interface CreateAccountInput extends ApiCredentials {
  exchange: ExchangeId;
  mode: AccountMode;
  label: string;
}

export interface UpdateAccountInput {
  label?: string;
  apiKey?: string;
  secret?: string;
}

export function toAccount(row: ExchangeAccountOrmEntity): ExchangeAccount {
  return {
    id: row.id,
    exchange: row.exchange as ExchangeId,
    mode: row.mode as AccountMode,
    label: row.label,
    apiKeyMasked: maskApiKey(row.apiKeyHint),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Exchange accounts: keys checked with a balance call before anything is stored, stored only sealed. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly repository: ExchangeAccountRepository,
    private readonly secrets: AccountSecrets,
    private readonly factory: GatewayFactory,
    private readonly gateways: ExchangeGatewaysService,
  ) {}

  async list(): Promise<ExchangeAccount[]> {
    return (await this.repository.list()).map(toAccount);
  }

  async get(id: string): Promise<ExchangeAccount> {
    return toAccount(await this.row(id));
  }

  async create(input: CreateAccountInput, options: { verify?: boolean } = {}): Promise<ExchangeAccount> {
    const adapter = ADAPTERS[input.exchange];
    if (!adapter.modes.includes(input.mode)) {
      throw new ValidationError(
        'ACCOUNT.MODE_NOT_SUPPORTED',
        `${adapter.name} accounts can be ${adapter.modes.join(', ')}; "${input.mode}" is not available${input.mode === 'paper' ? ' yet' : ''}`,
        { field: 'mode', supported: adapter.modes },
      );
    }
    if (options.verify !== false) await this.verify(input.exchange, input.mode, input);
    const id = randomUUID();
    const now = new Date();
    const row = Object.assign(new ExchangeAccountOrmEntity(), {
      id,
      exchange: input.exchange,
      mode: input.mode,
      label: input.label,
      apiKeyHint: apiKeyHint(input.apiKey),
      createdAt: now,
      updatedAt: now,
      ...this.secrets.seal(id, input),
    });
    return toAccount(await this.repository.save(row));
  }

  async update(id: string, input: UpdateAccountInput): Promise<ExchangeAccount> {
    const row = await this.row(id);
    if ((input.apiKey === undefined) !== (input.secret === undefined)) {
      throw new ValidationError('ACCOUNT.KEY_PAIR_REQUIRED', 'apiKey and secret are replaced together', {
        field: input.apiKey === undefined ? 'apiKey' : 'secret',
      });
    }
    if (input.apiKey !== undefined && input.secret !== undefined) {
      const credentials = { apiKey: input.apiKey, secret: input.secret };
      await this.verify(row.exchange as ExchangeId, row.mode as AccountMode, credentials);
      Object.assign(row, this.secrets.seal(row.id, credentials), { apiKeyHint: apiKeyHint(credentials.apiKey) });
    }
    if (input.label !== undefined) row.label = input.label;
    row.updatedAt = new Date();
    const saved = await this.repository.save(row);
    await this.gateways.evict(id);
    return toAccount(saved);
  }

  async delete(id: string): Promise<void> {
    await this.row(id);
    await this.gateways.evict(id);
    await this.repository.delete(id);
  }

  async balances(id: string): Promise<Balances> {
    await this.row(id);
    return (await this.gateways.forAccount(id)).fetchBalances();
  }

  /** One balance call with the new keys; its AuthenticationFailed (422) reaches the caller and nothing is stored. */
  private async verify(exchange: ExchangeId, mode: AccountMode, credentials: ApiCredentials): Promise<void> {
    const gateway = this.factory.create(exchange, mode, credentials);
    try {
      await gateway.fetchBalances();
    } finally {
      await gateway.close();
    }
  }

  private async row(id: string): Promise<ExchangeAccountOrmEntity> {
    const row = await this.repository.findById(id);
    if (!row) throw accountNotFound(id);
    return row;
  }
}

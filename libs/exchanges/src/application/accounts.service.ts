import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AuditActor, AuditTrail, UnitOfWork, ValidationError } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import { type ApiCredentials, apiKeyHint, type ExchangeAccount, maskApiKey } from '../domain/exchange-account.js';
import type { AccountMode, Balances, ExchangeId, KeyPermissions } from '../domain/exchange-gateway.js';
import { checkPaperAssets, paperStartingBalances } from '../domain/paper/paper-account.js';
import { ExchangeAccountOrmEntity } from '../infrastructure/persistence/exchange-account.orm-entity.js';
import { ExchangeAccountRepository } from '../infrastructure/persistence/exchange-account.repository.js';
import { AccountSecrets } from './account-secrets.js';
import { accountNotFound, ExchangeGatewaysService } from './exchange-gateways.service.js';
import { ADAPTERS, GatewayFactory } from './gateway-factory.js';
import { PaperExchange } from './paper/paper-exchange.js';

export interface CreateAccountInput extends Partial<ApiCredentials> {
  exchange: ExchangeId;
  mode: AccountMode;
  label: string;
  /** `paper` only: starting balances such as `{ "USDT": "10000" }` (default: PAPER_DEFAULT_BALANCES). */
  paperBalances?: Record<string, unknown>;
  /** Store a key that its exchange reports able to withdraw (refused otherwise). */
  allowWithdrawalKeys?: boolean;
}

export interface UpdateAccountInput {
  label?: string;
  apiKey?: string;
  secret?: string;
  allowWithdrawalKeys?: boolean;
}

export function toAccount(row: ExchangeAccountOrmEntity): ExchangeAccount {
  return {
    id: row.id,
    exchange: row.exchange as ExchangeId,
    mode: row.mode as AccountMode,
    label: row.label,
    apiKeyMasked: row.mode === 'paper' ? null : maskApiKey(row.apiKeyHint),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** `allowWithdrawalKeys` is refused where there is nothing to allow: Upbit cannot report a key's permissions. */
function checkAllowWithdrawalKeys(exchange: ExchangeId, allow: boolean | undefined): void {
  if (allow !== undefined && exchange === 'upbit')
    throw new ValidationError(
      'ACCOUNT.FIELD_NOT_APPLICABLE',
      "allowWithdrawalKeys: Upbit's API does not report what a key may do, so tradedesk cannot check it; leave the field out " +
        'and give the key only the "View assets", "View orders" and "Make orders" permissions (자산조회, 주문조회, 주문하기), never "Withdraw" (출금하기)',
      { field: 'allowWithdrawalKeys' },
    );
}

function keyCanWithdraw(exchangeName: string): ValidationError {
  return new ValidationError(
    'ACCOUNT.KEY_CAN_WITHDRAW',
    `apiKey: this ${exchangeName} API key has withdrawals enabled. tradedesk only trades and never withdraws, so a key that can ` +
      'withdraw only adds risk if it leaks. Create a trade-only key (API Management → Edit restrictions: "Enable Reading" and ' +
      '"Enable Spot & Margin Trading" only, "Enable Withdrawals" off, ideally restricted to this server\'s IP), or send ' +
      '"allowWithdrawalKeys": true to store this one anyway. Nothing was stored.',
    { field: 'apiKey' },
  );
}

/** Exchange accounts: keys checked with a balance call before anything is stored, stored only sealed. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly repository: ExchangeAccountRepository,
    private readonly secrets: AccountSecrets,
    private readonly factory: GatewayFactory,
    private readonly gateways: ExchangeGatewaysService,
    private readonly uow: UnitOfWork,
    private readonly paper: PaperExchange,
    private readonly audit: AuditTrail,
  ) {}

  async list(): Promise<ExchangeAccount[]> {
    return (await this.repository.list()).map(toAccount);
  }

  async get(id: string): Promise<ExchangeAccount> {
    return toAccount(await this.row(id));
  }

  /** `actor`: who the audit log names (`api` unless tradedesk creates the account itself). */
  async create(input: CreateAccountInput, options: { verify?: boolean; actor?: AuditActor } = {}): Promise<ExchangeAccount> {
    const adapter = ADAPTERS[input.exchange];
    if (!adapter.modes.includes(input.mode)) {
      throw new ValidationError(
        'ACCOUNT.MODE_NOT_SUPPORTED',
        `${adapter.name} accounts can be ${adapter.modes.join(', ')}; "${input.mode}" is not available`,
        { field: 'mode', supported: adapter.modes },
      );
    }
    if (input.mode === 'paper') return this.createPaper(input, options.actor);
    if (input.paperBalances !== undefined)
      throw new ValidationError('ACCOUNT.PAPER_BALANCES_NOT_ALLOWED', 'paperBalances: only a paper account starts with given balances', {
        field: 'paperBalances',
      });
    if (input.apiKey === undefined || input.secret === undefined)
      throw new ValidationError('ACCOUNT.KEY_PAIR_REQUIRED', `a ${input.mode} account needs apiKey and secret`, {
        field: input.apiKey === undefined ? 'apiKey' : 'secret',
      });
    checkAllowWithdrawalKeys(input.exchange, input.allowWithdrawalKeys);
    const credentials = { apiKey: input.apiKey, secret: input.secret };
    const permissions =
      options.verify === false ? undefined : await this.verify(input.exchange, input.mode, credentials, input.allowWithdrawalKeys === true);
    const id = randomUUID();
    const now = new Date();
    const row = Object.assign(new ExchangeAccountOrmEntity(), {
      id,
      exchange: input.exchange,
      mode: input.mode,
      label: input.label,
      apiKeyHint: apiKeyHint(credentials.apiKey),
      createdAt: now,
      updatedAt: now,
      ...this.secrets.seal(id, credentials),
    });
    await this.uow.run(async ({ manager }) => {
      await this.repository.save(row, manager);
      await this.recordCreated(manager, row, options.actor, permissions);
    });
    return toAccount(row);
  }

  /**
   * A paper account holds no keys: its public data needs none and its private side is simulated.
   * Keys given anyway are refused rather than stored unused — someone who sends real keys for a
   * paper account has probably mistaken the mode. Its market data source is read once first
   * (as live keys are checked with a balance call), which also checks the starting assets.
   */
  private async createPaper(input: CreateAccountInput, actor?: AuditActor): Promise<ExchangeAccount> {
    if (input.apiKey !== undefined || input.secret !== undefined)
      throw new ValidationError(
        'ACCOUNT.PAPER_TAKES_NO_KEYS',
        'a paper account trades simulated balances on live prices and takes no apiKey or secret: leave them out',
        { field: input.apiKey !== undefined ? 'apiKey' : 'secret' },
      );
    if (input.allowWithdrawalKeys !== undefined)
      throw new ValidationError('ACCOUNT.FIELD_NOT_APPLICABLE', 'allowWithdrawalKeys: a paper account has no keys to check', {
        field: 'allowWithdrawalKeys',
      });
    const balances = paperStartingBalances(input.exchange, input.paperBalances);
    const marketData = this.factory.create(input.exchange, 'paper');
    try {
      checkPaperAssets(input.exchange, balances, await marketData.fetchMarkets());
    } finally {
      await marketData.close();
    }
    const now = new Date();
    const row = Object.assign(new ExchangeAccountOrmEntity(), {
      id: randomUUID(),
      exchange: input.exchange,
      mode: 'paper',
      label: input.label,
      apiKeyCiphertext: '',
      secretCiphertext: '',
      keyId: '',
      apiKeyHint: '',
      createdAt: now,
      updatedAt: now,
    });
    await this.uow.run(async ({ manager }) => {
      await this.repository.save(row, manager);
      await this.paper.open(manager, row.id, input.exchange, balances);
      await this.recordCreated(manager, row, actor, undefined);
    });
    return toAccount(row);
  }

  /** The audit entry of a new account: what it is and the masked key, never the key. */
  private recordCreated(
    manager: EntityManager,
    row: ExchangeAccountOrmEntity,
    actor: AuditActor | undefined,
    permissions: KeyPermissions | undefined,
  ): Promise<void> {
    return this.audit.record(manager, {
      action: 'account.created',
      actor,
      subject: { type: 'account', id: row.id },
      details: {
        exchange: row.exchange,
        mode: row.mode,
        label: row.label,
        ...(row.mode === 'paper' ? {} : { maskedKey: maskApiKey(row.apiKeyHint) }),
        ...(permissions?.canWithdraw ? { withdrawalsEnabled: true, allowedBy: 'allowWithdrawalKeys' } : {}),
      },
    });
  }

  async update(id: string, input: UpdateAccountInput): Promise<ExchangeAccount> {
    const row = await this.row(id);
    if ((input.apiKey === undefined) !== (input.secret === undefined)) {
      throw new ValidationError('ACCOUNT.KEY_PAIR_REQUIRED', 'apiKey and secret are replaced together', {
        field: input.apiKey === undefined ? 'apiKey' : 'secret',
      });
    }
    if (row.mode === 'paper' && (input.apiKey !== undefined || input.secret !== undefined))
      throw new ValidationError('ACCOUNT.PAPER_TAKES_NO_KEYS', 'a paper account takes no apiKey or secret', {
        field: input.apiKey !== undefined ? 'apiKey' : 'secret',
      });
    if (input.allowWithdrawalKeys !== undefined && input.apiKey === undefined)
      throw new ValidationError('ACCOUNT.FIELD_NOT_APPLICABLE', 'allowWithdrawalKeys goes with new apiKey and secret', {
        field: 'allowWithdrawalKeys',
      });
    const changes: Record<string, unknown> = {};
    if (input.apiKey !== undefined && input.secret !== undefined) {
      checkAllowWithdrawalKeys(row.exchange as ExchangeId, input.allowWithdrawalKeys);
      const credentials = { apiKey: input.apiKey, secret: input.secret };
      const permissions = await this.verify(
        row.exchange as ExchangeId,
        row.mode as AccountMode,
        credentials,
        input.allowWithdrawalKeys === true,
      );
      changes.keys = { from: maskApiKey(row.apiKeyHint), to: maskApiKey(apiKeyHint(credentials.apiKey)) };
      if (permissions?.canWithdraw) Object.assign(changes, { withdrawalsEnabled: true, allowedBy: 'allowWithdrawalKeys' });
      Object.assign(row, this.secrets.seal(row.id, credentials), { apiKeyHint: apiKeyHint(credentials.apiKey) });
    }
    if (input.label !== undefined && input.label !== row.label) {
      changes.label = { from: row.label, to: input.label };
      row.label = input.label;
    }
    row.updatedAt = new Date();
    const saved = await this.uow.run(async ({ manager }) => {
      const saved = await this.repository.save(row, manager);
      await this.audit.record(manager, {
        action: 'account.updated',
        subject: { type: 'account', id: row.id },
        details: { exchange: row.exchange, mode: row.mode, label: row.label, changes },
      });
      return saved;
    });
    await this.gateways.evict(id);
    return toAccount(saved);
  }

  async delete(id: string): Promise<void> {
    const row = await this.row(id);
    await this.gateways.evict(id);
    await this.uow.run(async ({ manager }) => {
      if (row.mode === 'paper') await this.paper.remove(manager, id);
      // Gone already (a concurrent delete): that one wrote the entry.
      if (!(await this.repository.delete(id, manager))) return;
      await this.audit.record(manager, {
        action: 'account.deleted',
        subject: { type: 'account', id },
        details: {
          exchange: row.exchange,
          mode: row.mode,
          label: row.label,
          ...(row.mode === 'paper' ? {} : { maskedKey: maskApiKey(row.apiKeyHint) }),
        },
      });
    });
  }

  async balances(id: string): Promise<Balances> {
    await this.row(id);
    return (await this.gateways.forAccount(id)).fetchBalances();
  }

  /**
   * One balance call with the new keys — its AuthenticationFailed (422) reaches the caller and
   * nothing is stored — then, where the exchange reports them (Binance live and sim), the key's
   * permissions: a key that can withdraw is refused unless `allowWithdrawalKeys`. tradedesk never
   * withdraws, so such a key only widens what a leaked database and master key would give away.
   */
  private async verify(
    exchange: ExchangeId,
    mode: AccountMode,
    credentials: ApiCredentials,
    allowWithdrawalKeys: boolean,
  ): Promise<KeyPermissions | undefined> {
    const gateway = this.factory.create(exchange, mode, credentials);
    try {
      await gateway.fetchBalances();
      const permissions = await gateway.fetchKeyPermissions();
      if (permissions?.canWithdraw && !allowWithdrawalKeys) throw keyCanWithdraw(ADAPTERS[exchange].name);
      return permissions;
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

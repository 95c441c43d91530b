import { Dec, ZERO } from './decimal.js';
import type { ExchangeId } from './markets.js';
import type { AccountRecord, Balance } from './types.js';

export interface AccountBalance {
  asset: string;
  free: Dec;
  locked: Dec;
  avgBuyPrice: Dec;
}

export class Account {
  readonly balances = new Map<string, AccountBalance>();

  constructor(
    readonly exchange: ExchangeId,
    readonly apiKey: string,
    public secret: string,
    public seedBalances: Record<string, string>,
    readonly createdAt: number,
    public enableWithdrawals = false,
  ) {}

  balance(asset: string): AccountBalance {
    let balance = this.balances.get(asset);
    if (!balance) {
      balance = { asset, free: ZERO, locked: ZERO, avgBuyPrice: ZERO };
      this.balances.set(asset, balance);
    }
    return balance;
  }

  record(): AccountRecord {
    return {
      exchange: this.exchange,
      apiKey: this.apiKey,
      secret: this.secret,
      seedBalances: this.seedBalances,
      createdAt: this.createdAt,
      enableWithdrawals: this.enableWithdrawals,
    };
  }
}

export function accountKey(exchange: ExchangeId, apiKey: string): string {
  return `${exchange}:${apiKey}`;
}

/** A balance as the store keeps it: decimals as text. */
export function balanceRow(balance: AccountBalance): { asset: string; free: string; locked: string; avgBuyPrice: string } {
  return {
    asset: balance.asset,
    free: balance.free.toFixed(),
    locked: balance.locked.toFixed(),
    avgBuyPrice: balance.avgBuyPrice.toFixed(),
  };
}

/** An account as the store loaded it, with its balances. */
export function accountFromRecord(record: AccountRecord & { balances: Balance[] }): Account {
  const account = new Account(
    record.exchange,
    record.apiKey,
    record.secret,
    record.seedBalances,
    record.createdAt,
    record.enableWithdrawals,
  );
  for (const b of record.balances) {
    account.balances.set(b.asset, {
      asset: b.asset,
      free: new Dec(b.free),
      locked: new Dec(b.locked),
      avgBuyPrice: new Dec(b.avgBuyPrice),
    });
  }
  return account;
}

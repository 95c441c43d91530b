import type { AccountMode, ExchangeId } from './exchange-gateway.js';

/** An exchange account as tradedesk keeps it; its keys live only sealed, in the repository. */
export interface ExchangeAccount {
  id: string;
  exchange: ExchangeId;
  mode: AccountMode;
  label: string;
  /** `****abcd`: enough to tell keys apart, never the key; null for a paper account, which has none. */
  apiKeyMasked: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApiCredentials {
  apiKey: string;
  secret: string;
}

export function maskApiKey(hint: string): string {
  return `****${hint}`;
}

export function apiKeyHint(apiKey: string): string {
  return apiKey.length > 12 ? apiKey.slice(-4) : '';
}

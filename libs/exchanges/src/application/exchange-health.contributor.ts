import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthRegistry } from '@tradedesk/shared';
import type { ExchangeId } from '../domain/exchange-gateway.js';
import { ExchangeGatewaysService } from './exchange-gateways.service.js';

const PROBE_SYMBOL: Record<ExchangeId, string> = { binance: 'BTC/USDT', upbit: 'BTC/KRW' };
const PROBE_TIMEOUT_MS = 3000;

interface AccountHealth {
  exchange: ExchangeId;
  mode: string;
  label: string;
  reachable: boolean;
  latencyMs?: number;
  lastSuccessAt?: string;
  error?: string;
}

/** Joins /api/health: per account, can we reach its exchange and how long did it take. */
@Injectable()
export class ExchangeHealthContributor implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly gateways: ExchangeGatewaysService,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'exchanges', readiness: false, check: () => this.check() });
  }

  async check(): Promise<HealthIndicatorResult> {
    const accounts: Record<string, AccountHealth> = {};
    await Promise.all(
      (await this.gateways.listAccounts()).map(async (account) => {
        const started = Date.now();
        const health: AccountHealth = { exchange: account.exchange, mode: account.mode, label: account.label, reachable: false };
        try {
          const { gateway, inner } = await this.gateways.entryOf(account.id);
          await withTimeout(gateway.fetchTicker(PROBE_SYMBOL[account.exchange]), PROBE_TIMEOUT_MS);
          health.reachable = true;
          health.latencyMs = inner.health.lastLatencyMs ?? Date.now() - started;
          health.lastSuccessAt = inner.health.lastSuccessAt?.toISOString();
        } catch (error) {
          health.error = error instanceof Error ? error.message : String(error);
        }
        accounts[account.id] = health;
      }),
    );
    const up = Object.values(accounts).every((a) => a.reachable);
    return { exchanges: { status: up ? 'up' : 'down', accounts } };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

import { BackupConfig } from '@tradedesk/backup';
import { ConditionsConfig } from '@tradedesk/conditions';
import { ExchangesConfig } from '@tradedesk/exchanges';
import { MonitoringConfig } from '@tradedesk/monitoring';
import { NotificationsConfig } from '@tradedesk/notifications';
import { OrdersConfig } from '@tradedesk/orders';
import { TemplatesConfig } from '@tradedesk/templates';
import { AppConfig, type Env } from '@tradedesk/shared';
import { DashboardConfig } from '../http/dashboard.js';

/** The configuration namespace of every context this app composes; each context defines its own. */
export const CONTEXT_CONFIG = [
  ExchangesConfig,
  OrdersConfig,
  ConditionsConfig,
  NotificationsConfig,
  MonitoringConfig,
  TemplatesConfig,
  BackupConfig,
  DashboardConfig,
] as const;

/**
 * The whole configuration, the platform's and every context's, validated before anything starts
 * (main.ts, the operator CLIs, the e2e boot): a bad value is a ConfigError naming its variable.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  return AppConfig.fromEnv(env, cwd, CONTEXT_CONFIG);
}

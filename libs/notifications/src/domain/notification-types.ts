/** The channels a notification can take. `web` is the stored list and its live stream. */
export const CHANNELS = ['web', 'email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Per channel: `on` delivers at once; `silent` records without an alert (web: stored already read,
 * not pushed live; email: only in the daily summary; webhook: sent flagged silent, e.g. Telegram
 * without a sound); `off` nothing on that channel.
 */
export const CHANNEL_MODES = ['on', 'silent', 'off'] as const;
export type ChannelMode = (typeof CHANNEL_MODES)[number];

export type Severity = 'info' | 'warning' | 'critical';

interface TypeSpec {
  severity: Severity;
  /** Cannot be turned off on any channel: the user must hear of it. */
  critical?: true;
  defaults: Record<Channel, ChannelMode>;
  /** Failures in a row before the alert (only meaningful for streaks: an exchange's calls). */
  threshold?: number;
  /** The same subject is not alerted again within this many seconds; for incidents, how long it must stay resolved. */
  cooldownSeconds?: number;
}

const LOUD = { web: 'on', email: 'on', webhook: 'on' } as const;
const WEB = { web: 'on', email: 'off', webhook: 'off' } as const;
const QUIET = { web: 'silent', email: 'off', webhook: 'off' } as const;

/**
 * Every notification type and its defaults (api.md: with SMTP_URL and NOTIFY_EMAIL_TO set, fills of
 * exits, trade completed and every critical alert go by email). `exchange.recovered` follows the
 * channels of `exchange.unavailable`, `errors.resolved` those of `errors.spike`: a resolved message
 * goes where its alert went.
 */
export const NOTIFICATION_TYPES = {
  'order.filled': { severity: 'info', defaults: WEB },
  'order.partially_filled': { severity: 'info', defaults: QUIET },
  'order.canceled': { severity: 'info', defaults: QUIET },
  'order.rejected': { severity: 'warning', defaults: WEB },
  'order.unknown': { severity: 'critical', critical: true, defaults: LOUD },
  'exit.filled': { severity: 'info', defaults: LOUD },
  'trade.completed': { severity: 'info', defaults: LOUD },
  'condition.fired': { severity: 'info', defaults: QUIET },
  'condition.failed': { severity: 'critical', critical: true, defaults: LOUD },
  'condition.missed': { severity: 'warning', defaults: LOUD },
  'condition.cancelled': { severity: 'info', defaults: QUIET },
  'condition.expired': { severity: 'info', defaults: WEB },
  'position.unprotected': { severity: 'critical', critical: true, defaults: LOUD, cooldownSeconds: 300 },
  'exchange.unavailable': { severity: 'critical', critical: true, defaults: LOUD, threshold: 3, cooldownSeconds: 120 },
  'exchange.recovered': { severity: 'info', defaults: LOUD },
  'exchange.rate_limited': { severity: 'warning', defaults: WEB, threshold: 3, cooldownSeconds: 600 },
  'errors.spike': { severity: 'warning', defaults: LOUD },
  'errors.resolved': { severity: 'info', defaults: LOUD },
  'backup.failed': { severity: 'critical', critical: true, defaults: LOUD },
  'system.started': { severity: 'info', defaults: QUIET },
  'system.stopping': { severity: 'info', defaults: QUIET },
  'daily.summary': { severity: 'info', defaults: { web: 'silent', email: 'on', webhook: 'off' } },
} as const satisfies Record<string, TypeSpec>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationType[];

export function isNotificationType(value: unknown): value is NotificationType {
  return typeof value === 'string' && Object.hasOwn(NOTIFICATION_TYPES, value);
}

export function specOf(type: NotificationType): TypeSpec {
  return NOTIFICATION_TYPES[type];
}

/** The type whose rule decides a type's channels: a resolved message goes where its alert went. */
export function ruleTypeOf(type: NotificationType): NotificationType {
  if (type === 'exchange.recovered') return 'exchange.unavailable';
  return type === 'errors.resolved' ? 'errors.spike' : type;
}

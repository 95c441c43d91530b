import { ConfigError, type EnvReader, isTimeZone } from '@tradedesk/shared';
import { isEmailAddress } from './domain/email-address.js';

export type NotifyLocale = 'ko' | 'en';
export const WEBHOOK_PRESETS = ['json', 'slack', 'discord', 'telegram'] as const;
export type WebhookPreset = (typeof WEBHOOK_PRESETS)[number];

/** Where email goes out. The password stays inside `transportUrl` and never in a log line, an answer or an error. */
export class SmtpSettings {
  constructor(
    /** smtp(s)://user:pass@host:port exactly as given, for nodemailer only. */
    private readonly transportUrl: string,
    readonly host: string,
    readonly port: number,
    readonly secure: boolean,
    readonly from: string,
  ) {}

  url(): string {
    return this.transportUrl;
  }

  /** What may be shown: host and port, never the credentials. */
  toJSON(): Record<string, unknown> {
    return { host: this.host, port: this.port, secure: this.secure, from: this.from };
  }
}

export interface WebhookSettings {
  url: string;
  preset: WebhookPreset;
  /** HMAC-SHA256 key for the `X-Tradedesk-Signature` header; none: unsigned. */
  secret?: string;
  /** The chat a Telegram bot posts to (required by the Bot API). */
  telegramChatId?: string;
}

export interface DeliverySettings {
  /** Tries of one delivery before it is dead. */
  attempts: number;
  /** First retry after about this long, doubling each time (with jitter), capped at 10 minutes. */
  retryBaseMs: number;
  /** One SMTP or webhook exchange may take this long before it counts as failed. */
  timeoutMs: number;
}

/** The notifications context's configuration namespace (NOTIFY_*, SMTP_*), validated with every other one at start. */
export class NotificationsConfig {
  constructor(
    readonly smtp: SmtpSettings | undefined,
    /** Default recipients of email (NOTIFY_EMAIL_TO). */
    readonly emailTo: readonly string[],
    readonly webhook: WebhookSettings | undefined,
    readonly locale: NotifyLocale,
    /** IANA zone for times in messages and the daily summary's day. */
    readonly timeZone: string,
    /** Local time of the daily summary, `HH:MM`; undefined: no summary. */
    readonly dailySummaryAt: string | undefined,
    readonly delivery: DeliverySettings,
    /** The live stream: its poll for other instances' notifications and its heartbeat comment. */
    readonly stream: { pollMs: number; heartbeatMs: number },
    /** The sweep for facts whose notification a crash cut off: how often, and how old a fact must be first. */
    readonly sweep: { everyMs: number; settleMs: number },
  ) {}

  static fromEnv(env: EnvReader): NotificationsConfig {
    const smtp = smtpOf(env);
    const emailTo = list(env.text('NOTIFY_EMAIL_TO'));
    emailTo.forEach((address, i) => {
      if (!isEmailAddress(address)) throw new ConfigError('NOTIFY_EMAIL_TO', `entry ${i + 1} is not an email address`);
    });
    const locale = (env.text('NOTIFY_LOCALE') ?? 'en').toLowerCase();
    if (locale !== 'ko' && locale !== 'en') throw new ConfigError('NOTIFY_LOCALE', `must be ko or en (got "${locale}")`);
    const timeZone = env.text('NOTIFY_TIMEZONE') ?? 'Asia/Seoul';
    if (!isTimeZone(timeZone)) throw new ConfigError('NOTIFY_TIMEZONE', `is not an IANA time zone such as Asia/Seoul (got "${timeZone}")`);
    const summary = (env.text('NOTIFY_DAILY_SUMMARY') ?? '09:00').toLowerCase();
    if (summary !== 'off' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(summary))
      throw new ConfigError('NOTIFY_DAILY_SUMMARY', `must be a local time HH:MM or off (got "${summary}")`);
    return new NotificationsConfig(
      smtp,
      emailTo,
      webhookOf(env),
      locale,
      timeZone,
      summary === 'off' ? undefined : summary,
      {
        attempts: env.int('NOTIFY_DELIVERY_ATTEMPTS', 8, 1, 50),
        retryBaseMs: env.int('NOTIFY_RETRY_BASE_MS', 2000, 10, 3_600_000),
        timeoutMs: env.int('NOTIFY_SEND_TIMEOUT_MS', 15_000, 100, 300_000),
      },
      { pollMs: 500, heartbeatMs: env.int('NOTIFY_STREAM_HEARTBEAT_MS', 15_000, 100, 300_000) },
      {
        everyMs: env.int('NOTIFY_SWEEP_EVERY_MS', 60_000, 100, 3_600_000),
        settleMs: env.int('NOTIFY_SWEEP_SETTLE_MS', 30_000, 0, 3_600_000),
      },
    );
  }
}

function smtpOf(env: EnvReader): SmtpSettings | undefined {
  const raw = env.text('SMTP_URL');
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: it may hold the SMTP password.
    throw new ConfigError('SMTP_URL', 'is not a URL; use smtp://user:pass@host:port (or smtps://)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps:// (got "${url.protocol}//")`);
  if (!url.hostname) throw new ConfigError('SMTP_URL', 'names no host');
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const from = env.text('SMTP_FROM') ?? `tradedesk <tradedesk@${url.hostname.includes('.') ? url.hostname : 'localhost'}>`;
  const address = addressOf(from);
  if (!isEmailAddress(address)) throw new ConfigError('SMTP_FROM', 'must be an email address, optionally as "Name <address>"');
  return new SmtpSettings(raw, url.hostname, port, secure, from);
}

/**
 * The address of `Name <address>` (what the angle brackets that end it hold), or the whole value.
 * Found by index, not by a regex: `/<([^>]+)>\s*$/` backtracks on a long value.
 */
function addressOf(from: string): string {
  const end = from.trimEnd().length - 1;
  if (end < 0 || from[end] !== '>') return from;
  const open = from.indexOf('<', from.lastIndexOf('>', end - 1) + 1);
  return open >= 0 && open < end - 1 ? from.slice(open + 1, end) : from;
}

function webhookOf(env: EnvReader): WebhookSettings | undefined {
  const raw = env.text('NOTIFY_WEBHOOK_URL');
  if (!raw) return undefined;
  if (!isHttpUrl(raw)) throw new ConfigError('NOTIFY_WEBHOOK_URL', 'must be an http:// or https:// URL');
  const given = env.text('NOTIFY_WEBHOOK_PRESET')?.toLowerCase();
  const preset = (given || presetFor(raw)) as WebhookPreset;
  if (!WEBHOOK_PRESETS.includes(preset))
    throw new ConfigError('NOTIFY_WEBHOOK_PRESET', `must be one of ${WEBHOOK_PRESETS.join(', ')} (got "${given}")`);
  const telegramChatId = env.text('NOTIFY_TELEGRAM_CHAT_ID');
  if (preset === 'telegram' && !telegramChatId)
    throw new ConfigError('NOTIFY_TELEGRAM_CHAT_ID', 'is required with the telegram preset (the chat the bot posts to)');
  const secret = env.text('NOTIFY_WEBHOOK_SECRET');
  if (secret !== undefined && secret.length < 16) throw new ConfigError('NOTIFY_WEBHOOK_SECRET', 'must be at least 16 characters long');
  return { url: raw, preset, ...(secret ? { secret } : {}), ...(telegramChatId ? { telegramChatId } : {}) };
}

/** The body a well-known receiver understands, from its host; plain JSON otherwise. */
export function presetFor(url: string): WebhookPreset {
  const host = new URL(url).hostname;
  if (host === 'hooks.slack.com') return 'slack';
  if (host === 'discord.com' || host === 'discordapp.com') return 'discord';
  if (host === 'api.telegram.org') return 'telegram';
  return 'json';
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

import { ConfigError, EnvReader } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { NotificationsConfig } from './notifications.config.js';

function refused(env: Record<string, string>): ConfigError {
  try {
    NotificationsConfig.fromEnv(new EnvReader(env, '/'));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('NotificationsConfig.fromEnv', () => {
  it('defaults: no email, no webhook, English, Asia/Seoul, a summary at 09:00', () => {
    const c = NotificationsConfig.fromEnv(new EnvReader({}, '/'));
    expect(c).toMatchObject({
      smtp: undefined,
      webhook: undefined,
      locale: 'en',
      timeZone: 'Asia/Seoul',
      dailySummaryAt: '09:00',
      emailTo: [],
    });
  });

  it('reads SMTP_URL, SMTP_FROM, NOTIFY_EMAIL_TO and keeps the password out of what it shows', () => {
    const c = NotificationsConfig.fromEnv(
      new EnvReader(
        {
          SMTP_URL: 'smtp://user:hunter2-secret@mail.example.com:2525',
          SMTP_FROM: 'Desk <desk@example.com>',
          NOTIFY_EMAIL_TO: 'a@example.com, b@example.com',
          NOTIFY_LOCALE: 'ko',
        },
        '/',
      ),
    );
    expect(c.smtp).toMatchObject({ host: 'mail.example.com', port: 2525, secure: false, from: 'Desk <desk@example.com>' });
    expect(c.smtp!.url()).toContain('hunter2-secret');
    expect(JSON.stringify(c)).not.toContain('hunter2-secret');
    expect(c.emailTo).toEqual(['a@example.com', 'b@example.com']);
    expect(c.locale).toBe('ko');
  });

  it.each([
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://user:hunter2-secret@mail.example.com:99999' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://mail.example.com', SMTP_FROM: 'not an address' }, 'SMTP_FROM'],
    [{ NOTIFY_EMAIL_TO: 'a@example.com,nope' }, 'NOTIFY_EMAIL_TO'],
    [{ NOTIFY_LOCALE: 'fr' }, 'NOTIFY_LOCALE'],
    [{ NOTIFY_TIMEZONE: 'Mars/Olympus' }, 'NOTIFY_TIMEZONE'],
    [{ NOTIFY_DAILY_SUMMARY: '25:00' }, 'NOTIFY_DAILY_SUMMARY'],
    [{ NOTIFY_WEBHOOK_URL: 'ftp://example.com' }, 'NOTIFY_WEBHOOK_URL'],
    [{ NOTIFY_WEBHOOK_URL: 'https://api.telegram.org/botX/sendMessage' }, 'NOTIFY_TELEGRAM_CHAT_ID'],
    [{ NOTIFY_WEBHOOK_URL: 'https://example.com/h', NOTIFY_WEBHOOK_SECRET: 'short' }, 'NOTIFY_WEBHOOK_SECRET'],
    [{ NOTIFY_DELIVERY_ATTEMPTS: '0' }, 'NOTIFY_DELIVERY_ATTEMPTS'],
  ])('%j is refused naming %s, never echoing a password', (env, variable) => {
    const error = refused(env);
    expect(error.variable).toBe(variable);
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('guesses the preset of well-known receivers', () => {
    expect(
      NotificationsConfig.fromEnv(new EnvReader({ NOTIFY_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' }, '/')).webhook!.preset,
    ).toBe('slack');
    expect(
      NotificationsConfig.fromEnv(new EnvReader({ NOTIFY_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/x' }, '/')).webhook!.preset,
    ).toBe('discord');
    expect(NotificationsConfig.fromEnv(new EnvReader({ NOTIFY_WEBHOOK_URL: 'https://example.com/h' }, '/')).webhook!.preset).toBe('json');
  });
});

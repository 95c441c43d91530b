import { createHmac } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { NotificationsConfig, presetFor, type WebhookPreset } from '../../notifications.config.js';

export interface WebhookMessage {
  id: number;
  type: string;
  severity: string;
  title: string;
  text: string;
  createdAt: string;
  data: Record<string, unknown>;
  silent: boolean;
}

/** The request body a receiver of each preset understands. */
export function webhookBody(preset: WebhookPreset, message: WebhookMessage, telegramChatId?: string): Record<string, unknown> {
  switch (preset) {
    case 'slack':
      return { text: `*${message.title}*\n${message.text.split('\n').slice(2).join('\n')}` };
    case 'discord':
      return {
        content: `**${message.title}**\n${message.text.split('\n').slice(2).join('\n')}`.slice(0, 2000),
        flags: message.silent ? 4096 : 0,
      };
    case 'telegram':
      return { chat_id: telegramChatId, text: message.text.slice(0, 4096), disable_notification: message.silent };
    case 'json':
      return {
        id: message.id,
        type: message.type,
        severity: message.severity,
        title: message.title,
        body: message.text,
        createdAt: message.createdAt,
        silent: message.silent,
        data: message.data,
      };
  }
}

/**
 * POSTs a notification as JSON. With NOTIFY_WEBHOOK_SECRET, `X-Tradedesk-Signature: sha256=<hex>`
 * is the HMAC-SHA256 of `<X-Tradedesk-Timestamp>.<body>`, so a receiver can refuse forgeries and replays.
 */
@Injectable()
export class WebhookSender implements BeforeApplicationShutdown {
  private readonly stopping = new AbortController();

  constructor(private readonly config: NotificationsConfig) {}

  /** Requests in flight end now: a receiver that never answers must not hold up the stop. */
  beforeApplicationShutdown(): void {
    this.stopping.abort();
  }

  async send(url: string, message: WebhookMessage): Promise<void> {
    const settings = this.config.webhook;
    const own = settings?.url === url;
    const preset = own ? settings.preset : presetFor(url);
    const body = JSON.stringify(webhookBody(preset, message, own ? settings.telegramChatId : undefined));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'tradedesk',
      'X-Tradedesk-Event': message.type,
      'X-Tradedesk-Delivery': String(message.id),
      'X-Tradedesk-Timestamp': timestamp,
    };
    if (settings?.secret)
      headers['X-Tradedesk-Signature'] = `sha256=${createHmac('sha256', settings.secret).update(`${timestamp}.${body}`).digest('hex')}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.config.delivery.timeoutMs), this.stopping.signal]),
      });
    } catch (error) {
      // fetch's messages can quote the URL, whose path may be a secret (Slack, Telegram): name only the cause.
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new Error(`webhook unreachable (${cause})`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new Error(`webhook answered HTTP ${response.status}`);
  }
}

import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { NotificationsConfig } from '../../notifications.config.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery: a resend after a crash carries the same Message-ID, so mail clients fold it. */
  messageId: string;
}

/**
 * Pooled SMTP from SMTP_URL. Every wait is bounded (connect, greeting, socket), so a server that
 * accepts connections and never answers fails the delivery after NOTIFY_SEND_TIMEOUT_MS instead of
 * holding it; deliveries run in the outbox's background slots, never on an order's path.
 */
@Injectable()
export class SmtpMailer implements OnApplicationShutdown {
  private transporter: Transporter | undefined;

  constructor(private readonly config: NotificationsConfig) {}

  get configured(): boolean {
    return this.config.smtp !== undefined;
  }

  async send(email: OutgoingEmail): Promise<void> {
    await this.transport().sendMail({
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: email.messageId,
    });
  }

  /** Connects and authenticates without sending (the health check). */
  async verify(): Promise<void> {
    await this.transport().verify();
  }

  async onApplicationShutdown(): Promise<void> {
    this.transporter?.close();
    this.transporter = undefined;
  }

  private transport(): Transporter {
    const smtp = this.config.smtp;
    if (!smtp) throw new Error('SMTP_URL is not set');
    const timeout = this.config.delivery.timeoutMs;
    this.transporter ??= nodemailer.createTransport(
      {
        url: smtp.url(),
        pool: true,
        maxConnections: 2,
        maxMessages: 100,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        // The server's name in its greeting is not ours to check on a self-hosted relay on loopback.
        tls: { rejectUnauthorized: !['127.0.0.1', 'localhost', '::1'].includes(smtp.host) },
      },
      { from: smtp.from },
    );
    return this.transporter;
  }
}

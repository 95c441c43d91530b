import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
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
export class SmtpMailer implements BeforeApplicationShutdown {
  private transporter: Transporter | undefined;
  private closed = false;
  private readonly stopping = stopSignal();

  constructor(private readonly config: NotificationsConfig) {}

  get configured(): boolean {
    return this.config.smtp !== undefined;
  }

  async send(email: OutgoingEmail): Promise<void> {
    const sending = this.transport().sendMail({
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: email.messageId,
    });
    // A pool's close() does not end a send waiting on a silent server: the stop ends the wait itself.
    await Promise.race([sending, this.stopping.stopped]);
  }

  /** Connects and authenticates without sending (the health check). */
  async verify(): Promise<void> {
    await this.transport().verify();
  }

  /** Closed before the outbox waits for its handlers: a send hanging on a silent server ends now, not at its timeout. */
  beforeApplicationShutdown(): void {
    this.closed = true;
    this.stopping.stop(new Error('stopping'));
    this.transporter?.close();
    this.transporter = undefined;
  }

  private transport(): Transporter {
    const smtp = this.config.smtp;
    if (!smtp) throw new Error('SMTP_URL is not set');
    if (this.closed) throw new Error('stopping');
    const timeout = this.config.delivery.timeoutMs;
    this.transporter ??= nodemailer.createTransport(
      {
        url: smtp.url(),
        // What the URL says (smtps: TLS from the start, smtp: STARTTLS when offered); nodemailer reads it there too.
        secure: smtp.secure,
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

/** A wait that rejects when `stop` is called, for sends to race against. */
function stopSignal(): { stopped: Promise<never>; stop: (reason: Error) => void } {
  let stop: (reason: Error) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  // Nobody may be waiting on it when the stop comes: that is not an unhandled rejection.
  stopped.catch(() => undefined);
  return { stopped, stop };
}

import { connect } from 'node:net';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthRegistry } from '@tradedesk/shared';
import { NotificationsConfig } from '../notifications.config.js';
import { SmtpMailer } from './email/smtp-mailer.js';

const PROBE_TIMEOUT_MS = 3000;
/** A probe's answer is reused this long: a health poll every second must not open an SMTP session every second. */
const REUSE_MS = 30_000;

interface ChannelHealth {
  configured: boolean;
  reachable?: boolean;
  error?: string;
  checkedAt?: string;
}

/**
 * SMTP (`verify()`: connect and log in) and the webhook's host (a TCP connect: posting would send a
 * message) in /api/health. A channel that fails makes tradedesk `degraded`, never down: trading
 * goes on without alerts, and the deliveries wait in the outbox.
 */
@Injectable()
export class NotificationsHealthContributor implements OnModuleInit {
  private last: { at: number; result: HealthIndicatorResult } | undefined;

  constructor(
    private readonly registry: HealthRegistry,
    private readonly config: NotificationsConfig,
    private readonly mailer: SmtpMailer,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'notifications', readiness: false, degradable: true, check: () => this.check() });
  }

  async check(): Promise<HealthIndicatorResult> {
    if (this.last && Date.now() - this.last.at < REUSE_MS) return this.last.result;
    const [email, webhook] = await Promise.all([this.smtp(), this.webhook()]);
    const up = [email, webhook].every((c) => !c.configured || c.reachable);
    const result = { notifications: { status: up ? 'up' : 'down', email, webhook } } as HealthIndicatorResult;
    this.last = { at: Date.now(), result };
    return result;
  }

  private async smtp(): Promise<ChannelHealth> {
    if (!this.config.smtp) return { configured: false };
    try {
      await withTimeout(this.mailer.verify(), PROBE_TIMEOUT_MS);
      return { configured: true, reachable: true, checkedAt: new Date().toISOString() };
    } catch (error) {
      // nodemailer's messages name the server's answer, never the credentials.
      return { configured: true, reachable: false, error: (error as Error).message.slice(0, 200), checkedAt: new Date().toISOString() };
    }
  }

  private async webhook(): Promise<ChannelHealth> {
    const url = this.config.webhook?.url;
    if (!url) return { configured: false };
    const target = new URL(url);
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: target.hostname, port, timeout: PROBE_TIMEOUT_MS });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('timeout', () => done(false));
      socket.once('error', () => done(false));
    });
    return {
      configured: true,
      reachable,
      ...(reachable ? {} : { error: `${target.host} does not accept connections` }),
      checkedAt: new Date().toISOString(),
    };
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

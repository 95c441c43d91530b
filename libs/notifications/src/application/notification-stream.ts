import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@tradedesk/shared';
import { MoreThan } from 'typeorm';
import { NotificationOrmEntity } from '../infrastructure/persistence/notification.orm-entity.js';
import { NotificationsConfig } from '../notifications.config.js';
import { toNotificationView } from './queries/notification-view.js';

interface StreamClient {
  /** Id of the last notification this client has. */
  cursor: number;
  write(chunk: string): void;
  end(): void;
}

/** Rows read per pass; a client further behind gets the rest on the next pass. */
const BATCH = 200;

/**
 * The live side of the web channel (Server-Sent Events). Each client has a cursor, the id of the
 * last notification it has; new rows (ids grow in commit order) are written to every client behind
 * them. This process's own commits wake it at once; a slow poll catches other instances' rows.
 */
@Injectable()
export class NotificationStream implements BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationStream.name);
  private readonly clients = new Set<StreamClient>();
  private pass: Promise<void> | undefined;
  private again = false;
  private poller: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: NotificationsConfig,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Adds a client: from `lastEventId` (a reconnect: everything after it is replayed first), or from
   * the newest notification (only what comes next). Returns how to remove it.
   */
  async subscribe(lastEventId: number | undefined, write: (chunk: string) => void, end: () => void): Promise<() => void> {
    const cursor = lastEventId ?? (await this.newestId());
    const client: StreamClient = { cursor, write, end };
    if (this.closed) {
      end();
      return () => undefined;
    }
    this.clients.add(client);
    this.startTimers();
    if (lastEventId !== undefined) this.wake();
    return () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopTimers();
    };
  }

  /** New notifications may be there: read and push them (passes never overlap; a wake during one adds one more). */
  wake(): void {
    if (this.clients.size === 0) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.push()
      .catch((error: unknown) =>
        this.logger.warn(`notification stream read failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** An open stream would hold the HTTP server open: every client is ended before it closes. */
  beforeApplicationShutdown(): void {
    this.closed = true;
    this.stopTimers();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private async push(): Promise<void> {
    for (;;) {
      const from = Math.min(...[...this.clients].map((c) => c.cursor));
      if (!Number.isFinite(from)) return;
      const rows = await this.uow.autocommit((m) =>
        m.find(NotificationOrmEntity, { where: { id: MoreThan(from), webMode: 'on' }, order: { id: 'ASC' }, take: BATCH }),
      );
      for (const client of this.clients) {
        for (const row of rows) {
          if (row.id <= client.cursor) continue;
          client.write(`id: ${row.id}\nevent: notification\ndata: ${JSON.stringify(toNotificationView(row))}\n\n`);
          client.cursor = row.id;
        }
      }
      if (rows.length < BATCH) return;
    }
  }

  private async newestId(): Promise<number> {
    const newest = await this.uow.autocommit((m) =>
      m.find(NotificationOrmEntity, { select: { id: true }, order: { id: 'DESC' }, take: 1 }),
    );
    return newest[0]?.id ?? 0;
  }

  private startTimers(): void {
    this.poller ??= setInterval(() => this.wake(), this.config.stream.pollMs);
    this.poller.unref();
    // A comment line: keeps proxies from closing an idle stream and lets a client notice a dead one.
    this.heartbeat ??= setInterval(() => {
      for (const client of this.clients) client.write(`: heartbeat ${new Date().toISOString()}\n\n`);
    }, this.config.stream.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopTimers(): void {
    clearInterval(this.poller);
    clearInterval(this.heartbeat);
    this.poller = undefined;
    this.heartbeat = undefined;
  }
}

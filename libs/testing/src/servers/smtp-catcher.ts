import { createServer, type Server, type Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_TEST_USER = 'alerts';
export const SMTP_TEST_PASSWORD = 'smtp-secret-Pa55word';

export interface CaughtMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  receivedAt: Date;
}

/**
 * A real SMTP server in the test process (smtp-server) that parses what it accepts (mailparser).
 * `refuse(n)` answers the next n messages with a temporary 451, as a server that is struggling does.
 */
export class SmtpCatcher {
  readonly mails: CaughtMail[] = [];
  /** Messages refused so far (each a delivery try that failed). */
  refused = 0;
  private toRefuse = 0;
  private readonly listeners = new Set<() => void>();

  private server: SMTPServer | undefined;
  port = 0;

  static async start(): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher();
    const server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_TEST_USER && auth.password === SMTP_TEST_PASSWORD) return callback(null, { user: auth.username });
        return callback(new Error('535 wrong credentials'));
      },
      onData(stream, session, callback) {
        if (catcher.toRefuse > 0) {
          catcher.toRefuse -= 1;
          catcher.refused += 1;
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('451 try again later'), { responseCode: 451 })));
          return;
        }
        simpleParser(stream)
          .then((mail: ParsedMail) => {
            catcher.mails.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              receivedAt: new Date(),
            });
            for (const listener of catcher.listeners) listener();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = (server as unknown as { server: Server }).server.address();
    catcher.server = server;
    catcher.port = typeof address === 'object' && address ? address.port : 0;
    return catcher;
  }

  /** `smtp://user:pass@127.0.0.1:port` */
  get url(): string {
    return `smtp://${SMTP_TEST_USER}:${SMTP_TEST_PASSWORD}@127.0.0.1:${this.port}`;
  }

  refuse(count: number): void {
    this.toRefuse = count;
  }

  /** Resolves once `predicate` holds for the mails caught, or rejects after `timeoutMs`. */
  async waitFor(predicate: (mails: CaughtMail[]) => boolean, timeoutMs: number, what = 'mail'): Promise<CaughtMail[]> {
    if (predicate(this.mails)) return this.mails;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(`no ${what} within ${timeoutMs} ms (caught ${this.mails.length}: ${this.mails.map((m) => m.subject).join(' | ')})`),
        );
      }, timeoutMs);
      const check = () => {
        if (!predicate(this.mails)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(this.mails);
      };
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** An SMTP "server" that accepts connections and never says a word: a blackhole. */
export class SmtpBlackhole {
  private readonly sockets = new Set<Socket>();

  private server: Server | undefined;
  port = 0;

  static async start(): Promise<SmtpBlackhole> {
    const hole = new SmtpBlackhole();
    const server = createServer((socket) => {
      hole.sockets.add(socket);
      socket.on('close', () => hole.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    hole.server = server;
    hole.port = typeof address === 'object' && address ? address.port : 0;
    return hole;
  }

  get url(): string {
    return `smtp://${SMTP_TEST_USER}:${SMTP_TEST_PASSWORD}@127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

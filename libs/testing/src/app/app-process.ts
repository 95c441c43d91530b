import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { waitFor } from '../servers/free-port.js';

const root = join(import.meta.dirname, '../../../..');

/** tradedesk running as a child process, as `npm start` runs it, for crash and process specs. */
export class AppProcess {
  private out = '';
  private err = '';
  readonly exit: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d) => (this.out += String(d)));
    child.stderr!.on('data', (d) => (this.err += String(d)));
    this.exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * Starts it with a minimal environment (PORT 0, SIM off unless `env` says otherwise).
   * `user` runs it under another uid/gid (a root test runner ignores file permissions);
   * `maxFileBytes` caps every file it writes (`ulimit -f`), as a full disk would.
   */
  static spawn(env: Record<string, string>, options: { user?: { uid: number; gid: number }; maxFileBytes?: number } = {}): AppProcess {
    // The vitest globalSetup builds the app once per run, into its own directory.
    const [command, args] =
      options.maxFileBytes === undefined
        ? [process.execPath, [inject('appMain')]]
        : ['sh', ['-c', `ulimit -f ${Math.floor(options.maxFileBytes / 512)} && exec "$0" "$1"`, process.execPath, inject('appMain')]];
    return new AppProcess(
      spawn(command, args, {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', SIM: 'off', SIM_PORT: '0', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.user ?? {}),
      }),
    );
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  private listeningUrl(): string | undefined {
    return /tradedesk listening on (http:\/\/[^\s"]+)/.exec(this.out)?.[1];
  }

  /** The API's base URL once it listens; throws with its stderr if it exits first. */
  async started(timeoutMs = 30_000): Promise<string> {
    await waitFor(() => this.listeningUrl() !== undefined || this.child.exitCode !== null, 'tradedesk to listen', timeoutMs);
    const url = this.listeningUrl();
    if (!url) throw new Error(`tradedesk exited (${this.child.exitCode}): ${this.err}`);
    return url;
  }

  /** SIGTERM (graceful) by default; SIGKILL to simulate a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exit;
  }
}

import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StartupError } from '../config/startup-failure.js';

/**
 * Creates a directory tradedesk keeps private (0700) and checks that this process can write in
 * it, so a read-only or foreign DATA_DIR stops the start with one line instead of the first
 * write's stack trace somewhere later. Returns whether an existing directory is open to others.
 */
export function preparePrivateDir(dir: string, variable: string): { openToOthers: boolean; mode: number } {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartupError(
      `${variable}: cannot create ${dir} (${codeOf(error)}): create it writable by the user running tradedesk${uidHint()}, or set ${variable} to a directory that is`,
    );
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new StartupError(`${variable}: ${dir} is not a directory: set ${variable} to a directory`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StartupError(
      `${variable}: ${dir} is not writable by the user running tradedesk${uidHint()} (${codeOf(error)}): make it writable by that user (chown, chmod 700), or set ${variable} to a directory that is`,
    );
  }
  return { openToOthers: (stats.mode & 0o077) !== 0, mode: stats.mode & 0o777 };
}

/**
 * Writes a secret file whole or not at all: a temporary file (0600) is written and fsynced, then
 * linked to its name, which fails if the name exists (two instances generating a key at once
 * keep the first one's). A failure (a full disk) leaves nothing behind; a crash may leave only
 * the temporary file, never a short or empty secret under the real name.
 * Returns false when the file existed already.
 */
export function writeSecretFileExclusive(path: string, content: string): boolean {
  return writeThroughTemp(path, content, (temp) => {
    try {
      linkSync(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  });
}

/** Moves a secret file over another atomically, the new name made durable. */
export function moveSecretFile(from: string, to: string): void {
  renameSync(from, to);
  syncDirectory(dirname(to));
}

/** Replaces a secret file atomically (temporary file, fsync, rename over it). */
export function replaceSecretFile(path: string, content: string): void {
  writeThroughTemp(path, content, (temp) => {
    renameSync(temp, path);
    return true;
  });
}

function writeThroughTemp(path: string, content: string, commit: (temp: string) => boolean): boolean {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    writeFileSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    const done = commit(temp);
    syncDirectory(dirname(path));
    return done;
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
  }
}

/** The new name must survive a power cut too, not only the content. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.name : 'error');
}

export function uidHint(): string {
  const uid = process.getuid?.();
  return uid === undefined ? '' : ` (uid ${uid})`;
}

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';

const root = join(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an operator command of the built app (`apps/api/src/cli/<name>.js` of this test run's
 * build, what `npm run token:rotate` and `npm run master-key:rotate` run) with only the given
 * environment, as an operator would from the same .env as the server.
 */
export function runCli(name: string, env: Record<string, string>, args: string[] = []): Promise<CliRun> {
  const entry = join(dirname(inject('appMain')), 'cli', `${name}.js`);
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The version in tradedesk's package.json, found upwards from this file (the source tree, dist/ or the Docker image). */
export function tradedeskVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tradedesk' && pkg.version) {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // Not here: one level up.
    }
    const parent = dirname(dir);
    if (parent === dir) {
      cached = 'unknown';
      return cached;
    }
    dir = parent;
  }
}

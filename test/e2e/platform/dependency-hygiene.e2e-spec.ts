import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const script = join(root, 'scripts/check-lockfile.mjs');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs the lockfile check on a directory; its exit code and what it printed. */
function check(dir: string): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync(process.execPath, [script, dir], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

describe('the lockfile check (npm run lint)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const manifest = (): Json => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = (): Json => JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  /** Writes a changed copy of the repository's package.json and lockfile, then checks it. */
  const checkChanged = (change: (m: Json, l: Json) => void) => {
    const [m, l] = [manifest(), lock()];
    change(m, l);
    writeFileSync(join(dir.path, 'package.json'), JSON.stringify(m));
    writeFileSync(join(dir.path, 'package-lock.json'), JSON.stringify(l));
    return check(dir.path);
  };

  beforeAll(async () => {
    dir = await tempDir('tradedesk-lockfile-');
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('passes on the repository and is part of npm run lint', () => {
    const result = check(root);
    expect(result).toMatchObject({ code: 0, output: expect.stringMatching(/^check-lockfile: \d+ production and \d+ dev dependencies/) });
    expect(manifest().scripts.lint).toContain('node scripts/check-lockfile.mjs');
  });

  it('refuses a production dependency that is not an exact version or a caret range', () => {
    for (const range of ['~12.5.1', '*', '>=12.0.0', 'latest', '12.x', 'github:nestjs/nest']) {
      const result = checkChanged((m, l) => {
        m.dependencies['@nestjs/core'] = range;
        l.packages[''].dependencies['@nestjs/core'] = range;
      });
      expect(result.code, range).toBe(1);
      expect(result.output, range).toContain(`dependencies.@nestjs/core is "${range}": it must be an exact version or a caret range`);
    }
    // Exact is fine when the lockfile holds that version.
    const exact = checkChanged((m, l) => {
      const version = l.packages['node_modules/@nestjs/core'].version;
      m.dependencies['@nestjs/core'] = version;
      l.packages[''].dependencies['@nestjs/core'] = version;
    });
    expect(exact.code).toBe(0);
  });

  it('refuses a dependency the lockfile does not hold, or holds outside its range', () => {
    const missing = checkChanged((m, l) => {
      m.dependencies['left-pad'] = '^1.3.0';
      l.packages[''].dependencies['left-pad'] = '^1.3.0';
    });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('dependencies.left-pad: not in package-lock.json');

    const outside = checkChanged((_m, l) => {
      l.packages['node_modules/decimal.js'].version = '9.0.0';
    });
    expect(outside.code).toBe(1);
    expect(outside.output).toContain('dependencies.decimal.js: locked at 9.0.0, outside "^10.6.0"');
  });

  it('refuses a lockfile that disagrees with package.json', () => {
    const changedRange = checkChanged((m) => {
      m.dependencies['decimal.js'] = '^10.7.0';
    });
    expect(changedRange.code).toBe(1);
    expect(changedRange.output).toContain(`dependencies.decimal.js: package.json wants "^10.7.0", the lockfile's root has "^10.6.0"`);

    const removed = checkChanged((m) => {
      delete m.dependencies['async-mutex'];
    });
    expect(removed.code).toBe(1);
    expect(removed.output).toContain(`dependencies.async-mutex: in the lockfile's root but not in package.json`);

    const devOnly = checkChanged((_m, l) => {
      l.packages['node_modules/pg'].dev = true;
    });
    expect(devOnly.code).toBe(1);
    expect(devOnly.output).toContain('dependencies.pg: locked as a dev-only package');

    const override = checkChanged((m) => {
      m.overrides['@fastify/static']['content-disposition'] = '2.0.0';
    });
    expect(override.code).toBe(1);
    expect(override.output).toContain('overrides @fastify/static > content-disposition: "2.0.0" is not in package-lock.json');
  });

  it('refuses a locked package without an integrity hash', () => {
    const result = checkChanged((_m, l) => {
      const path = Object.keys(l.packages).find((p) => p.endsWith('node_modules/ms'))!;
      delete l.packages[path].integrity;
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/node_modules\/ms@[\d.]+: no integrity hash in package-lock\.json/);
  });
});

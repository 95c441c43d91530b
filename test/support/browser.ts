// A real browser for the dashboard's tests: Debian's Chromium driven by playwright-core (no
// downloaded browser), with every console error, page error and failed request recorded, and
// axe-core run inside the page.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { tempDir } from '@tradedesk/testing';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** Debian installs it as /usr/bin/chromium; CHROMIUM_PATH points elsewhere. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`no Chromium at ${path}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  return path;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Builds the dashboard into a folder of its own, so a parallel `npm run build` cannot pull it away. */
export async function buildDashboard(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const out = await tempDir();
  await run(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'apps/dashboard/vite.config.mts', '--logLevel', 'warn'],
    {
      cwd: root,
      // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production', DASHBOARD_OUT: out.path },
    },
  );
  return { dir: out.path, remove: () => out.remove() };
}

export interface ProblemWatch {
  /** Everything that went wrong outside `expecting`. */
  problems: string[];
  /** Runs `step` with what goes wrong in it kept apart, and returns that (a refusal the step provokes on purpose). */
  expecting: (step: () => Promise<void>) => Promise<string[]>;
  stop: () => void;
}

/** What went wrong in a page while it was watched: the dashboard must keep `problems` empty. */
export function watchForProblems(page: Page): ProblemWatch {
  const problems: string[] = [];
  let sink: string[] | undefined = problems;
  const record = (problem: string) => sink?.push(`${problem} (at ${page.url()})`);
  page.on('console', (message) => {
    if (message.type() === 'error') record(`console: ${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => record(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    record(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) record(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return {
    problems,
    expecting: async (step) => {
      const kept: string[] = [];
      sink = kept;
      try {
        await step();
      } finally {
        sink = problems;
      }
      return kept;
    },
    stop: () => (sink = undefined),
  };
}

let axeSource: string | undefined;

/** axe-core's serious and critical violations on the page as it is now, as `rule: target` lines. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate() runs outside the page's CSP, which would refuse an injected script tag.
  await page.evaluate(axeSource);
  // A string, not a function: this file is type-checked without the DOM library.
  const violations = await page.evaluate<Array<{ id: string; impact: string; targets: string[] }>>(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  })()`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}

/** Screenshots are kept as test artefacts in test-artifacts/dashboard/ (CI uploads the folder). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(root, 'test-artifacts', 'dashboard');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

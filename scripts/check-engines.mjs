#!/usr/bin/env node
// Fails when the Node.js version the README promises cannot install the locked dependency tree
// without an EBADENGINE warning: every package `npm ci` installs must accept the minimum, and the
// README, package.json `engines` and this minimum must agree. Runs with `npm run lint`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const semver = createRequire(import.meta.url)('semver');
const read = (file) => readFileSync(join(root, file), 'utf8');

const declared = JSON.parse(read('package.json')).engines?.node;
const promised = /Needs Node\.js ≥ (\d+\.\d+(?:\.\d+)?)/.exec(read('README.md'))?.[1];
const problems = [];
if (!declared) problems.push('package.json has no engines.node');
if (!promised) problems.push('README.md does not say "Needs Node.js ≥ X.Y"');
const minimum = promised ? semver.coerce(promised).version : undefined;
if (declared && minimum && semver.minVersion(declared)?.version !== minimum)
  problems.push(`package.json engines.node "${declared}" does not start at the README's Node.js ${promised}`);

if (minimum) {
  for (const [path, entry] of Object.entries(JSON.parse(read('package-lock.json')).packages ?? {})) {
    const range = entry.engines?.node;
    if (!path || typeof range !== 'string') continue;
    if (!semver.satisfies(minimum, range))
      problems.push(
        `${path.replace(/^.*node_modules\//, '')}@${entry.version} (${entry.dev ? 'dev' : 'production'}) wants Node ${range}, excluding ${minimum}`,
      );
  }
}

if (problems.length > 0) {
  console.error(`check-engines: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-engines: every locked package accepts Node.js ${minimum}`);

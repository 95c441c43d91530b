#!/usr/bin/env node
// Fails when the dependency tree `npm ci` installs is not the one package.json asks for, pinned
// and verifiable: no advisory source answers from here (`npm audit` gets 405), so what we ship
// must at least be exactly what was reviewed (CONTRIBUTING.md, "Monthly dependency update").
//   - every production dependency is an exact version or a caret range (`1.2.3`, `^1.2.3`), and the
//     lockfile holds a version inside it; dev dependencies may also use a tilde range;
//   - the lockfile's root entry lists the same dependencies with the same ranges as package.json,
//     a production dependency is not locked as dev-only, and every override is locked at its version;
//   - every locked package carries an `integrity` hash (npm ci then verifies every tarball).
// Runs with `npm run lint`. `node scripts/check-lockfile.mjs <dir>` checks another checkout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const semver = createRequire(import.meta.url)('semver');
const read = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));

const manifest = read('package.json');
const lock = read('package-lock.json');
const packages = lock.packages ?? {};
const problems = [];

if (lock.lockfileVersion !== 3)
  problems.push(`package-lock.json is lockfileVersion ${lock.lockfileVersion}; npm ≥ 9 writes 3 (run npm install)`);

const EXACT_OR_CARET = /^\^?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const EXACT_CARET_OR_TILDE = /^[\^~]?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

for (const [field, pattern, kind] of [
  ['dependencies', EXACT_OR_CARET, 'an exact version or a caret range (1.2.3, ^1.2.3)'],
  ['devDependencies', EXACT_CARET_OR_TILDE, 'an exact version, a caret or a tilde range'],
]) {
  const wanted = manifest[field] ?? {};
  const locked = packages['']?.[field] ?? {};
  for (const [name, range] of Object.entries(wanted)) {
    if (!pattern.test(range)) problems.push(`${field}.${name} is "${range}": it must be ${kind}`);
    if (locked[name] !== range)
      problems.push(
        `${field}.${name}: package.json wants "${range}", the lockfile's root has "${locked[name] ?? 'nothing'}" (run npm install)`,
      );
    const entry = packages[`node_modules/${name}`];
    if (!entry) {
      problems.push(`${field}.${name}: not in package-lock.json (run npm install)`);
      continue;
    }
    if (!semver.valid(entry.version) || (semver.validRange(range) && !semver.satisfies(entry.version, range)))
      problems.push(`${field}.${name}: locked at ${entry.version}, outside "${range}" (run npm install)`);
    if (field === 'dependencies' && entry.dev)
      problems.push(`dependencies.${name}: locked as a dev-only package, so npm ci --omit=dev would not install it (run npm install)`);
  }
  for (const name of Object.keys(locked))
    if (!(name in wanted)) problems.push(`${field}.${name}: in the lockfile's root but not in package.json (run npm install)`);
}

// Overrides pin transitive packages; each must be locked at the version it names.
function* overrideLeaves(overrides, path = []) {
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (typeof value === 'string') yield [[...path, key], value];
    else yield* overrideLeaves(value, [...path, key]);
  }
}
for (const [path, version] of overrideLeaves(manifest.overrides)) {
  const name = withoutVersion(path[path.length - 1]);
  const versions = Object.entries(packages)
    .filter(([p]) => p === `node_modules/${name}` || p.endsWith(`/node_modules/${name}`))
    .map(([, e]) => e.version);
  if (!versions.includes(version.replace(/^[=^~]/, '')))
    problems.push(`overrides ${path.join(' > ')}: "${version}" is not in package-lock.json (locked: ${versions.join(', ') || 'none'})`);
}

let counted = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (path === '' || entry.link) continue;
  counted++;
  if (typeof entry.integrity !== 'string' || !/^sha(256|384|512)-[A-Za-z0-9+/=]+$/.test(entry.integrity))
    problems.push(`${path}@${entry.version}: no integrity hash in package-lock.json, so npm ci cannot verify its tarball`);
}

if (problems.length > 0) {
  console.error(`check-lockfile: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-lockfile: ${Object.keys(manifest.dependencies ?? {}).length} production and ${Object.keys(manifest.devDependencies ?? {}).length} dev dependencies pinned and locked; ${counted} locked packages carry an integrity hash`,
);

/** `name@range` → `name`; a scope's leading @ (`@scope/name@1`) stays. */
function withoutVersion(key) {
  const at = key.indexOf('@', 1);
  return at === -1 ? key : key.slice(0, at);
}

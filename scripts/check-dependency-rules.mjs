#!/usr/bin/env node
// Shows that the dependency lint (.dependency-cruiser.cjs, `npm run lint:deps`) can fail: in a
// scratch copy of the tree it must pass as the tree is, then, with one violation of each rule
// planted, report every plant under its rule and fail. Runs with `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const TREE = ['apps', 'libs', 'test', 'bench', 'scripts'];

/** One violation of each rule: a new file (or a line appended to one) and what it imports. */
const PLANTS = [
  {
    rule: 'lib-imports-app',
    file: 'libs/exchanges/src/application/planted-starts-emulator.ts',
    source: "export { startExchangeSim } from '@tradedesk/exchange-sim';",
  },
  {
    rule: 'lib-imports-app-test-kit',
    file: 'libs/testing/src/planted-harness.ts',
    source: "export { startSimHarness } from '../../../test/support/sim-harness.js';",
  },
  {
    // The allow-list lets libs/testing's index.ts re-export bootTestApp alone: anything else from test/ still fails.
    rule: 'lib-imports-app-test-kit',
    file: 'libs/testing/src/index.ts',
    source: "export { rawRequest } from '../../../test/support/raw-http.js';",
    append: true,
  },
  {
    rule: 'shared-imports-context',
    file: 'libs/shared/src/planted-orders.ts',
    source: "export { OrdersModule } from '@tradedesk/orders';",
  },
  {
    rule: 'domain-imports-outer-layer',
    file: 'libs/orders/src/domain/planted-entity.ts',
    source: "export { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';",
  },
  {
    rule: 'shipped-imports-test-support',
    file: 'libs/exchanges/src/application/planted-test-support.ts',
    source: "export { TEST_DRIVERS } from '@tradedesk/testing';",
  },
  {
    rule: 'shipped-imports-test-support',
    file: 'apps/api/src/planted-spec-import.ts',
    source: "export * from '../../../libs/shared/src/config/app-config.spec.js';",
  },
  {
    rule: 'deep-import-into-other-lib',
    file: 'libs/orders/src/application/planted-deep.ts',
    source: "export { SimEndpoint } from '../../../exchanges/src/application/sim-endpoint.js';",
  },
  {
    rule: 'deep-import-into-lib',
    file: 'apps/api/src/planted-deep.ts',
    source: "export { OrdersConfig } from '../../../libs/orders/src/orders.config.js';",
  },
  {
    rule: 'no-circular',
    file: 'libs/shared/src/planted-cycle-a.ts',
    source: "import { b } from './planted-cycle-b.js';\nexport const a = () => b;",
    // The other half of the cycle; the cycle is reported once, from the first file.
    with: { 'libs/shared/src/planted-cycle-b.ts': "import { a } from './planted-cycle-a.js';\nexport const b = () => a;" },
  },
];

/** `npm run lint:deps` in `dir`: its exit status and the violations it prints (`error <rule>: <from> → <to>`). */
function lint(dir) {
  const run = spawnSync(process.execPath, [depcruise, '--config', '.dependency-cruiser.cjs', ...TREE], { cwd: dir, encoding: 'utf8' });
  if (run.status === null || !/dependency violations|no dependency violations/.test(run.stdout))
    throw new Error(`depcruise did not finish (exit ${run.status}): ${run.stderr}${run.stdout}`);
  const violations = [...run.stdout.matchAll(/error (\S+): (\S+) →\s+(\S+)/g)].map(([, rule, from, to]) => ({ rule, from, to }));
  return { status: run.status, violations };
}

const scratch = mkdtempSync(join(tmpdir(), 'td-dependency-rules-'));
const problems = [];
try {
  // eslint-disable-next-line sonarjs/no-os-command-from-path -- git is the developer's or CI's own, found on PATH like every git call
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', ...TREE], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const file of [...files, 'tsconfig.json', '.dependency-cruiser.cjs', 'package.json']) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(root, file), join(scratch, file));
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));

  const clean = lint(scratch);
  console.log(`clean tree: exit ${clean.status}, ${clean.violations.length} violation(s)`);
  if (clean.status !== 0 || clean.violations.length > 0)
    problems.push(`the clean tree fails: ${clean.violations.map((v) => `${v.rule} ${v.from} → ${v.to}`).join('; ')}`);

  for (const plant of PLANTS) {
    if (plant.append) appendFileSync(join(scratch, plant.file), `${plant.source}\n`);
    for (const [file, source] of Object.entries(plant.append ? {} : { [plant.file]: plant.source, ...plant.with }))
      writeFileSync(join(scratch, file), `${source}\n`);
  }
  const planted = lint(scratch);
  console.log(`planted tree: exit ${planted.status}, ${planted.violations.length} violation(s)`);
  if (planted.status === 0) problems.push('the tree with planted violations passes');
  for (const plant of PLANTS) {
    const caught = planted.violations.find(
      (v) => v.rule === plant.rule && v.from === plant.file && (!plant.append || v.to.endsWith('raw-http.ts')),
    );
    console.log(`  ${caught ? 'caught' : 'MISSED'} ${plant.rule}: ${plant.file}${caught ? ` → ${caught.to}` : ''}`);
    if (!caught) problems.push(`${plant.rule} did not report ${plant.file}`);
  }
  const unexpected = planted.violations.filter((v) => !PLANTS.some((p) => p.file === v.from));
  for (const v of unexpected) problems.push(`unexpected violation ${v.rule}: ${v.from} → ${v.to}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`check-dependency-rules: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-dependency-rules: the clean tree passes; each of ${PLANTS.length} planted violations fails its rule`);

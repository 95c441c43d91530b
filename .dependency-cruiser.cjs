// Dependency rules of the monorepo (docs: ../shared/design/architecture.md, "Dependencies point one
// way"): apps/* → libs/<context> → libs/shared. Run by `npm run lint` (lint:deps); each rule is shown
// to catch a planted violation by scripts/check-dependency-rules.mjs (`npm test`).
// `@tradedesk/<lib>` resolves through tsconfig's paths to libs/<lib>/src/index.ts, so a rule that
// names a file under libs/ sees alias and relative imports alike.

const SPEC = '[.](spec|int-spec|e2e-spec)[.]ts$';
/** Test support: libs/testing, the whole-app test kit (test/), benchmarks, `testing/` folders and spec files. */
const TEST_SUPPORT = ['^libs/testing/', '^test/', '^bench/', '/testing/', SPEC];

/** A forbidden dependency: from a module matching `from` to one matching `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const RULES = [
  forbid(
    'lib-imports-app',
    'A library never imports an app (apps/api, apps/exchange-sim); the app composes libraries and hands them what they need (ports).',
    { path: '^libs/' },
    { path: '^apps/' },
  ),
  forbid(
    'lib-imports-app-test-kit',
    'Library code, libs/testing included, never imports the whole-app test kit (test/, bench/): it boots the apps. Specs of a library may use it.',
    { path: '^libs/', pathNot: SPEC },
    { path: '^(test|bench)/' },
  ),
  forbid(
    'shared-imports-context',
    'libs/shared is the bottom layer: it imports no context (its specs may use libs/testing).',
    { path: '^libs/shared/' },
    { path: '^libs/', pathNot: ['^libs/shared/', '^libs/testing/'] },
  ),
  forbid(
    'domain-imports-outer-layer',
    "A context's domain/ imports none of its own application/, infrastructure/ or interface/.",
    { path: '^libs/([^/]+)/src/domain/' },
    { path: '^libs/$1/src/(application|infrastructure|interface)/' },
  ),
  forbid(
    'shipped-imports-test-support',
    'Shipped code (apps/*/src, libs/*/src but libs/testing, specs and testing/ folders) never imports test support or a spec.',
    { path: '^(apps|libs)/[^/]+/src/', pathNot: TEST_SUPPORT },
    { path: TEST_SUPPORT },
  ),
  forbid(
    'deep-import-into-other-lib',
    'Another library only through its index.ts (@tradedesk/<lib>); relative imports across library folders are deep imports too.',
    { path: '^libs/([^/]+)/' },
    { path: '^libs/[^/]+/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index[.]ts$'] },
  ),
  forbid(
    'deep-import-into-lib',
    'Apps, tests and benchmarks reach a library only through its index.ts (@tradedesk/<lib>).',
    { pathNot: '^libs/' },
    { path: '^libs/', pathNot: '^libs/[^/]+/src/index[.]ts$' },
  ),
  forbid('no-circular', 'No import cycles.', {}, { circular: true }),
];

/**
 * Known violations let through while the code they live in is being rewritten: each entry one
 * (from, to) pair of one rule; every other violation of that rule still fails. Empty: every rule
 * holds everywhere. An entry says why and is deleted with the change that ends it.
 */
const TEMPORARILY_ALLOWED = [];

/** Splits a rule so that the allowed (from, to) pairs pass and everything else it forbids still fails. */
function allowing(rule) {
  const entries = TEMPORARILY_ALLOWED.filter((entry) => entry.rule === rule.name);
  const list = (value) => (value === undefined ? [] : [].concat(value));
  const rest = { ...rule, from: { ...rule.from, pathNot: [...list(rule.from.pathNot), ...entries.map((e) => e.from)] } };
  const allowedFrom = entries.map((entry) => ({
    ...rule,
    from: { ...rule.from, path: entry.from },
    to: { ...rule.to, pathNot: [...list(rule.to.pathNot), entry.to] },
  }));
  return entries.length === 0 ? [rule] : [rest, ...allowedFrom];
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: RULES.flatMap(allowing),
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules/', '^dist/', '^[.]test-build/', '^coverage/'] },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};

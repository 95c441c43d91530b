// Compiles every TypeScript source (apps, libs, bench and the test support it uses, ormconfig) to dist/ with swc.
// swc rather than tsc: it emits decorator metadata for Nest and rewrites the `@tradedesk/*`
// path aliases into relative ESM specifiers, which tsc cannot do. `npm run typecheck` runs tsc.
import { transformFile } from '@swc/core';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out=<dir>` builds elsewhere (the test run builds its own copy so a parallel `npm run build` cannot pull it away).
const outArg = process.argv.find((a) => a.startsWith('--out='));
const outDir = outArg ? join(root, outArg.slice('--out='.length)) : join(root, 'dist');
const sources = ['apps', 'libs', 'bench', 'test/support', 'scripts'];

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    // The dashboard is a browser app: Vite builds it (package.json `build`), swc would not.
    if (entry.isDirectory()) {
      if (full !== join(root, 'apps', 'dashboard')) yield* walk(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.(spec|e2e-spec|int-spec)\.ts$/.test(entry.name))
      yield full;
  }
}

const swcOptions = (filename) => ({
  filename,
  swcrc: false,
  sourceMaps: true,
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2023',
    keepClassNames: true,
    baseUrl: root,
    paths: { '@tradedesk/exchange-sim': ['apps/exchange-sim/src/index.ts'], '@tradedesk/*': ['libs/*/src/index.ts'] },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'es6', resolveFully: true },
});

await rm(outDir, { recursive: true, force: true });
const files = [join(root, 'ormconfig.ts')];
for (const s of sources.filter((d) => existsSync(join(root, d)))) for await (const f of walk(join(root, s))) files.push(f);
await Promise.all(
  files.map(async (file) => {
    const { code, map } = await transformFile(file, swcOptions(file));
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) await writeFile(`${target}.map`, map);
  }),
);
console.log(`built ${files.length} files into ${relative(root, outDir)}/`);

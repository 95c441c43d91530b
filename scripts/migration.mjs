// npm run migration:generate -- <Name>   generate the same migration for PostgreSQL and SQLite
// npm run migration:run | migration:revert   apply / undo on the database of DATABASE_URL
//
// Generation needs both schemas at the current head: it migrates a fresh SQLite file and a
// throwaway PostgreSQL (or TEST_DATABASE_URL), then asks TypeORM for the difference to the
// entities and appends the new classes to each driver's migrations/index.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const migrationsDir = join(root, 'apps/api/src/persistence/migrations');
const typeorm = join(root, 'node_modules/typeorm/cli.js');
const prettier = join(root, 'node_modules/prettier/bin/prettier.cjs');
const [command, name] = process.argv.slice(2);

function build() {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}

function cli(args, env) {
  execFileSync(process.execPath, [typeorm, ...args, '-d', join(root, 'dist/ormconfig.js')], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
}

function register(driver, before) {
  const dir = join(migrationsDir, driver);
  const added = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !before.includes(f));
  if (added.length === 0) return console.log(`${driver}: schema already matches the entities, nothing generated`);
  const indexPath = join(dir, 'index.ts');
  let index = readFileSync(indexPath, 'utf8');
  for (const file of added) {
    const source = readFileSync(join(dir, file), 'utf8');
    const className = /export class (\w+)/.exec(source)[1];
    index = `import { ${className} } from './${file.replace(/\.ts$/, '.js')}';\n${index}`;
    index = index.replace(
      /Migrations = \[(.*?)\];/s,
      (_, list) => `Migrations = [${[list.trim().replace(/,$/, ''), className].filter(Boolean).join(', ')}];`,
    );
  }
  writeFileSync(indexPath, index);
  console.log(`${driver}: added ${added.join(', ')}`);
}

if (command === 'generate') {
  if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error('usage: npm run migration:generate -- <PascalCaseName>');
  build();
  const { PostgresServer } = await import(join(root, 'dist/libs/testing/src/servers/postgres-server.js'));
  const sqliteDir = mkdtempSync(join(tmpdir(), 'tradedesk-migrate-'));
  const server = process.env.TEST_DATABASE_URL ? undefined : await PostgresServer.create();
  try {
    const pgUrl = process.env.TEST_DATABASE_URL ?? (await server.createDatabase('migrate'));
    for (const [driver, env] of [
      ['sqlite', { DATABASE_URL: `sqlite:${join(sqliteDir, 'migrate.sqlite')}` }],
      ['postgres', { DATABASE_URL: pgUrl }],
    ]) {
      const before = readdirSync(join(migrationsDir, driver));
      cli(['migration:run'], env);
      try {
        cli(['migration:generate', join(migrationsDir, driver, name), '--pretty'], env);
      } catch {
        // typeorm exits 1 when there is no change; register() reports it.
      }
      register(driver, before);
    }
  } finally {
    await server?.destroy();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
  execFileSync(process.execPath, [prettier, '--write', migrationsDir], { stdio: 'inherit' });
} else if (command === 'run' || command === 'revert') {
  build();
  cli([`migration:${command}`], {});
} else {
  throw new Error('usage: node scripts/migration.mjs generate <Name> | run | revert');
}

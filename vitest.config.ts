import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: /^@tradedesk\/exchange-sim$/, replacement: `${root}apps/exchange-sim/src/index.ts` },
      { find: /^@tradedesk\/([a-z-]+)$/, replacement: `${root}libs/$1/src/index.ts` },
    ],
  },
  test: {
    root,
    include: ['{apps,libs}/**/*.{spec,int-spec}.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['libs/testing/src/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['apps/**/src/**/*.ts', 'libs/**/src/**/*.ts'],
      exclude: ['**/*.spec.ts', 'libs/testing/**', 'apps/dashboard/**', '**/migrations/**', 'apps/*/src/main.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 80 },
    },
  },
});

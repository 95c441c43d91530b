// Lint rules: typescript-eslint's type-checked set and eslint-plugin-sonarjs (cognitive complexity
// above all), at zero warnings (`npm run lint`), plus the boundary rule of the monorepo an editor
// shows as you type: another library is reached only through its public `@tradedesk/<lib>` entry
// (its index.ts). The dependency rules as a whole are .dependency-cruiser.cjs (npm run lint:deps).
import js from '@eslint/js';
import sonarjs from 'eslint-plugin-sonarjs';
import tseslint from 'typescript-eslint';

const TEST_CODE = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**', 'bench/**', 'libs/testing/**', '**/src/testing/**'];

export default tseslint.config(
  { ignores: ['dist/**', '.test-build/**', 'coverage/**', 'data/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  sonarjs.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      'sonarjs/no-unused-vars': 'off', // the typescript-eslint rule above, with its conventions
      // Messages are built from nested templates on purpose (a field path inside a sentence); a
      // two-level ternary that reads like a table says more than the if-chain it would become.
      'sonarjs/no-nested-template-literals': 'off',
      'sonarjs/no-nested-conditional': 'off',
      'sonarjs/todo-tag': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '@tradedesk/*/*'],
              message: 'Import another library only through @tradedesk/<lib> (its index.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Tests read untyped JSON answers and drive real servers on loopback: asserting on `res.body.x`
    // would otherwise need a cast per line, and `http://127.0.0.1` is the point, not a leak.
    files: TEST_CODE,
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      'sonarjs/no-clear-text-protocols': 'off',
      'sonarjs/no-hardcoded-secrets': 'off',
      'sonarjs/no-os-command-from-path': 'off',
      'sonarjs/no-nested-functions': 'off',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);

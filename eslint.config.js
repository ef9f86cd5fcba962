// Lint rules: typescript-eslint recommended, plus the purity rule for machines/ (no I/O imports).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['node_modules/**', '**/dist/**', 'data/**', 'coverage/**', 'test-output/**', 'apps/server/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['machines/**/*.ts'],
    ignores: ['machines/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(node:)?(fs|child_process|net|http|https|dgram|worker_threads)(/.*)?$', message: 'machines/ are pure: no I/O' },
        { regex: '^(puppeteer|puppeteer-core|better-sqlite3|pg|@nestjs/.*|@engine/(event-store|browser|portals))$', message: 'machines/ are pure: no I/O' },
      ] }],
    },
  },
);

// ESLint (flat config): typescript-eslint's recommended rules, fitted to this code base.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // assembly/ is AssemblyScript (decorators on functions, v128): its compiler checks it. The
  // embedded binary is one generated line.
  {
    ignores: ['dist/', 'node_modules/', 'test-artifacts/', 'examples/**/node_modules/', 'assembly/', 'src/engine/wasm/kernels-binary.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `_name` marks a parameter or binding kept for its position (callbacks, destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Non-null assertions are how noUncheckedIndexedAccess reads indices already bounds-checked.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // A function a reader can hold in view: over 80 lines is split, except the hot loops that say why.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  {
    // Prettier wraps code at 140 columns but leaves long strings and comments alone: this catches those.
    rules: { 'max-len': ['error', { code: 140, ignoreUrls: true }] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
);

// ESLint for pgtop: typescript-eslint's type-checked rules, so that a promise
// left floating (an unhandled failure that kills the process) or a
// console.log inside the Ink tree (it tears the frame) fails `npm test`.
// The layering rules (which folder may import which, no cycles) are dependency-cruiser's:
// .dependency-cruiser.cjs.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'bench/results/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The test config covers src, screens, hooks, test and bench.
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // pgtop's business is control characters: the terminal-text escapes and the tests that look for raw ones.
      'no-control-regex': 'off',
      // Views, action specs and targets are plain objects whose methods use no `this`: passing them on is safe.
      '@typescript-eslint/unbound-method': 'off',
      // Raw pg values become text on purpose (String(value) of a number, a bool, a string).
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // What draws: a console.log would be written into the middle of Ink's frame.
    files: ['screens/**', 'hooks/**', 'src/components/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Tests read JSON documents and pg rows as they come (any), and hand methods to expect().
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable', require: 'readonly' } },
  },
  {
    // The standalone executable's entry: Node 20's single executables run CommonJS only.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

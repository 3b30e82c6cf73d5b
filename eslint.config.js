// ESLint with typescript-eslint's recommended type-checked rules (`npm run lint`, in CI). The few rules turned off or
// down are listed with why: they fight patterns this codebase uses on purpose.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'api/v1alpha1/types.ts', 'bin/', '**/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // JSON from the wire and YAML from users is `any` by nature; we validate it (ajv, admission) rather than type it.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // String(v) of a JSON value from the wire (OVSDB rows, query strings, status fields) is deliberate here; the
      // rule cannot tell those from a forgotten toString and flags every one.
      '@typescript-eslint/no-base-to-string': 'off',
      // Arrays in messages print as a,b,c — what we want.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowArray: true, allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // A timer or handle declared before the closures that read it, assigned once later, stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // An async method that does not await still keeps an async interface (drivers, authenticators, fakes).
      '@typescript-eslint/require-await': 'off',
      // `_` parameters are how a signature says "unused on purpose".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The web console (ui/): browser code with its own tsconfig (DOM, Preact's JSX).
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    languageOptions: { parserOptions: { project: './ui/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // node:test's describe() and test() return promises the runner awaits itself; tests stringify and reject freely
    // (an assertion message, a fake that rejects with what it was given).
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);

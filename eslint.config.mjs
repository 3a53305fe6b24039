import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/build/**', '**/node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Node defines the global `Buffer` as a getter: optimized code cannot fold it, so every use on
    // a per-frame path paid a global-load IC miss (~130 instructions a Binance trade frame).
    files: ['libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'Buffer',
          message: "Import it: `import { Buffer } from 'node:buffer'` (the global is a getter, slow on hot paths).",
        },
      ],
    },
  },
);

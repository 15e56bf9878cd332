import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.duckdb*', '.tmp/', 'lockstep-demo-out/', 'bench/.scratch/', 'bench/.data/', 'wasm/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read the environment only in src/config.ts.' },
      ],
    },
  },
  { files: ['src/config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // node:test's describe/it return promises the runner itself awaits.
  { files: ['src/**/*.test.ts'], rules: { '@typescript-eslint/no-floating-promises': 'off', 'no-restricted-syntax': 'off' } },
  {
    files: ['src/model/**/*.ts', 'src/detect/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http', '**/store/**', '**/cli/**'], message: 'model and detect take data and return data: no fs, process, store or network.' }] }],
      'no-restricted-globals': ['error', 'process', 'fetch'],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' } } },
);

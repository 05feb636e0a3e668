// Lint rules: the recommended TypeScript set, plus the checks that catch real mistakes in async code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaries } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.local/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...boundaries,
  {
    files: ['*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The local web console's page script: plain browser JavaScript, served as is (no build step).
    files: ['local/console/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'navigator',
          'location',
          'console',
          'fetch',
          'EventSource',
          'URL',
          'URLSearchParams',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'requestAnimationFrame',
          'performance',
          'HTMLElement',
          'HTMLInputElement',
          'HTMLSelectElement',
          'HTMLButtonElement',
          'HTMLFormElement',
          'Element',
          'Node',
          'Event',
          'KeyboardEvent',
          'MouseEvent',
          'MessageEvent',
          'FormData',
          'AbortController',
          'structuredClone',
        ].map((name) => [name, 'readonly']),
      ),
      parserOptions: { projectService: false, project: null },
    },
  },
  {
    // CommonJS stand-ins the bundles resolve Node built-ins to (lib/bundling.ts): plain JavaScript, no types.
    files: ['functions/lib/bundle/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', process: 'readonly' },
      parserOptions: { projectService: false, project: null },
    },
  },
);

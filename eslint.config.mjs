// Flat config. Domain code must stay cloud-agnostic: SDKs live only in adapters at the edge.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const cloudSdkImports = {
  patterns: [
    {
      group: ['@google-cloud/*'],
      message: 'Domain code takes ports; Google Cloud SDKs belong in shared/adapters/gcp.',
    },
    { group: ['@sendgrid/*'], message: 'Domain code takes ports; SendGrid belongs in an adapter.' },
    { group: ['twilio', 'twilio/*'], message: 'Domain code takes ports; Twilio belongs in an adapter.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      '.scratch/**',
      '.local/**',
      // Mutation testing: Stryker's sandboxes (instrumented copies of the tree) and its reports.
      '.stryker-tmp/**',
      'reports/**',
      'shared/contracts/generated/**',
      'sdk/src/generated/**',
      // Built bundles (dashboard/dist, sdk/dist): generated, never linted.
      '**/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: [
      'shared/domain/**/*.ts',
      'shared/use-cases/**/*.ts',
      'shared/ports/**/*.ts',
      'shared/contracts/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', cloudSdkImports] },
  },
  {
    // Command-line entry points and benchmarks talk to a terminal.
    files: ['cli/**/*.ts', 'ops/**/*.ts', 'bench/**/*.ts', 'bin/**/*.mjs', 'local-stack/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['bin/**/*.mjs', 'bin/**/*.js', '*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
  },
  {
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // The CLI shim is CommonJS so npm's bin link can run it with plain node.
    files: ['bin/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

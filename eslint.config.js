// Lint: typescript-eslint's recommended rules, React's hook rules for the ink UI, and the layer rule
// that keeps the engine free of UI code (the full layer map is checked by dependency-cruiser, .dependency-cruiser.cjs).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const UI_PACKAGES = ['ink', 'ink/*', 'react', 'react/*', 'ink-testing-library'];
// One way to start a process: execa (src/sandbox/process.ts has the limits). The guest agent runs
// inside UML on Node's own modules, and the bench measures raw spawns on purpose.
const ONE_SPAWN = {
  name: 'node:child_process',
  allowTypeImports: true,
  message: 'start processes with execa (see src/sandbox/process.ts)',
};
const SPAWN_FREE = { files: ['src/**/*.{ts,tsx}'], ignores: ['src/sandbox/uml/agent.ts', 'src/bench/**'] };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.bench/', 'scratch/', 'src/build/standins/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'test/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  { ...SPAWN_FREE, rules: { 'no-restricted-imports': ['error', { paths: [ONE_SPAWN] }] } },
  {
    // Everything below the UI: no ink, no react (gemini-cli's core/cli split).
    files: ['src/{course,engine,checks,kernel,sandbox,packets,i18n}/**/*.ts'],
    ignores: SPAWN_FREE.ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [ONE_SPAWN], patterns: [{ group: UI_PACKAGES, message: 'the engine and the layers below it never import UI code' }] },
      ],
    },
  },
);

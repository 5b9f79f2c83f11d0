import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'renderer/dist/', 'resources/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS configuration files (.dependency-cruiser.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  ...importBoundaries([
    // Only main/app may import Electron: everything else runs in plain Node (CLI, browser mode, workers).
    { files: ['main/cli/**', 'main/server/**', 'main/handlers/**'], layers: [] },
    { files: ['main/jobs/**', 'main/retrain/**'], layers: ['handlers'] },
    { files: ['main/store/**'], layers: ['handlers', 'jobs', 'server', 'cli', 'app'] },
    { files: ['main/ml/**'], layers: ['store', 'retrain', 'handlers', 'server', 'cli', 'app', 'jobs'] },
    {
      files: ['main/node/**'],
      layers: ['ml', 'store', 'retrain', 'jobs', 'handlers', 'server', 'cli', 'app'],
    },
    { files: ['shared/**'], layers: ['main', 'renderer'] },
    { files: ['renderer/src/**'], layers: ['main'], nodeBuiltins: true },
  ]),
);

/**
 * The layer boundaries of .dependency-cruiser.cjs (which checks the whole graph, circles included, in CI) as lint
 * errors an editor shows while typing. Imports here are relative, so a layer `x` is any specifier `(../)+x/`.
 */
function importBoundaries(groups) {
  return groups.map(({ files, layers, nodeBuiltins = false }) => {
    const patterns = layers.map((layer) => ({
      regex: `^(\\.\\./)+${layer}/`,
      message: `${layer}/ is out of bounds from here (the layers: .dependency-cruiser.cjs).`,
    }));
    if (nodeBuiltins) patterns.push({ regex: '^node:', message: 'The renderer runs in a browser page.' });
    return { files, rules: { 'no-restricted-imports': ['error', { paths: ['electron'], patterns }] } };
  });
}

// The import graph's shape, checked in CI (`npm run lint:imports`). Layers, bottom up:
//   shared/          the contract both processes speak; imports nothing of main/ or renderer/
//   main/node/       small Node helpers (worker start-up, atomic writes, package paths); imports no other layer
//   main/ml          the engine: no database, no jobs, no handlers, no shells
//   main/store       the database: may use the engine, never the layers above it
//   main/jobs, main/retrain   long work in worker threads, over the store and the engine
//   main/handlers    the request table; reached only from the shells (server, cli, app) and tests
//   main/server, main/cli, main/app   the shells; only main/app may import Electron
//   renderer/        the UI: renderer/ and shared/ only (plus its npm packages)
// Type-only imports count: a circle through a type is still a circle.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import circles (type-only ones included) make the layers impossible to read or split.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'renderer-only-renderer-and-shared',
      severity: 'error',
      comment: 'The UI runs in a browser page: it reaches main/ only through the contract in shared/.',
      from: { path: '^renderer/' },
      to: { pathNot: ['^renderer/', '^shared/', '(^|/)node_modules/'] },
    },
    {
      name: 'shared-imports-no-process',
      severity: 'error',
      comment: 'shared/ is compiled into both processes, so it may not depend on either.',
      from: { path: '^shared/' },
      to: { path: ['^main/', '^renderer/'] },
    },
    {
      name: 'node-helpers-are-leaves',
      severity: 'error',
      comment: 'main/node/ sits below every layer of main/, so anything may use it.',
      from: { path: '^main/node/' },
      to: { path: '^main/', pathNot: '^main/node/' },
    },
    {
      name: 'ml-engine-stands-alone',
      severity: 'error',
      comment: 'The engine runs in CLIs, tests and workers with no database, job queue or shell.',
      from: { path: '^main/ml/' },
      to: { path: '^main/(store|retrain|handlers|server|cli|app|jobs)/' },
    },
    {
      name: 'store-below-jobs',
      severity: 'error',
      comment: 'The store is used by jobs, handlers and shells; it never calls up into them.',
      from: { path: '^main/store/' },
      to: { path: '^main/(handlers|jobs|server|cli|app)/' },
    },
    {
      name: 'electron-only-in-app',
      severity: 'error',
      comment: 'Everything but the Electron shell runs in plain Node (CLI, browser mode, workers).',
      from: { pathNot: '^main/app/' },
      to: { path: ['^electron$', '(^|/)node_modules/electron/'] },
    },
    {
      name: 'handlers-only-from-shells',
      severity: 'error',
      comment:
        'The handler table is the top of main/: only the shells and tests call it; job logic lives in main/jobs.',
      from: { pathNot: ['^main/(handlers|server|cli|app)/', '^tests/'] },
      to: { path: '^main/handlers/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved hides a dependency from every rule above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // Keep type-only imports in the graph (they are erased from the JavaScript but not from the design).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};

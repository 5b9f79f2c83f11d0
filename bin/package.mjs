#!/usr/bin/env node
// `npm run package` (after `npm run build`): the desktop installers with electron-builder, run in the project's
// root. electron-builder rebuilds better-sqlite3 in node_modules for Electron's ABI, where Node (the command-line
// tool, the tests) cannot load it; Node's build is put back afterwards whether electron-builder succeeded, failed
// or was interrupted. The exit status is electron-builder's, else the restore's.
// Arguments are passed on to electron-builder (e.g. `npm run package -- --linux deb`).
import { spawnSync } from 'node:child_process';

const windows = process.platform === 'win32';

/** Runs a command in the foreground; its exit status, 1 when it could not start or was killed by a signal. */
function run(command, args) {
  // npm and npx are .cmd scripts on Windows, which only a shell runs.
  const r = spawnSync(command, args, { stdio: 'inherit', shell: windows });
  if (r.error) console.error(`${command}: ${r.error.message}`);
  return r.status ?? 1;
}

// Ctrl+C stops electron-builder (it gets the signal too), not this script: the restore below still runs.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

const built = run(windows ? 'npx.cmd' : 'npx', [
  '--yes',
  'electron-builder@26',
  '--config',
  'electron-builder.yml',
  ...process.argv.slice(2),
]);
const restored = run(windows ? 'npm.cmd' : 'npm', ['rebuild', 'better-sqlite3']);
if (restored !== 0)
  console.error(
    'package: better-sqlite3 could not be rebuilt for Node (run `npm rebuild better-sqlite3`): ' +
      'until it is, the command-line tool and the tests cannot open a database',
  );
process.exit(built !== 0 ? built : restored);

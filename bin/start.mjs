#!/usr/bin/env node
// `npm start`: the Electron app when the optional `electron` package and its binary are installed; otherwise
// browser mode (`retina serve`), which prints the URL to open. Extra arguments (--db, --model...) pass through;
// `--browser`, or a `--port` (only a server has one), asks for browser mode even where Electron is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { electronSqliteBinding } from './electron-sqlite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const wantsBrowser = process.argv.some((a) => a === '--browser' || a === '--port' || a.startsWith('--port='));
const args = process.argv.slice(2).filter((a) => a !== '--browser');

/** The Electron binary's path, or null when the package or its downloaded binary is missing. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // not installed, or its postinstall could not download the binary
  }
}

// npm runs scripts from the package root; relative paths the user typed (--db studies.db) mean their own folder.
const userCwd = process.env.INIT_CWD ?? process.cwd();

function run(cmd, cmdArgs, env = process.env) {
  const child = spawn(cmd, cmdArgs, { cwd: userCwd, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
  // A SIGTERM sent to npm alone (a process supervisor, an IDE's stop button) ends npm but reaches neither this
  // script nor the app, which would go on serving and holding the database: when the parent goes, so do they.
  const parent = process.ppid;
  globalThis
    .setInterval(() => {
      if (process.ppid !== parent) child.kill('SIGTERM');
    }, 1000)
    .unref();
}

let electron = wantsBrowser ? null : electronBinary();
// The database module built for Electron (see electron-sqlite.mjs); without it the app could not open a study.
const sqlite = electron ? electronSqliteBinding(root) : null;
if (sqlite?.error) {
  console.log(`The desktop app cannot load its database module (${sqlite.error}).`);
  electron = null;
}
if (electron) {
  const needsBuild =
    !existsSync(`${root}dist/main/app/electron-main.js`) || !existsSync(`${root}renderer/dist/index.html`);
  if (needsBuild) {
    console.log('building RetinaStudio (first start)…');
    const b = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  run(electron, [root, ...args], { ...process.env, RETINA_SQLITE_BINDING: sqlite.path });
} else {
  console.log(
    wantsBrowser
      ? 'Starting browser mode. Open the URL below in a browser.'
      : sqlite?.error
        ? 'Starting browser mode instead. Open the URL below in a browser.'
        : 'Electron is not installed: starting browser mode. Open the URL below in a browser.',
  );
  if (!existsSync(`${root}renderer/dist/index.html`)) {
    const b = spawnSync(
      process.execPath,
      [
        `${root}node_modules/vite/bin/vite.js`,
        'build',
        '--config',
        'renderer/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  run(process.execPath, [`${root}bin/retina.mjs`, 'serve', ...args]);
}

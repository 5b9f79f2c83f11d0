// better-sqlite3 for Electron. Its native module is built for Node's ABI by `npm ci`, and Electron's differs, so
// the desktop app cannot load it: a second build, made for the installed Electron, is kept beside it (in
// node_modules/.cache, so the command-line tool keeps Node's) and named to the app by RETINA_SQLITE_BINDING.
// Made once per Electron version: a prebuilt binary first (prebuild-install, as better-sqlite3's own install
// does), else compiled with node-gyp against Electron's headers.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const RELATIVE_BINDING = join('build', 'Release', 'better_sqlite3.node');

/** The Electron-ABI binding's path (made now if missing), or { error } saying why it could not be made. */
export function electronSqliteBinding(root, log = console.log) {
  // Found as Node finds them (an installed package's dependencies may sit in a node_modules above it).
  const require = createRequire(join(root, 'package.json'));
  let version;
  let sqliteDir;
  let prebuildInstall;
  try {
    version = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
    sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
    prebuildInstall = join(dirname(require.resolve('prebuild-install/package.json')), 'bin.js');
  } catch (err) {
    return {
      error: `a package it needs is missing (${err instanceof Error ? err.message.split('\n')[0] : err})`,
    };
  }
  const modules = join(root, 'node_modules');
  const target = join(
    modules,
    '.cache',
    'retina',
    `better-sqlite3-electron-${version}-${process.platform}-${process.arch}`,
  );
  const binding = join(target, RELATIVE_BINDING);
  if (existsSync(binding)) return { path: binding };

  log(`preparing the database module for Electron ${version} (first start)…`);
  mkdirSync(join(modules, '.cache', 'retina'), { recursive: true });
  const work = mkdtempSync(`${target}.tmp-`);
  try {
    // A copy of the package, so the build replaces nothing the command-line tool loads.
    const source = realpathSync(sqliteDir);
    cpSync(source, work, { recursive: true, filter: (src) => src !== join(source, 'build') });
    const electronArgs = [
      '--runtime',
      'electron',
      '--target',
      version,
      '--arch',
      process.arch,
      '--platform',
      process.platform,
    ];
    const tries = [
      [process.execPath, [prebuildInstall, ...electronArgs]],
      // npm names its own node-gyp to scripts it runs (npm start): compile against Electron's headers.
      ...(process.env.npm_config_node_gyp
        ? [
            [
              process.execPath,
              [
                process.env.npm_config_node_gyp,
                'rebuild',
                '--release',
                `--target=${version}`,
                `--arch=${process.arch}`,
                '--dist-url=https://electronjs.org/headers',
              ],
            ],
          ]
        : []),
    ];
    for (const [cmd, args] of tries) {
      const r = spawnSync(cmd, args, { cwd: work, stdio: 'inherit' });
      if (r.status === 0 && existsSync(join(work, RELATIVE_BINDING))) {
        rmSync(target, { recursive: true, force: true });
        renameSync(work, target);
        return { path: binding };
      }
    }
    return { error: 'neither a prebuilt binary could be downloaded nor one compiled (see above)' };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

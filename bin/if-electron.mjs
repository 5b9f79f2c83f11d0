#!/usr/bin/env node
// Runs the given command (resolved from node_modules/.bin) only when the optional `electron` package is
// installed; otherwise says so and succeeds. Used by build:electron and typecheck:electron.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}node_modules/electron/package.json`)) {
  console.log('electron is not installed (optional dependency): skipped');
  process.exit(0);
}
const [cmd, ...args] = process.argv.slice(2);
const r = spawnSync(cmd, args, {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
  env: { ...process.env, PATH: `${root}node_modules/.bin:${process.env.PATH}` },
});
process.exit(r.status ?? 1);

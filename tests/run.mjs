#!/usr/bin/env node
// Runs every tests/**/*.test.ts file with Node's own test runner (tsx compiles TypeScript on the fly).
// Usage: node tests/run.mjs [subfolder-or-substring ...]
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

// Most tests read real photographs and masks from the public datasets (never part of the repository). Without them
// say so once, plainly, rather than as dozens of file-not-found failures.
const datasets = process.env.RETINA_DATASETS ?? join(root, '..', 'shared', 'datasets');
if (!existsSync(join(datasets, 'DRIVE'))) {
  console.error(
    `The tests read the public datasets (DRIVE, STARE, LES-AV, ...) from ${datasets}, which is missing.\n` +
      'Put them there or set RETINA_DATASETS to their folder. (README command 1 needs no datasets.)',
  );
  process.exit(2);
}

// The store's tests run on PostgreSQL too, in a throw-away cluster of Debian's postgresql package.
const pgRoot = '/usr/lib/postgresql';
const hasPostgres =
  process.env.PG_BIN !== undefined ||
  (existsSync(pgRoot) && readdirSync(pgRoot).some((v) => existsSync(join(pgRoot, v, 'bin', 'pg_ctl'))));
if (!hasPostgres) {
  console.error(
    'The store tests also run on PostgreSQL, which is not installed (Debian: apt-get install postgresql; ' +
      'or set PG_BIN to the folder holding initdb and pg_ctl).',
  );
  process.exit(2);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const files = walk(join(root, 'tests'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched', filters);
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    // Failures the tests provoke on purpose go to a support log of their own, not the user's (README: support log).
    env: {
      ...process.env,
      RETINA_LOG_DIR: process.env.RETINA_LOG_DIR ?? mkdtempSync(join(tmpdir(), 'retina-test-log-')),
      // Nor do the access tokens the tests' `retina serve` keep go to the user's state folder.
      RETINA_STATE_DIR: process.env.RETINA_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'retina-test-state-')),
    },
  },
);
process.exit(r.status ?? 1);

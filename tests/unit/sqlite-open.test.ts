// Which better-sqlite3 build a process opens SQLite with: Electron's own (named by npm start) in the desktop app,
// Node's everywhere else, whatever the environment says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteOptions } from '../../main/store/sqlite-open.js';

const env = { RETINA_SQLITE_BINDING: '/cache/better_sqlite3.node' };

test('in Electron the binding npm start made is used', () => {
  const versions = { ...process.versions, electron: '39.0.0' };
  assert.deepEqual(sqliteOptions({ readonly: true }, { versions, env }), {
    readonly: true,
    nativeBinding: '/cache/better_sqlite3.node',
  });
});

test("in Node (the CLI, browser mode, a job's worker) the variable is ignored: Electron's build would not load", () => {
  const versions = { ...process.versions };
  delete (versions as { electron?: string }).electron;
  assert.deepEqual(sqliteOptions({ readonly: true }, { versions, env }), { readonly: true });
  assert.deepEqual(sqliteOptions({}, { versions: { ...process.versions, electron: '39.0.0' }, env: {} }), {});
});

// A read-only opening of a study (db check, export, audit, copy --from, a backup's guard) leaves its folder exactly
// as it found it: no empty -wal and -shm beside a study nobody has open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { retinaDb } from '../support/db-cli.js';
import { backupStore, createPatient, listPatients, openStore } from '../../main/store/index.js';
import { sqliteConnection } from '../../main/store/sqlite-backend.js';

let dir: string;
let studyDir: string;
let db: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-read-only-'));
  studyDir = join(dir, 'study');
  mkdirSync(studyDir);
  db = join(studyDir, 'clinic.db');
  const photos = await tintedPhotos(dir, ['left'], 96);
  const imported = await retinaDb('import', ...photos, '--database', db);
  assert.equal(imported.code, 0, imported.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const listing = (): string[] => readdirSync(studyDir).sort();
/** The study's folder as the import left it (each test compares with this, not with what an earlier one left). */
const untouched = ['clinic.db', 'clinic.db.files'];

test('a read-only opening of a closed study reads it and leaves no -wal or -shm behind', () => {
  const bytes = readFileSync(db);
  const store = openStore(db, { readonly: true });
  try {
    assert.equal(store.readonly, true);
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM images').pluck().get(), 1);
  } finally {
    store.close();
  }
  assert.deepEqual(listing(), untouched);
  assert.deepEqual(readFileSync(db), bytes);
});

test('db copy --from leaves the study it copies as it found it', async () => {
  const r = await retinaDb('copy', '--from', db, '--to', join(dir, 'copy', 'clinic.db'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(listing(), untouched);
});

test('a backup refused over another study leaves no -wal or -shm beside that study', async () => {
  const live = openStore(join(dir, 'live.db'));
  try {
    await assert.rejects(backupStore(live, db), /clinic\.db is a working study database/);
  } finally {
    live.close();
  }
  assert.deepEqual(listing(), untouched);
});

test('a study open in another program is read with the changes still in its -wal', () => {
  const writer = openStore(db);
  try {
    sqliteConnection(writer)!.pragma('wal_autocheckpoint = 0');
    createPatient(writer, { pseudonym: 'P-wal' }, 'tester');
    const reader = openStore(db, { readonly: true });
    try {
      assert.ok(listPatients(reader).some((p) => p.pseudonym === 'P-wal'));
    } finally {
      reader.close();
    }
  } finally {
    writer.close();
  }
});

test('db check, export and audit of a study file that cannot be written leave its folder as they found it', async (t) => {
  // An immutable file (chattr +i) is refused writing even to root, as a file of another user is to anyone else.
  const locked = spawnSync('chattr', ['+i', db], { encoding: 'utf8' });
  if (locked.status !== 0) {
    t.skip(`chattr +i is not available here (${(locked.stderr || String(locked.error)).trim()})`);
    return;
  }
  try {
    for (const args of [['check'], ['export', '--out', join(dir, 'masks')], ['audit']]) {
      const r = await retinaDb(...args, '--database', db);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      assert.deepEqual(listing(), untouched, `${args[0]} left the folder as it was`);
    }
  } finally {
    spawnSync('chattr', ['-i', db]);
  }
});

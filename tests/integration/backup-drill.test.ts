// A clinic's disaster-recovery drill with `retina db`: back a study up, check the backup, back up again to the same
// place, restore it elsewhere. Real photographs (the shipped CC0 sample, tinted into distinct images).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { retinaDb } from '../support/db-cli.js';
import { listModels, openStore, registerModel } from '../../main/store/index.js';

let dir: string;
let db: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-backup-drill-'));
  db = join(dir, 'clinic.db');
  const photos = await tintedPhotos(dir, ['left', 'right'], 128);
  const imported = await retinaDb('import', ...photos, '--database', db);
  assert.equal(imported.code, 0, imported.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a backup that was checked, exported from and audited is still an earlier backup the next one replaces', async () => {
  const backup = join(dir, 'backups', 'nightly.db');
  assert.equal((await retinaDb('backup', backup, '--database', db)).code, 0);
  for (const args of [['check'], ['export', '--out', join(dir, 'masks')], ['audit']]) {
    const r = await retinaDb(...args, '--database', backup);
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
  }
  const again = await retinaDb('backup', backup, '--database', db);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(readdirSync(join(dir, 'backups')).sort(), ['nightly.db', 'nightly.db.files']);
});

test('a study restored from its backup with db copy keeps its retrained models once the backup is gone', async () => {
  // A retrained model kept beside the study, as a retrain leaves it.
  const modelDir = join(`${db}.models`, 'retrained-1');
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, 'manifest.json'), '{"name":"retrained-1"}');
  const store = openStore(db);
  registerModel(
    store,
    { name: 'retrained-1', dirPath: modelDir, architecture: {} as never, metrics: null },
    'it',
  );
  store.close();

  const backup = join(dir, 'usb', 'clinic.db');
  assert.equal((await retinaDb('backup', backup, '--database', db)).code, 0);
  const restored = join(dir, 'new-machine', 'clinic.db');
  const copied = await retinaDb('copy', '--from', backup, '--to', restored);
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(copied.stdout, /1 retrained model/);
  rmSync(join(dir, 'usb'), { recursive: true });

  const back = openStore(restored);
  try {
    const [model] = listModels(back);
    assert.equal(model.dirPath, join(`${restored}.models`, 'retrained-1'));
    assert.equal(readFileSync(join(model.dirPath, 'manifest.json'), 'utf8'), '{"name":"retrained-1"}');
  } finally {
    back.close();
  }
  assert.deepEqual(readdirSync(join(dir, 'new-machine')).sort(), [
    'clinic.db',
    'clinic.db.files',
    'clinic.db.models',
  ]);
});

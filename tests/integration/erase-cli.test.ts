// `retina db erase` as a user runs it on a study of real photographs (the shipped CC0 sample, tinted into three
// distinct images): a preview that changes nothing, a mistyped patient ID named, a visit erased for good with what
// erasure cannot reach said, then single images, and the study still passes `db check`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SAMPLE_PHOTO, tintedPhotos } from '../support/sample-photos.js';
import { openStore, registerModel, saveMaskVersion, setClinical } from '../../main/store/index.js';
import { blobPath, putBlob } from '../../main/store/file-store.js';
import { retinaCli as retina } from '../support/retina-cli.js';

let dir: string;
let db: string;
const ids: Record<string, number> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-erase-cli-'));
  db = join(dir, 'clinic.db');
  const names = ['visit1-left', 'visit1-right', 'visit2-left'];
  await tintedPhotos(dir, names, 256);
  const imported = retina(
    'db',
    'import',
    ...names.map((n) => join(dir, `${n}.png`)),
    '--database',
    db,
    '--json',
  );
  assert.equal(imported.code, 0, imported.stderr);
  for (const im of JSON.parse(imported.stdout).imported as { source: string; imageId: number }[])
    ids[im.source.split('/').pop()!.replace('.png', '')] = im.imageId;
  const store = openStore(db);
  setClinical(
    store,
    [ids['visit1-left'], ids['visit1-right']],
    { patientId: 'P-7', visitDate: '2026-01-10' },
    'a',
  );
  setClinical(store, [ids['visit2-left']], { patientId: 'P-7', visitDate: '2026-03-02' }, 'a');
  const version = await saveMaskVersion(store, {
    imageId: ids['visit1-left'],
    kind: 'approved',
    author: 'rev',
    mask: {
      width: 256,
      height: 256,
      data: Uint8Array.from({ length: 256 * 256 }, (_, i) => (i % 256 < 4 ? 1 : 0)),
    },
  });
  const trainedOn = [{ maskVersionId: version.id }];
  registerModel(store, { name: 'clinic-v2', dirPath: tmpdir(), architecture: {}, trainedOn }, 'ml');
  store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

const imageCount = () => {
  const store = openStore(db, { readonly: true });
  try {
    return store.db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number;
  } finally {
    store.close();
  }
};

test('without --yes it only says what would go', () => {
  const r = retina('db', 'erase', '--patient', 'P-7', '--database', db);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /would erase 3 images, .*2 visits; patient P-7/);
  assert.match(r.stdout, /nothing erased: run again with --yes/);
  assert.equal(imageCount(), 3);
});

test('a patient ID typed in the wrong case is named, not guessed', () => {
  const r = retina('db', 'erase', '--patient', 'p-7', '--yes', '--database', db);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no patient with ID p-7 \(there is P-7\)/);
  assert.equal(imageCount(), 3);
});

test('a visit date not written YYYY-MM-DD, or no calendar day, is a usage error and erases nothing', () => {
  for (const date of ['10/01/2026', '2026-02-30', '2026-1-10']) {
    const r = retina('db', 'erase', '--patient', 'P-7', '--visit-date', date, '--yes', '--database', db);
    assert.equal(r.code, 2, `${date}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /--visit-date takes a calendar date as YYYY-MM-DD/);
    assert.equal(imageCount(), 3);
  }
});

test("one visit of a patient is erased; the patient's other visit stays; what is not reached is said", () => {
  const r = retina(
    'db',
    'erase',
    '--patient',
    'P-7',
    '--visit-date',
    '2026-01-10',
    '--yes',
    '--database',
    db,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^erased 2 images, .*1 visit \(images \d+, \d+\); \d+ files removed/);
  assert.match(r.stdout, /not reached: backups made with `retina db backup`/);
  assert.match(
    r.stdout,
    /models trained on their masks keep what they learned .*: clinic-v2 \(id \d+\); retrain without them/,
  );
  assert.equal(imageCount(), 1);
  const again = retina('db', 'erase', '--patient', 'P-7', '--visit-date', '2026-01-10', '--database', db);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /patient P-7 has no visit on 2026-01-10/);
});

test('the last image goes with its visit and patient; the study checks clean', () => {
  const r = retina(
    'db',
    'erase',
    '--images',
    String(ids['visit2-left']),
    '--yes',
    '--database',
    db,
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { erased: boolean; patients: { pseudonym: string }[] };
  assert.equal(out.erased, true);
  assert.deepEqual(
    out.patients.map((p) => p.pseudonym),
    ['P-7'],
  );
  assert.equal(imageCount(), 0);
  const check = retina('db', 'check', '--database', db, '--verify');
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('--finish removes the files an erasure cut short left behind', async () => {
  const store = openStore(db);
  const hash = await putBlob(store, Buffer.from('a photograph nothing refers to any more'));
  store.db.prepare('INSERT INTO erased_files (hash) VALUES (?)').run(hash);
  const file = blobPath(store, hash);
  store.close();
  assert.equal(existsSync(file), true);
  const r = retina('db', 'erase', '--finish', '--database', db);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1 file of erased images removed; database compacted/);
  assert.equal(existsSync(file), false);
});

test('--finish leaves a photograph imported again since the erasure noted it', async () => {
  const photo = join(dir, 'again.png');
  await sharp(SAMPLE_PHOTO).resize(200, 200, { fit: 'fill' }).png().toFile(photo);
  assert.equal(retina('db', 'import', photo, '--database', db).code, 0);
  const store = openStore(db);
  const hash = store.db
    .prepare("SELECT file_hash FROM images WHERE file_name = 'again.png'")
    .pluck()
    .get() as string;
  // As an erasure of the same bytes cut short before the photograph came back would have left it.
  store.db.prepare('INSERT INTO erased_files (hash) VALUES (?)').run(hash);
  const file = blobPath(store, hash);
  store.close();
  assert.equal(retina('db', 'erase', '--finish', '--database', db).code, 0);
  assert.equal(existsSync(file), true, 'the photograph imported again was removed');
  const check = retina('db', 'check', '--database', db, '--verify');
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('erase options on another command, or erase with nothing named, are usage errors', () => {
  assert.equal(retina('db', 'check', '--yes', '--database', db).code, 2);
  const r = retina('db', 'erase', '--database', db);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /erase needs --patient ID or --images IDS/);
});

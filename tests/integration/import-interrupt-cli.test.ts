// Ctrl+C during `retina db import` of a folder: the import stops after the image in progress and says what is in
// and what is not (it ended the process at once, saying only "interrupted"); running it again imports the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { retinaCli as retina, retinaInterruptedWhen } from '../support/retina-cli.js';
import { listImages, openStore } from '../../main/store/index.js';

const imagesIn = (db: string): number => {
  const store = openStore(db, { readonly: true });
  try {
    return listImages(store, { limit: 100 }).total;
  } finally {
    store.close();
  }
};

test('Ctrl+C stops a folder import after the image in progress, says how many files are left, and a rerun finishes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-import-interrupt-'));
  try {
    const folder = join(dir, 'clinic');
    mkdirSync(folder);
    const names = Array.from({ length: 30 }, (_, i) => `visit-${String(i).padStart(2, '0')}`);
    await tintedPhotos(folder, names, 96);
    const db = join(dir, 'study.db');
    const r = await retinaInterruptedWhen(['db', 'import', folder, '--database', db], /\b10\/30\b/);
    assert.equal(r.code, 130, r.stderr);
    const left = Number(
      /interrupted: (\d+) files? not imported; run the same import again/.exec(r.stdout)?.[1],
    );
    const imported = imagesIn(db);
    assert.ok(imported >= 10 && imported < 30, `${imported} imported\n${r.stdout}\n${r.stderr}`);
    assert.equal(left, 30 - imported, r.stdout);
    assert.match(r.stdout, new RegExp(`^imported ${imported} \\(`));

    const again = retina('db', 'import', folder, '--database', db);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(imagesIn(db), 30);
    const check = retina('db', 'check', '--database', db);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

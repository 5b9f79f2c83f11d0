// `retina db backup` and `db copy` to destinations a clinic's IT person meets: a read-only disk, a file where a
// folder should be. Each is refused with a message naming the destination and why, and leaves nothing there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { retinaDb } from '../support/db-cli.js';

let dir: string;
let db: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-backup-dest-'));
  db = join(dir, 'study', 'clinic.db');
  const photos = await tintedPhotos(dir, ['left', 'right'], 96);
  const imported = await retinaDb('import', ...photos, '--database', db);
  assert.equal(imported.code, 0, imported.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A small tmpfs at `at` (root only), mounted read-only when asked; null with the reason when it cannot be. */
function tmpfs(at: string, opts: { readOnly?: boolean; size?: string } = {}): string | null {
  mkdirSync(at, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.size ?? '1m'}`, 'tmpfs', at], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0)
    return `cannot mount a tmpfs here (${(mounted.stderr || String(mounted.error)).trim()})`;
  if (opts.readOnly && spawnSync('mount', ['-o', 'remount,ro', at]).status !== 0) {
    spawnSync('umount', [at]);
    return 'cannot remount a tmpfs read-only here';
  }
  return null;
}

test('a backup to a read-only disk says so, naming the destination', async (t) => {
  const media = join(dir, 'dvd');
  const why = tmpfs(media, { readOnly: true });
  if (why) {
    t.skip(why);
    return;
  }
  try {
    for (const dest of [join(media, 'b.db'), join(media, 'nightly', 'b.db')]) {
      const r = await retinaDb('backup', dest, '--database', db);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`${dest}: cannot write the backup there: ${media} is on a read-only disk \\(EROFS\\)`),
      );
      assert.deepEqual(readdirSync(media), []);
    }
  } finally {
    spawnSync('umount', [media]);
  }
});

test('a backup under a file (where a folder should be) names that file', async () => {
  const file = join(dir, 'usb');
  writeFileSync(file, 'not a folder');
  const r = await retinaDb('backup', join(file, 'b.db'), '--database', db);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${file} is a file, not a folder`));
});

test('a copy under a file (where a folder should be) names that file, the destination and no other option', async () => {
  const file = join(dir, 'stick');
  writeFileSync(file, 'not a folder');
  for (const dest of [join(file, 'c.db'), join(file, 'sub', 'c.db')]) {
    const r = await retinaDb('copy', '--from', db, '--to', dest);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      new RegExp(
        `${dest}: cannot write the copy there: ${file} is a file, not a folder \\(nothing was written\\)`,
      ),
    );
    assert.doesNotMatch(r.stderr, /partial|--database|RETINA_DB/);
  }
});

test('a backup or copy to a full disk says the disk is full and leaves nothing there', async (t) => {
  const usb = join(dir, 'full');
  const why = tmpfs(usb, { size: '100k' });
  if (why) {
    t.skip(why);
    return;
  }
  try {
    const backup = await retinaDb('backup', join(usb, 'nightly', 'b.db'), '--database', db);
    assert.equal(backup.code, 1);
    assert.match(
      backup.stderr,
      /nightly\/b\.db: backup failed \(the disk is full \((ENOSPC|SQLITE_FULL)\)\)/,
    );
    assert.deepEqual(readdirSync(usb), []);
    const copy = await retinaDb('copy', '--from', db, '--to', join(usb, 'c.db'));
    assert.equal(copy.code, 1);
    assert.match(copy.stderr, new RegExp(`${join(usb, 'c.db')}: .*the disk is full`));
    assert.doesNotMatch(copy.stderr, /partial/);
    assert.deepEqual(readdirSync(usb), []);
  } finally {
    spawnSync('umount', [usb]);
  }
});

/** Every path under `at`, sorted: to tell that a refused command wrote nothing there. */
function tree(at: string): string[] {
  return (readdirSync(at, { recursive: true }) as string[]).sort();
}

test("a backup or copy into the study's own .files or .models folder is refused, writing nothing", async () => {
  const study = join(dir, 'study');
  const before = tree(study);
  for (const dest of [join(`${db}.files`, 'b.db'), join(`${db}.files`, 'nightly', 'b.db')]) {
    const r = await retinaDb('backup', dest, '--database', db);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`${dest}: the backup would be inside the study's own files folder`));
  }
  const intoModels = await retinaDb('backup', join(`${db}.models`, 'b.db'), '--database', db);
  assert.equal(intoModels.code, 1, intoModels.stdout);
  assert.match(intoModels.stderr, /inside the study's own models folder/);
  const copy = await retinaDb('copy', '--from', db, '--to', join(`${db}.files`, 'c.db'));
  assert.equal(copy.code, 1, copy.stdout);
  assert.match(copy.stderr, /the copy would be inside the study's own files folder.*nothing was written/);
  assert.deepEqual(tree(study), before);
  assert.equal(existsSync(`${db}.models`), false);
});

test("a destination whose .files folder would be the study's, or hold the study, is refused", async () => {
  // Its .files a link to the study's: the backup's files would be the study's own.
  const linked = join(dir, 'linked');
  mkdirSync(linked);
  symlinkSync(`${db}.files`, join(linked, 'b.db.files'));
  const r = await retinaDb('backup', join(linked, 'b.db'), '--database', db);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /the backup's files folder .* would overlap the study's files folder/);
  assert.deepEqual(readdirSync(linked), ['b.db.files']);
  // A study kept in a folder named `outer.files`: a backup to `outer` would put its files around the study.
  const inner = join(dir, 'outer.files', 'inner.db');
  assert.equal((await retinaDb('init', '--database', inner)).code, 0);
  const around = await retinaDb('backup', join(dir, 'outer'), '--database', inner);
  assert.equal(around.code, 1, around.stdout);
  assert.match(around.stderr, /the backup's files folder .* would hold the study itself/);
  const copy = await retinaDb('copy', '--from', inner, '--to', join(dir, 'outer'));
  assert.equal(copy.code, 1, copy.stdout);
  assert.match(copy.stderr, /the copy's files folder .* would hold the study itself/);
  assert.equal(existsSync(join(dir, 'outer')), false);
  assert.deepEqual(
    tree(join(dir, 'outer.files')).filter((p) => !p.startsWith('inner.db')),
    [],
  );
});

test('a copy that fails after making its destination folder leaves no folder behind', async () => {
  // A study missing one of its files: the copy fails midway, after the destination's folders were made.
  const broken = join(dir, 'broken', 'b.db');
  assert.equal((await retinaDb('copy', '--from', db, '--to', broken)).code, 0);
  const files = `${broken}.files`;
  const blob = (readdirSync(files, { recursive: true }) as string[]).find((p) => p.length > 3);
  assert.ok(blob);
  rmSync(join(files, blob));
  const dest = join(dir, 'stick2', 'nightly', 'c.db');
  const r = await retinaDb('copy', '--from', broken, '--to', dest);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /is missing/);
  assert.equal(existsSync(join(dir, 'stick2')), false);
});

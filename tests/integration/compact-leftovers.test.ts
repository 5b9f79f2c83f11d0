// `retina db compact` removes the files no record refers to (an import or save killed before its commit, and the
// half-written temporaries of one killed mid-write), on both backends, once older than its grace period: a fresh one
// stays (an import or save may be about to commit it), and so does an old one whose bytes an import under way
// reuses. A dry run says what would go and changes nothing; `db check` afterwards no longer counts what went.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { retinaCli as retina } from '../support/retina-cli.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import {
  checkStore,
  compactStudy,
  importImageFiles,
  openStore,
  storageOf,
  type Store,
} from '../../main/store/index.js';
import { blobPath, blobStore, sha256 } from '../../main/store/file-store.js';

const W = 48;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Sets `file`'s times `days` days back. */
const age = (file: string, days: number): void => {
  const t = new Date(Date.now() - days * DAY_MS);
  utimesSync(file, t, t);
};

/** Every file under `dir` with its size and mtime: what a dry run must leave as it found it. */
const listing = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const s = statSync(join(e.parentPath, e.name));
      return `${join(e.parentPath, e.name)} ${s.size} ${s.mtimeMs}`;
    })
    .sort();

/** What FolderBlobStore.put leaves when its process is killed between writing and renaming: half the bytes. */
function halfWritten(store: Store, bytes: Buffer, name: string): { file: string; size: number } {
  const fan = join(store.filesDir, sha256(bytes).slice(0, 2));
  mkdirSync(fan, { recursive: true });
  const file = join(fan, name);
  writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
  return { file, size: bytes.length >> 1 };
}

/** A photograph's bytes stored as by an import killed before its commit: its path. */
async function orphan(store: Store, photo: string): Promise<string> {
  return blobPath(store, await blobStore(store).put(readFileSync(photo)));
}

const auditsOf = (store: Store, action: string): number =>
  Number(store.db.prepare('SELECT COUNT(*) FROM audit_log WHERE action = ?').pluck().get(action));

for (const kind of STORE_BACKENDS)
  describe(`compaction of leftover files (${kind})`, () => {
    const backend = useStoreBackend(kind);

    test('old leftovers and half-written files go, fresh ones stay; a dry run changes nothing', async () => {
      const store = backend.open('leftovers');
      try {
        const [kept, cut, fresh, month] = await tintedPhotos(
          backend.dir,
          ['kept', 'cut', 'fresh', 'month'].map((n) => `${n}-${kind}`),
          W,
        );
        const [{ imageId }] = (await importImageFiles(store, [{ imagePath: kept }], { actor: 'ann' }))
          .imported;
        const photoFile = blobPath(
          store,
          String(store.db.prepare('SELECT file_hash FROM images WHERE id = ?').pluck().get(imageId)),
        );
        age(photoFile, 40); // old, but a record refers to it
        const oldBlob = await orphan(store, cut);
        age(oldBlob, 2);
        const oldTmp = halfWritten(store, readFileSync(cut), '.tmp-4194000-0123456789ab');
        age(oldTmp.file, 2);
        const freshBlob = await orphan(store, fresh);
        const freshTmp = halfWritten(store, readFileSync(fresh), '.tmp-4194001-abcdef012345');
        const monthOld = await orphan(store, month);
        age(monthOld, 20);
        const oldBytes = statSync(oldBlob).size + oldTmp.size;
        assert.equal(storageOf(store).unreferencedFiles, 5);

        const filesBefore = listing(store.filesDir);
        const dry = compactStudy(store, { actor: 'admin', keepDays: 0, dryRun: true });
        assert.deepEqual(
          [dry.dryRun, dry.leftovers.files, dry.leftovers.recent, dry.leftovers.left],
          [true, 3, 2, 0],
        );
        assert.equal(dry.leftovers.bytes, oldBytes + statSync(monthOld).size);
        assert.deepEqual(listing(store.filesDir), filesBefore, 'a dry run changed the files');
        assert.equal(auditsOf(store, 'study.leftovers.remove'), 0);

        // --keep-days is the grace period when longer than a day: 10 days keep the 2-day-old ones; the default 30 all.
        const keepMonth = compactStudy(store, { actor: 'admin', keepDays: 10 });
        assert.deepEqual([keepMonth.leftovers.files, keepMonth.leftovers.recent], [1, 4]);
        assert.equal(existsSync(monthOld), false);
        assert.ok(existsSync(oldBlob) && existsSync(oldTmp.file));
        const byDefault = compactStudy(store, { actor: 'admin' });
        assert.deepEqual([byDefault.leftovers.files, byDefault.leftovers.recent], [0, 4]);

        const r = compactStudy(store, { actor: 'admin', keepDays: 0 });
        assert.deepEqual([r.dryRun, r.leftovers.files, r.leftovers.bytes], [false, 2, oldBytes]);
        assert.deepEqual([r.leftovers.recent, r.leftovers.left], [2, 0]);
        assert.equal(existsSync(oldBlob), false);
        assert.equal(existsSync(oldTmp.file), false);
        assert.ok(existsSync(freshBlob) && existsSync(freshTmp.file), 'a fresh leftover was removed');
        assert.ok(existsSync(photoFile), 'a file a record refers to was removed');
        assert.equal(auditsOf(store, 'study.leftovers.remove'), 2);

        const check = await checkStore(store, { verifyHashes: true });
        assert.equal(check.ok, true, JSON.stringify(check));
        assert.equal(check.storage.unreferencedFiles, 2, 'the fresh ones are still counted');
        assert.equal(check.storage.unreferencedBytes, statSync(freshBlob).size + freshTmp.size);
        // Nothing old left: no write at all.
        const again = compactStudy(store, { actor: 'admin', keepDays: 0 });
        assert.deepEqual([again.leftovers.files, again.leftovers.recent], [0, 2]);
        assert.equal(auditsOf(store, 'study.leftovers.remove'), 2);
      } finally {
        store.close();
      }
    });

    test('an old leftover whose bytes an import under way reuses stays', async () => {
      const store = backend.open('reused');
      try {
        const [, , , , photo] = await tintedPhotos(
          backend.dir,
          ['a', 'b', 'c', 'd', 'reused'].map((n) => `${n}-reuse-${kind}`),
          W,
        );
        // An import of this photograph killed before its commit, days ago.
        const leftover = await orphan(store, photo);
        age(leftover, 3);
        // The same photograph imported again: a compaction (another process) runs after the import stored its
        // files (reusing the leftover) and before its row commits.
        let during: ReturnType<typeof compactStudy> | undefined;
        let stayed = false;
        store.hooks.beforeWrite = (action) => {
          if (action !== 'import an image') return;
          store.hooks.beforeWrite = undefined;
          during = compactStudy(store, { actor: 'admin', keepDays: 0 });
          stayed = existsSync(leftover);
        };
        const imported = await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' });
        store.hooks.beforeWrite = undefined;
        assert.equal(imported.imported.length, 1);
        assert.ok(during, 'the compaction did not run');
        assert.equal(during.leftovers.files, 0, 'a file an import under way reuses was removed');
        assert.ok(stayed);
        const check = await checkStore(store, { verifyHashes: true });
        assert.deepEqual(check.missingBlobs, []);
        assert.equal(check.storage.unreferencedFiles, 0);
      } finally {
        store.close();
      }
    });
  });

test('db compact says what leftovers it would remove and removes them; db check then no longer counts them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-compact-leftovers-'));
  const db = join(dir, 'study.db');
  try {
    const [kept, cut, fresh] = await tintedPhotos(dir, ['kept', 'cut', 'fresh'], W);
    let oldBlob = '';
    let freshBlob = '';
    let tmp = '';
    const store = openStore(db);
    try {
      await importImageFiles(store, [{ imagePath: kept }], { actor: 'ann' });
      oldBlob = await orphan(store, cut);
      age(oldBlob, 2);
      tmp = halfWritten(store, readFileSync(cut), '.tmp-4194000-0123456789ab').file;
      age(tmp, 2);
      freshBlob = await orphan(store, fresh);
    } finally {
      store.close();
    }
    const filesBefore = listing(`${db}.files`);

    const dry = retina('db', 'compact', '--dry-run', '--keep-days', '0', '--database', db);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /^nothing to compact: no superseded autosaved draft saved before [-0-9]+ [0-9:]+ \S+ \(0 days\); would remove 2 files no record refers to, \d+ KB \(left by imports or saves cut off before their commit\); 1 file no record refers to changed since [-0-9]+ [0-9:]+ \S+, kept \(an import or save may still be writing its record\) \(nothing was changed: run without --dry-run to remove them\)$/m,
    );
    assert.deepEqual(listing(`${db}.files`), filesBefore);
    const json = retina('db', 'compact', '--dry-run', '--keep-days', '0', '--database', db, '--json');
    const plan = JSON.parse(json.stdout) as { leftovers: { files: number; bytes: number; recent: number } };
    assert.deepEqual(
      [plan.leftovers.files, plan.leftovers.bytes, plan.leftovers.recent],
      [2, statSync(oldBlob).size + statSync(tmp).size, 1],
    );

    const before = retina('db', 'check', '--database', db);
    assert.match(before.stdout, /in 3 files no record refers to/);
    const done = retina('db', 'compact', '--keep-days', '0', '--database', db, '--actor', 'admin');
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^nothing to compact: .*; removed 2 files no record refers to, \d+ KB/);
    assert.deepEqual([existsSync(oldBlob), existsSync(tmp), existsSync(freshBlob)], [false, false, true]);
    const after = retina('db', 'check', '--verify', '--database', db);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /in 1 file no record refers to/);

    age(freshBlob, 2);
    assert.equal(retina('db', 'compact', '--keep-days', '0', '--database', db).code, 0);
    const clean = retina('db', 'check', '--database', db);
    assert.doesNotMatch(clean.stdout, /no record refers to/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

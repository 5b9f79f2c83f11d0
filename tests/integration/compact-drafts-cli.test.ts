// `retina db compact` on a real study: --dry-run says what it would free and changes nothing (records, audit log,
// files); the compaction then frees exactly that, and `retina db check` still passes and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { REPO, retinaCli as retina, retinaCliWith } from '../support/retina-cli.js';
import { importImageFiles, openStore, saveMaskVersion } from '../../main/store/index.js';

const W = 64;

/** Every file under `dir` with its size: what a dry run must leave as it found it. */
const listing = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => `${join(e.parentPath, e.name)} ${statSync(join(e.parentPath, e.name)).size}`)
    .sort();

/** A study at `db` with one photograph and twelve autosaved drafts of it, each its own file. */
async function studyWithTwelveDrafts(dir: string, db: string): Promise<void> {
  const store = openStore(db);
  try {
    const [photo] = await tintedPhotos(dir, ['photo'], W);
    const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' })).imported;
    const data = new Uint8Array(W * W);
    let parentId: number | null = null;
    for (let i = 0; i < 12; i++) {
      for (let y = 0; y < W; y++) data[y * W + i] = 1;
      parentId = (
        await saveMaskVersion(store, {
          imageId,
          kind: 'draft',
          author: 'ann',
          mask: { width: W, height: W, data },
          parentId,
        })
      ).id;
    }
  } finally {
    store.close();
  }
}

test('db compact --dry-run changes nothing; db compact frees what it said', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-compact-cli-'));
  const db = join(dir, 'study.db');
  try {
    await studyWithTwelveDrafts(dir, db);
    const counts = (): number[] => {
      const s = openStore(db, { readonly: true });
      try {
        return ['mask_versions', 'compacted_versions', 'audit_log'].map((t) =>
          Number(s.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()),
        );
      } finally {
        s.close();
      }
    };
    const filesBefore = listing(`${db}.files`);
    const countsBefore = counts();

    // Every draft is recent: the default keeps them all.
    const recent = retina('db', 'compact', '--dry-run', '--database', db);
    assert.equal(recent.code, 0, recent.stderr);
    assert.match(recent.stdout, /^nothing to compact: no superseded autosaved draft saved before /);

    const dry = retina('db', 'compact', '--dry-run', '--keep-days', '0', '--database', db, '--json');
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as {
      dryRun: boolean;
      versions: number;
      files: number;
      bytes: number;
    };
    assert.deepEqual([plan.dryRun, plan.versions, plan.files], [true, 11, 11]);
    assert.ok(plan.bytes > 0);
    const text = retina('db', 'compact', '--dry-run', '--keep-days', '0', '--database', db);
    assert.match(
      text.stdout,
      /^would compact 11 older drafts of 1 image, freeing 11 files, \d+ KB \(.*nothing was changed/,
    );
    assert.deepEqual(listing(`${db}.files`), filesBefore);
    assert.deepEqual(counts(), countsBefore);

    const done = retina('db', 'compact', '--keep-days', '0', '--database', db, '--actor', 'admin');
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^compacted 11 older drafts of 1 image: freed 11 files, \d+ KB/);
    assert.equal(listing(`${db}.files`).length, filesBefore.length - 11);
    assert.deepEqual(counts(), [countsBefore[0], 11, countsBefore[2] + 1]);

    const check = retina('db', 'check', '--verify', '--database', db);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /: ok \(/);
    assert.match(check.stdout, /11 older drafts compacted/);
    assert.match(check.stdout, /audit trail verifies/);

    // A compacted study copies whole: its compacted versions' files are no file to copy.
    const copy = join(dir, 'copy.db');
    const copied = retina('db', 'copy', '--from', db, '--to', copy);
    assert.equal(copied.code, 0, copied.stderr);
    const copyCheck = retina('db', 'check', '--database', copy);
    assert.equal(copyCheck.code, 0, copyCheck.stdout + copyCheck.stderr);

    // Options of compact are for compact only, and --keep-days is a number of days.
    assert.equal(retina('db', 'check', '--dry-run', '--database', db).code, 2);
    assert.equal(retina('db', 'compact', '--keep-days', 'soon', '--database', db).code, 2);
    // A span past year 0 printed "saved before -000711-01".
    assert.equal(retina('db', 'compact', '--keep-days', '999999', '--database', db).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('db compact says its cut-off to the second, in the local zone, named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-compact-zone-'));
  const db = join(dir, 'study.db');
  try {
    await studyWithTwelveDrafts(dir, db);
    // Kiritimati is UTC+14 all year: its local time is UTC's plus 14 hours, and its UTC date is often yesterday.
    const atKiritimati = (ms: number): string =>
      new Date(ms + 14 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const from = atKiritimati(Math.floor(Date.now() / 1000) * 1000);
    const run = retinaCliWith(
      { env: { TZ: 'Pacific/Kiritimati' } },
      'db',
      'compact',
      '--dry-run',
      '--keep-days',
      '0',
      '--database',
      db,
    );
    const to = atKiritimati(Date.now());
    assert.equal(run.code, 0, run.stderr);
    const cutOff = / \(drafts saved since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GMT\+14 are kept whole;/.exec(
      run.stdout,
    );
    assert.ok(cutOff, run.stdout);
    // --keep-days 0: the cut-off is the moment it ran, as the clock at UTC+14 read it.
    assert.ok(from <= cutOff[1] && cutOff[1] <= to, `${cutOff[1]} is not between ${from} and ${to}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a compaction killed while it removes files loses no pixels of a version it had not marked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-compact-kill-'));
  const db = join(dir, 'study.db');
  try {
    await studyWithTwelveDrafts(dir, db);
    const filesBefore = listing(`${db}.files`);
    // Killed right after removing its first file: the marks of the versions whose files go were committed
    // before (they were in the same uncommitted transaction, so one unmarked version lacked its file).
    const killed = retinaCliWith(
      {
        nodeArgs: ['--import', join(REPO, 'tests', 'support', 'kill-after-first-file-removal.mjs')],
        env: { RETINA_KILL_AFTER_REMOVING_UNDER: `${db}.files` },
      },
      'db',
      'compact',
      '--keep-days',
      '0',
      '--database',
      db,
    );
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
    const check = retina('db', 'check', '--verify', '--database', db);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /11 older drafts compacted/);
    // The files it did not get to remove are counted, and the next compaction removes them.
    assert.match(check.stdout, /in 10 files no record refers to/);
    const next = retina('db', 'compact', '--keep-days', '0', '--database', db);
    assert.equal(next.code, 0, next.stderr);
    const after = retina('db', 'check', '--verify', '--database', db);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.doesNotMatch(after.stdout, /no record refers to/);
    assert.equal(listing(`${db}.files`).length, filesBefore.length - 11);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

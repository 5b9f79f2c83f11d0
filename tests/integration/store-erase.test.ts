// Erasure on both backends with real photographs (the shipped CC0 sample, made into three distinct images): a
// patient's images, visits, masks, drafts, assignments and hand-offs go in one transaction; files still used by
// another image stay; the audit keeps who did what, not what it was; ids are never given out again; and on SQLite
// the erased words are gone from the database file itself, not only unlinked.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import Database from 'better-sqlite3';
import {
  appendJobLog,
  auditRowsOfImages,
  checkStore,
  createTeamJob,
  finishTrainingRun,
  overlayPath,
  runArtifactsDir,
  startTrainingRun,
  createUser,
  eraseRecords,
  getClinical,
  importImageFiles,
  listAudit,
  listMaskVersions,
  NotFoundError,
  planErasure,
  registerModel,
  removeErasedFiles,
  saveMaskVersion,
  sendBack,
  setAssignees,
  setClinical,
  submitForReview,
  type Store,
} from '../../main/store/index.js';
import { blobPath, putBlob } from '../../main/store/file-store.js';
import { eventForCaller, FormerAssignees } from '../../main/handlers/access-guard.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const NAME = 'Erika Mustermann-Gabler';
const W = 320;

/** Three different photographs of one size (so one mask's PNG can be shared between two of them). */
const photos = (dir: string): Promise<string[]> =>
  tintedPhotos(dir, ['erika-visit-photo-0', 'erika-visit-photo-1', 'erika-visit-photo-2'], W);

/** Imports `paths` (in order) and gives their image ids. */
async function importIds(store: Store, paths: string[]): Promise<number[]> {
  const report = await importImageFiles(
    store,
    paths.map((imagePath) => ({ imagePath })),
    { actor: 'importer' },
  );
  return report.imported.map((i) => i.imageId);
}

const stripes = (n: number) => Uint8Array.from({ length: W * W }, (_, i) => (i % W < n ? 1 : 0));
const count = (store: Store, table: string) =>
  store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

for (const kind of STORE_BACKENDS)
  describe(`erasure (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let store: Store;
    let files: string[];
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'retina-erase-'));
      files = await photos(dir);
    });
    after(() => {
      store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test("a patient's images, visit, masks and traces go; the other patient's shared files stay", async () => {
      store = backend.open('erase');
      const report = await importImageFiles(
        store,
        files.map((imagePath) => ({ imagePath })),
        { actor: 'importer' },
      );
      // P-OTHER's image first: the erased ones hold the highest ids, the ones SQLite would give out again.
      const [c, a, b] = report.imported.map((i) => i.imageId);
      setClinical(
        store,
        [a, b],
        { patientId: 'P-ERIKA', patientName: NAME, visitDate: '2026-01-10' },
        'clerk',
      );
      setClinical(store, [c], { patientId: 'P-OTHER', visitDate: '2026-02-01' }, 'clerk');
      const shared = stripes(5);
      const approvedA = await saveMaskVersion(store, {
        imageId: a,
        kind: 'approved',
        author: 'rev',
        mask: { width: W, height: W, data: shared },
        note: `checked with ${NAME}`,
      });
      await saveMaskVersion(store, {
        imageId: a,
        kind: 'draft',
        author: 'ann',
        mask: { width: W, height: W, data: stripes(9) },
        parentId: approvedA.id,
      });
      await saveMaskVersion(store, {
        imageId: c,
        kind: 'approved',
        author: 'rev',
        mask: { width: W, height: W, data: shared },
      });
      createUser(store, { name: 'ann', role: 'annotator', passwordHash: 'x' }, 'admin');
      createUser(store, { name: 'bo', role: 'annotator', passwordHash: 'x' }, 'admin');
      // Read blind by two: the send-back below is kept for each reader too, and goes with the image.
      setAssignees(store, [b], ['ann', 'bo'], 'admin');
      const draftB = await saveMaskVersion(store, {
        imageId: b,
        kind: 'draft',
        author: 'ann',
        mask: { width: W, height: W, data: stripes(7) },
      });
      submitForReview(store, b, 'ann');
      sendBack(store, b, `${NAME} blinked`, 'rev');
      const model = registerModel(
        store,
        {
          name: 'learned',
          dirPath: tmpdir(),
          architecture: {},
          trainedOn: [{ maskVersionId: approvedA.id }],
        },
        'ml',
      );
      const versionsOfA = listMaskVersions(store, a).map((v) => v.id);
      const photoA = blobPath(store, getImageHash(store, a));
      const sharedMask = blobPath(store, approvedA.pngHash);
      const gone = [photoA, blobPath(store, getImageHash(store, b)), blobPath(store, draftB.pngHash)];
      const kept = [sharedMask, blobPath(store, getImageHash(store, c))];
      const patient = getClinical(store, a).patientDbId!;

      const plan = planErasure(store, { patients: [patient] });
      assert.deepEqual(plan.images, [a, b]);
      assert.equal(plan.studies.length, 1);
      assert.deepEqual(plan.patients, [{ id: patient, pseudonym: 'P-ERIKA' }]);
      assert.equal(plan.maskVersions, 3);
      assert.deepEqual(plan.trainedModels, [{ id: model.id, name: 'learned' }]);
      assert.equal(count(store, 'images'), 3, 'planning changes nothing');

      const done = await eraseRecords(store, { patients: [patient] }, 'dpo');
      assert.deepEqual(done.images, [a, b]);
      assert.ok(done.filesRemoved >= 4, 'two photographs and two drafts at least');
      assert.ok(done.bytesFreed > 0);
      for (const f of gone) assert.equal(existsSync(f), false, `${f} is left`);
      // The approved mask's PNG is also P-OTHER's; its photograph is its own.
      for (const f of kept) assert.equal(existsSync(f), true, `${f} was removed`);
      assert.equal(count(store, 'images'), 1);
      assert.equal(count(store, 'mask_versions'), 1);
      for (const t of ['image_assignments', 'image_handoffs', 'reader_send_backs', 'model_training_masks'])
        assert.equal(count(store, t), 0, t);
      assert.equal(
        store.db.prepare("SELECT COUNT(*) FROM patients WHERE pseudonym = 'P-ERIKA'").pluck().get(),
        0,
      );
      assert.equal(getClinical(store, c).pseudonym, 'P-OTHER');

      // The audit: who did what when, about the erased rows, without what it was.
      const entries = listAudit(store, { limit: 1000 });
      const text = JSON.stringify(entries);
      for (const word of [NAME, 'P-ERIKA', 'erika-visit-photo-1', 'blinked'])
        assert.equal(text.includes(word), false, `${word} still in the audit log`);
      const ofA = listAudit(store, { entity: 'image', entityId: a });
      assert.ok(ofA.some((e) => e.action === 'image.import' && e.details === null));
      // Ids only: which patient, visit, versions and models it had, so its trail can still be read.
      assert.deepEqual(ofA.find((e) => e.action === 'image.erase')?.details, {
        patient,
        visit: plan.studies[0],
        maskVersions: versionsOfA,
        keptDrafts: [],
        trainedModels: [model.id],
      });
      assert.ok(
        entries.some((e) => e.action === 'patient.erase' && e.entityId === patient && e.actor === 'dpo'),
      );

      // Ids are never given again: a new image and a new version continue above the erased ones.
      const again = await importImageFiles(store, [{ imagePath: files[1] }], { actor: 'importer' });
      const newId = again.imported[0].imageId;
      assert.ok(newId > b, `new image ${newId} reuses an erased id`);
      const v = await saveMaskVersion(store, {
        imageId: newId,
        kind: 'draft',
        author: 'ann',
        mask: { width: W, height: W, data: stripes(3) },
      });
      assert.ok(v.id > Math.max(...versionsOfA));
      assert.equal(listAudit(store, { entity: 'image', entityId: newId }).length, 1, 'a history of its own');

      const check = await checkStore(store);
      assert.equal(check.ok, true, JSON.stringify(check));
    });

    test('an image added to the patient after the preview is not erased unseen: refused, nothing erased', async () => {
      const s = backend.open('expect');
      try {
        const [a, b] = await importIds(s, files.slice(0, 2));
        setClinical(s, [a], { patientId: 'P-9' }, 'clerk');
        const patient = getClinical(s, a).patientDbId!;
        const shown = planErasure(s, { patients: [patient] }).images;
        setClinical(s, [b], { patientId: 'P-9' }, 'clerk');
        await assert.rejects(
          eraseRecords(s, { patients: [patient] }, 'dpo', { expectImages: shown }),
          /the images to erase changed since they were shown \(now 2 images/,
        );
        assert.equal(count(s, 'images'), 2);
        const done = await eraseRecords(s, { patients: [patient] }, 'dpo', { expectImages: [b, a] });
        assert.deepEqual(
          done.images,
          [a, b].sort((x, y) => x - y),
        );
      } finally {
        s.close();
      }
    });

    test("another patient's rows are untouched: a numeric patient ID, the same file name, a run's numbers", async () => {
      const s = backend.open('over');
      try {
        // Two photographs both named IMG_0001.png, from two patients' folders.
        const folders = ['a', 'bert'].map((f) => join(dir, f));
        for (const [i, f] of folders.entries()) {
          mkdirSync(f, { recursive: true });
          writeFileSync(join(f, 'IMG_0001.png'), readFileSync(files[i]));
        }
        const [mineFile, bertFile] = folders.map((f) => join(f, 'IMG_0001.png'));
        const [mine, bert] = (
          await importImageFiles(
            s,
            [mineFile, bertFile].map((imagePath) => ({ imagePath })),
            { actor: 'importer' },
          )
        ).imported.map((i) => i.imageId);
        setClinical(s, [mine], { patientId: '100', visitDate: '2026-01-10' }, 'clerk');
        setClinical(s, [bert], { patientId: 'P-BERT', visitDate: '2026-01-10' }, 'clerk');
        const run = startTrainingRun(
          s,
          {
            config: { epochs: 100, tag: '100', dir: '/srv/100/models', heldOut: [{ imageId: bert }] },
            seed: 100,
          },
          'ml',
        );
        finishTrainingRun(s, run.id, { status: 'succeeded', outcome: { steps: 100, split: 'test' } }, 'ml');
        createTeamJob(s, {
          id: 'job-2',
          kind: 'import',
          actor: 'rev',
          spec: { paths: [mineFile, bertFile], batch: 100 },
          total: 2,
        });
        s.db.prepare("UPDATE jobs SET state = 'done' WHERE id = 'job-2'").run();
        createTeamJob(s, {
          id: 'job-3',
          kind: 'import',
          actor: 'rev',
          spec: { paths: [mineFile] },
          total: 1,
        });

        await eraseRecords(s, { patients: [getClinical(s, mine).patientDbId!] }, 'dpo');

        const bertImport = listAudit(s, { entity: 'image', entityId: bert }).find(
          (e) => e.action === 'image.import',
        );
        assert.equal((bertImport?.details as { fileName: string }).fileName, 'IMG_0001.png');
        const runRow = s.db.prepare('SELECT config, outcome FROM training_runs WHERE id = ?').get(run.id) as {
          config: string;
          outcome: string;
        };
        // The number 100 and a string "100" that stands for no patient stay.
        assert.deepEqual(JSON.parse(runRow.config), {
          epochs: 100,
          tag: '100',
          dir: '/srv/100/models',
          heldOut: [{ imageId: bert }],
        });
        assert.deepEqual(JSON.parse(runRow.outcome), { steps: 100, split: 'test' });
        const spec = (id: string) =>
          JSON.parse(s.db.prepare('SELECT spec FROM jobs WHERE id = ?').pluck().get(id) as string) as unknown;
        assert.deepEqual(spec('job-2'), { paths: ['(erased)', bertFile], batch: 100 });
        assert.deepEqual(spec('job-3'), { paths: [mineFile] }, 'a queued job was rewritten');
        // The app still reads every row it keeps.
        assert.doesNotThrow(() => listAudit(s, { limit: 100_000 }));
      } finally {
        s.close();
      }
    });

    test("a kept draft's id is not given again: another image's trail does not take the erased one's", async () => {
      const s = backend.open('kept');
      try {
        const [a, b] = await importIds(s, files.slice(0, 2));
        // A stale save is kept as a draft (its parent is no longer the image's newest version).
        const keep = async (imageId: number, who: string) => {
          const v1 = await saveMaskVersion(s, {
            imageId,
            kind: 'draft',
            author: who,
            mask: { width: W, height: W, data: stripes(3) },
          });
          await saveMaskVersion(s, {
            imageId,
            kind: 'draft',
            author: who,
            mask: { width: W, height: W, data: stripes(4) },
            parentId: v1.id,
          });
          await saveMaskVersion(s, {
            imageId,
            kind: 'draft',
            author: who,
            mask: { width: W, height: W, data: stripes(5) },
            parentId: v1.id,
            editor: { clientId: 'w', nowMs: Date.now() },
          }).catch(() => undefined);
        };
        await keep(a, 'mallory');
        const erasedKept = s.db
          .prepare('SELECT id FROM kept_drafts WHERE image_id = ?')
          .pluck()
          .get(a) as number;
        assert.ok(erasedKept > 0, 'no kept draft was made');
        await eraseRecords(s, { images: [a] }, 'dpo');
        await keep(b, 'bob');
        const kept = s.db.prepare('SELECT id FROM kept_drafts WHERE image_id = ?').pluck().get(b) as number;
        assert.ok(kept > erasedKept, `kept draft ${kept} reuses the erased image's id`);
        // The erased image's trail still names its kept draft (who, when), from its erasure entry.
        const trail = listAudit(s, { anyOf: auditRowsOfImages(s, [a]), limit: 100 });
        assert.ok(
          trail.some((e) => e.entity === 'kept_draft' && e.entityId === erasedKept && e.actor === 'mallory'),
        );
      } finally {
        s.close();
      }
    });

    test('an import of the same bytes whose file an erasure removes before its row is written stores it again', async () => {
      const s = backend.open('race');
      try {
        const [a] = await importIds(s, [files[0]]);
        const hash = getImageHash(s, a);
        await eraseRecords(s, { images: [a] }, 'dpo');
        // The photograph comes back, and the erasure's file removal lands between its file and its row.
        let removed = false;
        s.hooks.beforeWrite = (action) => {
          if (action !== 'import an image' || removed) return;
          removed = true;
          rmSync(blobPath(s, hash));
        };
        const [again] = await importIds(s, [files[0]]);
        s.hooks.beforeWrite = undefined;
        assert.ok(removed, 'the race was not staged');
        assert.equal(
          existsSync(blobPath(s, getImageHash(s, again))),
          true,
          'the row points at a missing file',
        );
        assert.equal((await checkStore(s)).ok, true);
      } finally {
        s.close();
      }
    });

    test("an annotator's windows are told an image they had is erased (to close it), not of others' images", async () => {
      const s = backend.open('events');
      try {
        const [a, b] = await importIds(s, files.slice(0, 2));
        createUser(s, { name: 'ann', role: 'annotator', passwordHash: 'x' }, 'admin');
        setAssignees(s, [a], ['ann'], 'admin');
        const audience = eventForCaller(s, new FormerAssignees());
        const ann = { name: 'ann', role: 'annotator' as const };
        const told = () => audience('imagesChanged', { imageIds: [String(a), String(b)] })(ann as never);
        assert.deepEqual(told(), { imageIds: [String(a)] });
        await eraseRecords(s, { images: [a, b] }, 'dpo');
        assert.deepEqual(told(), { imageIds: [String(a), String(b)] });
      } finally {
        s.close();
      }
    });

    test('finishing an erasure leaves a photograph a queued team import uploaded again', async () => {
      const s = backend.open('upload');
      try {
        const [a] = await importIds(s, [files[0]]);
        const hash = getImageHash(s, a);
        await eraseRecords(s, { images: [a] }, 'dpo');
        // The same photograph uploaded again for a worker to import, while an erasure of it was cut short.
        await putBlob(s, readFileSync(files[0]));
        s.db.prepare('INSERT INTO erased_files (hash) VALUES (?)').run(hash);
        createTeamJob(s, {
          id: 'job-up',
          kind: 'import',
          actor: 'rev',
          spec: {
            kind: 'import',
            source: { type: 'files', paths: [], files: [{ name: 'again.png', hash }] },
          },
          total: 1,
        });
        await removeErasedFiles(s);
        assert.equal(existsSync(blobPath(s, hash)), true, "the queued job's upload was removed");
      } finally {
        s.close();
      }
    });

    test('unknown ids are refused, naming them, and nothing changes', async () => {
      const images = count(store, 'images');
      await assert.rejects(eraseRecords(store, { images: [9999], studies: [8888] }, 'dpo'), (err: Error) => {
        assert.ok(err instanceof NotFoundError);
        assert.match(err.message, /8888/);
        return true;
      });
      assert.equal(count(store, 'images'), images);
    });
    test('what other rows say about them goes too: renamed and merged-in IDs, job specs and logs, retrain reports and overlays', async () => {
      const s = backend.open('traces');
      try {
        // The photographs in a folder named after the patient, as clinics file them.
        const folder = join(dir, NAME);
        mkdirSync(folder, { recursive: true });
        const paths = files.map((f) => join(folder, f.split('/').pop()!));
        for (const [i, p] of paths.entries()) writeFileSync(p, readFileSync(files[i]));
        const [a, c, d] = (
          await importImageFiles(
            s,
            paths.map((imagePath) => ({ imagePath })),
            { actor: 'importer' },
          )
        ).imported.map((i) => i.imageId);
        setClinical(s, [a], { patientId: 'P-TYPO', patientName: NAME, visitDate: '2026-01-09' }, 'clerk');
        setClinical(s, [a], { patientId: 'P-ERIKA' }, 'clerk'); // a correction: the patient renamed
        setClinical(s, [a], { visitDate: '2026-01-10' }, 'clerk'); // the first visit dropped
        setClinical(s, [d], { patientId: 'P-ERIKA-ZWEI', visitDate: '2026-03-03' }, 'clerk');
        setClinical(s, [d], { patientId: 'P-ERIKA' }, 'clerk'); // P-ERIKA-ZWEI merged into P-ERIKA
        // Before ids were kept from reuse, the merged-away patient's id went to the next patient: its history
        // after the merge is P-OTHER's, and must stay.
        const merged = listAudit(s, { limit: 1000 }).find((e) => e.action === 'patient.merge')!.entityId!;
        s.db
          .prepare("INSERT INTO patients (id, pseudonym, created_at) VALUES (?, 'P-OTHER', '2026-02-01')")
          .run(merged);
        setClinical(s, [c], { patientId: 'P-OTHER', patientName: 'Otto Other' }, 'clerk');
        const run = startTrainingRun(s, { config: { heldOut: [a] }, seed: 1 }, 'ml');
        finishTrainingRun(
          s,
          run.id,
          {
            status: 'succeeded',
            outcome: { heldOut: { images: [{ imageId: a, fileName: 'erika-visit-photo-0.png' }] } },
          },
          'ml',
        );
        mkdirSync(runArtifactsDir(s, run.id), { recursive: true });
        writeFileSync(overlayPath(s, run.id, a), 'drawn on the photograph');
        createTeamJob(s, {
          id: 'job-1',
          kind: 'import',
          actor: 'rev',
          spec: {
            paths: [paths[0], '/share/other/erika-visit-photo-01.png'],
          },
          total: 2,
        });
        appendJobLog(
          s,
          { jobId: 'job-1', attempt: 0, worker: 'w' },
          'imported erika-visit-photo-0.png as image 1',
        );
        // A finished job (a queued or running one's spec is left alone: rewriting it would break the job).
        s.db.prepare("UPDATE jobs SET state = 'done' WHERE id = 'job-1'").run();

        const patient = getClinical(s, a).patientDbId!;
        await eraseRecords(s, { patients: [patient] }, 'dpo');

        const everything = (['audit_log', 'jobs', 'job_log', 'training_runs'] as const)
          .map((t) => JSON.stringify(s.db.prepare(`SELECT * FROM ${t}`).all()))
          .join('\n');
        for (const word of [NAME, 'P-TYPO', 'P-ERIKA', 'erika-visit-photo-0.png', 'erika-visit-photo-2'])
          assert.equal(everything.includes(word), false, `${word} is still in the study's rows`);
        // A longer name that only contains an erased one is not touched; P-OTHER's own history stays.
        assert.ok(everything.includes('/share/other/erika-visit-photo-01.png'));
        assert.ok(everything.includes('Otto Other') || everything.includes('P-OTHER'));
        const other = listAudit(s, { entity: 'patient', entityId: merged }).filter((e) => e.details !== null);
        assert.ok(other.length > 0, "P-OTHER's audit was cleared with the merged-away patient's");
        assert.equal(
          existsSync(overlayPath(s, run.id, a)),
          false,
          'the overlay drawn on the photograph is left',
        );
      } finally {
        s.close();
      }
    });
  });

function getImageHash(store: Store, id: number): string {
  return store.db.prepare('SELECT file_hash FROM images WHERE id = ?').pluck().get(id) as string;
}

describe('erasure leaves no trace in the SQLite file', () => {
  const WORDS = [NAME, 'P-ERIKA', 'erika-visit-photo-0', 'erika-visit-photo-1'];

  /** A study whose audit log spans many pages, the patient's rows among other patients' (pages get rebalanced). */
  async function study(dir: string): Promise<{ path: string; store: Store; patient: number }> {
    const [a, b, c] = await photos(dir);
    const path = join(dir, 'study.db');
    const { openStore } = await import('../../main/store/index.js');
    const store = openStore(path);
    const ids = (
      await importImageFiles(
        store,
        [a, b, c].map((imagePath) => ({ imagePath })),
        { actor: 'importer' },
      )
    ).imported.map((i) => i.imageId);
    for (let i = 0; i < 40; i++) {
      setClinical(store, [ids[0], ids[1]], { patientId: 'P-ERIKA', patientName: `${NAME} ${i}` }, 'clerk');
      setClinical(store, [ids[2]], { patientId: 'P-OTHER', patientName: `Otto Other ${i}` }, 'clerk');
    }
    return { path, store, patient: getClinical(store, ids[0]).patientDbId! };
  }

  const bytesOf = (path: string) =>
    Buffer.concat(
      ['', '-wal'].filter((s) => existsSync(path + s)).map((s) => readFileSync(path + s)),
    ).toString('latin1');

  test("the erased patient's name and file names are not in the database file or its WAL", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retina-erase-bytes-'));
    try {
      const { path, store, patient } = await study(dir);
      assert.ok(bytesOf(path).includes(NAME), 'the name is written before');
      const done = await eraseRecords(store, { patients: [patient] }, 'dpo');
      assert.equal(done.residue, null);
      for (const word of WORDS)
        assert.equal(bytesOf(path).includes(word), false, `${word} is still in the database's bytes (open)`);
      store.close();
      for (const word of WORDS)
        assert.equal(bytesOf(path).includes(word), false, `${word} is still in the database's bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("another connection's open snapshot keeps the WAL: said, and emptied at the next change once it lets go", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retina-erase-reader-'));
    try {
      const { path, store, patient } = await study(dir);
      const reader = new Database(path, { readonly: true });
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT COUNT(*) FROM images').get();
      const done = await eraseRecords(store, { patients: [patient] }, 'dpo');
      assert.match(
        done.residue ?? '',
        /study\.db-wal\) keeps a copy of the erased rows until the other window/,
      );
      reader.prepare('COMMIT').run();
      reader.close();
      createUser(store, { name: 'later', role: 'annotator', passwordHash: 'x' }, 'admin');
      for (const word of WORDS)
        assert.equal(bytesOf(path).includes(word), false, `${word} is still in the database's bytes`);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Erasure on both backends with real photographs (the shipped CC0 sample, made into three distinct images): a
// patient's images, visits, masks, drafts, assignments and hand-offs go in one transaction; files still used by
// another image stay; the audit keeps who did what, not what it was; ids are never given out again; and on SQLite
// the erased words are gone from the database file itself, not only unlinked.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  checkStore,
  createUser,
  eraseRecords,
  getClinical,
  importImageFiles,
  listAudit,
  listMaskVersions,
  NotFoundError,
  planErasure,
  registerModel,
  saveMaskVersion,
  sendBack,
  setAssignees,
  setClinical,
  submitForReview,
  type Store,
} from '../../main/store/index.js';
import { blobPath } from '../../main/store/file-store.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const SAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  'resources',
  'samples',
  'fundus-normal-left-eye-cc0.jpg',
);
const NAME = 'Erika Mustermann-Gabler';
const W = 320;

/** Three different photographs of one size (so one mask's PNG can be shared between two of them). */
async function photos(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, tint] of [
    [0, { r: 255, g: 255, b: 255 }],
    [1, { r: 255, g: 200, b: 200 }],
    [2, { r: 200, g: 255, b: 200 }],
  ] as const) {
    const file = join(dir, `erika-visit-photo-${i}.png`);
    await sharp(SAMPLE).resize(W, W, { fit: 'fill' }).tint(tint).png().toFile(file);
    out.push(file);
  }
  return out;
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
      setAssignees(store, [b], ['ann'], 'admin');
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
        { name: 'learned', dirPath: '/none', architecture: {}, trainedOn: [{ maskVersionId: approvedA.id }] },
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
      for (const t of ['image_assignments', 'image_handoffs', 'model_training_masks'])
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
      assert.deepEqual(ofA.find((e) => e.action === 'image.erase')?.details, { trainedModels: [model.id] });
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

    test('unknown ids are refused, naming them, and nothing changes', async () => {
      const images = count(store, 'images');
      await assert.rejects(eraseRecords(store, { images: [9999], studies: [8888] }, 'dpo'), (err: Error) => {
        assert.ok(err instanceof NotFoundError);
        assert.match(err.message, /8888/);
        return true;
      });
      assert.equal(count(store, 'images'), images);
    });
  });

function getImageHash(store: Store, id: number): string {
  return store.db.prepare('SELECT file_hash FROM images WHERE id = ?').pluck().get(id) as string;
}

describe('erasure leaves no trace in the SQLite file', () => {
  test("the erased patient's name and file names are not in the database file or its WAL", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retina-erase-bytes-'));
    try {
      const [photo] = await photos(dir);
      const path = join(dir, 'study.db');
      const { openStore } = await import('../../main/store/index.js');
      const store = openStore(path);
      const report = await importImageFiles(store, [{ imagePath: photo }], { actor: 'importer' });
      const id = report.imported[0].imageId;
      setClinical(store, [id], { patientId: 'P-ERIKA', patientName: NAME }, 'clerk');
      store.db.prepare('SELECT 1').get();
      const bytes = () =>
        Buffer.concat(
          ['', '-wal'].filter((s) => existsSync(path + s)).map((s) => readFileSync(path + s)),
        ).toString('latin1');
      assert.ok(bytes().includes(NAME), 'the name is written before');
      await eraseRecords(store, { images: [id] }, 'dpo');
      store.close();
      for (const word of [NAME, 'P-ERIKA', 'erika-visit-photo-0'])
        assert.equal(bytes().includes(word), false, `${word} is still in the database's bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

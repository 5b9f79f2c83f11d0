// Artery/vein maps and disc records on a real database, through the handler table both shells use: a prediction
// stores its labels and record (and fills an unknown eye, as does a person's draft whose marked disc and fovea tell
// it), a draft and an approval carry corrected labels and a moved disc (audited, with who moved it), the invariant and stale saves are refused with nothing saved, getMasks
// returns the labels of each version, a v4 database migrates, `db check` and backups cover the new blobs, and the
// export bundle writes av/<stem>.png and the disc columns of images.csv.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { decodeImage, readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  anatomyApprovals,
  backupStore,
  buildBundle,
  checkStore,
  getImage,
  importImageFiles,
  latestMaskVersion,
  listAudit,
  loadAvLabels,
  openStore,
  registerModel,
  saveMaskVersion,
  SCHEMA_VERSION,
  setClinical,
  type Store,
} from '../../main/store/index.js';
import { encodeMaskPng } from '../../main/store/masks.js';
import { putBlob, blobPath } from '../../main/store/file-store.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { dispatchRequest, type AnatomyRecord, type ResponseOf } from '../../shared/contract.js';
import { handlerCaller } from '../support/handler-call.js';
import { taskCorrections } from '../../main/retrain/anatomy-snapshot.js';
import { writeCorrection } from '../../main/retrain/anatomy-samples.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };
const DRIVE_TEST = path.join(datasetsRoot(), 'DRIVE', 'test');
const RECORD = {
  disc: { x: 480.5, y: 290.25, diameter: 80 },
  fovea: { x: 290, y: 300, confidence: 0.7 },
  laterality: 'R' as const,
};

/** Labels for a mask: left half artery, right half vein (a real vessel tree, a made-up split). */
function halves(mask: Uint8Array, width: number): Uint8Array {
  return Uint8Array.from(mask, (v, i) => (v ? (i % width < width / 2 ? 1 : 2) : 0));
}

for (const kind of STORE_BACKENDS)
  describe(`artery/vein maps and disc records in the store (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let ws: Workstation;
    let store: Store;
    let modelId: number;
    let ids: number[];
    let width: number;
    let height: number;
    let mask: Uint8Array;

    const call = handlerCaller(() => ws, ctx);
    const versions = (): number =>
      store.db.prepare('SELECT COUNT(*) FROM mask_versions').pluck().get() as number;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-store-'));
      // A models folder without anatomy models: this workstation must not find the bundled ones.
      ws = await createWorkstation({
        dbPath: backend.location('anatomy'),
        shell: 'browser',
        user: 'ann',
        anatomyModels: dir,
      });
      store = ws.store;
      const report = await importImageFiles(
        store,
        ['01', '02', '03'].map((n) => ({ imagePath: path.join(DRIVE_TEST, 'images', `${n}_test.tif`) })),
        { actor: 'ann' },
      );
      ids = report.imported.map((i) => i.imageId);
      modelId = registerModel(
        store,
        { name: 'observer', dirPath: tmpdir(), architecture: { kind: 'x' } },
        'ann',
      ).id;
      const m = toBinaryMap(await readImage(path.join(DRIVE_TEST, '2nd_manual', '01_manual2.gif')));
      ({ width, height } = m);
      mask = Uint8Array.from(m.data, (v) => (v ? 1 : 0));
    });

    after(async () => {
      await ws.close();
      await rm(dir, { recursive: true, force: true });
    });

    const predict = (imageId: number, av: Uint8Array | null, anatomy: AnatomyRecord | null = RECORD) =>
      saveMaskVersion(store, {
        imageId,
        kind: 'prediction',
        author: 'model:observer',
        modelId,
        mask: { width, height, data: mask },
        av,
        anatomy,
      });

    test('a prediction keeps its labels and record; getMasks sends them; an unknown eye is filled', async () => {
      const id = ids[0];
      assert.equal(getImage(store, id).laterality, null);
      const labels = halves(mask, width);
      const p = await predict(id, labels);
      assert.ok(p.avHash);
      assert.deepEqual(p.anatomy, { ...RECORD, discMovedBy: null });
      assert.deepEqual(await loadAvLabels(store, p), labels);
      // R (right eye) -> OD, recorded as the model's doing.
      assert.equal(getImage(store, id).laterality, 'OD');
      assert.ok(
        listAudit(store, { entity: 'image', entityId: id }).some(
          (e) => e.action === 'image.laterality.predicted',
        ),
      );
      const m = await call('getMasks', { imageId: String(id) });
      assert.deepEqual(m.prediction?.av, labels);
      assert.deepEqual(m.prediction?.anatomy, { ...RECORD, discMovedBy: null });
      assert.equal(m.anatomyModels, false, 'this workstation has no anatomy models');
    });

    test("a person's eye is never overridden, even when they cleared it", async () => {
      const [, b, c] = ids;
      setClinical(store, [b], { eye: 'OS' }, 'ann');
      setClinical(store, [c], { eye: 'OD' }, 'ann');
      setClinical(store, [c], { eye: null }, 'ann');
      await predict(b, halves(mask, width));
      // All vein: labels of its own, so its blob is its alone (the check test below removes it).
      await predict(
        c,
        mask.map((v) => (v ? 2 : 0)),
      );
      assert.equal(getImage(store, b).laterality, 'OS');
      assert.equal(getImage(store, c).laterality, null);
    });

    test('a draft carries corrected labels and a moved disc; approval keeps them, audited with the author', async () => {
      const id = ids[0];
      const pred = latestMaskVersion(store, id, 'prediction')!;
      const corrected = halves(mask, width).map((v) => (v === 1 ? 2 : v === 2 ? 1 : 0));
      const moved = { ...RECORD, disc: { ...RECORD.disc, x: 470 } };
      const draft = await call('saveDraft', {
        imageId: String(id),
        width,
        height,
        mask,
        parentVersionId: String(pred.id),
        av: corrected,
        anatomy: moved,
      });
      // The editor's next autosave names the draft it saved last: the disc did not move again.
      const next = await call('saveDraft', {
        imageId: String(id),
        width,
        height,
        mask,
        parentVersionId: draft.versionId,
        av: corrected,
        anatomy: moved,
      });
      const approved = await call('approveMask', {
        imageId: String(id),
        width,
        height,
        mask,
        parentVersionId: next.versionId,
        av: corrected,
        anatomy: moved,
      });
      const m = await call('getMasks', { imageId: String(id) });
      assert.equal(m.approved?.versionId, approved.versionId);
      assert.deepEqual(m.approved?.av, corrected);
      // Only the labels editing resumes from travel: not the older draft's, nor the prediction's.
      assert.equal(m.draft?.av, null);
      assert.equal(m.prediction?.av, null);
      assert.deepEqual(m.prediction?.anatomy, { ...RECORD, discMovedBy: null });
      // Who moved the disc carries over from the draft to the approval of the same place.
      assert.deepEqual(m.approved?.anatomy, { ...moved, discMovedBy: 'ann' });
      const moves = listAudit(store, { entity: 'mask_version' }).filter((e) => e.action === 'mask.disc.move');
      assert.equal(
        moves.length,
        1,
        'one move: the first draft; the next draft and the approval kept it there',
      );
      assert.equal(moves[0].actor, 'ann');
      assert.equal(moves[0].entityId, Number(draft.versionId));
    });

    test('labels that disagree with the mask, bad sizes and stale drafts are refused with nothing saved', async () => {
      const id = ids[0];
      const n = versions();
      // Reopen first, so the refusals below are the labels', not the approval's; edits then build on the reopen.
      const reopened = await call('reopenMask', { imageId: String(id) });
      const base = { imageId: String(id), width, height, mask, parentVersionId: reopened.versionId };
      const after = versions();
      assert.equal(after, n + 1);
      const holes = halves(mask, width);
      const vessel = mask.indexOf(1);
      holes[vessel] = 0;
      await assert.rejects(call('saveDraft', { ...base, av: holes }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'conflict');
        assert.match(e.message, /leaves vessel pixel \(\d+, \d+\) unlabelled/);
        return true;
      });
      const stray = halves(mask, width);
      stray[mask.indexOf(0)] = 1;
      await assert.rejects(call('saveDraft', { ...base, av: stray }), /not a vessel pixel of the mask/);
      const three = halves(mask, width);
      three[vessel] = 3;
      await assert.rejects(call('saveDraft', { ...base, av: three }), /value 3/);
      await assert.rejects(
        call('saveDraft', { ...base, av: new Uint8Array(10) }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'invalid-request');
          return true;
        },
      );
      await assert.rejects(
        call('saveDraft', { ...base, anatomy: { ...RECORD, disc: { x: width + 50, y: 1, diameter: 10 } } }),
        /off the image/,
      );
      assert.equal(versions(), after, 'no version was saved');
      // Stale: a draft arriving after an approval is refused like any mask draft.
      const ok = await call('approveMask', { ...base, av: halves(mask, width) });
      await assert.rejects(
        call('saveDraft', { ...base, parentVersionId: ok.versionId, av: halves(mask, width) }),
        /approved/,
      );
      assert.equal(versions(), after + 1);
    });

    test('db check and backups cover the artery/vein blobs', async () => {
      const report = await checkStore(store, { verifyHashes: true });
      assert.equal(report.ok, true, JSON.stringify(report));
      const backup = path.join(dir, 'backup', 'retina.db');
      const result = await backupStore(store, backup, { includeFiles: true });
      const hashes = store.db
        .prepare('SELECT DISTINCT av_hash FROM mask_versions WHERE av_hash IS NOT NULL')
        .pluck()
        .all() as string[];
      assert.ok(hashes.length >= 2);
      const copy = openStore(backup, { readonly: true });
      try {
        for (const h of hashes)
          assert.ok(existsSync(blobPath(copy, h)), `backup lacks artery/vein blob ${h}`);
      } finally {
        copy.close();
      }
      assert.ok(result.blobsCopied + result.blobsPresent > 0);
      // A lost artery/vein blob is reported by the check.
      const victim = latestMaskVersion(store, ids[2], 'prediction')!.avHash!;
      const only = store.db
        .prepare('SELECT COUNT(*) FROM mask_versions WHERE av_hash = ?')
        .pluck()
        .get(victim);
      assert.equal(only, 1);
      await unlink(blobPath(store, victim));
      const broken = await checkStore(store);
      assert.deepEqual(broken.missingBlobs, [victim]);
    });

    test('the export bundle writes av/<stem>.png (red artery, blue vein) and the disc columns', async () => {
      const files = new Map<string, Uint8Array>();
      await buildBundle(
        store,
        { imageIds: [ids[0], ids[1]], parts: ['masks', 'clinical'], source: 'best', appVersion: 'test' },
        (p, bytes) => void files.set(p, bytes),
      );
      const av = await decodeImage(files.get('av/01_test.png')!, 'av/01_test.png');
      assert.equal(av.channels, 3);
      const approved = latestMaskVersion(store, ids[0], 'approved')!;
      const labels = (await loadAvLabels(store, approved))!;
      for (let i = 0; i < labels.length; i++) {
        const rgb = [av.data[3 * i], av.data[3 * i + 1], av.data[3 * i + 2]];
        const want = labels[i] === 1 ? [255, 0, 0] : labels[i] === 2 ? [0, 0, 255] : [0, 0, 0];
        if (rgb.join() !== want.join()) assert.fail(`pixel ${i}: ${rgb} instead of ${want}`);
      }
      const csv = new TextDecoder().decode(files.get('images.csv')).trim().split('\n');
      const header = csv[0].split(',');
      const row = csv.find((l) => l.startsWith(`${ids[0]},`))!.split(',');
      const col = (name: string) => row[header.indexOf(name)];
      assert.equal(col('disc_x_px'), '480.5');
      assert.equal(col('disc_y_px'), '290.3');
      assert.equal(col('disc_diameter_px'), '80.0');
      assert.equal(col('laterality_from_disc'), 'R');
      assert.equal(col('fovea_confidence'), '0.700');
      assert.equal(col('eye'), 'OD');
    });

    /** A DRIVE test photograph imported on its own. */
    const importOne = async (n: string): Promise<number> =>
      (
        await importImageFiles(store, [{ imagePath: path.join(DRIVE_TEST, 'images', `${n}_test.tif`) }], {
          actor: 'ann',
        })
      ).imported[0].imageId;

    /** A person's draft or approval of the prediction's mask and labels, with their anatomy record. */
    const personSave = (
      method: 'saveDraft' | 'approveMask',
      id: number,
      parent: number,
      anatomy: AnatomyRecord,
    ) =>
      call(method, {
        imageId: String(id),
        width,
        height,
        mask,
        parentVersionId: String(parent),
        av: halves(mask, width),
        anatomy,
      });

    test('the eye read from a disc and fovea a person marked fills an unknown eye, audited as theirs', async () => {
      const id = await importOne('04');
      // The model found no disc, so it said nothing of the eye.
      const pred = await predict(id, halves(mask, width), { disc: null, fovea: null, laterality: null });
      assert.equal(getImage(store, id).laterality, null);
      await personSave('saveDraft', id, pred.id, {
        disc: { x: 90, y: 290, diameter: 80 },
        fovea: { x: 300, y: 300, confidence: 1 },
        laterality: 'L',
      });
      assert.equal(getImage(store, id).laterality, 'OS');
      const filled = listAudit(store, { entity: 'image', entityId: id }).filter((e) =>
        e.action.startsWith('image.laterality'),
      );
      assert.deepEqual(
        filled.map((e) => [e.action, e.actor]),
        [['image.laterality.marked', 'ann']],
      );
    });

    test('markers a person moves correct the eye the model guessed, never one a person or the file gave', async () => {
      const id = await importOne('08');
      const pred = await predict(id, halves(mask, width));
      assert.equal(getImage(store, id).laterality, 'OD', "the model's guess: right eye");
      // The fovea dragged to the disc's other side: a left eye. It stayed OD.
      const left = { ...RECORD, fovea: { x: 550, y: 300, confidence: 1 }, laterality: 'L' as const };
      const draft = await personSave('saveDraft', id, pred.id, left);
      assert.equal(getImage(store, id).laterality, 'OS');
      const audit = listAudit(store, { entity: 'image', entityId: id }).filter((e) =>
        e.action.startsWith('image.laterality'),
      );
      assert.deepEqual(
        audit.map((e) => [e.action, e.actor]),
        [
          ['image.laterality.marked', 'ann'],
          ['image.laterality.predicted', 'model:observer'],
        ],
      );
      // An edit that leaves the markers alone says nothing of the eye; a person's own word stands over markers.
      setClinical(store, [id], { eye: 'OD' }, 'ann');
      await personSave('saveDraft', id, Number(draft.versionId), {
        ...left,
        fovea: { x: 555, y: 300, confidence: 1 },
      });
      assert.equal(getImage(store, id).laterality, 'OD');
    });

    test('vessels drawn or erased are no artery/vein correction; labels a person changed are', async () => {
      // An approval whose labels differ from the prediction's only because the mask changed (new vessel pixels
      // take their labels automatically, erased ones lose theirs) once counted as corrected labels: the A/V model
      // then retrained on its own labels and the gate called it better.
      const drawn = await importOne('06');
      const pred = await predict(drawn, halves(mask, width));
      const more = mask.slice();
      for (let y = 100; y < 110; y++) for (let x = 200; x < 260; x++) more[y * width + x] = 1;
      for (let i = 0; i < width * 50; i++) more[i] = 0;
      await call('approveMask', {
        imageId: String(drawn),
        width,
        height,
        mask: more,
        parentVersionId: String(pred.id),
        av: halves(more, width),
        anatomy: RECORD,
      });
      const flipped = await importOne('07');
      const pred2 = await predict(flipped, halves(mask, width));
      const relabelled = halves(mask, width);
      let n = 0;
      for (let i = 0; i < relabelled.length && n < 40; i++) {
        if (relabelled[i] !== 1) continue;
        relabelled[i] = 2;
        n++;
      }
      const byId = new Map(anatomyApprovals(store).map((a) => [a.imageId, a]));
      assert.equal(byId.get(drawn)?.avCorrected, false, 'a vessel-only edit counted as corrected labels');
      assert.ok(!taskCorrections(store, 'artery-vein').some((a) => a.imageId === drawn));
      await call('approveMask', {
        imageId: String(flipped),
        width,
        height,
        mask,
        parentVersionId: String(pred2.id),
        av: relabelled,
        anatomy: RECORD,
      });
      assert.equal(
        anatomyApprovals(store).find((a) => a.imageId === flipped)?.avCorrected,
        true,
        '40 pixels relabelled by a person are not counted',
      );
    });

    test('a disc moved after a vessel-only approval is a correction, credited to the person who moved it', async () => {
      const id = await importOne('09');
      // Approved before any anatomy prediction (as is ground truth imported with the photograph): no disc record.
      await saveMaskVersion(store, {
        imageId: id,
        kind: 'approved',
        author: 'ann',
        mask: { width, height, data: mask },
      });
      const pred = await predict(id, halves(mask, width));
      const reopened = await call('reopenMask', { imageId: String(id) });
      const disc = { x: RECORD.disc.x - 20, y: RECORD.disc.y + 10, diameter: 84 };
      await personSave('approveMask', id, Number(reopened.versionId), { ...RECORD, disc });
      assert.equal(pred.anatomy?.disc?.x, RECORD.disc.x);
      const a = anatomyApprovals(store).find((x) => x.imageId === id);
      assert.deepEqual(a?.anatomy?.disc, disc);
      assert.equal(a?.anatomy?.discMovedBy, 'ann', 'the disc moved is credited to no one');
      assert.ok(a.discMoved, 'the disc moved is not counted as an optic-disc correction');
    });

    test("two readers' discs: each is judged against the version it was drawn on, not the other reader's", async () => {
      const id = await importOne('12');
      const pred = await predict(id, null);
      const draft = (author: string, parentId: number, disc: { x: number; y: number; diameter: number }) =>
        saveMaskVersion(store, {
          imageId: id,
          kind: 'draft',
          author,
          parentId,
          mask: { width, height, data: mask },
          anatomy: { ...RECORD, disc },
        });
      const moved = { x: RECORD.disc.x - 30, y: RECORD.disc.y, diameter: 80 };
      const anna = await draft('anna', pred.id, moved);
      assert.equal(anna.anatomy?.discMovedBy, 'anna');
      // Otto, reading blind, keeps the model's disc: he moved nothing.
      const otto = await draft('otto', pred.id, RECORD.disc);
      assert.equal(otto.anatomy?.discMovedBy, null, "otto is not said to have moved the model's disc");
      // The reviewer approves otto's reading as it is: nobody moved its disc.
      const approval = await saveMaskVersion(store, {
        imageId: id,
        kind: 'approved',
        author: 'rita',
        parentId: otto.id,
        mask: { width, height, data: mask },
        anatomy: RECORD,
      });
      assert.equal(approval.anatomy?.discMovedBy, null, 'the reviewer is not said to have moved it');
      const movers = listAudit(store, { actionPrefix: 'mask.disc.move' })
        .filter((e) => [anna.id, otto.id, approval.id].includes(e.entityId ?? -1))
        .map((e) => e.actor);
      assert.deepEqual(movers, ['anna']);
    });

    test('a disc removed by hand is an optic-disc correction: the disc retrain learns an empty disc mask', async () => {
      const id = await importOne('05');
      const pred = await predict(id, halves(mask, width));
      const approved = await personSave('approveMask', id, pred.id, {
        disc: null,
        fovea: null,
        laterality: null,
      });
      const a = anatomyApprovals(store).find((x) => x.imageId === id);
      assert.ok(a?.discMoved, 'removing the disc is not counted as a correction');
      assert.equal(a.anatomy?.disc, null);
      assert.ok(taskCorrections(store, 'optic-disc').some((x) => x.imageId === id));
      const ref = await writeCorrection(
        store,
        'optic-disc',
        { imageId: id, maskVersionId: Number(approved.versionId) },
        dir,
      );
      const written = toBinaryMap(await readImage(ref.discPath!));
      assert.deepEqual([written.width, written.height], [width, height]);
      assert.equal(
        written.data.some((v) => v !== 0),
        false,
        'the disc mask is not empty',
      );
    });
  });

describe('migration from schema v4', () => {
  test('a v4 database with a prediction opens at v5; its versions have no anatomy; new ones can', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-v4-'));
    try {
      const file = path.join(dir, 'v4.db');
      const old = openStore(file, { targetVersion: 4 });
      assert.equal(old.schemaVersion, 4);
      // The image row as v4 wrote it (today's importer writes today's schema).
      const photo = await readFile(path.join(DRIVE_TEST, 'images', '01_test.tif'));
      const photoHash = await putBlob(old, photo);
      const imageId = Number(
        old.db
          .prepare(
            `INSERT INTO images (file_hash, file_name, format, byte_size, width, height, channels, imported_at)
             VALUES (?, '01_test.tif', 'tiff', ?, 565, 584, 3, '2026-01-01') RETURNING id`,
          )
          .pluck()
          .get(photoHash, photo.length),
      );
      const m = toBinaryMap(await readImage(path.join(DRIVE_TEST, '2nd_manual', '01_manual2.gif')));
      const data = Uint8Array.from(m.data, (v) => (v ? 1 : 0));
      const hash = await putBlob(old, encodeMaskPng({ width: m.width, height: m.height, data }));
      // The model row as v4 wrote it too (today's registerModel writes today's audit trail, a hash chain).
      const model = Number(
        old.db
          .prepare(
            `INSERT INTO models (name, dir_path, architecture, created_at)
             VALUES ('m', ?, '{"kind":"x"}', '2026-01-01') RETURNING id`,
          )
          .pluck()
          .get(tmpdir()),
      );
      old.db
        .prepare(
          `INSERT INTO mask_versions (image_id, kind, author, created_at, model_id, png_hash, width, height)
           VALUES (?, 'prediction', 'model:m', '2026-01-01', ?, ?, ?, ?)`,
        )
        .run(imageId, model, hash, m.width, m.height);
      old.close();
      const columns = (db: string) =>
        (
          new Database(db, { readonly: true }).prepare('PRAGMA table_info(mask_versions)').all() as {
            name: string;
          }[]
        ).map((c) => c.name);
      assert.ok(!columns(file).includes('av_hash'));
      const ws = await createWorkstation({ dbPath: file, shell: 'browser', user: 'ann' });
      try {
        assert.equal(ws.store.schemaVersion, SCHEMA_VERSION);
        const r = await dispatchRequest(ws.handlers, 'getMasks', { imageId: String(imageId) }, ctx);
        assert.ok(r.ok);
        const masks = r.value as ResponseOf<'getMasks'>;
        assert.equal(masks.prediction?.av, null);
        assert.equal(masks.prediction?.anatomy, null);
        const v = await saveMaskVersion(ws.store, {
          imageId,
          kind: 'draft',
          author: 'ann',
          mask: { width: m.width, height: m.height, data },
          parentId: latestMaskVersion(ws.store, imageId, 'prediction')!.id,
          av: halves(data, m.width),
        });
        assert.deepEqual(await loadAvLabels(ws.store, v), halves(data, m.width));
        assert.equal((await checkStore(ws.store)).ok, true);
      } finally {
        await ws.close();
      }
      assert.ok(columns(file).includes('av_hash') && columns(file).includes('anatomy'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

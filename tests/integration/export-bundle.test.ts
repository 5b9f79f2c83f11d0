// The export bundle on a real store of DRIVE photographs: masks and COCO read back pixel for pixel, images.csv
// carries the clinical data, names only when asked, the CLI writes the same files, the app's zip holds them too.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { decodePng } from '../../main/ml/io/png-codec.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { runDbCommand } from '../../main/cli/db.js';
import { nowIso } from '../../main/store/database.js';
import { exportImages } from '../../main/handlers/export.js';
import {
  BUNDLE_PARTS,
  decodeCocoRle,
  importImageFiles,
  loadProbabilityBytes,
  openStore,
  registerModel,
  saveMaskVersion,
  writeBundleFolder,
  type CocoDocument,
  type MaskVersion,
  type Store,
} from '../../main/store/index.js';

const DRIVE_TEST = join(datasetsRoot(), 'DRIVE', 'test');
const NAME = 'Ada Lovelace-Byron';

/** Every file under `dir`, by '/'-separated relative path. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** RFC 4180 rows (quoted fields may hold commas and doubled quotes; no newlines inside fields here). */
function parseCsv(text: string): Record<string, string>[] {
  const split = (line: string): string[] => {
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted && ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = !quoted;
      } else if (ch === ',' && !quoted) {
        fields.push(field);
        field = '';
      } else {
        field += ch;
      }
    }
    return [...fields, field];
  };
  const [head, ...rows] = text.trim().split('\n');
  const keys = split(head);
  return rows.map((r) => Object.fromEntries(split(r).map((v, i) => [keys[i], v])));
}

/** coco.json without its creation time, which differs between two runs. */
function cocoWithoutDate(bytes: Uint8Array): unknown {
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as CocoDocument;
  return { ...doc, info: { ...doc.info, date_created: '' } };
}

describe('export bundle', () => {
  let dir: string;
  let dbPath: string;
  let store: Store;
  const ids: number[] = [];
  /** The pixels each image's exported (best) version should have, 0/1. */
  const expected = new Map<number, { version: MaskVersion; data: Uint8Array }>();
  let prediction0: MaskVersion;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retina-export-'));
    dbPath = join(dir, 'studies.db');
    store = openStore(dbPath);
    const files = ['01_test.tif', '02_test.tif', '03_test.tif'].map((f) => ({
      imagePath: join(DRIVE_TEST, 'images', f),
    }));
    const report = await importImageFiles(store, files, { actor: 'tester' });
    ids.push(...report.imported.map((i) => i.imageId));
    assert.equal(ids.length, 3);
    const model = registerModel(store, { name: 'unet-test', dirPath: dir, architecture: {} }, 'tester');
    // Image 0: a prediction with its probability map, then an approved correction.
    // Image 1: a prediction, then a draft. Image 2: nothing.
    for (const [k, id] of ids.slice(0, 2).entries()) {
      const manual = toBinaryMap(await readImage(join(DRIVE_TEST, '1st_manual', `0${k + 1}_manual1.gif`)));
      const probability = new Uint8Array(manual.data.length);
      for (let i = 0; i < probability.length; i++) probability[i] = manual.data[i] ? 200 : (i * 7) % 90;
      const predicted = await saveMaskVersion(store, {
        imageId: id,
        kind: 'prediction',
        author: 'model:unet-test',
        mask: manual,
        modelId: model.id,
        probability,
        threshold: 0.5,
        // Image 0's model also said where it was unsure.
        uncertainty:
          k === 0
            ? {
                map: Float32Array.from(probability, (v) => v / 400),
                quality: {
                  expectedF1: 0.81234,
                  meanUncertainty: 0.04,
                  fragments: 3,
                  gaps: [{ from: { x: 1, y: 2 }, to: { x: 5, y: 6 } }],
                },
              }
            : null,
      });
      if (k === 0) prediction0 = predicted;
      const corrected = Uint8Array.from(manual.data);
      corrected.fill(1, 1000, 1000 + 300 * (k + 1)); // a visible correction, different per image
      const person = await saveMaskVersion(store, {
        imageId: id,
        kind: k === 0 ? 'approved' : 'draft',
        author: 'dr-who',
        mask: { ...manual, data: corrected },
        parentId: predicted.id,
      });
      expected.set(id, { version: person, data: corrected });
    }
    // Clinical context, written straight into the tables.
    const db = store.db;
    const patient = Number(
      db
        .prepare(
          'INSERT INTO patients (pseudonym, name, birth_year, created_at) VALUES (?, ?, ?, ?) RETURNING id',
        )
        .pluck()
        .get('P-0042', NAME, 1961, nowIso()),
    );
    const study = Number(
      db
        .prepare(
          'INSERT INTO studies (patient_id, study_date, device, created_at) VALUES (?, ?, ?, ?) RETURNING id',
        )
        .pluck()
        .get(patient, '2026-11-30', 'Topcon, TRC-50DX', nowIso()),
    );
    db.prepare('UPDATE images SET study_id = ?, laterality = ?, field_angle_deg = ? WHERE id = ?').run(
      study,
      'OS',
      45,
      ids[0],
    );
    db.prepare('UPDATE images SET study_id = ?, laterality = ? WHERE id = ?').run(study, 'OD', ids[1]);
  });

  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every part, read back against the store', async () => {
    const out = join(dir, 'bundle');
    const summary = await writeBundleFolder(store, out, {
      parts: BUNDLE_PARTS,
      source: 'best',
      appVersion: '9.9.9',
    });
    const files = tree(out);
    assert.deepEqual([...files.keys()].sort(), [...summary.files].sort());
    assert.deepEqual([...files.keys()].sort(), [
      'README.txt',
      'coco.json',
      'images.csv',
      'manifest.json',
      'masks/01_test.png',
      'masks/02_test.png',
      'measures.csv',
      'measures/01_test.json',
      'measures/02_test.json',
      'metrics.csv',
      'probabilities/01_test.png',
      'probabilities/02_test.png',
      'uncertainty/01_test.png',
    ]);
    assert.equal(summary.images, 3);
    const u = decodePng(files.get('uncertainty/01_test.png')!);
    assert.deepEqual([u.width, u.height, u.bitDepth], [565, 584, 16]);
    assert.equal(u.data[0], Math.round((((0 * 7) % 90) / 400) * 65535));

    // Masks: the PNGs decode to the saved pixels.
    for (const [k, id] of ids.slice(0, 2).entries()) {
      const png = toBinaryMap(await readImage(join(out, 'masks', `0${k + 1}_test.png`)));
      assert.equal(png.width, 565);
      assert.equal(png.height, 584);
      assert.ok(Buffer.from(png.data).equals(Buffer.from(expected.get(id)!.data)), `mask of image ${id}`);
    }
    // Probability map: the stored 8-bit values.
    const prob = await readImage(join(out, 'probabilities', '01_test.png'));
    assert.equal(prob.channels, 1);
    assert.ok(Buffer.from(prob.data).equals(Buffer.from((await loadProbabilityBytes(store, prediction0))!)));

    // COCO: RLE decodes to the same pixels; image entries carry the clinical fields, no name.
    const coco = JSON.parse(files.get('coco.json')!.toString('utf8')) as CocoDocument;
    assert.equal(coco.annotations.length, 2);
    for (const a of coco.annotations) {
      const want = expected.get(a.image_id)!;
      assert.ok(Buffer.from(decodeCocoRle(a.segmentation).data).equals(Buffer.from(want.data)));
      assert.equal(a.mask_version_id, want.version.id);
      assert.equal(a.version, 2);
    }
    const first = coco.images.find((i) => i.id === ids[0])!;
    assert.deepEqual(
      [first.patient_id, first.eye, first.visit_date, first.camera, first.field_angle_deg, first.birth_year],
      ['P-0042', 'OS', '2026-11-30', 'Topcon, TRC-50DX', 45, 1961],
    );
    assert.equal('patient_name' in first, false);

    // images.csv: one row per exported image, image 2 without a mask.
    const rows = parseCsv(files.get('images.csv')!.toString('utf8'));
    assert.equal(rows.length, 3);
    assert.equal('patient_name' in rows[0], false);
    assert.deepEqual(
      { ...rows[0] },
      {
        image_id: String(ids[0]),
        file_name: '01_test.tif',
        patient_id: 'P-0042',
        birth_year: '1961',
        eye: 'OS',
        visit_date: '2026-11-30',
        camera: 'Topcon, TRC-50DX',
        field_angle_deg: '45',
        review_status: 'approved',
        reopened: 'no',
        approved_by: 'dr-who',
        approved_at: expected.get(ids[0])!.version.createdAt,
        mask_version: '2',
        mask_kind: 'approved',
        mask_model: 'unet-test',
        mask_file: 'masks/01_test.png',
        expected_f1: '0.8123',
        mean_uncertainty: '0.04000',
        fragments: '3',
        likely_gaps: '1',
        // The disc and fovea columns are there whatever the selection (empty here: no anatomy was predicted).
        disc_x_px: '',
        disc_y_px: '',
        disc_diameter_px: '',
        disc_moved_by: '',
        fovea_x_px: '',
        fovea_y_px: '',
        fovea_confidence: '',
        laterality_from_disc: '',
      },
    );
    assert.equal(rows[1].expected_f1, '', 'a prediction without an estimate leaves the columns empty');
    assert.deepEqual(
      [rows[1].eye, rows[1].review_status, rows[1].mask_kind, rows[1].field_angle_deg, rows[1].approved_by],
      ['OD', 'draft', 'draft', '', ''],
    );
    assert.deepEqual([rows[2].patient_id, rows[2].review_status, rows[2].mask_file], ['', 'new', '']);

    // metrics.csv: only the image with a prediction and an approval.
    assert.equal(parseCsv(files.get('metrics.csv')!.toString('utf8')).length, 1);

    // The manifest names the version, the model and the date; no file holds the patient's name.
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Record<string, unknown>;
    assert.equal(manifest.appVersion, '9.9.9');
    assert.deepEqual(manifest.models, [{ id: 1, name: 'unet-test' }]);
    assert.match(files.get('README.txt')!.toString('utf8'), /RetinaStudio 9\.9\.9 export/);
    for (const [path, bytes] of files) assert.equal(bytes.includes(NAME), false, `${path} holds the name`);
  });

  test('names only when asked; approved source leaves drafts out', async () => {
    const out = join(dir, 'named');
    const summary = await writeBundleFolder(store, out, {
      imageIds: [ids[0], ids[1]],
      parts: ['masks', 'coco', 'clinical'],
      source: 'approved',
      includeNames: true,
      appVersion: '9.9.9',
    });
    assert.equal(summary.masks, 1);
    assert.deepEqual(readdirSync(join(out, 'masks')), ['01_test.png']);
    const rows = parseCsv(readFileSync(join(out, 'images.csv'), 'utf8'));
    assert.equal(rows[0].patient_name, NAME);
    assert.deepEqual([rows[1].mask_version, rows[1].mask_file], ['', '']);
    const coco = JSON.parse(readFileSync(join(out, 'coco.json'), 'utf8')) as CocoDocument;
    assert.deepEqual(
      coco.images.map((i) => i.patient_name),
      [NAME],
    );
  });

  test('de-identified: no name, patient ID or file name anywhere in the bundle; one code per patient', async () => {
    const out = join(dir, 'deidentified');
    await writeBundleFolder(store, out, {
      parts: ['masks', 'probabilities', 'coco', 'clinical', 'measures', 'metrics'],
      source: 'best',
      deidentify: true,
      appVersion: '9.9.9',
    });
    const everything: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        everything.push(e.name);
        if (e.isDirectory()) walk(join(d, e.name));
        else everything.push(readFileSync(join(d, e.name)).toString('latin1'));
      }
    };
    walk(out);
    const all = everything.join('\n');
    for (const secret of [NAME, 'P-0042', '01_test', '02_test', '03_test'])
      assert.ok(!all.includes(secret), `${secret} is in the de-identified bundle`);
    const rows = parseCsv(readFileSync(join(out, 'images.csv'), 'utf8'));
    assert.deepEqual(
      rows.map((r) => [r.file_name, r.patient_id, r.eye, r.visit_date, r.birth_year]),
      [
        [`image-${ids[0]}.tif`, 'P0001', 'OS', '2026-11-30', '1961'],
        [`image-${ids[1]}.tif`, 'P0001', 'OD', '2026-11-30', '1961'],
        [`image-${ids[2]}.tif`, '', '', '', ''],
      ],
    );
    assert.deepEqual(readdirSync(join(out, 'masks')).sort(), [`image-${ids[0]}.png`, `image-${ids[1]}.png`]);
    const coco = JSON.parse(readFileSync(join(out, 'coco.json'), 'utf8')) as CocoDocument;
    assert.deepEqual(
      coco.images.map((i) => [i.file_name, i.patient_id]),
      [
        [`image-${ids[0]}.tif`, 'P0001'],
        [`image-${ids[1]}.tif`, 'P0001'],
      ],
    );
    assert.match(
      readFileSync(join(out, 'README.txt'), 'utf8'),
      /De-identified: images are named by their id/,
    );
    await assert.rejects(
      writeBundleFolder(store, join(dir, 'both'), {
        parts: ['clinical'],
        source: 'best',
        deidentify: true,
        includeNames: true,
        appVersion: '9.9.9',
      }),
      /leaves patient names out/,
    );
  });

  test('a non-empty folder is refused and left as it was; a missing image fails before writing', async () => {
    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'mine');
    await assert.rejects(
      writeBundleFolder(store, busy, { parts: ['masks'], source: 'best', appVersion: '1' }),
      /is not empty: choose an empty or a new folder/,
    );
    assert.deepEqual(readdirSync(busy), ['keep.txt']);
    const missing = join(dir, 'missing');
    await assert.rejects(
      writeBundleFolder(store, missing, {
        imageIds: [999],
        parts: ['masks'],
        source: 'best',
        appVersion: '1',
      }),
      /image 999/,
    );
    assert.equal(existsSync(missing), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('.')),
      [],
      'no temporary left behind',
    );
  });

  test('the CLI writes the same bundle', async () => {
    const app = join(dir, 'app-sel');
    await writeBundleFolder(store, app, {
      imageIds: [ids[1], ids[0]],
      parts: BUNDLE_PARTS,
      source: 'best',
      appVersion: 'x',
    });
    const cli = join(dir, 'cli-sel');
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runDbCommand(
      ['export', '--db', dbPath, '--format', 'bundle', '--out', cli, '--images', `${ids[1]},${ids[0]}`],
      { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) } },
    );
    assert.equal(code, 0, stderr.join(''));
    assert.match(stdout.join(''), /for 2 images \(2 masks\)/);
    const a = tree(app);
    const b = tree(cli);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [path, bytes] of a) {
      if (path === 'manifest.json' || path === 'README.txt') continue; // version and time differ
      if (path === 'coco.json') assert.deepEqual(cocoWithoutDate(b.get(path)!), cocoWithoutDate(bytes));
      else assert.ok(b.get(path)!.equals(bytes), path);
    }
    const bad = await runDbCommand(
      ['export', '--db', dbPath, '--format', 'bundle', '--out', join(dir, 'x'), '--parts', 'masks,pdf'],
      { stdout: { write: () => 0 }, stderr: { write: (t: string) => stderr.push(t) } },
    );
    assert.equal(bad, 2);
    assert.match(
      stderr.join(''),
      /--parts takes masks, probabilities, coco, metrics, clinical, measures \(not 'pdf'\)/,
    );
  });

  test('measures.csv has the same header when no exported image has a mask to measure', async () => {
    const header = (folder: string): string =>
      readFileSync(join(folder, 'measures.csv'), 'utf8').split('\n')[0];
    const measured = join(dir, 'measures-one');
    await writeBundleFolder(store, measured, {
      imageIds: [ids[0]],
      parts: ['measures'],
      source: 'best',
      appVersion: 'x',
    });
    // Image 2 has no mask: the CLI's CSV holds no row, but a script still finds image_id and the rest.
    const empty = join(dir, 'measures-none');
    const stderr: string[] = [];
    const code = await runDbCommand(
      [
        'export',
        '--db',
        dbPath,
        '--format',
        'bundle',
        '--out',
        empty,
        '--images',
        `${ids[2]}`,
        '--parts',
        'measures',
      ],
      { stdout: { write: () => 0 }, stderr: { write: (t: string) => stderr.push(t) } },
    );
    assert.equal(code, 0, stderr.join(''));
    assert.match(header(measured), /^image_id,image,width,height,/);
    assert.equal(header(empty), header(measured));
    assert.equal(readFileSync(join(empty, 'measures.csv'), 'utf8'), header(measured) + '\n');
    // Its README.txt has no measures/ line, so the measures.csv line must say what it holds on its own.
    const described = readFileSync(join(empty, 'README.txt'), 'utf8')
      .split('\n')
      .find((l) => l.trimStart().startsWith('measures.csv'));
    assert.match(described ?? '', /measures\.csv\s+the vessel measures of each exported mask/);
  });

  test('the app: a zip holding the same files, and a folder inside a non-empty one', async () => {
    const now = new Date(2026, 11, 2, 10, 0); // 10:00 on 2 December on this machine's calendar, in any zone
    const zipped = await exportImages(
      store,
      {
        imageIds: [String(ids[0])],
        parts: ['masks', 'coco', 'clinical'],
        source: 'best',
        target: { kind: 'zip' },
      },
      { now, appVersion: 'z' },
    );
    assert.equal(zipped.zipName, 'retinastudio-export-2026-12-02.zip');
    assert.equal(zipped.folder, null);
    const entries = unzipSync(zipped.zip!);
    assert.deepEqual(Object.keys(entries).sort(), [...zipped.files].sort());
    const mask = Buffer.from(entries['masks/01_test.png']);
    const folder = join(dir, 'one');
    await writeBundleFolder(store, folder, {
      imageIds: [ids[0]],
      parts: ['masks'],
      source: 'best',
      appVersion: 'z',
    });
    assert.ok(mask.equals(readFileSync(join(folder, 'masks', '01_test.png'))));

    // Folder target: a non-empty folder gets a new date-stamped folder inside; an empty one is filled.
    const picked = join(dir, 'picked');
    mkdirSync(picked);
    writeFileSync(join(picked, 'notes.txt'), 'mine');
    const r = await exportImages(
      store,
      { parts: ['clinical'], source: 'best', target: { kind: 'folder', folder: picked } },
      { now, appVersion: 'z' },
    );
    assert.equal(r.folder, join(picked, 'retinastudio-export-2026-12-02'));
    assert.deepEqual(readdirSync(r.folder!).sort(), ['README.txt', 'images.csv', 'manifest.json']);
    assert.equal(readFileSync(join(picked, 'notes.txt'), 'utf8'), 'mine');
    const again = await exportImages(
      store,
      { parts: ['clinical'], source: 'best', target: { kind: 'folder', folder: picked } },
      { now, appVersion: 'z' },
    );
    assert.equal(again.folder, join(picked, 'retinastudio-export-2026-12-02-2'));
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const filled = await exportImages(
      store,
      { parts: ['clinical'], source: 'best', target: { kind: 'folder', folder: empty } },
      { now, appVersion: 'z' },
    );
    assert.equal(filled.folder, empty);
    assert.ok(existsSync(join(empty, 'images.csv')));

    // A zip over the limit is refused with a way out.
    await assert.rejects(
      exportImages(
        store,
        { parts: ['masks'], source: 'best', target: { kind: 'zip' } },
        { now, appVersion: 'z', maxZipBytes: 1000 },
      ),
      /too large to download/,
    );
  });

  test("images.csv names the model an approved mask was corrected from, not a later prediction's", async () => {
    const later = registerModel(store, { name: 'unet-later', dirPath: dir, architecture: {} }, 'tester');
    const { version } = expected.get(ids[0])!;
    // Predicted again after the approval (Predict on the worklist with a newly promoted model).
    await saveMaskVersion(store, {
      imageId: ids[0],
      kind: 'prediction',
      author: 'model:unet-later',
      mask: { width: version.width, height: version.height, data: expected.get(ids[0])!.data },
      modelId: later.id,
    });
    const out = join(dir, 'after-repredict');
    await writeBundleFolder(store, out, {
      imageIds: [ids[0]],
      parts: ['clinical'],
      source: 'approved',
      appVersion: '9.9.9',
    });
    const [row] = parseCsv(readFileSync(join(out, 'images.csv'), 'utf8'));
    assert.deepEqual([row.mask_kind, row.approved_by, row.mask_model], ['approved', 'dr-who', 'unet-test']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      models: { name: string }[];
    };
    assert.ok(
      manifest.models.some((m) => m.name === 'unet-test'),
      'the manifest names the model behind the approved mask',
    );
  });
});

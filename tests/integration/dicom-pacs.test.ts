// DICOM photographs as hospitals' archives export them, beyond the clean files of store-import's tests: names in
// UTF-8, malformed or mis-scaled Pixel Spacing, a truncated file among good ones, a name that only a later visit
// carries, DICOM inside a dataset's images/ folder; and what the exports do with them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDbCommand } from '../../main/cli/db.js';
import { encodePng } from '../../main/ml/io/image-io.js';
import type { RasterImage } from '../../main/ml/types.js';
import { getImage, importFolder, openStore, saveMaskVersion, type Store } from '../../main/store/index.js';
import { getClinical, setClinical } from '../../main/store/clinical.js';
import { writeDicom } from './dicom-fixture.js';

const W = 64;
const H = 48;

function picture(seed: number): RasterImage {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 29 + seed * 13) & 0xff;
  return { width: W, height: H, channels: 3, bitDepth: 8, data };
}

const dicom = (path: string, seed: number, opts: Parameters<typeof writeDicom>[2] = {}): void =>
  writeDicom(path, { width: W, height: H, rgb: picture(seed).data as Uint8Array }, opts);

const patientName = (store: Store, pseudonym: string): unknown =>
  store.db.prepare('SELECT name FROM patients WHERE pseudonym = ?').pluck().get(pseudonym);

describe('DICOM as archives export it', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'retina-dicom-pacs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a folder of them: each odd file is read or refused alone, and the rest are imported', async () => {
    const folder = join(dir, 'pacs');
    mkdirSync(folder);
    dicom(join(folder, '1-utf8.dcm'), 1, {
      characterSet: 'ISO_IR 192',
      patientId: 'PID-UTF8',
      patientName: 'MÜLLER^JÖRG^^DR',
    });
    // One value where the standard has row\column: unknown spacing (it used to stop the whole import).
    dicom(join(folder, '2-one-spacing.dcm'), 2, { patientId: 'PID-ONE', pixelSpacing: '0.0125' });
    // Micrometres written where millimetres belong: 12.5 mm pixels are no fundus photograph.
    dicom(join(folder, '3-um-spacing.dcm'), 3, { patientId: 'PID-UM', pixelSpacing: '12.5\\12.5' });
    dicom(join(folder, '4-truncated.dcm'), 4, { patientId: 'PID-CUT' });
    truncateSync(join(folder, '4-truncated.dcm'), statSync(join(folder, '4-truncated.dcm')).size - 1000);
    dicom(join(folder, '5-good.dcm'), 5, { patientId: 'PID-GOOD' });
    // A name typed at the camera with a line break, in decomposed accents (as a Mac writes them), an ID with a tab.
    dicom(join(folder, '6-control.dcm'), 6, {
      characterSet: 'ISO_IR 192',
      patientId: 'PID\tCTRL',
      patientName: 'DOE\nSMITH^SEA\u0301N',
    });

    const store = openStore(join(dir, 'pacs.db'));
    try {
      const report = await importFolder(store, folder, { actor: 'tester' });
      const imported = report.imported.map((r) => getImage(store, r.imageId));
      assert.deepEqual(imported.map((r) => r.fileName).sort(), [
        '1-utf8.dcm',
        '2-one-spacing.dcm',
        '3-um-spacing.dcm',
        '5-good.dcm',
        '6-control.dcm',
      ]);
      assert.equal(report.failed.length, 1);
      assert.match(report.failed[0].error, /4-truncated\.dcm: .*ends early/);
      assert.doesNotMatch(report.failed[0].error, /object Object/);

      assert.equal(patientName(store, 'PID-UTF8'), 'MÜLLER, DR JÖRG');
      // One line, one Unicode form, as a name typed in the app is kept.
      assert.equal(patientName(store, 'PID CTRL'), 'DOE SMITH, SE\u00c1N');
      const spacing = (name: string) => imported.find((r) => r.fileName === name)?.pixelSpacingMm;
      assert.equal(spacing('2-one-spacing.dcm'), null);
      assert.equal(spacing('3-um-spacing.dcm'), null);
      assert.deepEqual(spacing('5-good.dcm'), [0.0125, 0.013]);
    } finally {
      store.close();
    }
  });

  test('header dates no calendar has, or in the future, are left unknown: the form asks for them, not a report', async () => {
    const folder = join(dir, 'dates');
    mkdirSync(folder);
    // [file, Study Date, Birth Date] as archives and camera clocks write them.
    const files: [string, string, string][] = [
      ['placeholder', '00000000', '00000000'],
      ['no-such-day', '20230230', '19610101'],
      ['future', '20990101', '20990101'],
      ['before-1900', '18990101', '19610101'],
      ['born-after-visit', '20240315', '20250101'],
      ['sound', '20240315', '19610101'],
    ];
    files.forEach(([name, studyDate, birthDate], i) =>
      dicom(join(folder, `${name}.dcm`), 20 + i, {
        patientId: `PID-${name}`,
        studyUid: `1.2.3.4.${100 + i}`,
        studyDate,
        birthDate,
      }),
    );
    const store = openStore(join(dir, 'dates.db'));
    try {
      const report = await importFolder(store, folder, { actor: 'tester' });
      assert.equal(report.imported.length, files.length);
      const dates = Object.fromEntries(
        report.imported.map((r) => {
          const c = getClinical(store, r.imageId);
          return [getImage(store, r.imageId).fileName.replace('.dcm', ''), [c.visitDate, c.birthYear]];
        }),
      );
      assert.deepEqual(dates, {
        placeholder: [null, null],
        'no-such-day': [null, 1961],
        future: [null, null],
        'before-1900': [null, 1961],
        'born-after-visit': ['2024-03-15', null],
        sound: ['2024-03-15', 1961],
      });
      // The header's word stays on record beside the image.
      const placeholder = report.imported.find(
        (r) => getImage(store, r.imageId).fileName === 'placeholder.dcm',
      )!;
      assert.equal(getImage(store, placeholder.imageId).acquisition?.studyDate, '00000000');
    } finally {
      store.close();
    }
  });

  test("a later visit's header fills in the patient's name and birth year that the first lacked, never replacing one", async () => {
    const folder = join(dir, 'visits');
    mkdirSync(join(folder, 'a'), { recursive: true });
    mkdirSync(join(folder, 'b'), { recursive: true });
    dicom(join(folder, 'a', 'first.dcm'), 6, { patientId: 'PID-N' });
    const store = openStore(join(dir, 'visits.db'));
    try {
      await importFolder(store, join(folder, 'a'), { actor: 'tester' });
      assert.equal(patientName(store, 'PID-N'), null);
      dicom(join(folder, 'b', 'second.dcm'), 7, { patientId: 'PID-N', patientName: 'DOE^JANE' });
      await importFolder(store, join(folder, 'b'), { actor: 'tester' });
      assert.equal(patientName(store, 'PID-N'), 'DOE, JANE');
      dicom(join(folder, 'b', 'third.dcm'), 8, { patientId: 'PID-N', patientName: 'ROE^RICHARD' });
      await importFolder(store, join(folder, 'b'), { actor: 'tester' });
      assert.equal(patientName(store, 'PID-N'), 'DOE, JANE');
      const audit = store.db
        .prepare("SELECT details FROM audit_log WHERE action = 'patient.update'")
        .pluck()
        .all() as string[];
      assert.equal(audit.length, 1);
      assert.doesNotMatch(audit[0], /DOE/, 'the audit names the field filled, not the name');

      // A name a person cleared stays cleared: the next visit's header does not bring it back.
      const imageIds = (store.db.prepare('SELECT id FROM images').pluck().all() as number[]).slice(0, 1);
      setClinical(store, imageIds, { patientName: null }, 'reviewer');
      assert.equal(patientName(store, 'PID-N'), null);
      dicom(join(folder, 'b', 'fourth.dcm'), 9, { patientId: 'PID-N', patientName: 'DOE^JANE' });
      await importFolder(store, join(folder, 'b'), { actor: 'tester' });
      assert.equal(patientName(store, 'PID-N'), null, 'a later import brought a cleared name back');
    } finally {
      store.close();
    }
  });

  test("a later visit's birth year after an earlier visit of the patient is left unknown", async () => {
    const folder = join(dir, 'born-later');
    for (const sub of ['a', 'b', 'c']) mkdirSync(join(folder, sub), { recursive: true });
    // 2018 visit without a birth date; a 2024 visit says born 2020: sound for 2024, not for 2018.
    dicom(join(folder, 'a', 'first.dcm'), 11, {
      patientId: 'PID-B',
      studyUid: '1.2.3.4.201',
      studyDate: '20180301',
      birthDate: '00000000',
    });
    dicom(join(folder, 'b', 'second.dcm'), 12, {
      patientId: 'PID-B',
      studyUid: '1.2.3.4.202',
      studyDate: '20240315',
      birthDate: '20200101',
    });
    // A year before every visit still fills it in.
    dicom(join(folder, 'c', 'third.dcm'), 13, {
      patientId: 'PID-B',
      studyUid: '1.2.3.4.203',
      studyDate: '20250101',
      birthDate: '20150101',
    });
    const store = openStore(join(dir, 'born-later.db'));
    const birthYear = (): unknown =>
      store.db.prepare("SELECT birth_year FROM patients WHERE pseudonym = 'PID-B'").pluck().get();
    try {
      await importFolder(store, join(folder, 'a'), { actor: 'tester' });
      await importFolder(store, join(folder, 'b'), { actor: 'tester' });
      assert.equal(birthYear(), null, 'a birth year after the 2018 visit was taken');
      await importFolder(store, join(folder, 'c'), { actor: 'tester' });
      assert.equal(birthYear(), 2015);
    } finally {
      store.close();
    }
  });

  test('DICOM photographs in a dataset folder (images/ + masks/) are imported with their masks', async () => {
    const root = join(dir, 'dataset');
    mkdirSync(join(root, 'images'), { recursive: true });
    mkdirSync(join(root, 'masks'));
    dicom(join(root, 'images', 'a01.dcm'), 9);
    writeFileSync(join(root, 'images', 'b02.png'), await encodePng(picture(10)));
    const mask = {
      width: W,
      height: H,
      channels: 1,
      bitDepth: 8,
      data: Uint8Array.from({ length: W * H }, (_, i) => (i % 10 === 0 ? 255 : 0)),
    } as const;
    for (const stem of ['a01', 'b02'])
      writeFileSync(join(root, 'masks', `${stem}.png`), await encodePng(mask));
    const store = openStore(join(dir, 'dataset.db'));
    try {
      const report = await importFolder(store, root, { actor: 'tester' });
      const names = report.imported.map((r) => getImage(store, r.imageId).fileName).sort();
      assert.deepEqual(names, ['a01.dcm', 'b02.png']);
      assert.ok(
        report.imported.every((r) => r.maskVersionId !== null),
        'each image comes with its mask',
      );
    } finally {
      store.close();
    }
  });

  test('exports: --deidentify is refused where it would be ignored; a bundle names its micrometres as DICOM ones', async () => {
    const db = join(dir, 'pacs.db');
    const err: string[] = [];
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) > 0 },
      stderr: { write: (s: string) => err.push(s) > 0 },
      env: {},
    };
    for (const format of ['coco', 'masks', 'dataset', 'csv']) {
      err.length = 0;
      const code = await runDbCommand(
        ['export', '--database', db, '--format', format, '--deidentify', '--out', join(dir, `x-${format}`)],
        io,
      );
      assert.equal(code, 2, format);
      assert.match(err.join(''), /--deidentify is for --format bundle; .* keeps file names and patient IDs/);
    }

    const store = openStore(db);
    const good = store.db
      .prepare("SELECT id FROM images WHERE file_name = '5-good.dcm'")
      .pluck()
      .get() as number;
    const vessels = new Uint8Array(W * H);
    for (let y = 10; y < 14; y++) vessels.fill(1, y * W, (y + 1) * W);
    await saveMaskVersion(store, {
      imageId: good,
      kind: 'approved',
      author: 'tester',
      mask: { width: W, height: H, data: vessels },
      parentId: null,
    });
    store.close();
    const bundle = join(dir, 'bundle');
    const code = await runDbCommand(
      [
        'export',
        '--database',
        db,
        '--format',
        'bundle',
        '--parts',
        'measures',
        '--images',
        String(good),
        '--out',
        bundle,
      ],
      io,
    );
    assert.equal(code, 0, err.join(''));
    const measures = JSON.parse(readFileSync(join(bundle, 'measures', '5-good.json'), 'utf8'));
    assert.equal(measures.scaleSource, 'dicom');
    assert.deepEqual([measures.scale.unit, measures.scale.source], ['µm', 'dicom']);
  });
});

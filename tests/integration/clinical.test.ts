// Clinical context on a real SQLite store with real photographs: what import reads from file names and DICOM
// headers, setClinical moving images between patients and visits (masks untouched, every change audited, empty
// leftovers removed, bad input refused whole), and the worklist's patient order and eye filter over it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { setClinicalInfo } from '../../main/handlers/clinical.js';
import { listImagesPage } from '../../main/handlers/worklist.js';
import {
  ConstraintError,
  getClinical,
  importImageFiles,
  listAudit,
  listImages,
  listMaskVersions,
  loadMask,
  NotFoundError,
  saveMaskVersion,
  setClinical,
  type Store,
} from '../../main/store/index.js';
import { writeDicom } from './dicom-fixture.js';
import { ACCENT_FOLDS, searchFold } from '../../shared/search-fold.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const DRIVE = join(datasetsRoot(), 'DRIVE');
const driveImage = (n: string) => join(DRIVE, 'test', 'images', `${n}_test.tif`);

function table(store: Store, name: string): number {
  return store.db.prepare(`SELECT COUNT(*) FROM ${name}`).pluck().get() as number;
}

for (const kind of STORE_BACKENDS)
  describe(`clinical context (${kind})`, { skip: !existsSync(DRIVE) && 'DRIVE not available' }, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let store: Store;
    const id: Record<string, number> = {};

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'retina-clinical-'));
      // Real DRIVE photographs under names a clinic might give them.
      const names: [string, string][] = [
        ['01', '11L.tif'],
        ['02', '12R.tif'],
        ['03', 'pt-0042_OD.tif'],
        ['04', '04_test.tif'],
      ];
      for (const [n, name] of names) copyFileSync(driveImage(n), join(dir, name));
      store = backend.open('clinical');
      const report = await importImageFiles(
        store,
        names.map(([n, name]) => ({
          imagePath: join(dir, name),
          // 11L comes with its approved ground truth: the moves below must keep it.
          ...(name === '11L.tif' ? { maskPath: join(DRIVE, 'test', '1st_manual', `${n}_manual1.gif`) } : {}),
        })),
        { actor: 'importer' },
      );
      assert.equal(report.imported.length, 4, JSON.stringify(report.failed));
      for (const im of report.imported) id[im.source.split('/').pop()!] = im.imageId;
      // A draft on top of the approval: two versions to keep.
      const approved = await loadMask(store, listMaskVersions(store, id['11L.tif'])[0]);
      await saveMaskVersion(store, {
        imageId: id['11L.tif'],
        kind: 'draft',
        author: 'tester',
        mask: { ...approved, data: approved.data.map((v, i) => (i < 100 ? 1 : v)) },
      });
    });

    after(() => {
      store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('import reads the eye from file names, and a patient only from an explicit marker', () => {
      assert.equal(getClinical(store, id['11L.tif']).eye, 'OS');
      assert.equal(getClinical(store, id['12R.tif']).eye, 'OD');
      assert.equal(getClinical(store, id['04_test.tif']).eye, null);
      assert.equal(getClinical(store, id['11L.tif']).pseudonym, null, 'a bare number is no patient');
      const named = getClinical(store, id['pt-0042_OD.tif']);
      assert.deepEqual([named.pseudonym, named.eye, named.visitDate], ['0042', 'OD', null]);
    });

    test('import reads name, field of view and eye from DICOM; the header wins over the file name', async () => {
      const photo = await readImage(driveImage('05'));
      const file = join(dir, 'scan_R.dcm'); // the name says right, the header says left
      writeDicom(
        file,
        { width: photo.width, height: photo.height, rgb: photo.data as Uint8Array },
        { patientId: 'DCM-7', patientName: 'ROE^JANE^M', fieldOfViewDeg: 45, laterality: 'L' },
      );
      const report = await importImageFiles(store, [{ imagePath: file }], { actor: 'importer' });
      assert.equal(report.imported.length, 1, JSON.stringify(report.failed));
      const c = getClinical(store, report.imported[0].imageId);
      assert.deepEqual(
        [c.pseudonym, c.name, c.birthYear, c.eye, c.visitDate, c.camera, c.fieldAngleDeg],
        ['DCM-7', 'ROE, JANE M', 1961, 'OS', '2024-03-15', 'Acme FundusCam 3', 45],
      );
    });

    test('setting patient and visit for two images: one patient, one visit, masks kept, audited', async () => {
      const versionsBefore = listMaskVersions(store, id['11L.tif']);
      assert.equal(versionsBefore.length, 2);
      const pixelsBefore = await Promise.all(versionsBefore.map((v) => loadMask(store, v)));
      const auditBefore = table(store, 'audit_log');
      const recs = setClinical(
        store,
        [id['11L.tif'], id['12R.tif']],
        {
          patientId: ' P-001 ',
          patientName: 'Jane Roe',
          birthYear: 1961,
          visitDate: '2024-03-15',
          camera: 'Topcon TRC-50',
          fieldAngleDeg: 45,
        },
        'clinician',
      );
      assert.deepEqual(
        recs.map((r) => [r.pseudonym, r.name, r.birthYear, r.eye, r.visitDate, r.camera, r.fieldAngleDeg]),
        [
          ['P-001', 'Jane Roe', 1961, 'OS', '2024-03-15', 'Topcon TRC-50', 45],
          ['P-001', 'Jane Roe', 1961, 'OD', '2024-03-15', 'Topcon TRC-50', 45],
        ],
      );
      assert.equal(recs[0].studyId, recs[1].studyId, 'one visit');
      const versionsAfter = listMaskVersions(store, id['11L.tif']);
      assert.deepEqual(versionsAfter, versionsBefore);
      const pixelsAfter = await Promise.all(versionsAfter.map((v) => loadMask(store, v)));
      assert.deepEqual(pixelsAfter, pixelsBefore);

      const audit = listAudit(store, { limit: 20 }).filter((a) => a.id > auditBefore);
      const actions = audit.map((a) => a.action).sort();
      assert.deepEqual(actions, [
        'image.clinical',
        'image.clinical',
        'patient.create',
        'patient.update',
        'study.create',
      ]);
      assert.ok(audit.every((a) => a.actor === 'clinician'));
      const update = audit.find((a) => a.action === 'patient.update')!;
      assert.deepEqual(update.details, { name: 'set', birthYear: [null, 1961] });
      assert.ok(!JSON.stringify(audit).includes('Jane Roe'), 'the audit log never holds the name');
      const left = audit.find((a) => a.action === 'image.clinical' && a.entityId === id['11L.tif'])!;
      assert.deepEqual((left.details as Record<string, unknown>).pseudonym, [null, 'P-001']);
    });

    test('moving images between visits and patients; emptied visits and unnamed patients go', async () => {
      const versionsBefore = listMaskVersions(store, id['11L.tif']);
      const firstVisit = getClinical(store, id['11L.tif']).studyId;
      // 12R to a later visit of the same patient: a second study; 11L stays in the first.
      const [r12] = setClinical(store, [id['12R.tif']], { visitDate: '2024-09-01' }, 'clinician');
      assert.notEqual(r12.studyId, firstVisit);
      assert.equal(r12.camera, 'Topcon TRC-50', 'the camera follows the image to its new visit');
      assert.equal(getClinical(store, id['11L.tif']).studyId, firstVisit);

      // 11L to another patient: the first visit is left empty and removed; P-001 keeps its name and 12R.
      const [r11] = setClinical(store, [id['11L.tif']], { patientId: 'P-002' }, 'clinician');
      assert.deepEqual([r11.pseudonym, r11.visitDate, r11.camera], ['P-002', '2024-03-15', 'Topcon TRC-50']);
      assert.equal(store.db.prepare('SELECT COUNT(*) FROM studies WHERE id = ?').pluck().get(firstVisit), 0);
      assert.equal(getClinical(store, id['12R.tif']).name, 'Jane Roe');
      assert.deepEqual(listMaskVersions(store, id['11L.tif']), versionsBefore, 'masks follow the image');

      // A patient ID read from the file name, corrected: the unnamed patient 0042 and its visit are gone.
      const patients = table(store, 'patients');
      setClinical(store, [id['pt-0042_OD.tif']], { patientId: 'P-002' }, 'clinician');
      assert.equal(table(store, 'patients'), patients - 1);
      assert.equal(
        store.db.prepare("SELECT COUNT(*) FROM patients WHERE pseudonym = '0042'").pluck().get(),
        0,
      );

      // Clearing the patient: the image belongs to no one and keeps its eye.
      const [cleared] = setClinical(store, [id['pt-0042_OD.tif']], { patientId: null }, 'clinician');
      assert.deepEqual([cleared.pseudonym, cleared.studyId, cleared.eye], [null, null, 'OD']);
    });

    test('bad input changes nothing and says why in one line', () => {
      const snapshot = () => ({
        audit: table(store, 'audit_log'),
        patients: table(store, 'patients'),
        studies: table(store, 'studies'),
        clinical: [id['11L.tif'], id['04_test.tif']].map((i) => getClinical(store, i)),
      });
      const before = snapshot();
      assert.throws(
        () =>
          setClinical(store, [id['11L.tif'], id['04_test.tif']], { eye: 'OD', visitDate: '2025-01-02' }, 'x'),
        (err: Error) =>
          err instanceof ConstraintError &&
          /^04_test\.tif has no patient: give a patient ID to set its visit date$/.test(err.message),
      );
      assert.throws(
        () => setClinical(store, [id['11L.tif'], 999_999], { patientId: 'P-NEW', eye: 'OD' }, 'x'),
        NotFoundError,
      );
      assert.throws(
        () => setClinical(store, [id['11L.tif']], { visitDate: '2024-02-31x' }, 'x'),
        /YYYY-MM-DD/,
      );
      assert.throws(() => setClinical(store, [id['11L.tif']], { birthYear: 1700 }, 'x'), /birth year 1700/);
      // The range the handlers and the CLI accept (1-250): a fraction of a degree is no camera's field.
      for (const fieldAngleDeg of [0.5, 0, 251])
        assert.throws(
          () => setClinical(store, [id['11L.tif']], { fieldAngleDeg }, 'x'),
          new RegExp(`field angle ${fieldAngleDeg} is not between 1 and 250 degrees`),
        );
      // The first year beyond the day's grace (on 31 December, next year is already someone's today).
      const next = new Date(Date.now() + 86_400_000).getUTCFullYear() + 1;
      assert.throws(
        () => setClinical(store, [id['11L.tif']], { birthYear: next }, 'x'),
        new RegExp(`Birth year ${next} is in the future`),
      );
      assert.throws(
        () => setClinical(store, [id['11L.tif']], { visitDate: `${next}-06-01` }, 'x'),
        /is in the future/,
      );
      assert.deepEqual(snapshot(), before);
    });

    test('handlers: setClinicalInfo answers summaries; the worklist sorts by patient and filters by eye', () => {
      const { images } = setClinicalInfo(
        store,
        { imageIds: [String(id['04_test.tif']), String(id['pt-0042_OD.tif'])], info: { patientId: 'P-001' } },
        'clinician',
      );
      assert.deepEqual(
        images.map((i) => [i.fileName, i.patientPseudonym, i.visitDate, i.laterality]),
        [
          ['04_test.tif', 'P-001', null, null],
          ['pt-0042_OD.tif', 'P-001', null, 'OD'],
        ],
      );
      const page = listImagesPage(store, { offset: 0, limit: 50, sort: 'patient' });
      assert.deepEqual(
        page.items.map((i) => [i.patientPseudonym, i.visitDate, i.laterality, i.fileName]),
        [
          ['DCM-7', '2024-03-15', 'OS', 'scan_R.dcm'],
          ['P-001', '2024-09-01', 'OD', '12R.tif'],
          ['P-001', null, 'OD', 'pt-0042_OD.tif'],
          ['P-001', null, null, '04_test.tif'],
          ['P-002', '2024-03-15', 'OS', '11L.tif'],
        ],
      );
      const eyes = (eye: ('OD' | 'OS' | 'unknown')[]) =>
        listImagesPage(store, { offset: 0, limit: 50, eye }).items.map((i) => i.fileName);
      assert.deepEqual(eyes(['OS']), ['11L.tif', 'scan_R.dcm']);
      assert.deepEqual(eyes(['OD']), ['12R.tif', 'pt-0042_OD.tif']);
      assert.deepEqual(eyes(['unknown']), ['04_test.tif']);
      assert.equal(listImagesPage(store, { offset: 0, limit: 1, eye: ['OD', 'unknown'] }).total, 3);
      assert.deepEqual(
        listImagesPage(store, { offset: 0, limit: 50, search: 'p-00' }).items.map((i) => i.fileName),
        ['11L.tif', '12R.tif', 'pt-0042_OD.tif', '04_test.tif'],
        'search finds patients by pseudonym',
      );
    });

    test('search folds case in every script and finds macOS (decomposed) file names', async () => {
      const names = ['plain.tif', 'José.tif'.normalize('NFD')];
      for (const [i, name] of names.entries()) copyFileSync(driveImage(`0${i + 1}`), join(dir, name));
      const own = backend.open('search');
      try {
        const report = await importImageFiles(
          own,
          names.map((name) => ({ imagePath: join(dir, name) })),
          { actor: 'importer' },
        );
        const [plain] = report.imported.map((im) => im.imageId);
        setClinical(own, [plain], { patientId: 'P-1', patientName: 'ŞAHİN, JÜRGEN ÉMILE' }, 'clinician');
        const found = (search: string) =>
          listImages(own, { search }).items.map((i) => i.fileName.normalize());
        for (const search of ['jürgen', 'ŞAHİN', 'şahin', 'émile', 'Émile', 'JÜRGEN'])
          assert.deepEqual(found(search), ['plain.tif'], search);
        for (const search of ['José', 'JOSÉ', 'josé'.normalize('NFD')])
          assert.deepEqual(found(search), ['José.tif'], search);
        assert.deepEqual(found('50%'), [], 'LIKE wildcards are plain characters');
      } finally {
        own.close();
      }
    });

    test('search ignores accents: a name typed without them finds it, and one typed with them', async () => {
      const names = ['a.tif', 'b.tif', 'c.tif', 'd.tif', 'e.tif', 'Mueller.tif'];
      for (const [i, name] of names.entries()) copyFileSync(driveImage(`0${i + 1}`), join(dir, name));
      const own = backend.open('accents');
      try {
        const report = await importImageFiles(
          own,
          names.map((name) => ({ imagePath: join(dir, name) })),
          { actor: 'importer' },
        );
        const ids = report.imported.map((im) => im.imageId);
        const patients = [
          'MÜLLER^HANS',
          'Hélène Dubois'.normalize('NFD'),
          'São Paulo',
          'Strauß Łódź',
          'Miller',
        ];
        for (const [i, patientName] of patients.entries())
          setClinical(own, [ids[i]], { patientId: `P-${i}`, patientName }, 'clinician');
        const found = (search: string) => listImages(own, { search }).items.map((i) => i.fileName);
        for (const search of ['muller', 'MULLER', 'müller', 'Müller'.normalize('NFD')])
          assert.deepEqual(found(search), ['a.tif'], search);
        for (const search of ['helene', 'HELENE', 'Hélène'])
          assert.deepEqual(found(search), ['b.tif'], search);
        for (const search of ['sao paulo', 'SAO', 'são']) assert.deepEqual(found(search), ['c.tif'], search);
        for (const search of ['strauss', 'STRAUSS', 'lodz', 'ŁÓDŹ'])
          assert.deepEqual(found(search), ['d.tif'], search);
        // An accented query finds the name typed without accents.
        assert.deepEqual(found('mïller'), ['e.tif']);
        assert.deepEqual(found('Muéller'), ['Mueller.tif']);
        assert.deepEqual(found('m_ller'), [], 'LIKE wildcards are still plain characters');
        assert.deepEqual(found('m%ller'), []);
        // The database folds as searchFold does in JavaScript (the renderer's and handlers' filters): every letter
        // of the accent table, capital and small, and the scripts and forms folded before.
        const text = [
          ACCENT_FOLDS.map(([letter]) => letter).join(''),
          'ŞAHİN',
          'Hélène'.normalize('NFD'),
          'ЖЁЛТЫЙ й Άλφα 가각 Straße',
          'Nguyễn'.normalize('NFD'),
        ].join(' ');
        const folded = own.db
          .prepare(`SELECT ${own.backend.searchFoldSql('?')} AS f`)
          .pluck()
          .get(text);
        assert.equal(folded, searchFold(text));
      } finally {
        own.close();
      }
    });
  });

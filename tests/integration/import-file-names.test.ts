// What an import takes from a photograph's file name, on real SQLite with real photographs: the name an upload is
// recorded under, patients whose IDs differ only in case or leading zeros, and a duplicate whose new name says
// more than the image it duplicates knows.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDbCommand } from '../../main/cli/db.js';
import { runImportJob } from '../../main/jobs/import.js';
import { runJob } from '../../main/jobs/run-job.js';
import {
  getClinical,
  getImage,
  listPatients,
  setClinical,
  openStore,
  type ImportReport,
  type Store,
} from '../../main/store/index.js';
import { tintedPhotos } from '../support/sample-photos.js';

const hooks = { isCancelled: () => false, progress: () => {} };

describe('import: what file names say', () => {
  let tmp: string;
  let photos: string[];
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'import-names-'));
    photos = await tintedPhotos(tmp, ['a', 'b', 'c', 'd'], 96);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const fresh = (name: string): Store => openStore(join(tmp, `${name}.db`));

  test("an upload keeps its own name (O'Brien_OD.jpg), as the CLI does", async () => {
    const store = fresh('upload-name');
    try {
      const outcome = await runImportJob(
        store,
        { type: 'files', paths: [], files: [{ name: "O'Brien_OD.png", bytes: readFileSync(photos[0]) }] },
        'ann',
        hooks,
      );
      assert.equal(outcome.report.imported.length, 1);
      const image = getImage(store, outcome.report.imported[0].imageId);
      assert.equal(image.fileName, "O'Brien_OD.png");
      assert.equal(image.laterality, 'OD');
    } finally {
      store.close();
    }
  });

  test('a patient ID differing from another only in case or leading zeros is kept apart, and said', async () => {
    const named = (i: number, name: string): string => {
      const dir = join(tmp, `twins-${i}`);
      mkdirSync(dir, { recursive: true });
      copyFileSync(photos[i], join(dir, name));
      return join(dir, name);
    };
    const db = join(tmp, 'twins.db');
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, env: {} };
    assert.equal(await runDbCommand(['import', named(0, 'pt-AB12_OD.png'), '--db', db], io), 0);
    assert.doesNotMatch(out.join(''), /warning/);
    out.length = 0;
    assert.equal(await runDbCommand(['import', named(1, 'PT_ab12_OS.png'), '--db', db], io), 0);
    const text = out.join('');
    assert.match(text, /1 warning/);
    assert.match(
      text,
      /warning: .*PT_ab12_OS\.png \(image 2\): new patient ab12 differs from existing patient AB12 only in letter case or leading zeros/,
    );
    assert.match(text, /set this image's patient ID to AB12 in its Clinical details/);

    out.length = 0;
    assert.equal(
      await runDbCommand(
        ['import', named(2, 'patient 0012.png'), named(3, 'pt12.png'), '--db', db, '--json'],
        io,
      ),
      0,
    );
    const json = JSON.parse(out.join('')) as ImportReport;
    assert.deepEqual(
      json.warnings.map((w) => [w.kind, w.patientId, w.similarPatientIds]),
      [['similar-patient-id', '12', ['0012']]],
    );
    // Never merged by the import: a person decides.
    const store = openStore(db);
    try {
      assert.deepEqual(
        listPatients(store)
          .map((p) => p.pseudonym)
          .sort(),
        ['0012', '12', 'AB12', 'ab12'],
      );
    } finally {
      store.close();
    }
  });

  test('the browser import lists the warning with the job and says so in its summary', async () => {
    const store = fresh('twins-job');
    try {
      const upload = (i: number, name: string) => ({ name, bytes: readFileSync(photos[i]) });
      const files = [upload(0, 'pt0042_OD.png'), upload(1, 'pt42_OS.png')];
      const result = await runJob(
        store,
        { kind: 'import', actor: 'ann', source: { type: 'files', paths: [], files } },
        hooks,
      );
      assert.equal(result.imageIds.length, 2);
      assert.match(result.message, /Imported 2 images; 1 warning/);
      assert.equal(result.failures?.length, 1);
      assert.equal(result.failures![0].file, 'pt42_OS.png');
      assert.match(result.failures![0].reason, /new patient 42 differs from existing patient 0042/);
    } finally {
      store.close();
    }
  });

  test('the same bytes under a name with a patient and eye fill in what the image lacks, never what a person set', async () => {
    const db = join(tmp, 'dup-names.db');
    const dir = join(tmp, 'dup-names');
    mkdirSync(dir, { recursive: true });
    const as = (i: number, name: string): string => {
      copyFileSync(photos[i], join(dir, name));
      return join(dir, name);
    };
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, env: {} };
    assert.equal(
      await runDbCommand(['import', as(0, 'IMG_0001.png'), as(1, 'IMG_0002.png'), '--db', db], io),
      0,
    );
    let store = openStore(db);
    try {
      // A person says image 2 is a left eye.
      setClinical(store, [2], { eye: 'OS' }, 'ann');
    } finally {
      store.close();
    }
    out.length = 0;
    assert.equal(
      await runDbCommand(['import', as(0, 'pt12_OD.png'), as(1, 'pt7_OD.png'), '--db', db], io),
      0,
    );
    const text = out.join('');
    assert.match(
      text,
      /duplicate: .*pt12_OD\.png \(already image 1; given eye OD and patient 12 from this name\)/,
    );
    assert.match(text, /duplicate: .*pt7_OD\.png \(already image 2; given patient 7 from this name\)/);
    assert.match(
      text,
      /warning: .*pt7_OD\.png \(image 2\): already image 2; this name's eye OD \(it is OS\) not taken/,
    );
    store = openStore(db);
    try {
      assert.deepEqual([getClinical(store, 1).pseudonym, getClinical(store, 1).eye], ['12', 'OD']);
      assert.deepEqual([getClinical(store, 2).pseudonym, getClinical(store, 2).eye], ['7', 'OS']);
      const actions = store.db
        .prepare("SELECT action FROM audit_log WHERE entity = 'image' AND entity_id = 1 ORDER BY id")
        .pluck()
        .all();
      assert.deepEqual(actions, ['image.import', 'image.clinical.named']);
    } finally {
      store.close();
    }
    // Again: nothing left to fill, nothing said.
    out.length = 0;
    assert.equal(await runDbCommand(['import', join(dir, 'pt12_OD.png'), '--db', db, '--json'], io), 0);
    const json = JSON.parse(out.join('')) as ImportReport;
    assert.deepEqual(
      json.duplicates.map((d) => [d.existingImageId, d.filled, d.notTaken]),
      [[1, undefined, undefined]],
    );
    assert.deepEqual(json.warnings, []);
  });

  test("the browser import says a duplicate was given its new name's patient and eye", async () => {
    const store = fresh('dup-job');
    try {
      const upload = (name: string) => ({ name, bytes: readFileSync(photos[2]) });
      const run = (name: string) =>
        runJob(
          store,
          { kind: 'import', actor: 'ann', source: { type: 'files', paths: [], files: [upload(name)] } },
          hooks,
        );
      await run('IMG_0001.png');
      const result = await run('subject 9 left.png');
      assert.match(
        result.message,
        /1 already in the database \(one given the eye or patient its new name says\)/,
      );
      assert.deepEqual([getClinical(store, 1).pseudonym, getClinical(store, 1).eye], ['9', 'OS']);
    } finally {
      store.close();
    }
  });
});

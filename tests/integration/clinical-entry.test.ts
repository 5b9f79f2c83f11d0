// What a clinic types into patients' records, checked against what is stored: a birth year after a visit of the
// same patient, a name typed over images of two patients, patient IDs that look the same (Unicode forms, case,
// a non-breaking space), control characters, and days that are not on the calendar.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../main/ml/io/image-io.js';
import { ConstraintError, importFolder, openStore, type Store } from '../../main/store/index.js';
import { getClinical, setClinical } from '../../main/store/clinical.js';
import { validateRequest } from '../../shared/contract.js';

describe('clinical entry', () => {
  let dir: string;
  let store: Store;
  let ids: number[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retina-clinical-entry-'));
    for (let i = 0; i < 4; i++) {
      const data = Uint8Array.from({ length: 32 * 24 * 3 }, (_, k) => (k * (i + 3)) & 0xff);
      writeFileSync(
        join(dir, `eye${i}.png`),
        await encodePng({ width: 32, height: 24, channels: 3, bitDepth: 8, data }),
      );
    }
    store = openStore(join(dir, 'c.db'));
    ids = (await importFolder(store, dir, { actor: 't' })).imported
      .map((r) => r.imageId)
      .sort((a, b) => a - b);
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (images: number[], changes: Parameters<typeof setClinical>[2], why: RegExp) =>
    assert.throws(
      () => setClinical(store, images, changes, 't'),
      (err: Error) => err instanceof ConstraintError && why.test(err.message),
    );

  test('a birth year after a visit of the same patient, typed on another image, is refused', () => {
    setClinical(store, [ids[0]], { patientId: 'P001', visitDate: '2015-05-01' }, 't');
    setClinical(store, [ids[1]], { patientId: 'P001', visitDate: '2020-01-15' }, 't');
    refused([ids[1]], { birthYear: 2016 }, /Visit date 2015-05-01 is before the birth year 2016/);
    setClinical(store, [ids[1]], { birthYear: 1960 }, 't');
    refused([ids[0]], { visitDate: '1950-03-01' }, /Visit date 1950-03-01 is before the birth year 1960/);
    assert.equal(getClinical(store, ids[0]).visitDate, '2015-05-01', 'a refused change left a trace');
  });

  test('a name typed over images of two patients is refused, not written onto both', () => {
    setClinical(store, [ids[2]], { patientId: 'P002' }, 't');
    refused(
      [ids[0], ids[2]],
      { patientName: 'Maria Example' },
      /the images are of 2 patients \(P001, P002\)/,
    );
    assert.equal(getClinical(store, ids[2]).name, null);
  });

  test('one patient however the ID is typed: Unicode forms and odd spaces are one; a twin differing only in case or leading zeros is refused', () => {
    setClinical(store, [ids[3]], { patientId: 'Jose\u0301' }, 't');
    assert.equal(getClinical(store, ids[3]).pseudonym, 'Jos\u00e9');
    setClinical(store, [ids[3]], { patientId: 'P\u00a0003' }, 't');
    assert.equal(getClinical(store, ids[3]).pseudonym, 'P 003');
    refused([ids[3]], { patientId: 'p001' }, /differs from the existing P001 only in case: use P001/);
    // Leading zeros dropped, as a number typed from memory: the same slip.
    refused(
      [ids[3]],
      { patientId: 'P1' },
      /differs from the existing P001 only in case or leading zeros: use P001/,
    );
    refused([ids[3]], { patientId: 'P00\n4' }, /control character/);
  });

  test('days that are not on the calendar, or before 1900, are refused by the store and the request check', () => {
    for (const day of ['2023-02-29', '2023-04-31', '1850-01-01']) {
      refused([ids[2]], { visitDate: day }, /is not a calendar date YYYY-MM-DD from 1900 on/);
      assert.throws(
        () => validateRequest('setClinicalInfo', { imageIds: [String(ids[2])], info: { visitDate: day } }),
        /calendar date/,
        day,
      );
    }
    setClinical(store, [ids[2]], { visitDate: '2024-02-29' }, 't');
    assert.equal(getClinical(store, ids[2]).visitDate, '2024-02-29');
  });

  test("a corrected patient ID keeps the patient's name; a merged patient's record does not linger unseen", () => {
    setClinical(store, [ids[2]], { patientName: 'Ann Other' }, 't');
    // All of P002's images given a new ID: the same patient, renamed.
    setClinical(store, [ids[2]], { patientId: 'P-002' }, 't');
    assert.deepEqual(
      [getClinical(store, ids[2]).pseudonym, getClinical(store, ids[2]).name],
      ['P-002', 'Ann Other'],
    );
    const pseudonyms = () =>
      store.db.prepare('SELECT pseudonym FROM patients ORDER BY pseudonym').pluck().all();
    assert.ok(!pseudonyms().includes('P002'), 'the old ID lingers with the name');
    // Merged into an existing patient: what that one did not know comes along, and the old record goes.
    setClinical(store, [ids[3]], { birthYear: 1970 }, 't');
    setClinical(store, [ids[3]], { patientId: 'P-002' }, 't');
    assert.equal(getClinical(store, ids[3]).birthYear, 1970);
    assert.ok(!pseudonyms().includes('P 003'), 'the merged patient lingers');
  });
});

// The eye and patient a file name carries: read from the names clinics and the CHASE layout use, and never read
// from the public datasets' names (every file under the datasets folder, labels included).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clinicalFromFileName } from '../../main/store/file-name-clinical.js';
import { datasetsRoot } from '../../main/node/package-root.js';

const eye = (name: string) => clinicalFromFileName(name).eye;
const patient = (name: string) => clinicalFromFileName(name).patientId;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [n];
  });
}

describe('clinical details from file names', () => {
  test('eye from numbered stems, lone letters, OD/OS in capitals and left/right words', () => {
    assert.equal(eye('11L.jpg'), 'OS');
    assert.equal(eye('12R.png'), 'OD');
    assert.equal(eye('Image_01L.jpg'), 'OS', 'CHASE_DB1');
    assert.equal(eye('Image_14R.jpg'), 'OD');
    assert.equal(eye('scan_0042_L.tif'), 'OS');
    assert.equal(eye('scan-0042-r.tif'), 'OD');
    assert.equal(eye('2024-03-15 OD.jpeg'), 'OD');
    assert.equal(eye('visit2_OS.png'), 'OS');
    assert.equal(eye('fundus-normal-left-eye-cc0.jpg'), 'OS', 'the bundled sample');
    assert.equal(eye('Right_macula.png'), 'OD');
    assert.equal(eye('/some/folder/11L.jpg'), 'OS', 'the folder is not part of the name');
  });

  test('no eye where the name does not say one, or says both', () => {
    for (const name of [
      '21_training.tif',
      '01_test.tif',
      'im0001.ppm',
      '111.png',
      'wide_image_01.png',
      'image_001.jpg',
      '01_dr.JPG',
      '05_h.jpg',
      'color.png', // letters inside words never count
      'lateral.jpg',
      'odd_sample.png',
      'LR.png',
      '11L_12R.png',
      'left_and_right.png',
      'OD_OS.jpg',
      'od_mask.png', // lower-case od: the optic disc
      'visit_os.png',
      'L1.png',
      'R2D2.png',
      '11LR.png',
    ])
      assert.equal(eye(name), null, name);
  });

  test('accented names are whole words: their letters never read as an eye', () => {
    for (const name of ['Rúben.tif', 'Lúcia.tif', 'Ana_Lía.tif', 'Łukasz_Ró.png', 'Øre-Lé.jpg'])
      for (const form of ['NFC', 'NFD'] as const)
        assert.equal(eye(name.normalize(form)), null, `${name} (${form})`);
    assert.equal(eye('Rúben_OD.tif'.normalize('NFD')), 'OD');
    assert.equal(eye('Lúcia-left.tif'), 'OS');
    assert.equal(eye('José_11L.tif'), 'OS');
    assert.equal(eye('山田_R.jpg'), 'OD');
    assert.equal(patient('Zoë_patient_12_OS.tif'), '12');
  });

  test('a patient ID only after an explicit marker, and only one holding a digit', () => {
    assert.equal(patient('patient12_OD.jpg'), '12');
    assert.equal(patient('Patient-0042_2024-03-15_L.png'), '0042');
    assert.equal(patient('pt_A17_right.jpg'), 'A17');
    assert.equal(patient('subject_07R.png'), '07');
    assert.equal(eye('subject_07R.png'), 'OD');
    assert.equal(patient('PID-X9.tif'), 'X9');
    for (const name of [
      '11L.jpg',
      'Image_01L.jpg',
      '21_training.tif',
      'patient_left.png',
      'patients.png',
      'pt.png',
    ])
      assert.equal(patient(name), null, name);
  });

  test(
    'no file of the public datasets yields an eye or a patient',
    { skip: !existsSync(datasetsRoot()) },
    () => {
      const names = filesUnder(datasetsRoot());
      assert.ok(names.length > 700, `only ${names.length} files under ${datasetsRoot()}`);
      const read = names.filter((n) => {
        const c = clinicalFromFileName(n);
        return c.eye !== null || c.patientId !== null;
      });
      assert.deepEqual(read, []);
    },
  );
});

// The worklist's clinical details form (what a multi-selection shows, what is sent, what is refused) and its
// select-all bookkeeping.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ClinicalInfo } from '../../shared/contract.js';
import { changesFrom, edit, fieldAngleNote, formFrom } from '../../renderer/src/worklist/clinicalForm.js';
import { allState, toggleAll, toggleOne } from '../../renderer/src/worklist/selection.js';

const info = (patch: Partial<ClinicalInfo>): ClinicalInfo => ({
  patientId: null,
  patientName: null,
  birthYear: null,
  eye: null,
  visitDate: null,
  camera: null,
  fieldAngleDeg: null,
  ...patch,
});

describe('clinical details form', () => {
  test('shared values show, differing ones are "mixed" and untouched fields are never sent', () => {
    const form = formFrom([
      info({ patientId: 'P-1', eye: 'OD', birthYear: 1961, camera: 'CR-2' }),
      info({ patientId: 'P-1', eye: 'OS', birthYear: 1961 }),
    ]);
    assert.deepEqual(form.patientId, { value: 'P-1', mixed: false, touched: false });
    assert.deepEqual(form.birthYear, { value: '1961', mixed: false, touched: false });
    assert.equal(form.eye.mixed, true);
    assert.equal(form.camera.mixed, true);
    assert.deepEqual(changesFrom(form), { error: 'Nothing changed' });
    const edited = edit(edit(form, 'visitDate', '2024-03-15'), 'fieldAngleDeg', '45');
    assert.deepEqual(changesFrom(edited), { info: { visitDate: '2024-03-15', fieldAngleDeg: 45 } });
  });

  test('typed values are trimmed, emptied fields clear, numbers are checked', () => {
    const form = formFrom([info({ patientId: 'P-1', camera: 'CR-2', birthYear: 1950 })]);
    const f = edit(edit(edit(edit(form, 'patientId', '  P-2 '), 'camera', ''), 'birthYear', ''), 'eye', 'OS');
    assert.deepEqual(changesFrom(f), {
      info: { patientId: 'P-2', camera: null, eye: 'OS', birthYear: null },
    });
    assert.match(
      (changesFrom(edit(form, 'birthYear', '61')) as { error: string }).error,
      /^Birth year must be a whole number from 1880 to 2100$/,
    );
    assert.match((changesFrom(edit(form, 'fieldAngleDeg', '0')) as { error: string }).error, /Field angle/);
    assert.match(
      (changesFrom(edit(form, 'visitDate', '15/03/2024')) as { error: string }).error,
      /2024-03-15/,
    );
  });

  test('dates that cannot be right are refused: a birth or visit in the future, a visit before the birth', () => {
    const form = formFrom([info({ patientId: 'P-1', birthYear: 1961, visitDate: '2024-03-15' })]);
    // The first year beyond the day's grace (on 31 December, next year is already someone's today).
    const next = new Date(Date.now() + 86_400_000).getUTCFullYear() + 1;
    const error = (f: ReturnType<typeof formFrom>) => (changesFrom(f) as { error?: string }).error;
    assert.equal(error(edit(form, 'birthYear', String(next))), `Birth year ${next} is in the future`);
    assert.equal(
      error(edit(form, 'visitDate', `${next}-01-01`)),
      `Visit date ${next}-01-01 is in the future`,
    );
    // Against the record's other date, shown in the form.
    assert.equal(
      error(edit(form, 'birthYear', '2025')),
      'Visit date 2024-03-15 is before the birth year 2025',
    );
    // A record whose dates were already wrong does not block an edit of something else.
    const odd = formFrom([info({ patientId: 'P-1', birthYear: 2025, visitDate: '2024-03-15' })]);
    assert.deepEqual(changesFrom(edit(odd, 'eye', 'OD')), { info: { eye: 'OD' } });
  });

  test('a visit, camera, name or birth year for images with no patient asks for a patient ID first', () => {
    const none = formFrom([info({ eye: 'OD' }), info({})]);
    assert.match(
      (changesFrom(edit(none, 'visitDate', '2024-03-15')) as { error: string }).error,
      /patient ID/,
    );
    assert.deepEqual(
      changesFrom(edit(none, 'eye', 'OS')),
      { info: { eye: 'OS' } },
      'the eye needs no patient',
    );
    const withId = edit(edit(none, 'patientId', 'P-9'), 'visitDate', '2024-03-15');
    assert.deepEqual(changesFrom(withId), { info: { patientId: 'P-9', visitDate: '2024-03-15' } });
  });

  test('beside the field angle: the DICOM images whose own pixel spacing their measurements use instead', () => {
    const spaced = { ...info({}), dicomPixelUm: 12.5 };
    const plain = { ...info({ fieldAngleDeg: 45 }), dicomPixelUm: null };
    assert.equal(fieldAngleNote([plain, plain]), null);
    assert.equal(
      fieldAngleNote([spaced]),
      'This DICOM image has its own pixel spacing (12.5 µm per pixel): its measurements use it, not the field angle.',
    );
    assert.match(
      fieldAngleNote([spaced, plain, spaced]) ?? '',
      /^2 of 3 images are DICOM with their own pixel/,
    );
    assert.match(fieldAngleNote([spaced, spaced]) ?? '', /^All 2 images are DICOM/);
  });
});

describe('select all', () => {
  test('selects every row shown, then clears them, keeping selections outside the view', () => {
    const shown = ['1', '2', '3'];
    let s: Set<string> = new Set(['9']);
    assert.equal(allState(s, shown), 'none');
    s = toggleOne(s, '2');
    assert.equal(allState(s, shown), 'some');
    s = toggleAll(s, shown);
    assert.deepEqual([...s].sort(), ['1', '2', '3', '9']);
    assert.equal(allState(s, shown), 'all');
    s = toggleAll(s, shown);
    assert.deepEqual([...s], ['9']);
    assert.equal(allState(new Set(), []), 'none', 'nothing shown: the box is clear');
    assert.deepEqual([...toggleAll(new Set(), [])], []);
  });
});

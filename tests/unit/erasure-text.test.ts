// The words the erase dialog shows before an irreversible step: what goes, in counts a person reads at a glance,
// and what stays out of reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  erasureCaveats,
  erasureDoneMessage,
  erasureSummary,
} from '../../renderer/src/worklist/erasureText.js';

const base = { imageIds: ['4'], maskVersions: 1, keptDrafts: 0, visits: 0, patients: [], trainedModels: [] };

test('one image of a visit that keeps others: no visit or patient named', () => {
  assert.equal(erasureSummary(base), '1 image, 1 mask version.');
  assert.deepEqual(erasureCaveats(base), [
    'This cannot be undone. Backups, exported folders and printed or saved reports are not reached.',
  ]);
});

test('a whole patient: visits, kept drafts and the patient named; the models that learned from them said', () => {
  const p = {
    imageIds: ['4', '5', '9'],
    maskVersions: 7,
    keptDrafts: 2,
    visits: 2,
    patients: ['P-7'],
    trainedModels: ['retrain-3', 'retrain-4'],
  };
  assert.equal(
    erasureSummary(p),
    '3 images, 7 mask versions, 2 kept drafts, 2 visits, patient P-7 (no visit left).',
  );
  assert.match(erasureCaveats(p)[1], /^The models retrain-3, retrain-4 learned from these masks/);
  assert.equal(
    erasureDoneMessage({ ...p, filesRemoved: 11, bytesFreed: 2_450_000, residue: null }),
    'Erased 3 images (11 files, 2.5 MB removed)',
  );
  assert.match(
    erasureDoneMessage({ ...p, filesRemoved: 0, bytesFreed: 0, residue: "the study's journal keeps a copy" }),
    /removed\); still there for now: the study's journal keeps a copy$/,
  );
});

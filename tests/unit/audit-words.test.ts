// The History's words for each audit action the store writes about an image, and an unknown one shown as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditWords } from '../../shared/audit-words.js';

test('each action about an image in a reviewer’s words', () => {
  assert.equal(auditWords('mask.approved', { imageId: 1 }), 'approved the mask');
  assert.equal(auditWords('mask.prediction', null), 'predicted the mask');
  assert.equal(auditWords('mask.prediction', { modelId: 3 }), 'predicted the mask (model 3)');
  assert.equal(auditWords('image.clinical', { studyId: [1, 2] }), 'changed the visit');
  assert.equal(auditWords('image.laterality', { before: 'OD', after: null }), 'cleared the eye');
  assert.equal(auditWords('image.laterality.marked', { before: null, after: 'OS' }), 'set the eye to OS');
  assert.equal(
    auditWords('review.send-back', { comment: 'the disc is cut' }),
    'sent it back: the disc is cut',
  );
  assert.equal(
    auditWords('mask.reopen', { imageId: 1, approvedId: 2, reason: 'disc cut at the rim' }),
    'reopened the approved mask for editing: disc cut at the rim',
  );
  assert.equal(
    auditWords('mask.reopen', { imageId: 1, approvedId: 2 }),
    'reopened the approved mask for editing',
  );
  assert.equal(auditWords('image.assign', { assignees: ['ann', 'bo'] }), 'assigned it to ann, bo');
  assert.equal(auditWords('image.assign', { assignees: [] }), 'unassigned it');
  assert.equal(
    auditWords('image.clinical', {
      pseudonym: [null, 'P-1'],
      visitDate: [null, '2026-01-01'],
      studyId: [null, 3],
    }),
    'changed the patient, visit date',
  );
  assert.equal(
    auditWords('mask.kept', { reason: 'lease' }),
    'a save while another window edited it was kept aside',
  );
  assert.equal(auditWords('lease.take-over', { from: 'ann' }), 'took over editing from ann');
  assert.equal(
    auditWords('image.laterality.predicted', { before: null, after: 'OD' }),
    'the eye (OD) was read from the optic disc',
  );
  assert.equal(
    auditWords('image.clinical.named', { eye: [null, 'OD'], pseudonym: [null, '12'], studyId: [null, 3] }),
    "filled in the eye, patient from a later file's name",
  );
  // Redacted details (an erasure cleared them) still read.
  assert.equal(auditWords('review.send-back', null), 'sent it back');
  assert.equal(auditWords('mask.reopen', null), 'reopened the approved mask for editing');
  assert.equal(auditWords('image.clinical', null), 'changed the clinical details');
});

test('an action it does not know is shown as it is', () => {
  assert.equal(auditWords('mask.somethingnew', { x: 1 }), 'mask.somethingnew');
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ImportNames, importError, importMessage, importOutcome } from '../../main/jobs/import-outcome.js';
import type { ImportReport } from '../../main/store/index.js';

const staged = '/tmp/retina-upload-x1';
const report = (over: Partial<ImportReport>): ImportReport => ({
  imported: [],
  duplicates: [],
  failed: [],
  skipped: [],
  datasets: [],
  warnings: [],
  ...over,
});

describe('import outcome', () => {
  test('uploads are named as uploaded: staged paths never reach the reason, the file prefix is dropped', () => {
    const names = new ImportNames(
      new Map([
        [`${staged}/scan_1_.png`, 'scan (1).png'],
        [`${staged}/1/scan_1_.png`, 'scan (1).png'],
        [`${staged}/scan_1__mask.png`, 'scan (1)_mask.png'],
      ]),
    );
    const r = report({
      failed: [
        { source: `${staged}/1/scan_1_.png`, error: `${staged}/1/scan_1_.png: PNG corrupt (bad CRC)\nstack` },
        {
          source: `${staged}/scan_1_.png`,
          error: `${staged}/scan_1__mask.png: mask is 10x10 but its image is 20x20`,
        },
      ],
      skipped: [
        { source: `${staged}/notes_manual1.gif`, reason: 'an annotation with no photograph beside it' },
        { source: '/data/DRIVE/2nd_manual/01_manual2.gif', reason: 'second observer' },
      ],
    });
    const outcome = importOutcome(
      r,
      names,
      new Set([`${staged}/scan_1_.png`, `${staged}/notes_manual1.gif`]),
    );
    assert.deepEqual(outcome.failures, [
      { file: 'scan (1).png', reason: 'PNG corrupt (bad CRC)' },
      { file: 'scan (1).png', reason: 'scan (1)_mask.png: mask is 10x10 but its image is 20x20' },
      { file: 'notes_manual1.gif', reason: 'an annotation with no photograph beside it' },
    ]);
    assert.equal(outcome.otherSkipped, 1);
    assert.equal(
      importMessage(outcome),
      'Imported 0 of 3; 3 files could not be imported; 1 other file not imported as images',
    );
    assert.equal(
      importError(outcome)?.message,
      'none of the 3 files could be imported: scan (1).png, scan (1).png, notes_manual1.gif',
    );
  });

  test("in a folder, a file the user should act on is named with its reason; a dataset's routine leftovers are counted", () => {
    const names = new ImportNames(new Map(), '/data/clinic');
    const r = report({
      imported: [{ imageId: 1, source: '/data/clinic/a/eye.jpg', maskVersionId: null }],
      skipped: [
        { source: '/data/clinic/a/photo.heic', reason: 'HEIC is not read: convert it to JPEG', notice: true },
        {
          source: '/data/clinic/a/eye_mask.png',
          reason: 'covers 68% of eye.jpg: a field-of-view mask',
          notice: true,
        },
        { source: '/data/clinic/DRIVE/test/2nd_manual/01_manual2.gif', reason: 'second observer' },
        { source: '/data/clinic/DRIVE/test/2nd_manual/02_manual2.gif', reason: 'second observer' },
      ],
    });
    const outcome = importOutcome(r, names, new Set());
    assert.deepEqual(outcome.failures, [
      { file: 'a/photo.heic', reason: 'HEIC is not read: convert it to JPEG' },
      { file: 'a/eye_mask.png', reason: 'covers 68% of eye.jpg: a field-of-view mask' },
    ]);
    assert.deepEqual([outcome.otherSkipped, outcome.otherReason?.reason], [2, 'second observer']);
  });

  test('a folder names files inside it by their relative path; duplicates are no failure', () => {
    const names = new ImportNames(new Map(), '/data/clinic');
    const r = report({
      imported: [{ imageId: 1, source: '/data/clinic/a.png', maskVersionId: null }],
      duplicates: [{ source: '/data/clinic/b.png', existingImageId: 7 }],
      failed: [
        { source: '/data/clinic/2024/c.jpg', error: '/data/clinic/2024/c.jpg: JPEG corrupt or truncated' },
      ],
    });
    const outcome = importOutcome(r, names, new Set());
    assert.deepEqual(outcome.failures, [{ file: '2024/c.jpg', reason: 'JPEG corrupt or truncated' }]);
    assert.equal(
      importMessage(outcome),
      'Imported 1 of 3, 1 already in the database; 1 file could not be imported',
    );
    assert.equal(importError(outcome), null);
    assert.equal(importMessage(importOutcome(report({}), names, new Set())), 'Imported 0 images');
  });

  test("a dataset's summary says the masks came with the photographs and why its other files were left out", () => {
    const second = "second observer's annotation: only the first observer's is imported";
    const r = report({
      imported: [1, 2, 3].map((k) => ({ imageId: k, source: `/d/images/0${k}.tif`, maskVersionId: 10 + k })),
      skipped: [
        ...[1, 2, 3].map((k) => ({ source: `/d/2nd_manual/0${k}_manual2.gif`, reason: second })),
        { source: '/d/notes/readme.png', reason: 'not used by the DRIVE layout' },
      ],
    });
    assert.equal(
      importMessage(importOutcome(r, new ImportNames(new Map(), '/d'), new Set())),
      `Imported 3 images (each with its reference mask); 4 other files not imported as images (3: ${second})`,
    );
    const one = report({
      imported: [
        { imageId: 1, source: '/d/a.png', maskVersionId: 11 },
        { imageId: 2, source: '/d/b.png', maskVersionId: null },
      ],
      skipped: [1, 2].map((k) => ({ source: `/d/x${k}_manual2.gif`, reason: second })),
    });
    assert.equal(
      importMessage(importOutcome(one, new ImportNames(), new Set())),
      `Imported 2 images (1 with its reference mask); 2 other files not imported as images (${second})`,
    );
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  FILL_CONFIRM_SHARE,
  cleanupQuestion,
  fillQuestion,
  judgeCleanup,
  judgeFill,
} from '../../renderer/src/editing/fillGuard.js';
import { emptyApproveQuestion, nearlyEmpty } from '../../renderer/src/editing/approveGuard.js';
import { floodFill } from '../../renderer/src/editing/floodFill.js';
import { driveManual } from './editing-fixtures.js';

describe('fill guard', () => {
  test('on a real DRIVE vessel mask: a background click asks first, counting exactly what the fill changes; the mask is untouched', async () => {
    const { width, height, data } = await driveManual(21);
    const before = data.slice();
    const background = judgeFill(data, width, height, { x: 0, y: 0 }, 1);
    assert.deepEqual(data, before, 'judging a fill changed the mask');
    assert.ok(background.ask, `a background fill of ${background.share} was not questioned`);
    assert.ok(background.share > 0.5);
    // The count is exactly what the fill itself then changes.
    const filled = data.slice();
    floodFill(filled, width, height, 0, 0, 1);
    let changed = 0;
    for (let p = 0; p < filled.length; p++) if (filled[p] !== data[p]) changed++;
    assert.equal(background.changed, changed);
    assert.equal(background.share, changed / (width * height));

    // Erasing one vessel tree from a vessel pixel, or clicking a pixel already at the value, is no big change.
    const vessel = data.indexOf(1);
    const erase = judgeFill(data, width, height, { x: vessel % width, y: Math.floor(vessel / width) }, 0);
    assert.ok(erase.changed > 0 && erase.share < background.share);
    assert.deepEqual(judgeFill(data, width, height, { x: 0, y: 0 }, 0), { changed: 0, share: 0, ask: false });
  });

  test('the limit is a share of the whole image, and only a larger fill asks', () => {
    assert.equal(FILL_CONFIRM_SHARE, 0.05);
    const width = 20;
    const height = 10;
    // A wall at column `wall` leaves a region of `wall * height` background pixels on its left.
    const region = (wall: number) => {
      const m = new Uint8Array(width * height);
      for (let y = 0; y < height; y++) m[y * width + wall] = 1;
      return m;
    };
    // 10 of 200 pixels is exactly 5%: no question; 20 of 200 (10%) asks.
    assert.deepEqual(judgeFill(region(1), width, height, { x: 0, y: 3 }, 1), {
      changed: 10,
      share: 0.05,
      ask: false,
    });
    assert.equal(judgeFill(region(2), width, height, { x: 0, y: 3 }, 1).ask, true);
    assert.equal(judgeFill(region(2), width, height, { x: 0, y: 3 }, 1, 0.2).ask, false);
    // Masks of another size in between: the scratch copy follows the size.
    const small = new Uint8Array(4);
    assert.deepEqual(judgeFill(small, 2, 2, { x: 1, y: 1 }, 1), { changed: 4, share: 1, ask: true });
    assert.equal(judgeFill(region(1), width, height, { x: 5, y: 0 }, 1).changed, 180);
  });

  test('the question names the share as a whole percentage, never 0% or a rounded-up 100%', () => {
    assert.equal(fillQuestion(0.6149), 'This fill would change 61% of the image. Fill anyway?');
    assert.equal(fillQuestion(0.998), 'This fill would change 99% of the image. Fill anyway?');
    assert.equal(fillQuestion(1), 'This fill would change 100% of the image. Fill anyway?');
    assert.equal(fillQuestion(0.004), 'This fill would change 1% of the image. Fill anyway?');
  });
});

describe('cleanup guard (remove islands, fill holes) and approving an empty mask', () => {
  test('on a real DRIVE vessel mask: specks go at once; a size typed wrong, taking every vessel, asks first', async () => {
    const { width, height, data } = await driveManual(21);
    const before = data.slice();
    const specks = judgeCleanup(data, width, height, 'islands', 20);
    assert.equal(specks.ask, false, `removing islands under 20 px takes ${specks.share} of the vessels`);
    const typo = judgeCleanup(data, width, height, 'islands', 100000);
    assert.deepEqual(data, before, 'judging a cleanup changed the mask');
    assert.equal(typo.ask, true);
    assert.equal(typo.share, 1);
    assert.equal(
      cleanupQuestion('islands', 100000, typo.share),
      'Removing islands under 100000 px would erase 100% of the vessel pixels. Remove them anyway?',
    );
    // Holes: a share of the image, as a fill's.
    assert.equal(judgeCleanup(data, width, height, 'holes', 20).ask, false);
  });

  test('approving a mask with no or almost no vessels asks first; a real mask does not', async () => {
    const { data } = await driveManual(21);
    assert.equal(nearlyEmpty(data).ask, false);
    const empty = nearlyEmpty(new Uint8Array(1000));
    assert.deepEqual(empty, { vessel: 0, share: 0, ask: true });
    assert.match(emptyApproveQuestion(0, 0), /^This mask has no vessel pixels\. .* Approve it anyway\?$/);
    const few = new Uint8Array(10000);
    few.fill(1, 0, 12);
    assert.equal(nearlyEmpty(few).ask, true);
    assert.match(
      emptyApproveQuestion(12, 0.0012),
      /^This mask has only 12 vessel pixels \(0\.12% of the image\)/,
    );
  });
});

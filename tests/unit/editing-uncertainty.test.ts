// The viewer's uncertainty tools as pure functions: regions for "next uncertain region" (ranked, merged with their
// neighbours, skipping edited and visited ones), the heat map's colours and reduction, and the view that shows a
// region.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  editedInside,
  findUncertainRegions,
  nextUncertainRegion,
  whyNoRegion,
} from '../../renderer/src/editing/uncertainRegions.js';
import {
  HEAT_FLOOR,
  HEAT_FULL,
  heatPalette,
  heatStep,
  paintHeat,
} from '../../renderer/src/editing/uncertaintyHeat.js';
import { openGaps } from '../../renderer/src/editing/closedGaps.js';
import { fitView, focusView, toImage } from '../../renderer/src/editing/viewport.js';
import { packRgba } from '../../renderer/src/editing/overlay.js';
import { actionFor, type KeyInput } from '../../renderer/src/viewer/keymap.js';

/** A width x height map with square patches of value v at (x, y, side). */
function map(width: number, height: number, patches: [number, number, number, number][]): Uint8Array {
  const u = new Uint8Array(width * height);
  for (const [x0, y0, side, v] of patches) {
    for (let y = y0; y < y0 + side; y++) u.fill(v, y * width + x0, y * width + x0 + side);
  }
  return u;
}

const boxOf = (r: { x: number; y: number; width: number; height: number }) => [r.x, r.y, r.width, r.height];

describe('uncertain regions', () => {
  test('ranked by summed uncertainty, a hot block absorbs its hot neighbours, a calm block is no region', () => {
    // Block (1,1) holds 64*64*200; blocks (3,0) and (3,1) a patch of 250 across their edge; block (0,3) a small
    // patch below the relative bar (a fifth of the hottest block).
    const u = map(256, 256, [
      [64, 64, 64, 200],
      [200, 40, 48, 250],
      [10, 200, 8, 100],
    ]);
    const regions = findUncertainRegions(u, 256, 256);
    assert.equal(regions.length, 2);
    assert.deepEqual(boxOf(regions[0]), [64, 64, 64, 64]);
    assert.equal(regions[0].score, (64 * 64 * 200) / 255);
    assert.deepEqual(boxOf(regions[1]), [192, 0, 64, 128], 'the patch across two blocks is one region');
    assert.ok(regions[0].score > regions[1].score);
    assert.equal(findUncertainRegions(new Uint8Array(256 * 256).fill(3), 256, 256).length, 0, 'calm map');
  });

  test('merging stops after one ring, so a long band becomes several regions; edge blocks are clipped', () => {
    // A band 20 pixels high across the whole width (4.7 blocks), in the first block row of a 300x100 image.
    const u = map(300, 100, []);
    for (let y = 10; y < 30; y++) u.fill(180, y * 300, y * 300 + 300);
    const regions = findUncertainRegions(u, 300, 100);
    // Seeds in rank order: blocks 0..3 tie (the clipped last block holds less); block 0 takes 1, block 2 takes
    // 3, and the clipped block 4 is a region of its own.
    assert.deepEqual(regions.map(boxOf), [
      [0, 0, 128, 64],
      [128, 0, 128, 64],
      [256, 0, 44, 64],
    ]);
    const covered = regions.reduce((s, r) => s + r.score, 0);
    assert.equal(Math.round(covered), Math.round((300 * 20 * 180) / 255), 'every hot block is in one region');
  });

  test('next region skips the visited and the edited ones, then runs out', () => {
    const u = map(192, 64, [
      [0, 0, 64, 250],
      [128, 0, 64, 120],
    ]);
    const regions = findUncertainRegions(u, 192, 64);
    assert.equal(regions.length, 2);
    const predicted = new Uint8Array(192 * 64);
    const mask = predicted.slice();
    const edited = (r: (typeof regions)[number]) => editedInside(mask, predicted, 192, r);
    const visited = new Set<string>();
    assert.equal(nextUncertainRegion(regions, visited, edited), regions[0]);
    // The annotator painted one pixel inside the best region: it no longer counts.
    mask[10 * 192 + 20] = 1;
    assert.equal(editedInside(mask, predicted, 192, regions[0]), true);
    assert.equal(editedInside(mask, predicted, 192, regions[1]), false);
    assert.equal(nextUncertainRegion(regions, visited, edited), regions[1]);
    visited.add(regions[1].key);
    assert.equal(nextUncertainRegion(regions, visited, edited), null);
    // Run out because the rest was shown: a new round can start.
    assert.equal(whyNoRegion(regions, edited), 'all-visited');
    // Once the second region is edited too, no round can show anything.
    mask[10 * 192 + 140] = 1;
    assert.equal(whyNoRegion(regions, edited), 'all-edited');
  });

  test('a calm map has no region, and N says so rather than promising a new round', () => {
    const regions = findUncertainRegions(new Uint8Array(192 * 64), 192, 64);
    assert.deepEqual(regions, []);
    assert.equal(
      nextUncertainRegion(regions, new Set(), () => false),
      null,
    );
    assert.equal(
      whyNoRegion(regions, () => false),
      'none',
    );
  });

  test('a map that does not fit the size is refused', () => {
    assert.throws(() => findUncertainRegions(new Uint8Array(10), 4, 4), RangeError);
  });
});

describe('likely gaps closed by the annotator', () => {
  // Two horizontal vessel pieces on row 5 with a gap between x = 9 and x = 14.
  const W = 24;
  const H = 12;
  const pieces = () => {
    const m = new Uint8Array(W * H);
    m.fill(1, 5 * W + 2, 5 * W + 10);
    m.fill(1, 5 * W + 14, 5 * W + 22);
    return m;
  };
  const gap = { from: { x: 9, y: 5 }, to: { x: 14, y: 5 } };

  test('open until mask pixels join its two ends; a diagonal bridge counts', () => {
    const predicted = pieces();
    const mask = pieces();
    assert.deepEqual(openGaps([gap], mask, predicted, W, H), [gap]);
    mask.fill(1, 4 * W + 10, 4 * W + 14); // one row up: 8-connected to both ends
    assert.deepEqual(openGaps([gap], mask, predicted, W, H), []);
    mask.fill(0, 5 * W + 9, 5 * W + 10); // the end itself erased: the marker stays
    assert.deepEqual(openGaps([gap], mask, predicted, W, H), [gap]);
  });

  test('a gap the prediction itself already joined stays marked, as do ends outside the image', () => {
    const joined = pieces();
    joined.fill(1, 5 * W + 10, 5 * W + 14);
    assert.deepEqual(openGaps([gap], joined, joined, W, H), [gap]);
    const outside = { from: { x: 9, y: 5 }, to: { x: 30, y: 5 } };
    assert.deepEqual(openGaps([outside], joined, pieces(), W, H), [outside]);
  });
});

describe('uncertainty heat map', () => {
  test('transparent below the floor, warmer and more opaque above it, full red from a coin flip', () => {
    const lut = heatPalette();
    const floor = Math.floor(HEAT_FLOOR * 255);
    for (let v = 0; v <= floor; v++) assert.equal(lut[v], 0, `u=${v}/255 is drawn`);
    const bytes = new Uint8Array(lut.buffer);
    const alpha = (v: number) => bytes[v * 4 + 3];
    const green = (v: number) => bytes[v * 4 + 1];
    let rising = 0;
    for (let v = floor + 2; v < 256; v++) {
      assert.ok(alpha(v) >= alpha(v - 1) && green(v) <= green(v - 1), `not monotone at ${v}`);
      if (alpha(v) > alpha(v - 1)) rising++;
    }
    assert.ok(rising > 50, 'alpha rises over the range');
    const full = Math.ceil(HEAT_FULL * 255);
    assert.equal(lut[full], lut[255]);
    assert.equal(lut[255], packRgba(255, 0, 0, alpha(255)));
  });

  test('a large map is reduced, each output pixel showing the largest value it covers', () => {
    assert.equal(heatStep(565, 584), 1);
    assert.equal(heatStep(3504, 2336), 3);
    const u = new Uint8Array(5 * 4);
    u[0 * 5 + 1] = 255; // in output pixel (0, 0)
    u[3 * 5 + 4] = 200; // in output pixel (2, 1)
    const heat = paintHeat(u, 5, 4, 2, heatPalette());
    assert.deepEqual([heat.width, heat.height], [3, 2]);
    assert.equal(heat.painted, 2);
    assert.equal(heat.pixels[0], heatPalette()[255]);
    assert.equal(heat.pixels[1 * 3 + 2], heatPalette()[200]);
  });
});

describe('focusing a region', () => {
  const rect = { x: 400, y: 100, width: 128, height: 64 };
  test('from the fitted view it zooms in and centres the region', () => {
    const fit = fitView(565, 584, 800, 600);
    const v = focusView(fit, rect, 800, 600, fit.scale);
    assert.ok(v.scale > fit.scale);
    const centre = toImage(v, { x: 400, y: 300 });
    assert.ok(Math.abs(centre.x - 464) < 1e-9 && Math.abs(centre.y - 132) < 1e-9);
    assert.ok(rect.width * v.scale <= 0.6 * 600 + 1e-9);
  });

  test('a view the user zoomed keeps its scale and only pans', () => {
    const fit = fitView(565, 584, 800, 600);
    const zoomed = { scale: fit.scale * 3, x: -50, y: -20 };
    const v = focusView(zoomed, rect, 800, 600, fit.scale);
    assert.equal(v.scale, zoomed.scale);
    const centre = toImage(v, { x: 400, y: 300 });
    assert.ok(Math.abs(centre.x - 464) < 1e-9 && Math.abs(centre.y - 132) < 1e-9);
  });
});

describe('uncertainty keys', () => {
  const press = (key: string, mods: Partial<KeyInput> = {}) =>
    actionFor({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
  test('U toggles the heat map, N goes to the next uncertain region; with Ctrl they are not taken', () => {
    assert.equal(press('u'), 'toggleUncertainty');
    assert.equal(press('U', { shiftKey: true }), null);
    assert.equal(press('n'), 'nextUncertain');
    assert.equal(press('n', { ctrlKey: true }), null);
  });
});

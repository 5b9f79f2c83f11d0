// The vessel flip on hand-drawn masks: one click flips a vessel through a crossing and through branch points, but
// not the vessel it crosses nor a side branch, and stops where the label changes; the document's flip is one
// undoable edit that follows mask edits; Shift+X picks the tool.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  armDirectionAt,
  flipVessel,
  shortPieceAt,
  vesselThrough,
} from '../../renderer/src/editing/avVessel.js';
import { MaskDocument } from '../../renderer/src/viewer/maskDocument.js';
import { actionFor } from '../../renderer/src/viewer/keymap.js';
import { segmentNodes } from '../../shared/segment-nodes.js';
import { vesselSegments, type VesselSegments } from '../../shared/vessel-segments.js';
import { drawVessel, drawnMask, keyPress } from '../support/drawn-masks.js';

const A = 1;
const V = 2;
const W = 120;
const H = 80;

/** A horizontal vessel crossed near x = 60 by a steep one. */
const crossing = () =>
  drawnMask(W, H, [
    [4, 40, 115, 40],
    [54, 4, 66, 76],
  ]);

/**
 * A horizontal vessel with two side branches leaving it square (up at x = 40, down at x = 80): a turn well past the
 * limit, drawn along the pixel grid so that their skeletons have no staircase corners to cut them into pieces.
 */
const branched = () =>
  drawnMask(W, H, [
    [4, 40, 115, 40],
    [40, 40, 40, 8],
    [80, 40, 80, 72],
  ]);

function setup(mask: Uint8Array) {
  const seg = vesselSegments(mask, W, H);
  const nodes = segmentNodes(seg, W, H, shortPieceAt(W, H), armDirectionAt(W, H));
  const at = (x: number, y: number) => seg.owner[y * W + x];
  return { seg, nodes, at };
}

/** Labels `label` on every vessel pixel, then `overrides` on the pixels of the given segments. */
function labelled(mask: Uint8Array, seg: VesselSegments, label: number, overrides: [number, number][] = []) {
  const labels = Uint8Array.from(mask, (v) => (v ? label : 0));
  for (const [id, l] of overrides)
    for (let i = 0; i < labels.length; i++) if (seg.owner[i] === id) labels[i] = l;
  return labels;
}

/** Pixels whose label differs from `before`, as the set of segments owning them. */
function changedSegments(seg: VesselSegments, before: Uint8Array, after: Uint8Array): number[] {
  const ids = new Set<number>();
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) ids.add(seg.owner[i]);
  return [...ids].sort((a, b) => a - b);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('vessel through a segment', () => {
  test('a flip goes straight through a crossing and leaves the crossing vessel alone', () => {
    const mask = crossing();
    const { seg, nodes, at } = setup(mask);
    const [left, right, top, bottom] = [at(15, 40), at(105, 40), at(56, 12), at(64, 70)];
    assert.equal(new Set([left, right, top, bottom, 0]).size, 5, 'four arms, each its own segment');
    // Both vessels arteries: only the straightness tells them apart.
    const labels = labelled(mask, seg, A);
    assert.deepEqual(sorted(vesselThrough(seg, nodes, labels, left)), sorted([left, right]));
    assert.deepEqual(sorted(vesselThrough(seg, nodes, labels, bottom)), sorted([top, bottom]));
    const before = labels.slice();
    const r = flipVessel(labels, seg, nodes, W, H, { x: 15.5, y: 40.5 });
    assert.deepEqual(changedSegments(seg, before, labels), sorted([left, right]));
    for (let i = 0; i < labels.length; i++) {
      if (seg.owner[i] === left || seg.owner[i] === right) assert.equal(labels[i], V);
    }
    assert.ok(r.x <= 4 && r.x + r.width >= 115, `the rectangle spans the vessel: ${JSON.stringify(r)}`);
  });

  test('at branch points the vessel runs on and its side branches stay as they were', () => {
    const mask = branched();
    const { seg, nodes, at } = setup(mask);
    const [left, middle, right, up, down] = [at(15, 40), at(60, 40), at(105, 40), at(40, 20), at(80, 60)];
    assert.equal(new Set([left, middle, right, up, down, 0]).size, 6, 'five segments');
    const labels = labelled(mask, seg, A);
    assert.deepEqual(sorted(vesselThrough(seg, nodes, labels, middle)), sorted([left, middle, right]));
    // A side branch turns too sharply onto either part of the vessel it leaves: it is a vessel of its own.
    assert.deepEqual(vesselThrough(seg, nodes, labels, up), [up]);
    assert.deepEqual(vesselThrough(seg, nodes, labels, down), [down]);
    const before = labels.slice();
    flipVessel(labels, seg, nodes, W, H, { x: 15.5, y: 40.5 });
    assert.deepEqual(changedSegments(seg, before, labels), sorted([left, middle, right]));
  });

  test('the walk stops where the label changes', () => {
    const mask = branched();
    const { seg, nodes, at } = setup(mask);
    const [left, middle] = [at(15, 40), at(60, 40)];
    // The middle of the vessel is a vein: the artery beyond it is another vessel as far as the flip can tell.
    const labels = labelled(mask, seg, A, [[middle, V]]);
    assert.deepEqual(vesselThrough(seg, nodes, labels, left), [left]);
    assert.deepEqual(vesselThrough(seg, nodes, labels, middle), [middle]);
    const before = labels.slice();
    flipVessel(labels, seg, nodes, W, H, { x: 15.5, y: 40.5 });
    assert.deepEqual(changedSegments(seg, before, labels), [left]);
    // Now the left part is a vein too: a flip of the middle takes both back to artery, and the right stays.
    flipVessel(labels, seg, nodes, W, H, { x: 60.5, y: 40.5 });
    assert.deepEqual(labels, labelled(mask, seg, A));
  });

  test('at a fork the vessel runs on along its own width, not onto a thinner branch that happens to be straighter', () => {
    // A wide vessel bends 29 degrees at x = 60; a thin branch leaves it there only 10 degrees off its line.
    const mask = new Uint8Array(W * H);
    drawVessel(mask, W, 4, 40, 60, 40, 3.5);
    drawVessel(mask, W, 60, 40, 115, 70, 3.5);
    drawVessel(mask, W, 60, 40, 115, 30, 1.2);
    const { seg, nodes, at } = setup(mask);
    const [trunk, bend, branch] = [at(20, 40), at(100, 62), at(105, 32)];
    assert.equal(new Set([trunk, bend, branch, 0]).size, 4, 'three segments');
    const labels = labelled(mask, seg, A);
    const vessel = vesselThrough(seg, nodes, labels, trunk);
    assert.ok(vessel.includes(bend), 'the wide continuation is not taken');
    assert.ok(!vessel.includes(branch), 'the thin branch is taken');
  });

  test('a spur along the vessel (a short terminal piece) is flipped with it', () => {
    const mask = new Uint8Array(W * H);
    drawVessel(mask, W, 4, 40, 115, 40, 2.5);
    // A ragged edge: a bump whose skeleton is a stub a few pixels long.
    drawVessel(mask, W, 60, 40, 60, 45, 2.5);
    const { seg, nodes, at } = setup(mask);
    const labels = labelled(mask, seg, A);
    flipVessel(labels, seg, nodes, W, H, { x: 15.5, y: 40.5 });
    const left = [...labels.entries()].filter(([i, v]) => mask[i] && v !== V);
    assert.deepEqual(
      left.map(([i]) => [i % W, Math.floor(i / W)]),
      [],
      'vessel pixels kept their old label (a stub inside the flipped stretch)',
    );
    assert.ok(nodes.length > 0 && at(60, 46) !== at(15, 40), 'the bump is a segment of its own');
  });

  test('a click away from every vessel flips nothing', () => {
    const mask = crossing();
    const { seg, nodes } = setup(mask);
    const labels = labelled(mask, seg, A);
    const before = labels.slice();
    assert.equal(flipVessel(labels, seg, nodes, W, H, { x: 20.5, y: 10.5 }).width, 0);
    assert.equal(flipVessel(labels, seg, nodes, W, H, { x: -3, y: 200 }).width, 0);
    assert.deepEqual(labels, before);
  });

  test("the short piece follows the image's size from the canonical frame (DRIVE's) up", () => {
    assert.equal(shortPieceAt(565, 584), 8);
    assert.equal(shortPieceAt(W, H), 8);
    assert.equal(shortPieceAt(3504, 2336), 41);
  });
});

describe('the document flips a vessel', () => {
  function openDoc(mask = branched()) {
    const labels = Uint8Array.from(mask, (v) => (v ? A : 0));
    const doc = new MaskDocument({
      width: W,
      height: H,
      saved: { data: mask, versionId: 'd1' },
      prediction: null,
      anatomy: {
        labels,
        record: { disc: null, fovea: null, laterality: 'R', discMovedBy: null },
      },
    });
    return { doc, mask, labels };
  }

  test('one undoable edit, refused on an approved image', () => {
    const { doc, labels } = openDoc();
    assert.ok(doc.flipVesselAt({ x: 15.5, y: 40.5 }));
    const flipped = doc.labels!.slice();
    for (const x of [15, 60, 105]) assert.equal(flipped[40 * W + x], V);
    for (const [x, y] of [
      [40, 20],
      [80, 60],
    ])
      assert.equal(flipped[y * W + x], A);
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.labels, labels);
    assert.ok(doc.redoEdit());
    assert.deepEqual(doc.labels, flipped);
    doc.locked = true;
    assert.equal(doc.flipVesselAt({ x: 15.5, y: 40.5 }), false);
  });

  test('after a vessel is drawn across, the next flip finds the new crossing', () => {
    const mask = new Uint8Array(W * H);
    drawVessel(mask, W, 4, 40, 115, 40);
    const { doc } = openDoc(mask);
    // One segment, no nodes yet: built (and kept) by this first flip.
    assert.ok(doc.flipVesselAt({ x: 15.5, y: 40.5 }));
    assert.equal(doc.labels![40 * W + 105], V);
    doc.begin('brush');
    doc.stroke({ x: 60.5, y: 4 }, { x: 60.5, y: 76 }, 1.5, 1);
    doc.commit();
    assert.equal(doc.labels![10 * W + 60], V, 'the new vessel takes the nearest label');
    assert.ok(doc.flipVesselAt({ x: 15.5, y: 40.5 }));
    for (const x of [15, 105]) assert.equal(doc.labels![40 * W + x], A, `(${x}, 40)`);
    for (const y of [10, 70]) assert.equal(doc.labels![y * W + 60], V, `(60, ${y})`);
  });
});

describe('flip vessel key', () => {
  test('Shift+X picks the vessel flip; X still flips a segment', () => {
    assert.equal(actionFor(keyPress('X', true)), 'flipVessel');
    assert.equal(actionFor(keyPress('x')), 'flip');
  });
});

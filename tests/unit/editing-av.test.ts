// Artery/vein editing: labels following mask edits (erased pixels lose theirs, new ones take the nearest), the
// artery/vein brush, the segment flip, and the document around them (undo of labels and of disc moves, what a
// save sends, the disc).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LABEL, labelsForMask, reconcileLabels } from '../../renderer/src/editing/avLabels.js';
import { flipSegment, paintLabels } from '../../renderer/src/editing/avEdits.js';
import { MarkerHistory } from '../../renderer/src/editing/markerHistory.js';
import { strokeSegment } from '../../renderer/src/editing/brush.js';
import { MaskDocument } from '../../renderer/src/viewer/maskDocument.js';
import { actionFor } from '../../renderer/src/viewer/keymap.js';
import { vesselSegments } from '../../shared/vessel-segments.js';
import { driveManual, prng } from './editing-fixtures.js';
import { keyPress } from '../support/drawn-masks.js';

const A = 1;
const V = 2;

/** Labels agree with the mask: non-zero exactly on vessel pixels, values 0..2. Returns the first bad pixel or -1. */
function inconsistentAt(mask: Uint8Array, labels: Uint8Array): number {
  for (let i = 0; i < mask.length; i++) if ((labels[i] !== 0) !== (mask[i] !== 0) || labels[i] > 2) return i;
  return -1;
}

/** Two vertical vessels 3 px wide on a w x h grid: an artery at x 5..7, a vein at x 30..32. */
function twoVessels(w: number, h: number): { mask: Uint8Array; labels: Uint8Array } {
  const mask = new Uint8Array(w * h);
  const labels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 5; x <= 7; x++) [mask[y * w + x], labels[y * w + x]] = [1, A];
    for (let x = 30; x <= 32; x++) [mask[y * w + x], labels[y * w + x]] = [1, V];
  }
  return { mask, labels };
}

describe('labels follow the mask', () => {
  test('an erased pixel loses its label; a new one takes the nearest label', () => {
    const w = 40;
    const h = 20;
    const { mask, labels } = twoVessels(w, h);
    mask[10 * w + 6] = 0; // erased from the artery
    mask[10 * w + 9] = 1; // drawn next to the artery
    mask[10 * w + 27] = 1; // drawn next to the vein
    const spans: number[][] = [];
    const r = reconcileLabels(mask, labels, w, h, { x: 0, y: 10, width: w, height: 1 }, (y, a, b) =>
      spans.push([y, a, b]),
    );
    assert.equal(labels[10 * w + 6], 0);
    assert.equal(labels[10 * w + 9], A);
    assert.equal(labels[10 * w + 27], V);
    assert.equal(inconsistentAt(mask, labels), -1);
    assert.deepEqual(r, { x: 6, y: 10, width: 22, height: 1 });
    // Every write was announced first (the undo recorder relies on it), and only those pixels.
    assert.deepEqual(
      spans.map((s) => s[1]).sort((a, b) => a - b),
      [6, 9, 27],
    );
  });

  test('a vessel drawn on from an artery stays artery where a vein runs closer across the background', () => {
    const w = 40;
    const h = 60;
    const mask = new Uint8Array(w * h);
    const labels = new Uint8Array(w * h);
    // An artery at x 5..7 that ends at y 9, a vein at x 14..16 all the way down (6 px of background between).
    for (let y = 0; y < h; y++) {
      if (y < 10) for (let x = 5; x <= 7; x++) [mask[y * w + x], labels[y * w + x]] = [1, A];
      for (let x = 14; x <= 16; x++) [mask[y * w + x], labels[y * w + x]] = [1, V];
    }
    const r = strokeSegment(mask, w, h, { x: 6.5, y: 9.5 }, { x: 6.5, y: 50.5 }, 1.5, 1);
    reconcileLabels(mask, labels, w, h, r);
    assert.equal(inconsistentAt(mask, labels), -1);
    for (let y = 10; y <= 50; y++)
      for (let x = 0; x < 12; x++)
        if (mask[y * w + x]) assert.equal(labels[y * w + x], A, `drawn pixel (${x}, ${y})`);
  });

  test('a vessel drawn far from every label takes the nearest one found further out', () => {
    const w = 400;
    const h = 30;
    const mask = new Uint8Array(w * h);
    const labels = new Uint8Array(w * h);
    mask[5 * w + 2] = 1;
    labels[5 * w + 2] = A;
    mask[20 * w + 380] = 1; // 378 px away: beyond the first search window
    reconcileLabels(mask, labels, w, h, { x: 380, y: 20, width: 1, height: 1 });
    assert.equal(labels[20 * w + 380], A);
  });

  test('with nothing labelled anywhere a new vessel pixel gets the default label', () => {
    const mask = new Uint8Array(100);
    const labels = new Uint8Array(100);
    mask[55] = 1;
    reconcileLabels(mask, labels, 10, 10, { x: 0, y: 0, width: 10, height: 10 });
    assert.equal(labels[55], DEFAULT_LABEL);
  });

  test('brush and eraser strokes over a real vessel tree keep every pixel consistent', async () => {
    const m = await driveManual(21);
    const { width: w, height: h } = m;
    const mask = m.data.slice();
    const rand = prng(7);
    const labels = Uint8Array.from(mask, (v) => (v ? (rand() < 0.5 ? A : V) : 0));
    for (let k = 0; k < 40; k++) {
      const from = { x: rand() * w, y: rand() * h };
      const to = { x: from.x + (rand() - 0.5) * 60, y: from.y + (rand() - 0.5) * 60 };
      const r = strokeSegment(mask, w, h, from, to, 1 + rand() * 6, k % 3 === 0 ? 0 : 1);
      reconcileLabels(mask, labels, w, h, r);
    }
    assert.equal(inconsistentAt(mask, labels), -1);
  });

  test("labelsForMask fits another version's labels to a mask without touching the source", () => {
    const w = 40;
    const h = 20;
    const { mask, labels } = twoVessels(w, h);
    const draft = mask.slice();
    draft[3 * w + 6] = 0;
    draft[3 * w + 9] = 1;
    const before = labels.slice();
    const fitted = labelsForMask(draft, labels, w, h);
    assert.deepEqual(labels, before);
    assert.equal(inconsistentAt(draft, fitted), -1);
    assert.equal(fitted[3 * w + 9], A);
  });
});

describe('artery/vein brush', () => {
  test('labels exactly the vessel pixels under the capsule; background stays unlabelled', () => {
    const w = 40;
    const h = 20;
    const { mask, labels } = twoVessels(w, h);
    const before = labels.slice();
    const from = { x: 2, y: 10.5 };
    const to = { x: 36, y: 10.5 };
    const r = paintLabels(labels, mask, w, h, from, to, 1.5, V);
    // Expected: what the brush would paint, intersected with the vessels.
    const under = new Uint8Array(w * h);
    strokeSegment(under, w, h, from, to, 1.5, 1);
    for (let i = 0; i < w * h; i++) {
      const want = under[i] && mask[i] ? V : before[i];
      assert.equal(labels[i], want, `pixel (${i % w}, ${Math.floor(i / w)})`);
    }
    assert.equal(inconsistentAt(mask, labels), -1);
    // Only the artery's pixels changed (the vein's were vein already).
    assert.ok(r.x >= 5 && r.x + r.width <= 8, JSON.stringify(r));
  });

  test('a stroke off the image or off the vessels changes nothing', () => {
    const w = 40;
    const h = 20;
    const { mask, labels } = twoVessels(w, h);
    const before = labels.slice();
    assert.equal(paintLabels(labels, mask, w, h, { x: -50, y: -50 }, { x: -40, y: -45 }, 3, A).width, 0);
    assert.equal(paintLabels(labels, mask, w, h, { x: 15, y: 5 }, { x: 20, y: 15 }, 2, V).width, 0);
    assert.deepEqual(labels, before);
  });
});

/** A "T": a horizontal vessel 3 px wide with a vertical branch down from its middle. */
function tMask(w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 9; y <= 11; y++) for (let x = 2; x < w - 2; x++) m[y * w + x] = 1;
  for (let y = 11; y < h - 2; y++) for (let x = 19; x <= 21; x++) m[y * w + x] = 1;
  return m;
}

describe('flip segment', () => {
  test('flips every pixel of the segment under the pointer and nothing else', () => {
    const w = 40;
    const h = 36;
    const mask = tMask(w, h);
    const seg = vesselSegments(mask, w, h);
    const labels = Uint8Array.from(mask, (v) => (v ? A : 0));
    const at = { x: 20.5, y: 30.5 }; // on the branch
    const id = seg.owner[30 * w + 20];
    assert.ok(id > 0);
    const r = flipSegment(labels, seg, w, h, at);
    for (let i = 0; i < w * h; i++) {
      const want = seg.owner[i] === id ? V : mask[i] ? A : 0;
      assert.equal(labels[i], want, `pixel (${i % w}, ${Math.floor(i / w)})`);
    }
    assert.ok(r.width > 0 && r.height > 0);
    // Flipping again restores the arteries.
    flipSegment(labels, seg, w, h, at);
    assert.deepEqual(
      labels,
      Uint8Array.from(mask, (v) => (v ? A : 0)),
    );
  });

  test('a mixed segment takes the opposite of its majority; a click away from vessels does nothing', () => {
    const w = 40;
    const h = 36;
    const mask = tMask(w, h);
    const seg = vesselSegments(mask, w, h);
    const id = seg.owner[30 * w + 20];
    const labels = Uint8Array.from(mask, (v) => (v ? V : 0));
    let first = -1;
    for (let i = 0; i < labels.length; i++) {
      if (seg.owner[i] === id) {
        if (first < 0) first = i;
        else if (i % 3 === 0) labels[i] = A; // a minority of arteries
      }
    }
    flipSegment(labels, seg, w, h, { x: 20.5, y: 30.5 });
    for (let i = 0; i < labels.length; i++) if (seg.owner[i] === id) assert.equal(labels[i], A);
    const before = labels.slice();
    assert.equal(flipSegment(labels, seg, w, h, { x: 35.5, y: 30.5 }).width, 0);
    assert.deepEqual(labels, before);
  });
});

describe('mask document with an artery/vein map', () => {
  function openDoc() {
    const w = 40;
    const h = 36;
    const mask = tMask(w, h);
    const labels = Uint8Array.from(mask, (v) => (v ? A : 0));
    const doc = new MaskDocument({
      width: w,
      height: h,
      saved: { data: mask, versionId: 'd1' },
      prediction: null,
      anatomy: {
        labels,
        record: { disc: { x: 10, y: 10, diameter: 8 }, fovea: null, laterality: 'R', discMovedBy: null },
      },
    });
    let edits = 0;
    doc.onEdited = () => edits++;
    return { doc, w, h, mask, labels, edits: () => edits };
  }

  test('a flip, an artery/vein stroke and a vessel stroke are each one undoable edit', () => {
    const { doc, w, h, labels } = openDoc();
    assert.ok(doc.flipSegmentAt({ x: 20.5, y: 30.5 }));
    const flipped = doc.labels!.slice();
    assert.equal(flipped[30 * w + 20], V);
    doc.begin('vein');
    doc.strokeLabel({ x: 4, y: 10.5 }, { x: 8, y: 10.5 }, 1, V);
    doc.commit();
    doc.begin('brush');
    doc.stroke({ x: 5.5, y: 20.5 }, { x: 5.5, y: 24.5 }, 1, 1); // a new vessel pixel run under the T's arm
    doc.commit();
    assert.equal(inconsistentAt(doc.mask, doc.labels!), -1);
    assert.ok(doc.undoEdit());
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.labels, flipped);
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.labels, labels);
    assert.ok(doc.redoEdit());
    assert.deepEqual(doc.labels, flipped);
    assert.equal(doc.width * doc.height, w * h);
  });

  test('what a save sends: labels consistent with the mask snapshot, and the moved disc', () => {
    const { doc, edits } = openDoc();
    assert.ok(doc.moveDisc({ x: 14, y: 12 }));
    assert.equal(edits(), 1);
    const mask = doc.snapshot();
    const s = doc.anatomySnapshot(mask);
    assert.equal(inconsistentAt(mask, s.av!), -1);
    assert.deepEqual(s.anatomy, { disc: { x: 14, y: 12, diameter: 8 }, fovea: null, laterality: 'R' });
    doc.locked = true;
    assert.equal(doc.moveDisc({ x: 1, y: 1 }), false);
    assert.equal(doc.flipSegmentAt({ x: 20.5, y: 30.5 }), false);
  });

  test('the overlay colours labels only while the A/V layer is shown', () => {
    const { doc } = openDoc();
    doc.setAvShown(true);
    assert.equal(doc.overlay().source.mask, doc.labels);
    assert.equal(doc.overlay().palette.length, 3);
    doc.setAvShown(false);
    assert.notEqual(doc.overlay().source.mask, doc.labels);
  });
});

describe('disc moves in the undo history', () => {
  test('MarkerHistory: the newer of a move and a pixel edit is undone first; redo replays in order', () => {
    const h = new MarkerHistory<{ x: number; y: number }>();
    const p = (x: number) => ({ x, y: 0 });
    // Pixel edit 1, move a (after 1 edit), pixel edit 2, move b (after 2).
    h.record(p(0), p(1), 1);
    h.record(p(1), p(2), 2);
    assert.equal(h.undo(2)?.to.x, 2, 'b is newest');
    assert.equal(h.undo(2), null, 'then pixel edit 2');
    assert.equal(h.undo(1)?.to.x, 1, 'then a');
    assert.equal(h.undo(1), null);
    assert.equal(h.redo(1)?.to.x, 1, 'a came right after pixel edit 1');
    assert.equal(h.redo(1), null, 'then pixel edit 2');
    assert.equal(h.redo(2)?.to.x, 2);
    h.undo(2);
    h.pixelsCommitted();
    assert.equal(h.canRedo, false, 'a new edit drops what was undone');
  });

  test('the document undoes a flip and a disc move in reverse order, and redoes them in order', () => {
    const w = 40;
    const h = 36;
    const mask = tMask(w, h);
    const labels = Uint8Array.from(mask, (v) => (v ? A : 0));
    const doc = new MaskDocument({
      width: w,
      height: h,
      saved: { data: mask, versionId: 'd1' },
      prediction: null,
      anatomy: {
        labels,
        record: { disc: { x: 10, y: 10, diameter: 8 }, fovea: null, laterality: null, discMovedBy: null },
      },
    });
    doc.prepare();
    assert.ok(doc.moveDisc({ x: 12, y: 11 }));
    assert.ok(doc.flipSegmentAt({ x: 20.5, y: 30.5 }));
    assert.ok(doc.moveDisc({ x: 15, y: 15 }));
    const flipped = doc.labels!.slice();
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 12, y: 11, diameter: 8 });
    assert.deepEqual(doc.labels, flipped);
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.labels, labels, 'the flip was undone second');
    assert.deepEqual(doc.anatomy?.disc, { x: 12, y: 11, diameter: 8 });
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 10, y: 10, diameter: 8 });
    assert.equal(doc.undoEdit(), false);
    assert.ok(doc.redoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 12, y: 11, diameter: 8 });
    assert.deepEqual(doc.labels, labels);
    assert.ok(doc.redoEdit());
    assert.deepEqual(doc.labels, flipped);
    assert.ok(doc.redoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 15, y: 15, diameter: 8 });
    assert.equal(doc.canRedo, false);
  });
});

describe('artery/vein keys', () => {
  const k = keyPress;
  test('V toggles the layer, R / Shift+R pick the artery and vein brushes, X flips, M pans', () => {
    assert.equal(actionFor(k('v')), 'toggleAv');
    assert.equal(actionFor(k('r')), 'artery');
    assert.equal(actionFor(k('R', true)), 'vein');
    assert.equal(actionFor(k('x')), 'flip');
    assert.equal(actionFor(k('m')), 'pan');
  });
});

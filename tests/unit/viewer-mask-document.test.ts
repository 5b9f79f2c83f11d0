// The viewer's MaskDocument opened from a prediction: the working mask (one pass over every pixel) is made only
// when something needs it, and until then everything the document answers is what the thresholded mask would say.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MaskDocument } from '../../renderer/src/viewer/maskDocument.js';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import { prng } from './editing-fixtures.js';

const W = 40;
const H = 30;

function fromPrediction(seed: number): { doc: MaskDocument; prob: Uint8Array } {
  const rand = prng(seed);
  const prob = Uint8Array.from({ length: W * H }, () => Math.floor(rand() * 256));
  const doc = new MaskDocument({
    width: W,
    height: H,
    saved: null,
    prediction: { prob, mask: null, threshold: 0.5, versionId: 'p1' },
  });
  return { doc, prob };
}

/** Whether the document has made its working mask yet (the overlay reads the probabilities until it has). */
const made = (doc: MaskDocument) => doc.overlay().source.mask !== null;

describe('mask document opened from a prediction', () => {
  test('opening makes no working mask; reading a pixel does not make it either', () => {
    const { doc, prob } = fromPrediction(1);
    assert.equal(made(doc), false);
    const want = thresholdProbabilities(prob, 0.5);
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) assert.equal(doc.valueAt(i, j), want[j * W + i]);
    assert.equal(doc.canUndo, false);
    doc.commit(); // a slider losing focus commits: nothing to commit, nothing made
    assert.equal(made(doc), false);
    doc.prepare();
    assert.equal(made(doc), true);
    assert.deepEqual(doc.mask, want);
  });

  test('the first edit makes the mask from the prediction, then edits it; undo restores the prediction', () => {
    const { doc, prob } = fromPrediction(2);
    doc.begin('brush');
    doc.stroke({ x: 5, y: 5 }, { x: 20, y: 5 }, 2, 1);
    doc.commit();
    const want = thresholdProbabilities(prob, 0.5);
    assert.equal(doc.mask[5 * W + 10], 1);
    assert.equal(doc.canUndo, true);
    doc.undoEdit();
    assert.deepEqual(doc.mask, want);
  });

  test('moving the threshold before the mask was made is undone back to the opening threshold', () => {
    const { doc, prob } = fromPrediction(3);
    doc.setThreshold(0.8, true);
    assert.deepEqual(doc.mask, thresholdProbabilities(prob, 0.8));
    doc.undoEdit();
    assert.deepEqual(doc.mask, thresholdProbabilities(prob, 0.5));
  });

  test('a save before any edit is the thresholded prediction', () => {
    const { doc, prob } = fromPrediction(4);
    assert.deepEqual(doc.snapshot(), thresholdProbabilities(prob, 0.5));
  });

  test('saves name their parent: the prediction opened, then the last version saved, which a new prediction keeps', () => {
    const { doc, prob } = fromPrediction(5);
    assert.equal(doc.parentVersionId, 'p1');
    // Before anything is saved a new prediction is what the edit builds on.
    doc.replacePrediction({ prob, mask: null, threshold: 0.5, versionId: 'p2' });
    assert.equal(doc.parentVersionId, 'p2');
    doc.savedAs('d3');
    assert.equal(doc.parentVersionId, 'd3');
    // Once a draft is saved, main's current version is that draft: a re-prediction must not make the next save stale.
    doc.replacePrediction({ prob, mask: null, threshold: 0.5, versionId: 'p4' });
    assert.equal(doc.parentVersionId, 'd3');
  });
});

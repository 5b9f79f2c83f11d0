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

  test('undo and redo of a slider gesture restore its threshold too, and tell the slider', () => {
    const { doc, prob } = fromPrediction(4);
    const told: number[] = [];
    doc.onThresholdRestored = (t) => told.push(t);
    doc.setThreshold(0.6, false);
    doc.setThreshold(0.7, false);
    doc.commit();
    assert.ok(doc.undoEdit());
    assert.equal(doc.threshold, 0.5, 'the mask is at 0.5 again: so is the threshold');
    assert.deepEqual(
      doc.predMask,
      thresholdProbabilities(prob, 0.5),
      'the difference view compares with 0.5',
    );
    assert.ok(doc.redoEdit());
    assert.equal(doc.threshold, 0.7);
    assert.deepEqual(doc.mask, thresholdProbabilities(prob, 0.7));
    assert.deepEqual(doc.predMask, thresholdProbabilities(prob, 0.7));
    assert.deepEqual(told, [0.5, 0.7]);
    // A brush stroke undone leaves the threshold where it is.
    doc.begin('brush');
    doc.stroke({ x: 5, y: 5 }, { x: 20, y: 5 }, 2, 1);
    doc.commit();
    assert.ok(doc.undoEdit());
    assert.equal(doc.threshold, 0.7);
    assert.deepEqual(told, [0.5, 0.7]);
  });

  test('a new prediction arriving mid-stroke keeps the stroke drawing; both parts and the prediction undo', () => {
    const { doc, prob } = fromPrediction(6);
    const opened = doc.snapshot();
    doc.begin('brush');
    assert.ok(doc.stroke({ x: 2.5, y: 2.5 }, { x: 12.5, y: 2.5 }, 1, 1));
    const fresh = Uint8Array.from(prob, (v) => 255 - v);
    doc.replacePrediction({ prob: fresh, mask: null, threshold: 0.5, versionId: 'p2' });
    assert.ok(doc.stroke({ x: 12.5, y: 2.5 }, { x: 30.5, y: 2.5 }, 1, 1), 'the rest of the stroke draws');
    doc.commit();
    for (const x of [5, 20, 28]) assert.equal(doc.mask[2 * W + x], 1, `stroke pixel at x ${x}`);
    while (doc.undoEdit());
    assert.deepEqual(doc.snapshot(), opened, 'undo goes back to what was opened');
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

describe('mask document opened from a packed prediction whose probabilities follow', () => {
  function opened(seed: number) {
    const rand = prng(seed);
    const prob = Uint8Array.from({ length: W * H }, () => Math.floor(rand() * 256));
    const mask = thresholdProbabilities(prob, 0.4);
    const doc = new MaskDocument({
      width: W,
      height: H,
      saved: null,
      // A copy: the document owns the prediction it is given (re-thresholding rewrites it).
      prediction: {
        prob: null,
        mask: mask.slice(),
        threshold: 0.4,
        versionId: 'p1',
        probabilitiesLater: true,
      },
    });
    return { doc, prob, mask };
  }

  test('it follows the prediction from the start; the probabilities arrive without changing a pixel', () => {
    const { doc, prob, mask } = opened(4);
    assert.equal(doc.followsPrediction, true);
    assert.equal(doc.prob, null);
    assert.equal(doc.attachProbabilities('another version', prob), false);
    assert.equal(doc.prob, null);
    assert.equal(doc.attachProbabilities('p1', prob), true);
    assert.deepEqual(doc.mask, mask);
    assert.equal(doc.canUndo, false);
    assert.equal(doc.attachProbabilities('p1', prob), false, 'attached twice');
    // The slider now re-thresholds the working mask.
    doc.setThreshold(0.6, true);
    assert.deepEqual(doc.mask, thresholdProbabilities(prob, 0.6));
    assert.equal(doc.canUndo, true);
  });

  test('the slider moved before the probabilities arrived applies, as one undoable step, when they do', () => {
    const { doc, prob, mask } = opened(8);
    assert.equal(doc.canThreshold, true);
    let asked = 0;
    doc.onProbabilitiesNeeded = () => asked++;
    doc.setThreshold(0.7, false);
    doc.setThreshold(0.65, false);
    assert.equal(asked, 1, 'the probabilities were not asked for once');
    doc.commit();
    assert.deepEqual(doc.mask, mask, 'the mask changed without probabilities');
    doc.attachProbabilities('p1', prob);
    assert.equal(doc.threshold, 0.65);
    assert.deepEqual(doc.mask, thresholdProbabilities(prob, 0.65));
    assert.equal(doc.undoEdit(), true);
    assert.deepEqual(doc.mask, mask);
  });

  test('edits made before the probabilities arrived are kept by the slider', () => {
    const { doc, prob } = opened(5);
    doc.begin('brush');
    doc.stroke({ x: 5, y: 5 }, { x: 5, y: 5 }, 2, 1);
    doc.commit();
    const edited = doc.mask.slice();
    doc.attachProbabilities('p1', prob);
    doc.setThreshold(0.99, true);
    for (let p = 0; p < W * H; p++) if (doc.edited[p]) assert.equal(doc.mask[p], edited[p]);
    assert.throws(() => opened(6).doc.attachProbabilities('p1', new Uint8Array(3)), /does not fit/);
  });
});

describe('mask document opened from a prediction sent as its mask', () => {
  test('the overlay and pixel reads use the mask as sent; the working copy is made when needed', () => {
    const rand = prng(7);
    const mask = Uint8Array.from({ length: W * H }, () => (rand() < 0.2 ? 1 : 0));
    const sent = mask.slice();
    const doc = new MaskDocument({
      width: W,
      height: H,
      saved: null,
      prediction: { prob: null, mask: sent, threshold: 0.5, versionId: 'p1' },
    });
    assert.equal(doc.overlay().source.mask, sent, 'the overlay is not painted from the mask as sent');
    for (let p = 0; p < W * H; p++) assert.equal(doc.valueAt(p % W, Math.floor(p / W)), mask[p]);
    doc.begin('brush');
    doc.stroke({ x: 3, y: 3 }, { x: 9, y: 3 }, 2, 1);
    doc.commit();
    assert.deepEqual(sent, mask, 'an edit wrote into the prediction');
    assert.notEqual(doc.overlay().source.mask, sent);
    doc.setMode('diff');
    assert.ok(doc.overlay().source.predicted, 'no prediction to compare with');
    doc.undoEdit();
    assert.deepEqual(doc.mask, mask);
  });
});

describe('a pen or touch stroke taken over before it ends', () => {
  test('abandoned (a pinch, a pointercancel): every pixel and mark comes back, nothing to undo or save', () => {
    const { doc } = fromPrediction(8);
    const mask = doc.mask.slice();
    let saves = 0;
    const repainted: { x: number; y: number; width: number; height: number }[] = [];
    doc.onEdited = () => saves++;
    doc.onRepaint = (r) => repainted.push(r);
    doc.begin('brush');
    assert.ok(doc.stroke({ x: 5, y: 5 }, { x: 30, y: 20 }, 3, 1));
    repainted.length = 0;
    doc.abandon();
    assert.deepEqual(doc.mask, mask);
    assert.ok(
      doc.edited.every((v) => v === 0),
      'the "edited by hand" marks stayed',
    );
    assert.equal(doc.canUndo, false);
    assert.equal(saves, 0);
    assert.ok(repainted.length > 0, 'the restored pixels were not repainted');
    doc.commit();
    assert.equal(doc.canUndo, false, 'the abandoned stroke was committed after all');
  });
});

describe('undo pressed while a stroke is drawn', () => {
  test('takes that stroke back whole, the rest of it writes nothing and throws nothing, redo has nothing', () => {
    const { doc } = fromPrediction(9);
    const mask = doc.mask.slice();
    doc.begin('brush');
    doc.stroke({ x: 2, y: 2 }, { x: 20, y: 10 }, 2, 1);
    assert.equal(doc.undoEdit(), true);
    assert.deepEqual(doc.mask, mask);
    assert.equal(doc.stroke({ x: 20, y: 10 }, { x: 35, y: 25 }, 2, 1), false);
    doc.commit();
    assert.deepEqual(doc.mask, mask);
    assert.equal(doc.canUndo, false);
    assert.equal(doc.canRedo, false);
    // A clean-up pressed while drawing closes the stroke's edit: the rest writes nothing either.
    doc.begin('brush');
    doc.stroke({ x: 2, y: 2 }, { x: 20, y: 10 }, 2, 0);
    doc.removeIslands(3);
    assert.doesNotThrow(() => doc.stroke({ x: 20, y: 10 }, { x: 35, y: 25 }, 2, 0));
  });
});

describe('a document under an approval on its way', () => {
  test('stays locked when the review state says "draft" meanwhile; unlocks when the approval ends', () => {
    const { doc } = fromPrediction(7);
    doc.begin('brush');
    doc.stroke({ x: 5, y: 5 }, { x: 20, y: 5 }, 2, 1);
    doc.commit();
    doc.approving = true;
    // The answer to the save the approval waited for: a draft, not read-only.
    doc.locked = false;
    assert.equal(doc.locked, true);
    assert.equal(doc.undoEdit(), false, 'undone under the approval');
    assert.equal(doc.mask[5 * W + 10], 1);
    doc.approving = false;
    assert.equal(doc.locked, false);
    assert.equal(doc.undoEdit(), true);
  });
});

// A new prediction of the open image: with an artery/vein map, the document is built afresh (to take the labels) only
// when nothing was done in it yet; a stroke still being drawn counts, and is kept through the new prediction. One
// made elsewhere is taken in only when nothing was done on the prediction shown, else it is told of.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PredictionPayload } from '../../shared/contract.js';
import { MaskDocument } from '../../renderer/src/viewer/maskDocument.js';
import {
  outsidePredictionAction,
  rebuildsForPrediction,
} from '../../renderer/src/viewer/predictionRefresh.js';
import { prng } from './editing-fixtures.js';

const W = 40;
const H = 30;

/** A prediction as getMasks sends it: 8-bit probabilities, with artery/vein labels or without. */
function prediction(seed: number, av: boolean): PredictionPayload {
  const rand = prng(seed);
  return {
    versionId: `p${seed}`,
    version: seed,
    modelId: null,
    modelName: null,
    createdAt: '2026-01-01T00:00:00Z',
    threshold: 0.5,
    encoding: 'prob8',
    data: Uint8Array.from({ length: W * H }, () => Math.floor(rand() * 256)),
    av: av ? new Uint8Array(W * H) : null,
  };
}

/** A document opened from a prediction without artery/vein labels. */
function opened(): MaskDocument {
  const p = prediction(1, false);
  return new MaskDocument({
    width: W,
    height: H,
    saved: null,
    prediction: { prob: p.data, mask: null, threshold: p.threshold, versionId: p.versionId },
  });
}

const withAv = { width: W, height: H, prediction: prediction(2, true) };

describe('a new prediction bringing an artery/vein map', () => {
  test('rebuilds a document in which nothing was done, or one of another size, or none', () => {
    assert.equal(rebuildsForPrediction(opened(), withAv), true);
    assert.equal(rebuildsForPrediction(null, withAv), true);
    assert.equal(rebuildsForPrediction(opened(), { ...withAv, width: W + 1 }), true);
    assert.equal(rebuildsForPrediction(opened(), { ...withAv, prediction: prediction(2, false) }), false);
  });

  test('keeps a document with an edit to undo, or one undone to redo', () => {
    const doc = opened();
    doc.begin('brush');
    doc.stroke({ x: 5, y: 5 }, { x: 20, y: 5 }, 2, 1);
    doc.commit();
    assert.equal(rebuildsForPrediction(doc, withAv), false);
    doc.undoEdit();
    assert.equal(rebuildsForPrediction(doc, withAv), false);
  });

  test('keeps a document with a stroke being drawn: the stroke goes on through the new prediction', () => {
    const doc = opened();
    doc.begin('brush');
    doc.stroke({ x: 5, y: 5 }, { x: 20, y: 5 }, 2, 1);
    assert.equal(rebuildsForPrediction(doc, withAv), false, 'the stroke being drawn would be dropped');
    const p = withAv.prediction;
    doc.replacePrediction({ prob: p.data, mask: null, threshold: p.threshold, versionId: p.versionId });
    doc.stroke({ x: 20, y: 5 }, { x: 20, y: 25 }, 2, 1);
    doc.commit();
    for (const [x, y] of [
      [10, 5],
      [20, 20],
    ])
      assert.equal(doc.mask[y * W + x], 1, `the stroke at ${x},${y}`);
  });
});

describe('a prediction made elsewhere while this window holds the lease', () => {
  const shown = { versionId: 'p1', version: 1 };
  const arrived = { versionId: 'p3', version: 3 };

  test('nothing done on the prediction shown: it is taken in', () => {
    assert.equal(outsidePredictionAction(shown, arrived, opened(), false), 'take');
  });

  test('not newer than the one shown: nothing happens', () => {
    const doc = opened();
    assert.equal(outsidePredictionAction(shown, shown, doc, false), 'none');
    assert.equal(outsidePredictionAction(arrived, shown, doc, false), 'none');
    assert.equal(outsidePredictionAction(shown, null, doc, false), 'none');
  });

  test('an edit made, or a version saved over the prediction: a notice, the document left as it is', () => {
    const edited = opened();
    edited.begin('brush');
    edited.stroke({ x: 5, y: 5 }, { x: 20, y: 5 }, 2, 1);
    edited.commit();
    assert.equal(outsidePredictionAction(shown, arrived, edited, false), 'notice');
    const saved = opened();
    saved.savedAs('d2');
    assert.equal(outsidePredictionAction(shown, arrived, saved, false), 'notice');
  });

  test('another version on screen: held until the user goes back', () => {
    assert.equal(outsidePredictionAction(shown, arrived, opened(), true), 'held');
  });
});

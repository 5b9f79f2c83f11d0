// The anatomy models' promotion rules on known per-image scores: the artery/vein candidate gains by accuracy, the
// disc candidate by a smaller centre error (so the same numbers mean opposite things), the vessel gate's bootstrap,
// minimum and margin decide, and the verdict names the task's measure; a disc drawn from its approved circle is the
// circle's pixels.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { anatomyGain, judgeAnatomy, type AnatomyImageScore } from '../../main/retrain/anatomy-gate.js';
import { judgePromotion } from '../../main/retrain/gate.js';
import { discCircle } from '../../main/retrain/anatomy-samples.js';
import { discOutcome, referenceDisc } from '../../main/ml/anatomy/train-optic-disc.js';

const RULES = { minImages: 3, margin: 0, seed: 1 };

function scores(pairs: [number, number][]): AnatomyImageScore[] {
  return pairs.map(([candidate, active], i) => ({
    imageId: i + 1,
    maskVersionId: 10 + i,
    candidate,
    active,
  }));
}

describe('anatomy promotion gate', () => {
  test('artery/vein: higher accuracy on every held-out image promotes, stated as A/V accuracy', () => {
    const v = judgeAnatomy(
      'artery-vein',
      scores([
        [0.9, 0.8],
        [0.85, 0.8],
        [0.95, 0.82],
        [0.88, 0.81],
      ]),
      RULES,
    );
    assert.equal(v.judged, true);
    assert.equal(v.better, true);
    assert.equal(v.usableImages, 4);
    assert.ok(v.delta && Math.abs(v.delta.mean - 0.0875) < 1e-12);
    assert.match(v.reason, /^A\/V accuracy \+0\.087 \(95% interval .*\) on 4 corrected images: better$/);
  });

  test('optic disc: a smaller centre error is the gain; a larger one is worse', () => {
    assert.equal(anatomyGain('optic-disc', { candidate: 0.1, active: 0.4 }), 0.30000000000000004);
    assert.equal(anatomyGain('artery-vein', { candidate: 0.1, active: 0.4 }), -0.30000000000000004);
    const better = judgeAnatomy(
      'optic-disc',
      scores([
        [0.05, 0.5],
        [0.1, 0.6],
        [0.02, 0.4],
      ]),
      RULES,
    );
    assert.equal(better.better, true);
    assert.match(better.reason, /^disc centre error reduction \(disc diameters\) \+0\.443 .*: better$/);
    const worse = judgeAnatomy(
      'optic-disc',
      scores([
        [0.5, 0.05],
        [0.6, 0.1],
        [0.4, 0.02],
      ]),
      RULES,
    );
    assert.equal(worse.better, false);
    assert.match(worse.reason, /: worse$/);
    assert.match(worse.advice ?? '', /Keep the active model/);
  });

  test('the decision is the vessel gate on the gains: same interval, same verdict', () => {
    const images = scores([
      [0.9, 0.88],
      [0.8, 0.81],
      [0.86, 0.85],
      [0.7, 0.69],
    ]);
    const v = judgeAnatomy('artery-vein', images, RULES);
    const direct = judgePromotion({
      deltas: images.map((s) => s.candidate - s.active),
      corrected: 4,
      minImages: 3,
      margin: 0,
      benchmarkDelta: null,
      seed: 1,
    });
    assert.deepEqual(v.delta, direct.delta);
    assert.equal(v.better, direct.better);
    assert.equal(v.better, false, 'a gain within the noise does not promote');
  });

  test('fewer held-out corrections than the minimum: not judged, and says how many more', () => {
    const v = judgeAnatomy(
      'optic-disc',
      scores([
        [0, 1],
        [0, 1],
      ]),
      RULES,
    );
    assert.equal(v.judged, false);
    assert.equal(v.better, false);
    assert.equal(v.delta, null);
    assert.match(v.advice ?? '', /Approve 1 more image/);
  });

  test('a clear gain below the margin is not promoted', () => {
    const v = judgeAnatomy(
      'artery-vein',
      scores([
        [0.83, 0.8],
        [0.84, 0.8],
        [0.83, 0.8],
      ]),
      {
        ...RULES,
        margin: 0.1,
      },
    );
    assert.equal(v.better, false);
    assert.match(v.reason, /not by the margin 0\.100$/);
  });

  test('the disc mask drawn from an approved circle has its centre and diameter', () => {
    const disc = { x: 40.5, y: 30.25, diameter: 24 };
    const map = discCircle(disc, 80, 60);
    const found = referenceDisc(map, 80)!;
    assert.ok(Math.abs(found.x - 40) < 0.5 && Math.abs(found.y - 30) < 0.5, JSON.stringify(found));
    assert.ok(Math.abs(found.diameter / disc.diameter - 1) < 0.03, JSON.stringify(found));
    // Clipped at the image's edge rather than wrapped to the next row.
    const edge = discCircle({ x: 1, y: 30, diameter: 10 }, 80, 60);
    for (let y = 0; y < 60; y++) assert.equal(edge[y * 80 + 79], 0);
  });
});

describe('a disc validation outcome', () => {
  const ref = { x: 100, y: 100, diameter: 50 };
  test('against a disc: centre distance in its diameters and relative size error, capped at one', () => {
    assert.deepEqual(discOutcome({ x: 125, y: 100, diameter: 75 }, ref), { centre: 0.5, diameter: 0.5 });
    assert.deepEqual(discOutcome(null, ref), { centre: 1, diameter: 1 }, 'none found');
    assert.deepEqual(discOutcome({ x: 400, y: 100, diameter: 200 }, ref), { centre: 1, diameter: 1 });
  });
  test('against a photograph without a disc: right when none is found, fully wrong for a disc found', () => {
    assert.deepEqual(discOutcome(null, null), { centre: 0, diameter: 0 });
    assert.deepEqual(discOutcome({ x: 110, y: 100, diameter: 60 }, null), { centre: 1, diameter: 1 });
  });
});

// The promotion gate on known per-image F1 differences: a clear gain promotes, noise does not, a benchmark drop
// blocks, too few usable images are not judged, and the same scores always give the same interval.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { judgePromotion, pairedBootstrap, tQuantile975, type GateInput } from '../../main/retrain/gate.js';
import { createRng } from '../../main/ml/rng.js';

const gate = (deltas: number[], over: Partial<GateInput> = {}) =>
  judgePromotion({
    deltas,
    corrected: deltas.length,
    minImages: 3,
    margin: 0,
    benchmarkDelta: null,
    seed: 1,
    ...over,
  });

describe('promotion gate', () => {
  test('a clear gain on six corrected images promotes, with the interval in the reason', () => {
    const v = gate([0.021, 0.03, 0.012, 0.025, 0.018, 0.02]);
    assert.equal(v.judged, true);
    assert.equal(v.better, true);
    assert.equal(v.usableImages, 6);
    assert.equal(v.advice, null);
    assert.ok(v.delta && v.delta.low > 0 && v.delta.low < v.delta.mean && v.delta.mean < v.delta.high);
    assert.ok(Math.abs(v.delta.mean - 0.021) < 1e-12);
    assert.match(
      v.reason,
      /^F1 \+0\.021 \(95% interval \+0\.0\d\d to \+0\.0\d\d\) on 6 corrected images: better$/,
    );
  });

  test('a clear gain on three images promotes too', () => {
    assert.equal(gate([0.05, 0.06, 0.04]).better, true);
  });

  test('noise on three images does not promote, and says it is within the noise', () => {
    const v = gate([0.004, -0.003, 0.002]);
    assert.equal(v.judged, true);
    assert.equal(v.better, false);
    assert.ok(v.delta && v.delta.low < 0 && v.delta.high > 0, JSON.stringify(v.delta));
    assert.match(v.reason, /not clearly better/);
    assert.match(v.advice ?? '', /noise/);
  });

  test('a higher mean alone is not enough: one lucky image among losses does not promote', () => {
    // The pooled mean is positive (+0.006), as the old "strictly higher F1" rule would have promoted.
    const v = gate([0.05, -0.01, -0.012, -0.004]);
    assert.ok(v.delta!.mean > 0);
    assert.equal(v.better, false);
  });

  test('a clear loss is called worse', () => {
    const v = gate([-0.05, -0.04, -0.06]);
    assert.equal(v.better, false);
    assert.match(v.reason, /: worse$/);
  });

  test('the margin raises the bar', () => {
    const deltas = [0.021, 0.03, 0.012, 0.025, 0.018, 0.02];
    const v = gate(deltas, { margin: 0.02 });
    assert.equal(v.better, false);
    assert.equal(v.delta?.margin, 0.02);
    assert.match(v.reason, /better, but not by the margin 0\.020$/);
    assert.match(v.advice ?? '', /lower the margin/);
    // A gain whose interval includes zero is noise, whatever the margin.
    assert.match(gate([0.004, -0.003, 0.002], { margin: 0.02 }).reason, /not clearly better$/);
  });

  test('a benchmark drop of more than 0.01 F1 blocks a clear gain; a smaller one does not', () => {
    const deltas = [0.05, 0.06, 0.04, 0.05];
    const blocked = gate(deltas, { benchmarkDelta: -0.015 });
    assert.equal(blocked.better, false);
    assert.equal(blocked.benchmarkDelta, -0.015);
    assert.match(blocked.reason, /benchmark images scored 0\.015 F1 worse/);
    assert.equal(gate(deltas, { benchmarkDelta: -0.005 }).better, true);
  });

  test('fewer than three usable images are not judged, and the advice says how many more to correct', () => {
    const v = gate([0.2, 0.3]);
    assert.equal(v.judged, false);
    assert.equal(v.better, false);
    assert.equal(v.delta, null);
    assert.equal(v.usableImages, 2);
    assert.equal(v.advice, 'Approve 1 more image that you corrected, then retrain.');
    const none = gate([]);
    assert.equal(none.judged, false);
    assert.equal(none.advice, 'Approve 3 more images that you corrected, then retrain.');
  });

  test('dataset references are named as such', () => {
    assert.match(gate([0.05, 0.06, 0.04], { corrected: 0 }).reason, /on 3 dataset images/);
    assert.match(gate([0.05, 0.06, 0.04], { corrected: 1 }).reason, /on 3 corrected or dataset images/);
  });

  test('a model no better than the active one is promoted at most about one time in forty, even on three images', () => {
    // Per-image F1 differences of pure noise (mean 0, spread 0.01), as a retrain that changed nothing gives. A
    // 95% interval's lower end is above 0 by chance 2.5% of the time; the percentile bootstrap alone said
    // "better" 14% of the time on three images, 6% on eight.
    const rng = createRng(11);
    for (const n of [3, 5, 8]) {
      let promoted = 0;
      const trials = 1500;
      for (let t = 0; t < trials; t++) {
        const deltas = Array.from({ length: n }, () => 0.01 * rng.normal());
        if (gate(deltas, { seed: t, resamples: 400 }).better) promoted++;
      }
      assert.ok(promoted / trials <= 0.035, `${n} images: promoted ${promoted} of ${trials}`);
    }
  });

  test('three tiny gains are not a sure gain, and the reason never rounds a difference to +0.000', () => {
    const v = gate([0.0001, 0.0002, 0.0003]);
    assert.equal(v.better, false);
    assert.match(v.reason, /^F1 \+0\.00020 \(95% interval -0\.00\d+ to \+0\.00\d+\)/);
    assert.doesNotMatch(v.reason, /0\.000\b/);
  });

  test("Student's t quantiles: the table's and the expansion's", () => {
    assert.equal(tQuantile975(2), 4.303);
    assert.ok(Math.abs(tQuantile975(40) - 2.021) < 0.001);
    assert.ok(Math.abs(tQuantile975(120) - 1.98) < 0.001);
  });

  test('one image cannot be judged, whatever the settings say', () => {
    const v = gate([0.2], { minImages: 1 });
    assert.equal(v.judged, false);
    assert.equal(v.advice, 'Approve 1 more image that you corrected, then retrain.');
  });

  test('the bootstrap is deterministic for a seed and covers the sample mean', () => {
    const deltas = [0.01, -0.02, 0.03, 0.005, 0.0];
    const a = pairedBootstrap(deltas, 7);
    assert.deepEqual(pairedBootstrap(deltas, 7), a);
    assert.notDeepEqual(pairedBootstrap(deltas, 8), a);
    assert.ok(a.low <= a.mean && a.mean <= a.high);
    // Identical differences leave no spread.
    assert.deepEqual(pairedBootstrap([0.02, 0.02, 0.02], 1), { mean: 0.02, low: 0.02, high: 0.02 });
  });
  describe('images of one group (visits of one eye, copies of one photograph) are one sample', () => {
    // Two images of one eye that both gained 0.05 and one other eye that gained 0.04: counted apart, three
    // samples whose worst bootstrap mean is +0.04, a sure gain; as two eyes, the t interval on one degree of
    // freedom spans zero.
    const deltas = [0.05, 0.05, 0.04];
    const groups = [7, 7, 9];

    test('a gain carried by one group promotes when its images count apart, not when grouped', () => {
      const apart = gate(deltas, { minImages: 2 });
      assert.equal(apart.better, true, apart.reason);
      const grouped = gate(deltas, { minImages: 2, groups });
      assert.equal(grouped.judged, true);
      assert.equal(grouped.better, false, grouped.reason);
      assert.equal(grouped.usableImages, 3);
      assert.equal(grouped.usableGroups, 2);
      // The mean of the group means, and a wider interval.
      assert.ok(Math.abs(grouped.delta!.mean - 0.045) < 1e-12);
      assert.ok(grouped.delta!.low < 0 && grouped.delta!.low < apart.delta!.low);
      assert.ok(grouped.delta!.high > apart.delta!.high);
      assert.match(
        grouped.reason,
        /^F1 \+0\.045 \(95% interval -0\.\d+ to \+0\.\d+\) on 3 corrected images in 2 independent groups: not clearly better$/,
      );
    });

    test('the minimum counts groups: three images of two eyes are not judged against a minimum of three', () => {
      assert.equal(gate(deltas).judged, true);
      const v = gate(deltas, { groups });
      assert.equal(v.judged, false);
      assert.equal(v.delta, null);
      assert.equal(v.usableImages, 3);
      assert.equal(v.usableGroups, 2);
      assert.match(
        v.reason,
        /are only 2 independent groups \(other visits of one eye and copies of one photograph count once\), and the comparison needs 3\./,
      );
      assert.equal(v.advice, 'Approve 1 more image that you corrected, each of another eye, then retrain.');
      // Three visits of one eye are one sample: never judged, whatever the minimum.
      assert.equal(gate([0.05, 0.06, 0.04], { minImages: 2, groups: [1, 1, 1] }).judged, false);
    });

    test('images each in a group of their own give the ungrouped verdict exactly', () => {
      const d = [0.021, 0.03, 0.012, 0.025, 0.018, 0.02];
      const own = gate(d, { groups: [6, 5, 4, 3, 2, 1] });
      assert.deepEqual(own, gate(d));
      assert.equal(own.usableGroups, 6);
      assert.match(own.reason, /on 6 corrected images: better$/);
    });
  });
});

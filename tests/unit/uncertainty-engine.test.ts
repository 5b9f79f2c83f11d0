// The uncertainty engine's pure parts on constructed inputs: the filters behind the features, the topology check
// on drawn vessels, the expected F1, the temperature fit and reliability, and the head's fit and shape checks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { boxMax, boxMean, signedEdgeDistance } from '../../main/ml/uncertainty/maps.js';
import { checkTopology } from '../../main/ml/uncertainty/topology.js';
import { components, skeletonize } from '../../shared/skeleton.js';
import { expectedF1, meanInside } from '../../main/ml/uncertainty/image-scores.js';
import { applyTemperature, fitTemperature, reliability } from '../../main/ml/uncertainty/calibration.js';
import { ERROR_FEATURES, errorFeatures, featuresAt } from '../../main/ml/uncertainty/error-features.js';
import {
  applyHead,
  checkHead,
  fitHead,
  samplePixels,
  type ErrorHead,
} from '../../main/ml/uncertainty/error-head.js';
import { aucRocFromTable, scoreTable } from '../../main/ml/eval/metrics.js';
import { Rng } from '../../main/ml/rng.js';

/** A w x h mask with horizontal bars [x0, x1) x [y0, y1). */
function bars(w: number, h: number, rects: [number, number, number, number][]): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const [x0, x1, y0, y1] of rects)
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
  return m;
}

/** Zhang-Suen as usually written: both sub-iterations test every set pixel until a pass removes nothing. */
function textbookSkeleton(mask: Uint8Array, w: number, h: number): Uint8Array {
  const s = Uint8Array.from(mask);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < w && y < h ? s[y * w + x] : 0);
  for (let changed = true; changed;) {
    changed = false;
    for (let step = 0; step < 2; step++) {
      const remove: number[] = [];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (!s[y * w + x]) continue;
          // P2..P9 clockwise from north.
          const p = [at(x, y - 1), at(x + 1, y - 1), at(x + 1, y), at(x + 1, y + 1)];
          p.push(at(x, y + 1), at(x - 1, y + 1), at(x - 1, y), at(x - 1, y - 1));
          const b = p.reduce((a, v) => a + v, 0);
          const a = p.filter((v, k) => v === 0 && p[(k + 1) % 8] === 1).length;
          const [p2, , p4, , p6, , p8] = p;
          const c =
            step === 0 ? p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0 : p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0;
          if (b >= 2 && b <= 6 && a === 1 && c) remove.push(y * w + x);
        }
      }
      for (const i of remove) s[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return s;
}

describe('feature filters', () => {
  test('box mean of a constant is the constant, and of a spike spreads it evenly', () => {
    const c = boxMean(new Float32Array(25).fill(2), 5, 5, 1);
    assert.ok(c.every((v) => Math.abs(v - 2) < 1e-6));
    const spike = new Float32Array(49);
    spike[24] = 9;
    const m = boxMean(spike, 7, 7, 1);
    assert.equal(m[24], 1);
    assert.equal(m[16], 1); // diagonal neighbour
    assert.equal(m[0], 0);
  });

  test('box max spreads a peak over its window only', () => {
    const a = new Float32Array(49).fill(-1);
    a[24] = 5;
    const m = boxMax(a, 7, 7, 2);
    assert.equal(m[24 - 2 * 7 - 2], 5);
    assert.equal(m[0], -1);
  });

  test('signed edge distance: positive inside, negative outside, capped', () => {
    const w = 21;
    const mask = bars(w, 21, [[5, 16, 5, 16]]);
    const d = signedEdgeDistance(mask, w, 21, 3);
    assert.equal(d[10 * w + 5], 1); // inside, on the edge
    assert.equal(d[10 * w + 4], -1); // just outside
    assert.equal(d[10 * w + 10], 3); // the centre: capped
    assert.equal(d[0], -3);
  });
});

describe('topology check', () => {
  test('components and the skeleton of a bar', () => {
    const w = 30;
    const mask = bars(w, 9, [
      [2, 28, 3, 6],
      [0, 1, 0, 1],
    ]);
    const { sizes } = components(mask, w, 9);
    assert.deepEqual(
      sizes.slice(1).sort((a, b) => a - b),
      [1, 78],
    );
    const s = skeletonize(bars(w, 9, [[2, 28, 3, 6]]), w, 9);
    const ys = new Set<number>();
    let n = 0;
    s.forEach((v, i) => {
      if (!v) return;
      n++;
      ys.add(Math.floor(i / w));
    });
    assert.ok(n >= 20, `a 26 px bar keeps a long skeleton (${n})`);
    assert.deepEqual([...ys], [4], 'one pixel wide, on the middle row');
  });

  test('a vessel broken by a short gap gives one gap marker across it; a far piece does not', () => {
    const w = 80;
    const h = 40;
    // A horizontal vessel from x 2..30, a gap of 6 px, then x 36..70; a separate piece far below, off-axis.
    const mask = bars(w, h, [
      [2, 30, 10, 13],
      [36, 70, 10, 13],
      [10, 40, 33, 36],
    ]);
    const t = checkTopology(mask, w, h);
    assert.equal(t.fragments, 2);
    assert.equal(t.gaps.length, 1);
    const g = t.gaps[0];
    const xs = [g.from.x, g.to.x].sort((a, b) => a - b);
    assert.ok(
      xs[0] >= 27 && xs[0] <= 30 && xs[1] >= 35 && xs[1] <= 38,
      `gap spans the break: ${JSON.stringify(g)}`,
    );
    assert.ok(Math.abs(g.from.y - 11) <= 1 && Math.abs(g.to.y - 11) <= 1);
  });

  test('the skeleton is the textbook Zhang-Suen one (every pixel re-examined each pass) on noisy masks', () => {
    const rng = new Rng(11);
    for (let k = 0; k < 12; k++) {
      const w = 20 + 3 * k;
      const h = 15 + 5 * k;
      const mask = new Uint8Array(w * h);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < 0.3 + 0.04 * k ? 1 : 0;
      assert.deepEqual(skeletonize(mask, w, h), textbookSkeleton(mask, w, h), `mask ${k} (${w}x${h})`);
    }
  });

  test('one connected tree has no fragments and no gaps', () => {
    const w = 60;
    const mask = bars(w, 40, [
      [5, 55, 18, 21],
      [30, 33, 2, 38],
    ]);
    assert.deepEqual(checkTopology(mask, w, 40), { fragments: 0, gaps: [] });
  });
});

describe('image scores', () => {
  test('expected F1 is the true F1 when u marks exactly the wrong pixels, and 1 when nothing is doubted', () => {
    const mask = Uint8Array.from([1, 1, 1, 0, 0, 0, 1, 0]);
    const fov = new Uint8Array(8).fill(1);
    // Wrong: pixel 2 (a false positive) and pixel 4 (a missed vessel): TP 3, FP 1, FN 1 -> F1 6/8.
    const u = Float32Array.from([0, 0, 1, 0, 1, 0, 0, 0]);
    assert.equal(expectedF1(u, mask, fov), 6 / 8);
    assert.equal(expectedF1(new Float32Array(8), mask, fov), 1);
    assert.equal(meanInside(u, fov), 0.25);
    assert.equal(meanInside(u, Uint8Array.from([0, 0, 1, 1, 0, 0, 0, 0])), 0.5);
  });
});

describe('calibration', () => {
  test('a known temperature is recovered, and calibrating lowers the ECE', () => {
    const rng = new Rng(3);
    const p: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 40000; i++) {
      const z = rng.normal() * 3;
      const truth = 1 / (1 + Math.exp(-z));
      y.push(rng.next() < truth ? 1 : 0);
      p.push(1 / (1 + Math.exp(-2 * z))); // overconfident: temperature 2
    }
    const t = fitTemperature(p, y);
    assert.ok(Math.abs(t.temperature - 2) < 0.1, `temperature ${t.temperature}`);
    assert.ok(Math.abs(t.bias) < 0.05, `bias ${t.bias}`);
    const before = reliability(p, y).ece;
    const after = reliability(
      p.map((q) => applyTemperature(q, t)),
      y,
    ).ece;
    assert.ok(after < before / 3, `ECE ${before} -> ${after}`);
    assert.equal(reliability([0.05, 0.95], [0, 1]).bins.length, 10);
  });
});

describe('uncertainty head', () => {
  test('fits features that separate the errors, and ranks them', () => {
    // A synthetic probability map: a bar of vessel with a blurred edge; the mask is wrong on the edge pixels.
    const w = 64;
    const h = 64;
    const mean = new Float32Array(w * h);
    const wrong = new Uint8Array(w * h);
    const rng = new Rng(5);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const d = Math.abs(y - 32) - 4; // < 0 inside the bar
        const p = 1 / (1 + Math.exp(d * 1.5));
        mean[y * w + x] = p;
        const nearEdge = Math.abs(d) < 1.5;
        wrong[y * w + x] = rng.next() < (nearEdge ? 0.45 : 0.01) ? 1 : 0;
      }
    }
    const maps = errorFeatures(mean, new Float32Array(w * h), w, h, 0.5);
    const fov = new Uint8Array(w * h).fill(1);
    const head = fitHead(samplePixels(maps, wrong, fov, 1), { iterations: 200, batch: 1024 });
    checkHead(head);
    const u = applyHead(head, maps, fov);
    const auc = aucRocFromTable(scoreTable(u, wrong, fov));
    assert.ok(auc > 0.8, `AUROC ${auc}`);
  });

  test('the head applied to the maps equals the perceptron evaluated on featuresAt, pixel by pixel', () => {
    const w = 40;
    const h = 30;
    const rng = new Rng(9);
    const mean = Float32Array.from({ length: w * h }, () => rng.next());
    const spread = Float32Array.from({ length: w * h }, () => rng.next() * 0.2);
    const maps = errorFeatures(mean, spread, w, h, 0.4, 1.3);
    const k = ERROR_FEATURES.length;
    const hidden = 5;
    const head: ErrorHead = {
      method: 'error-mlp',
      features: [...ERROR_FEATURES],
      mean: Array.from({ length: k }, () => rng.normal()),
      std: Array.from({ length: k }, () => 0.5 + rng.next()),
      hidden,
      w1: Array.from({ length: k * hidden }, () => rng.normal()),
      b1: Array.from({ length: hidden }, () => rng.normal()),
      w2: Array.from({ length: hidden }, () => rng.normal()),
      b2: -1,
    };
    const region = Uint8Array.from({ length: w * h }, (_, i) => (i % 7 === 3 ? 0 : 1));
    const u = applyHead(head, maps, region);
    const x = new Float64Array(k);
    for (let i = 0; i < w * h; i++) {
      if (!region[i]) {
        assert.equal(u[i], 0);
        continue;
      }
      featuresAt(maps, i, x);
      let z = head.b2;
      for (let j = 0; j < hidden; j++) {
        let a = head.b1[j];
        for (let f = 0; f < k; f++) a += ((x[f] - head.mean[f]) / head.std[f]) * head.w1[f * hidden + j];
        z += Math.max(0, a) * head.w2[j];
      }
      assert.ok(
        Math.abs(u[i] - 1 / (1 + Math.exp(-z))) < 1e-6,
        `pixel ${i}: ${u[i]} vs ${1 / (1 + Math.exp(-z))}`,
      );
    }
  });

  test('a head fitted on other features is refused', () => {
    const k = ERROR_FEATURES.length;
    const head = {
      method: 'error-mlp' as const,
      features: ['something-else', ...ERROR_FEATURES.slice(1)],
      mean: new Array(k).fill(0),
      std: new Array(k).fill(1),
      hidden: 2,
      w1: new Array(k * 2).fill(0),
      b1: [0, 0],
      w2: [0, 0],
      b2: 0,
    };
    assert.throws(() => checkHead(head), /expects features/);
    assert.throws(() => checkHead({ ...head, features: [...ERROR_FEATURES], w1: [1] }), /weight shapes/);
  });
});

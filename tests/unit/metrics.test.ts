import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import {
  MetricsAccumulator,
  bestThreshold,
  computeMetrics,
  confusionMetrics,
  scoreTable,
  summarise,
} from '../../main/ml/eval/metrics.js';
import { prCurve, rocCurve } from '../../main/ml/eval/curves.js';
import { createRng } from '../../main/ml/rng.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

const close = (a: number, b: number, eps = 1e-12, msg?: string) =>
  assert.ok(Math.abs(a - b) <= eps, msg ?? `${a} != ${b}`);

/** Brute-force Mann-Whitney AUC with ties counted 1/2, for cross-checking. */
function bruteAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      s += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return s / pairs;
}

/** Average precision from its definition: mean over positives of the precision at that positive's threshold. */
function bruteAp(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  let P = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    P++;
    let tp = 0;
    let all = 0;
    for (let j = 0; j < scores.length; j++) {
      if (scores[j] >= scores[i]) {
        all++;
        if (labels[j]) tp++;
      }
    }
    sum += tp / all;
  }
  return sum / P;
}

describe('computeMetrics on hand-computed cases', () => {
  // Scores [.9 .8 .8 .3 .3 .1], labels [1 1 0 1 0 0]: P = 3, N = 3.
  const prob = Float32Array.of(0.9, 0.8, 0.8, 0.3, 0.3, 0.1);
  const truth = Uint8Array.of(1, 1, 0, 1, 0, 0);

  test('6 pixels with ties: AUC-ROC 7/9, AP 34/45, confusion at 0.5', () => {
    // Pairs (pos, neg) won: .9 beats all 3 (3); .8 ties .8 (0.5) and beats .3, .1 (2);
    // .3 ties .3 (0.5) and beats .1 (1): 7 of 9.
    // AP: thresholds .9 -> R 1/3, P 1; .8 -> R 2/3, P 2/3; .3 -> R 1, P 3/5: 1/3 + 2/9 + 1/5 = 34/45.
    const m = computeMetrics(prob, truth, null, 0.5, 'all');
    close(m.aucRoc, 7 / 9);
    close(m.aucPr, 34 / 45);
    assert.deepEqual([m.tp, m.fp, m.tn, m.fn, m.pixels], [2, 1, 2, 1, 6]);
    close(m.accuracy, 4 / 6);
    close(m.sensitivity, 2 / 3);
    close(m.specificity, 2 / 3);
    close(m.precision, 2 / 3);
    close(m.f1, 2 / 3);
    close(m.iou, 2 / 4);
    close(m.mcc, (2 * 2 - 1 * 1) / Math.sqrt(3 * 3 * 3 * 3));
    assert.equal(m.protocol, 'all');
    assert.equal(m.threshold, 0.5);
    close(m.aucRoc, bruteAuc(prob, truth));
    close(m.aucPr, bruteAp(prob, truth));
    // The threshold rule is >=: at 0.8 both tied 0.8 pixels are positive.
    const at = computeMetrics(prob, truth, null, Math.fround(0.8), 'all');
    assert.deepEqual([at.tp, at.fp], [2, 1]);
  });

  test('MCC and IoU on a confusion matrix computed by hand', () => {
    // tp 40, fp 10, tn 930, fn 20.
    const c = confusionMetrics({ tp: 40, fp: 10, tn: 930, fn: 20 });
    close(c.iou, 40 / 70);
    close(c.f1, 80 / 110);
    close(c.mcc, (40 * 930 - 10 * 20) / Math.sqrt(50 * 60 * 940 * 950));
    close(c.accuracy, 970 / 1000);
    close(c.sensitivity, 40 / 60);
    close(c.specificity, 930 / 940);
    close(c.precision, 40 / 50);
    // The same counts from pixels.
    const prob = new Float32Array(1000);
    const truth = new Uint8Array(1000);
    prob.fill(1, 0, 50); // tp 0..39, fp 40..49
    truth.fill(1, 0, 40);
    truth.fill(1, 50, 70); // fn
    const m = computeMetrics(prob, truth, null, 0.5, 'all');
    assert.deepEqual([m.tp, m.fp, m.tn, m.fn], [40, 10, 930, 20]);
    close(m.mcc, c.mcc);
    close(m.iou, c.iou);
  });

  test('perfect, inverted and all-tied predictions', () => {
    const r = createRng(1);
    const truth = Uint8Array.from({ length: 500 }, () => (r.bool(0.3) ? 1 : 0));
    const perfect = Float32Array.from(truth, (t) => (t ? 0.6 + 0.4 * r.next() : 0.5 * r.next()));
    const inverted = perfect.map((p) => 1 - p);
    const tied = new Float32Array(500).fill(0.42);
    const mp = computeMetrics(perfect, truth, null, 0.55, 'all');
    assert.equal(mp.aucRoc, 1);
    assert.equal(mp.aucPr, 1);
    assert.equal(mp.f1, 1);
    assert.equal(mp.mcc, 1);
    const mi = computeMetrics(inverted, truth, null, 0.5, 'all');
    assert.equal(mi.aucRoc, 0);
    close(mi.mcc, -1, 1e-12);
    const mt = computeMetrics(tied, truth, null, 0.5, 'all');
    assert.equal(mt.aucRoc, 0.5);
    const P = truth.reduce((a, b) => a + b, 0);
    close(mt.aucPr, P / 500); // one step at precision = prevalence
  });

  test('degenerate cases follow the documented conventions and never throw', () => {
    const prob = Float32Array.of(0.2, 0.7, 0.4);
    // Empty truth: sensitivity undefined, F1 0 (there are false positives), AUC undefined.
    const noTruth = computeMetrics(prob, new Uint8Array(3), null, 0.5, 'all');
    assert.ok(Number.isNaN(noTruth.sensitivity));
    assert.ok(Number.isNaN(noTruth.aucRoc));
    assert.ok(Number.isNaN(noTruth.aucPr));
    assert.equal(noTruth.f1, 0);
    assert.equal(noTruth.mcc, 0);
    close(noTruth.specificity, 2 / 3);
    // Empty truth and empty prediction: perfect agreement on absence.
    const bothEmpty = computeMetrics(prob, new Uint8Array(3), null, 0.9, 'all');
    assert.equal(bothEmpty.f1, 1);
    assert.equal(bothEmpty.iou, 1);
    assert.ok(Number.isNaN(bothEmpty.precision));
    assert.equal(bothEmpty.accuracy, 1);
    // Empty prediction with vessels present: precision undefined, F1 and sensitivity 0.
    const noPred = computeMetrics(prob, Uint8Array.of(1, 0, 0), null, 0.9, 'all');
    assert.ok(Number.isNaN(noPred.precision));
    assert.equal(noPred.f1, 0);
    assert.equal(noPred.sensitivity, 0);
    assert.equal(noPred.mcc, 0);
    // All vessel: specificity and AUC undefined.
    const allPos = computeMetrics(prob, Uint8Array.of(1, 1, 1), null, 0.5, 'all');
    assert.ok(Number.isNaN(allPos.specificity));
    assert.ok(Number.isNaN(allPos.aucRoc));
    close(allPos.aucPr, 1);
    // No pixels at all.
    const none = computeMetrics(prob, Uint8Array.of(1, 0, 0), new Uint8Array(3), 0.5, 'fov');
    assert.equal(none.pixels, 0);
    assert.ok(Number.isNaN(none.accuracy));
    const empty = computeMetrics(new Float32Array(0), new Uint8Array(0), null, 0.5, 'all');
    assert.equal(empty.pixels, 0);
  });

  test('bad input is rejected with a clear message', () => {
    assert.throws(
      () => computeMetrics(new Float32Array(3), new Uint8Array(2), null, 0.5, 'all'),
      /truth has 2/,
    );
    assert.throws(
      () => computeMetrics(new Float32Array(2), new Uint8Array(2), null, 0.5, 'fov'),
      /needs a region/,
    );
    assert.throws(() => computeMetrics(Float32Array.of(NaN), Uint8Array.of(1), null, 0.5, 'all'), /NaN/);
  });

  test('region excludes pixels', () => {
    // Excluding the tied negative at .8 and the negative at .3 leaves [.9 .8 .3 .1] / [1 1 1 0]: AUC 1.
    const region = Uint8Array.of(1, 1, 0, 1, 0, 1);
    const m = computeMetrics(prob, truth, region, 0.5, 'fov');
    assert.equal(m.pixels, 4);
    assert.equal(m.aucRoc, 1);
    assert.deepEqual([m.tp, m.fp, m.tn, m.fn], [2, 0, 1, 1]);
    assert.equal(m.protocol, 'fov');
    // Pixels outside the region may hold anything.
    const wild = prob.slice();
    wild[2] = 1;
    wild[4] = 0;
    assert.deepEqual(computeMetrics(wild, truth, region, 0.5, 'fov'), m);
  });

  test('random maps agree with brute-force Mann-Whitney AUC and AP', () => {
    const r = createRng(2);
    for (let k = 0; k < 5; k++) {
      const n = 300;
      // Coarse scores create many ties.
      const prob = Float32Array.from({ length: n }, () => Math.round(r.next() * 20) / 20);
      const truth = Uint8Array.from(prob, (p) => (r.next() < p ? 1 : 0));
      const m = computeMetrics(prob, truth, null, 0.5, 'all');
      close(m.aucRoc, bruteAuc(prob, truth), 1e-12);
      close(m.aucPr, bruteAp(prob, truth), 1e-12);
    }
  });
});

describe('bestThreshold', () => {
  test('maximises F1 and its threshold reproduces that F1', () => {
    const prob = Float32Array.of(0.95, 0.9, 0.7, 0.6, 0.4, 0.2, 0.1);
    const truth = Uint8Array.of(1, 1, 0, 1, 1, 0, 0);
    // Candidates (>= score): .95 -> 2/5; .9 -> 4/6; .7 -> 4/7; .6 -> 6/8; .4 -> 8/9; .2 -> 8/10; .1 -> 8/11.
    const best = bestThreshold(prob, truth, null);
    close(best.f1, 8 / 9);
    assert.ok(best.threshold > 0.2 && best.threshold <= 0.4);
    close(computeMetrics(prob, truth, null, best.threshold, 'all').f1, 8 / 9);
    // Brute force over many thresholds never beats it.
    for (let t = 0; t <= 1; t += 0.01)
      assert.ok(computeMetrics(prob, truth, null, t, 'all').f1 <= best.f1 + 1e-12);
    // Without vessels, the best is to predict nothing.
    const none = bestThreshold(prob, new Uint8Array(7), null);
    assert.equal(none.f1, 1);
    assert.equal(computeMetrics(prob, new Uint8Array(7), null, none.threshold, 'all').fp, 0);
  });
});

describe('MetricsAccumulator and summarise', () => {
  test('pooled equals per-image for 16-bit scores, and pooling = concatenating', () => {
    const r = createRng(3);
    const images = Array.from({ length: 4 }, () => {
      const n = 2000;
      const truth = Uint8Array.from({ length: n }, () => (r.bool(0.15) ? 1 : 0));
      const prob = Float32Array.from(
        truth,
        (t) => Math.round(Math.min(1, Math.max(0, r.normal() * 0.2 + (t ? 0.65 : 0.3))) * 65535) / 65535,
      );
      const region = Uint8Array.from({ length: n }, () => (r.bool(0.8) ? 1 : 0));
      return { prob, truth, region };
    });
    const one = new MetricsAccumulator();
    one.add(images[0].prob, images[0].truth, images[0].region);
    const exact = computeMetrics(images[0].prob, images[0].truth, images[0].region, 0.5, 'fov');
    const pooledOne = one.result(0.5, 'fov');
    for (const k of Object.keys(exact) as (keyof typeof exact)[]) {
      if (typeof exact[k] === 'number') close(pooledOne[k] as number, exact[k] as number, 1e-12, k);
    }

    const acc = new MetricsAccumulator();
    for (const im of images) acc.add(im.prob, im.truth, im.region);
    assert.equal(acc.imageCount, 4);
    const cat = (f: (im: (typeof images)[0]) => Uint8Array | Float32Array) => images.map(f);
    const catF = new Float32Array(8000);
    const catT = new Uint8Array(8000);
    const catR = new Uint8Array(8000);
    cat((im) => im.prob).forEach((a, i) => catF.set(a, i * 2000));
    cat((im) => im.truth).forEach((a, i) => catT.set(a, i * 2000));
    cat((im) => im.region).forEach((a, i) => catR.set(a, i * 2000));
    const whole = computeMetrics(catF, catT, catR, 0.5, 'fov');
    const pooled = acc.result(0.5, 'fov');
    close(pooled.aucRoc, whole.aucRoc);
    close(pooled.aucPr, whole.aucPr);
    assert.deepEqual([pooled.tp, pooled.fp, pooled.tn, pooled.fn], [whole.tp, whole.fp, whole.tn, whole.fn]);
    const bt = acc.bestThreshold();
    close(bt.f1, bestThreshold(catF, catT, catR).f1);

    // Per-image mean +- std.
    const per = images.map((im) => computeMetrics(im.prob, im.truth, im.region, 0.5, 'fov'));
    const s = summarise(per);
    assert.equal(s.n, 4);
    const f1s = per.map((m) => m.f1);
    const mean = f1s.reduce((a, b) => a + b, 0) / 4;
    close(s.mean.f1, mean);
    close(s.std.f1, Math.sqrt(f1s.reduce((a, b) => a + (b - mean) ** 2, 0) / 3));
    assert.equal(s.count.aucRoc, 4);
  });

  test('float scores are pooled within the 16-bit quantisation', () => {
    const r = createRng(4);
    const truth = Uint8Array.from({ length: 20000 }, () => (r.bool(0.2) ? 1 : 0));
    const prob = Float32Array.from(truth, (t) => 1 / (1 + Math.exp(-(r.normal() + (t ? 1.5 : -1)))));
    const acc = new MetricsAccumulator();
    acc.add(prob, truth, null);
    const a = acc.result(0.5, 'all');
    const b = computeMetrics(prob, truth, null, 0.5, 'all');
    close(a.aucRoc, b.aucRoc, 1e-4);
    close(a.aucPr, b.aucPr, 1e-4);
    assert.ok(Math.abs(a.tp - b.tp) <= 2);
  });

  test('summarise skips NaN per metric', () => {
    const prob = Float32Array.of(0.2, 0.7);
    const a = computeMetrics(prob, Uint8Array.of(0, 1), null, 0.5, 'all');
    const b = computeMetrics(prob, Uint8Array.of(0, 0), null, 0.5, 'all');
    const s = summarise([a, b]);
    assert.equal(s.count.sensitivity, 1);
    assert.equal(s.mean.sensitivity, 1);
    assert.equal(s.std.sensitivity, 0);
    assert.equal(s.count.specificity, 2);
    const empty = summarise([]);
    assert.ok(Number.isNaN(empty.mean.f1));
  });
});

describe('curves', () => {
  test('ROC and PR curves of the 6-pixel example; trapezoid area equals AUC', () => {
    const prob = Float32Array.of(0.9, 0.8, 0.8, 0.3, 0.3, 0.1);
    const truth = Uint8Array.of(1, 1, 0, 1, 0, 0);
    const t = scoreTable(prob, truth, null);
    const roc = rocCurve(t);
    assert.deepEqual(
      roc.map((p) => [p.fpr, p.tpr]),
      [
        [0, 0],
        [0, 1 / 3],
        [1 / 3, 2 / 3],
        [2 / 3, 1],
        [1, 1],
      ],
    );
    assert.equal(roc[0].threshold, Infinity);
    let area = 0;
    for (let i = 1; i < roc.length; i++)
      area += ((roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr)) / 2;
    close(area, 7 / 9);
    const pr = prCurve(t);
    assert.deepEqual(
      pr.map((p) => [p.recall, p.precision]),
      [
        [0, 1],
        [1 / 3, 1],
        [2 / 3, 2 / 3],
        [1, 3 / 5],
        [1, 1 / 2],
      ],
    );
    assert.deepEqual(rocCurve(scoreTable(prob, new Uint8Array(6), null)), []);
  });

  test('downsampled curves keep endpoints, stay monotone and bounded', () => {
    const r = createRng(5);
    const truth = Uint8Array.from({ length: 50000 }, () => (r.bool(0.1) ? 1 : 0));
    const prob = Float32Array.from(truth, (t) => r.next() * 0.7 + (t ? 0.3 : 0));
    const acc = new MetricsAccumulator();
    acc.add(prob, truth, null);
    const roc = rocCurve(acc, 100);
    assert.ok(roc.length <= 100 && roc.length > 50);
    assert.deepEqual([roc[0].fpr, roc[0].tpr], [0, 0]);
    assert.deepEqual([roc[roc.length - 1].fpr, roc[roc.length - 1].tpr], [1, 1]);
    for (let i = 1; i < roc.length; i++)
      assert.ok(roc[i].fpr >= roc[i - 1].fpr && roc[i].tpr >= roc[i - 1].tpr);
    const pr = prCurve(scoreTable(prob, truth, null), 64);
    assert.ok(pr.length <= 64);
    assert.equal(pr[pr.length - 1].recall, 1);
  });
});

describe('on DRIVE: the second human observer against the first', () => {
  async function readBinary(file: string): Promise<Uint8Array> {
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const out = new Uint8Array(info.width * info.height);
    for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels] > 127 ? 1 : 0;
    return out;
  }

  test('pooled FOV metrics of 20 test images match the literature; timing', async () => {
    const dir = path.join(datasets, 'DRIVE/test');
    const ids = Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(2, '0'));
    const images = await Promise.all(
      ids.map(async (id) => ({
        truth: await readBinary(path.join(dir, `1st_manual/${id}_manual1.gif`)),
        second: await readBinary(path.join(dir, `2nd_manual/${id}_manual2.gif`)),
        fov: await readBinary(path.join(dir, `mask/${id}_test_mask.gif`)),
      })),
    );
    const t0 = performance.now();
    const acc = new MetricsAccumulator();
    const per = [];
    for (const im of images) {
      const prob = Float32Array.from(im.second);
      acc.add(prob, im.truth, im.fov);
      per.push(computeMetrics(prob, im.truth, im.fov, 0.5, 'fov'));
    }
    const pooled = acc.result(0.5, 'fov');
    const ms = performance.now() - t0;
    const s = summarise(per);
    console.log(
      `DRIVE 2nd observer (FOV, pooled): acc ${pooled.accuracy.toFixed(4)} se ${pooled.sensitivity.toFixed(4)} ` +
        `sp ${pooled.specificity.toFixed(4)} f1 ${pooled.f1.toFixed(4)}; per-image f1 ${s.mean.f1.toFixed(4)} ` +
        `± ${s.std.f1.toFixed(4)}; 20 images, ${(acc.table().P + acc.table().N) / 1e6} M pixels in ${ms.toFixed(0)} ms`,
    );
    // Published human-observer figures on DRIVE (FOV): accuracy 0.9472-0.9473, sensitivity 0.776, specificity 0.9725.
    close(pooled.accuracy, 0.9472, 0.002);
    close(pooled.sensitivity, 0.776, 0.005);
    close(pooled.specificity, 0.9725, 0.002);
    // Pixel counts pooled = sum of per-image counts.
    assert.equal(
      pooled.tp,
      per.reduce((a, m) => a + m.tp, 0),
    );
    assert.equal(
      pooled.pixels,
      per.reduce((a, m) => a + m.pixels, 0),
    );
  });

  test('exact single-image AUC on a full DRIVE-size float map is fast', () => {
    const r = createRng(6);
    const n = 565 * 584;
    const truth = Uint8Array.from({ length: n }, () => (r.bool(0.12) ? 1 : 0));
    const prob = Float32Array.from(truth, (t) => 1 / (1 + Math.exp(-(2 * r.normal() + (t ? 2 : -2)))));
    const t0 = performance.now();
    const m = computeMetrics(prob, truth, null, 0.5, 'all');
    const ms = performance.now() - t0;
    assert.ok(m.aucRoc > 0.8 && m.aucRoc < 1);
    console.log(`exact metrics on a 565x584 float map: ${ms.toFixed(0)} ms`);
  });
});

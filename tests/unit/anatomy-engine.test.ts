// The anatomy engine's pure parts on constructed inputs: reference-label decoding, vessel segments and their vote,
// the artery/vein score, the disc from a probability map, the fovea and laterality, frame shrinking, the colour
// planes, and the manifest's anatomy record.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AV_LABEL, decodeAvLabels } from '../../main/ml/anatomy/av-labels.js';
import { segmentMeans, vesselSegments } from '../../shared/vessel-segments.js';
import { skeletonDegree } from '../../shared/skeleton.js';
import { drawnMask } from '../support/drawn-masks.js';
import {
  ARTERY_VEIN_PASSES,
  AV_CLASS,
  AV_PALETTE,
  arteryProbability,
  avImage,
  scoreArteryVein,
  voteArteryVein,
} from '../../main/ml/anatomy/artery-vein.js';
import { mapToCanonical, planFrame } from '../../main/ml/frame/canonical-frame.js';
import type { Segmentation } from '../../main/ml/infer.js';
import type { LoadedModel } from '../../main/ml/model/model-loader.js';
import { predictPlanes } from '../../main/ml/anatomy/plane-predict.js';
import { discCandidates, discFromProbability } from '../../main/ml/anatomy/optic-disc.js';
import { findFovea, lateralityOf } from '../../main/ml/anatomy/fovea.js';
import { discAtFieldEdge } from '../../shared/measure/disc-at-field-edge.js';
import { shrinkImage, shrinkMap } from '../../main/ml/anatomy/frame-shrink.js';
import { colourPlanes, interleave } from '../../main/ml/anatomy/colour-input.js';
import { anatomyRecordProblem } from '../../main/ml/anatomy/anatomy-manifest.js';
import { sampleAnatomyBatch, indicesOf } from '../../main/ml/anatomy/anatomy-sample.js';
import { createRng } from '../../main/ml/rng.js';
import type { FrameConfig, Predictor, RasterImage } from '../../main/ml/types.js';

const FRAME: FrameConfig = {
  reference: 'fov-diameter',
  diameter: 536,
  snap: 0.03,
  labelCalibre: 2.63,
  maskCalibre: 2.63,
};

function rgb(
  width: number,
  height: number,
  fill: (x: number, y: number) => [number, number, number],
): RasterImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * 3);
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}

describe('artery/vein reference labels', () => {
  test('the five palette colours decode, and stray anti-aliased colours snap to the nearest', () => {
    const colours: [number, number, number][] = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 0, 255],
      [0, 255, 0],
      [255, 255, 255],
      [250, 3, 2], // anti-aliased red
      [255, 0, 255], // magenta: equidistant from red and blue, takes the first (artery)
      [10, 10, 240],
    ];
    const img = rgb(colours.length, 1, (x) => colours[x]);
    assert.deepEqual(
      [...decodeAvLabels(img)],
      [
        AV_LABEL.background,
        AV_LABEL.artery,
        AV_LABEL.vein,
        AV_LABEL.crossing,
        AV_LABEL.uncertain,
        AV_LABEL.artery,
        AV_LABEL.artery,
        AV_LABEL.vein,
      ],
    );
  });

  test('a grey image is refused with a message', () => {
    assert.throws(
      () => decodeAvLabels({ width: 1, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array(1) }),
      /8-bit RGB/,
    );
  });
});

/** A "T": a horizontal vessel 3 px wide with a vertical branch, on a w x h grid. */
function tMask(w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 9; y <= 11; y++) for (let x = 2; x < w - 2; x++) m[y * w + x] = 1;
  for (let y = 11; y < h - 2; y++) for (let x = 19; x <= 21; x++) m[y * w + x] = 1;
  return m;
}

describe('vessel segments', () => {
  test('a T splits into three segments at its junction, and every vessel pixel joins one', () => {
    const w = 40;
    const h = 36;
    const mask = tMask(w, h);
    const seg = vesselSegments(mask, w, h);
    const long = seg.length.filter((l, i) => i > 0 && l >= 6);
    assert.equal(long.length, 3, `segment lengths ${seg.length.slice(1).join(', ')}`);
    let unowned = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] && !seg.owner[i]) unowned++;
    assert.ok(unowned <= 9, `${unowned} vessel pixels without a segment`);
    for (let i = 0; i < mask.length; i++) if (!mask[i]) assert.equal(seg.owner[i], 0);
  });

  test('a vessel at a slant is one segment: its skeleton is thinned to one pixel, with no steps read as junctions', () => {
    for (const [x1, y1] of [
      [60, 20],
      [60, 34],
      [45, 55],
    ]) {
      const mask = drawnMask(64, 60, [[3, 4, x1, y1]]);
      const seg = vesselSegments(mask, 64, 60);
      let junctions = 0;
      for (let i = 0; i < mask.length; i++)
        if (seg.skeleton[i] && skeletonDegree(seg.skeleton, 64, 60, i) >= 3) junctions++;
      assert.equal(junctions, 0, `to (${x1}, ${y1})`);
      assert.equal(seg.count, 1, `to (${x1}, ${y1}): segment lengths ${seg.length.slice(1).join(', ')}`);
    }
  });

  test('the vote gives every pixel of a long segment the segment mean', () => {
    const w = 40;
    const h = 36;
    const mask = tMask(w, h);
    const seg = vesselSegments(mask, w, h);
    // The branch mostly says "artery" (+2), with a few pixels saying "vein" (-1).
    const values = new Float32Array(w * h);
    for (let y = 12; y < h - 2; y++) for (let x = 19; x <= 21; x++) values[y * w + x] = y % 5 === 0 ? -1 : 2;
    const voted = segmentMeans(values, seg, 6);
    const branch = seg.owner[25 * w + 20];
    const inBranch = [...voted].filter((_, i) => seg.owner[i] === branch);
    assert.ok(inBranch.every((v) => v > 0 && Math.abs(v - inBranch[0]) < 1e-6));
  });
});

describe('artery/vein network passes', () => {
  test('by default the network sees the frame at three zooms (ARTERY_VEIN_PASSES), each at its own size', async () => {
    const w = 120;
    const h = 120;
    const fov = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) fov[y * w + x] = Math.hypot(x - 60, y - 60) <= 58 ? 1 : 0;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = fov[Math.floor(i / 3)] ? 60 + (i % 97) : 0;
    const image: RasterImage = { width: w, height: h, channels: 3, bitDepth: 8, data: rgb };
    const frame = planFrame({ width: w, height: h, data: fov }, FRAME);
    const shapes: number[][] = [];
    const predictor: Predictor = {
      engine: 'onnx',
      predict: async (_input, n, height, width) => {
        shapes.push([height, width]);
        return new Float32Array(n * height * width).fill(0.5);
      },
      dispose: () => {},
    };
    const model = {
      manifest: { anatomy: { downsample: 1 }, architecture: { depth: 4 } },
      predictor,
    } as unknown as LoadedModel;
    const p = await arteryProbability(image, { width: w, height: h, data: fov }, frame, model);
    assert.deepEqual(ARTERY_VEIN_PASSES, { zooms: [0.9, 1, 1.1], flips: 'none' });
    // Each zoom's frame padded to the network's multiple of 16.
    const pad = (n: number, z: number) => Math.ceil(Math.round(n * z) / 16) * 16;
    assert.deepEqual(
      shapes,
      [0.9, 1, 1.1].map((z) => [pad(frame.height, z), pad(frame.width, z)]),
    );
    assert.equal(p.length, frame.width * frame.height);
    assert.ok(p.every((v) => Math.abs(v - 0.5) < 1e-6));
    shapes.length = 0;
    await arteryProbability(image, { width: w, height: h, data: fov }, frame, model, {
      zooms: [1],
      flips: 'all',
    });
    assert.equal(shapes.length, 4);
  });
});

describe("artery/vein labels on the image's grid", () => {
  test("on a photograph twice the frame, a thin vessel's every pixel carries its vote, not the output beside it", () => {
    // A weak vein (artery probability 0.45) one frame pixel wide, the network saying artery (0.95) all around it.
    const w = 1120;
    const h = 1120;
    const fov = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) fov[y * w + x] = Math.hypot(x - 560, y - 560) <= 550 ? 1 : 0;
    const frame = planFrame({ width: w, height: h, data: fov }, FRAME);
    assert.equal(frame.scale, 0.5);
    const mask = new Uint8Array(w * h);
    for (const y of [frame.y0 + 400, frame.y0 + 401]) mask.fill(1, y * w + 300, y * w + 800);
    const inFrame = mapToCanonical({ width: w, height: h, data: mask }, frame).data;
    const p = Float32Array.from(inFrame, (v) => (v ? 0.45 : 0.95));
    const seg: Segmentation = {
      width: w,
      height: h,
      prob: Float32Array.from(mask),
      mask,
      fov: { width: w, height: h, data: fov },
      threshold: 0.5,
      frame,
      warnings: [],
    };
    const { labels } = voteArteryVein(p, seg);
    let vessel = 0;
    let vein = 0;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      vessel++;
      if (labels[i] === AV_CLASS.vein) vein++;
    }
    assert.equal(vessel, 1000);
    assert.equal(vein, vessel);
  });
});

describe('artery/vein score', () => {
  test('counts centreline pixels: accuracy among labelled ones, coverage of the reference', () => {
    const w = 30;
    const h = 20;
    const reference = new Uint8Array(w * h);
    // An artery row (y = 5) and a vein row (y = 14), 3 px wide, x in [3, 27).
    for (let x = 3; x < 27; x++) {
      for (const dy of [-1, 0, 1]) {
        reference[(5 + dy) * w + x] = AV_LABEL.artery;
        reference[(14 + dy) * w + x] = AV_LABEL.vein;
      }
    }
    const ours = new Uint8Array(w * h);
    for (let x = 3; x < 27; x++) {
      for (const dy of [-1, 0, 1]) {
        ours[(5 + dy) * w + x] = AV_CLASS.artery;
        // The vein is only half found, and called artery where it is.
        if (x < 15) ours[(14 + dy) * w + x] = AV_CLASS.artery;
      }
    }
    const s = scoreArteryVein(ours, reference, w, h);
    assert.ok(s.reference >= 40, `${s.reference} centreline pixels`);
    const veinCentre = s.reference / 2;
    assert.ok(Math.abs(s.labelled - (s.reference - veinCentre / 2)) <= 3);
    assert.ok(Math.abs(s.correct - s.reference / 2) <= 2);
  });

  test('the map image is red for artery, blue for vein, black elsewhere; the palette has the same colours', () => {
    const img = avImage(Uint8Array.from([0, 1, 2]), 3, 1);
    assert.deepEqual([...img.data], [0, 0, 0, 255, 0, 0, 0, 0, 255]);
    assert.deepEqual([...AV_PALETTE], [...img.data]);
  });

  test('the flips run as one call each (all four, or the half turn), and their outputs are unflipped and averaged', async () => {
    // A "network" that returns its first input plane plus the call number: unflipping and averaging it gives the
    // plane plus the mean call number wherever the flips put each pixel.
    const calls: number[][] = [];
    const firstInputs: number[] = [];
    const predictor: Predictor = {
      engine: 'onnx',
      predict: async (input, n, height, width, channels) => {
        calls.push([n, height, width, channels]);
        firstInputs.push(input[0]);
        const out = new Float32Array(n * height * width);
        for (let i = 0; i < out.length; i++) out[i] = input[i * channels] + calls.length;
        return out;
      },
      dispose: () => {},
    };
    const [w, h] = [13, 9];
    const plane = Float32Array.from({ length: w * h }, (_, i) => (i * 7) % 11);
    const planes = [plane, new Float32Array(w * h), new Float32Array(w * h)];
    const p = await predictPlanes(predictor, planes, w, h, 8, 'all');
    assert.deepEqual(calls, Array(4).fill([1, 16, 16, 3]));
    for (let i = 0; i < w * h; i++)
      assert.ok(Math.abs(p[i] - (plane[i] + 2.5)) < 1e-5, `pixel ${i}: ${p[i]}`);
    calls.length = 0;
    firstInputs.length = 0;
    // The half turn: the image (call 1) and both axes flipped (call 2, whose first pixel is the image's last), 1.5
    // on average.
    const halfTurn = await predictPlanes(predictor, planes, w, h, 8, 'half-turn');
    assert.equal(calls.length, 2);
    assert.deepEqual(firstInputs, [plane[0], plane[w * h - 1]]);
    for (let i = 0; i < w * h; i++) assert.ok(Math.abs(halfTurn[i] - (plane[i] + 1.5)) < 1e-5);
    calls.length = 0;
    const once = await predictPlanes(predictor, planes, w, h, 8);
    assert.equal(calls.length, 1);
    assert.deepEqual(
      Array.from(once),
      Array.from(plane, (v) => v + 1),
    );
  });
});

describe('optic disc, fovea, laterality', () => {
  test('the disc is the probability blob with the most mass: its centre and equivalent diameter', () => {
    const w = 100;
    const h = 80;
    const p = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (Math.hypot(x - 70, y - 30) <= 10) p[y * w + x] = 0.9; // the disc, diameter 20
        if (Math.hypot(x - 20, y - 60) <= 3) p[y * w + x] = 0.95; // a small bright lesion
      }
    }
    const d = discFromProbability(p, w, h, 0.5)!;
    assert.ok(Math.abs(d.x - 70) < 0.5 && Math.abs(d.y - 30) < 0.5);
    assert.ok(Math.abs(d.diameter - 20) < 1, `diameter ${d.diameter}`);
    assert.equal(discFromProbability(new Float32Array(w * h).fill(0.05), w, h, 0.5), null);
  });

  test('candidates: every blob, the most probability mass first, each with its own centre and diameter', () => {
    const w = 120;
    const h = 80;
    const p = new Float32Array(w * h);
    const blobs = [
      { x: 30, y: 40, r: 6, v: 0.95 }, // a small bright reflex: less mass than the disc
      { x: 80, y: 30, r: 12, v: 0.7 }, // the disc, diameter 24
      { x: 100, y: 65, r: 4, v: 0.6 },
    ];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (const b of blobs) if (Math.hypot(x - b.x, y - b.y) <= b.r) p[y * w + x] = b.v;
      }
    }
    const all = discCandidates(p, w, h, 0.5, 5);
    assert.equal(all.length, 3);
    assert.deepEqual(
      all.map((c) => [Math.round(c.x), Math.round(c.y)]),
      [
        [80, 30],
        [30, 40],
        [100, 65],
      ],
    );
    // Equivalent-circle diameters (2 sqrt(area / pi)) within a pixel of the drawn ones; confidence is the mean.
    all.forEach((c, i) =>
      assert.ok(Math.abs(c.diameter - 2 * [12, 6, 4][i]) < 1.2, `diameter ${c.diameter}`),
    );
    assert.ok(Math.abs(all[1].confidence - 0.95) < 1e-6);
    assert.equal(discCandidates(p, w, h, 0.5, 2).length, 2);
    assert.deepEqual(discFromProbability(p, w, h, 0.5), all[0]);
  });

  test('a faint disc still counts, cut at half its peak', () => {
    const w = 50;
    const p = new Float32Array(w * w);
    for (let i = 0; i < p.length; i++) if (Math.hypot((i % w) - 25, Math.floor(i / w) - 25) <= 6) p[i] = 0.3;
    const d = discFromProbability(p, w, w, 0.5)!;
    assert.ok(Math.abs(d.x - 25) < 0.5 && d.diameter > 10);
  });

  test('a disc cut by the field of view or the photograph is flagged; one well inside, or just touching, is not', () => {
    // A round field of radius 100 in a 240 x 240 photograph.
    const w = 240;
    const data = new Uint8Array(w * w);
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) data[y * w + x] = Math.hypot(x - 120, y - 120) <= 100 ? 1 : 0;
    const fov = { width: w, height: w, data };
    assert.equal(discAtFieldEdge({ x: 120, y: 120, diameter: 40 }, fov), false);
    // Margin (20 px from the centre) inside the field, and the ring at 24 px too.
    assert.equal(discAtFieldEdge({ x: 190, y: 120, diameter: 40 }, fov), false);
    // Centre 10 px inside the field's edge: a third of the ring lies outside it.
    assert.equal(discAtFieldEdge({ x: 210, y: 120, diameter: 40 }, fov), true);
    // A field that fills the photograph: the photograph's border cuts the disc.
    const full = { width: w, height: w, data: new Uint8Array(w * w).fill(1) };
    assert.equal(discAtFieldEdge({ x: 230, y: 120, diameter: 40 }, full), true);
    assert.equal(discAtFieldEdge({ x: 200, y: 120, diameter: 40 }, full), false);
  });

  test('the fovea is the dark spot about 2.5 disc diameters temporal to the disc, and sets laterality', () => {
    const w = 200;
    const h = 160;
    const disc = { x: 150, y: 80, diameter: 20, confidence: 1 };
    const green = new Float32Array(w * h).fill(0.5);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) if (Math.hypot(x - 100, y - 85) < 8) green[y * w + x] = 0.3;
    }
    const fov = new Uint8Array(w * h).fill(1);
    const f = findFovea(green, new Uint8Array(w * h), fov, w, h, disc, 100, 200)!;
    assert.ok(Math.hypot(f.x - 100, f.y - 85) < 4, `fovea at ${f.x}, ${f.y}`);
    assert.ok(f.confidence > 0.5);
    // Disc to the right of the macula: a right eye.
    assert.equal(lateralityOf(disc, f, 100, 200), 'R');
    assert.equal(lateralityOf({ ...disc, x: 50 }, { ...f, x: 100 }, 100, 200), 'L');
    // No fovea: the disc's side of the field decides, unless the disc is central.
    assert.equal(lateralityOf({ ...disc, x: 30 }, null, 100, 200), 'L');
    assert.equal(lateralityOf({ ...disc, x: 105 }, null, 100, 200), null);
    assert.equal(lateralityOf(null, f, 100, 200), null);
  });
});

describe('frame shrinking and colour planes', () => {
  test('shrinking averages blocks; a map keeps blocks at least half covered', () => {
    const img: RasterImage = {
      width: 3,
      height: 2,
      channels: 1,
      bitDepth: 8,
      data: Uint8Array.from([0, 100, 50, 200, 100, 50]),
    };
    const s = shrinkImage(img, 2);
    assert.deepEqual([s.width, s.height, ...s.data], [2, 1, 100, 50]);
    const m = shrinkMap({ width: 4, height: 2, data: Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0]) }, 2);
    assert.deepEqual([...m.data], [1, 0]);
  });

  test('each colour plane is zero-mean, unit-variance inside the FOV and 0 outside', () => {
    const img = rgb(64, 64, (x, y) => [100 + x, 50 + y, (x * y) % 256]);
    const fov = { width: 64, height: 64, data: new Uint8Array(64 * 64) };
    for (let i = 0; i < fov.data.length; i++)
      fov.data[i] = Math.hypot((i % 64) - 32, Math.floor(i / 64) - 32) < 28 ? 1 : 0;
    const planes = colourPlanes(img, fov);
    assert.equal(planes.length, 3);
    for (const p of planes) {
      const inside = [...p].filter((_, i) => fov.data[i]);
      const mean = inside.reduce((a, b) => a + b, 0) / inside.length;
      const sd = Math.sqrt(inside.reduce((a, b) => a + (b - mean) ** 2, 0) / inside.length);
      assert.ok(Math.abs(mean) < 1e-4 && Math.abs(sd - 1) < 1e-3);
      assert.ok([...p].every((v, i) => fov.data[i] || v === 0));
    }
    const hwc = interleave(planes);
    assert.equal(hwc[3 * 100 + 2], planes[2][100]);
  });

  test('patch batches carry every plane under the same warp, and weights only where labels count', () => {
    const w = 48;
    const planes = [0, 1, 2].map((c) => Float32Array.from({ length: w * w }, (_, i) => (i % w) + 100 * c));
    const target = new Uint8Array(w * w);
    const weight = new Uint8Array(w * w);
    for (let i = 0; i < w * w; i++) if (i % w === 20) weight[i] = target[i] = 1;
    const sample = {
      id: 's',
      width: w,
      height: w,
      planes,
      target,
      weight,
      focus: indicesOf(weight),
      anywhere: indicesOf(new Uint8Array(w * w).fill(1)),
    };
    const b = sampleAnatomyBatch([sample], 2, 16, 1, null, createRng(1));
    assert.equal(b.x.length, 2 * 16 * 16 * 3);
    // Unaugmented: the planes differ by exactly 100 at every pixel inside the image (outside, all are 0).
    let inside = 0;
    for (let i = 0; i < 2 * 16 * 16; i++) {
      if (b.x[i * 3] === 0) continue;
      inside++;
      assert.equal(b.x[i * 3 + 1] - b.x[i * 3], 100);
    }
    assert.ok(inside > 200);
    for (let i = 0; i < b.w.length; i++) assert.equal(b.w[i], b.y[i]);
  });
});

describe('anatomy record in a manifest', () => {
  test('a valid record passes; a wrong task, input or downsample is named', () => {
    assert.equal(anatomyRecordProblem({ task: 'artery-vein', input: 'rgb-clahe', downsample: 1 }), null);
    assert.match(
      anatomyRecordProblem({ task: 'retina', input: 'rgb-clahe', downsample: 1 })!,
      /anatomy.task/,
    );
    assert.match(
      anatomyRecordProblem({ task: 'optic-disc', input: 'grey', downsample: 1 })!,
      /anatomy.input/,
    );
    assert.match(
      anatomyRecordProblem({ task: 'optic-disc', input: 'rgb-clahe', downsample: 0 })!,
      /downsample/,
    );
  });
});

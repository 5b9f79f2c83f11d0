// The canonical frame: the aperture circle is found in full, clipped and off-centre fields; an image with no
// aperture edge is taken whole with a warning; native -> canonical -> native returns a mask within one canonical
// pixel of its edges; any input size comes back at its own size; the calibre ruler sees widths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitFovCircle } from '../../main/ml/frame/fov-circle.js';
import {
  calibreIndex,
  rulerCalibre,
  cropFrame,
  imageToCanonical,
  mapToCanonical,
  planFrame,
  pointToCanonical,
  pointToNative,
  probabilityAtNative,
  probabilityToNative,
  sampleToCanonical,
  snapToWholeRatio,
} from '../../main/ml/frame/canonical-frame.js';
import { planAxis, resample } from '../../main/ml/frame/resample.js';
import { segmentImage, shareFrameMask } from '../../main/ml/infer.js';
import { quantisePrediction } from '../../main/jobs/predict.js';
import type { BinaryMap, FrameConfig, ModelManifest, Predictor, RasterImage } from '../../main/ml/types.js';

const CFG: FrameConfig = {
  reference: 'fov-diameter',
  diameter: 536,
  snap: 0.03,
  labelCalibre: 2.63,
  maskCalibre: 2.63,
};

function disc(w: number, h: number, cx: number, cy: number, r: number): BinaryMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data[y * w + x] = Math.hypot(x - cx, y - cy) <= r ? 1 : 0;
  return { width: w, height: h, data };
}

/** A fundus-like photograph: a bright disc on black with dark "vessels" (horizontal bars) of a given width. */
function photograph(
  w: number,
  h: number,
  cx: number,
  cy: number,
  r: number,
  vesselWidth: number,
): RasterImage {
  const fov = disc(w, h, cx, cy, r);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const y = Math.floor(i / w);
    const vessel = y % Math.max(8, vesselWidth * 6) < vesselWidth;
    const v = fov.data[i] ? (vessel ? 60 : 160) : 0;
    data.set([v + 40, v, v / 2], i * 3);
  }
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

test('the aperture circle is fitted on full, clipped and off-centre fields', () => {
  const cases: [number, number, number, number, number][] = [
    [700, 605, 350, 302, 290], // whole circle (STARE-like)
    [1200, 800, 600, 400, 520], // clipped at top and bottom (3:2 sensor)
    [565, 584, 270, 300, 268], // clipped, off-centre (DRIVE-like)
    [1620, 1444, 810, 722, 717],
  ];
  for (const [w, h, cx, cy, r] of cases) {
    const c = fitFovCircle(disc(w, h, cx, cy, r));
    assert.ok(c, `no circle for ${w}x${h}`);
    assert.ok(Math.abs(c.cx - cx) < 1 && Math.abs(c.cy - cy) < 1, `centre ${c.cx},${c.cy} vs ${cx},${cy}`);
    assert.ok(Math.abs(c.r - r) < 1.5, `radius ${c.r} vs ${r}`);
  }
});

test('no aperture edge (borderless photograph, blank frame): no circle, the whole frame with a warning', () => {
  const all: BinaryMap = { width: 400, height: 300, data: new Uint8Array(400 * 300).fill(1) };
  assert.equal(fitFovCircle(all), null);
  const f = planFrame(all, CFG);
  assert.deepEqual([f.x0, f.y0, f.x1, f.y1], [0, 0, 400, 300]);
  assert.equal(f.warnings.length, 1);
  assert.match(f.warnings[0], /no field-of-view edge/);
  // A noisy edge that is not a circle (a rectangle inset) is not mistaken for an aperture.
  const rect = new Uint8Array(400 * 300);
  for (let y = 30; y < 270; y++) for (let x = 40; x < 360; x++) rect[y * 400 + x] = 1;
  assert.equal(fitFovCircle({ width: 400, height: 300, data: rect }), null);
});

test('the frame crops to the aperture and scales its diameter to the canonical one', () => {
  const fov = disc(3504, 2336, 1750, 1168, 1600); // 3504x2336, clipped at the top and bottom
  const f = planFrame(fov, CFG);
  assert.ok(Math.abs(f.scale - 536 / 3200) < 0.002, `scale ${f.scale}`);
  assert.ok(f.width < 600 && f.height < 420, `canonical ${f.width}x${f.height}`);
  assert.equal(f.identity, false);
  // An image already at the canonical scale is not resampled at all.
  const drive = planFrame(disc(565, 584, 282, 292, 268), CFG);
  assert.equal(drive.scale, 1);
});

test('pointToCanonical undoes pointToNative in a cropped, scaled frame', () => {
  const f = planFrame(disc(565, 584, 300, 280, 240), CFG);
  assert.ok(f.x0 > 0 && f.scale !== 1);
  for (const p of [
    { x: 0, y: 0 },
    { x: 123.25, y: 77.5 },
    { x: f.width - 1, y: f.height - 1 },
  ]) {
    const back = pointToCanonical(pointToNative(p, f), f);
    assert.ok(
      Math.abs(back.x - p.x) < 1e-9 && Math.abs(back.y - p.y) < 1e-9,
      `${p.x},${p.y} -> ${back.x},${back.y}`,
    );
  }
  // The frame's first pixel centre is its crop's first pixel centre shifted by half a native pixel per side.
  const o = pointToCanonical({ x: f.x0 - 0.5 + 0.5 / f.scale, y: f.y0 - 0.5 + 0.5 / f.scale }, f);
  assert.ok(Math.abs(o.x) < 0.01 && Math.abs(o.y) < 0.01, `${o.x},${o.y}`);
});

test('a scale within the snap of 1/k becomes exactly 1/k; others are kept', () => {
  assert.equal(snapToWholeRatio(1.02, 0.03), 1);
  assert.equal(snapToWholeRatio(0.4985, 0.03), 0.5);
  assert.equal(snapToWholeRatio(0.165, 0.03), 1 / 6);
  assert.equal(snapToWholeRatio(0.4, 0.03), 0.4);
  assert.equal(snapToWholeRatio(0.8, 0.03), 0.8);
});

test('a photograph enlarged k times by repeating pixels gives back its own frame exactly', () => {
  // The frame is the image itself at its size; enlarged 2 and 3 times, whole k x k blocks are averaged.
  const base = photograph(560, 560, 280, 280, 275, 5);
  const f1 = planFrame(disc(560, 560, 280, 280, 275), CFG);
  assert.equal(f1.identity, true);
  for (const k of [2, 3]) {
    const w = base.width * k;
    const h = base.height * k;
    const big = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        big.set(
          base.data.subarray(
            (Math.floor(y / k) * base.width + Math.floor(x / k)) * 3,
            (Math.floor(y / k) * base.width + Math.floor(x / k)) * 3 + 3,
          ),
          (y * w + x) * 3,
        );
    const fk = planFrame(disc(w, h, 280 * k, 280 * k, 275 * k), CFG);
    assert.equal(fk.scale, 1 / k);
    const canon = imageToCanonical({ ...base, width: w, height: h, data: big }, fk);
    assert.deepEqual([canon.width, canon.height], [base.width, base.height]);
    assert.deepEqual(canon.data, base.data);
  }
});

/** Repeats every pixel of a map k x k times (a photograph enlarged without any blur). */
function enlarge(map: BinaryMap, k: number): BinaryMap {
  const w = map.width * k;
  const h = map.height * k;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data[y * w + x] = map.data[Math.floor(y / k) * map.width + Math.floor(x / k)];
  return { width: w, height: h, data };
}

test("the mask read back in the frame is the frame's own, however large the photograph came", async () => {
  // Faint one-pixel lines just above the threshold: a cubic enlargement reads them at 0.87 of their peak half a
  // pixel off, below the threshold, so a mask thresholded at twice the size loses them, and the area average that
  // brings that mask back into the frame cannot restore them.
  const faintLines: Predictor = {
    engine: 'tfjs',
    async predict(input, n, h, w) {
      return Float32Array.from({ length: n * h * w }, (_, i) =>
        (Math.floor(i / w) % h) % 12 === 6 ? 0.55 : 0.02,
      );
    },
    dispose() {},
  };
  const fov1 = disc(560, 560, 280, 280, 275);
  const one = await segmentImage(photograph(560, 560, 280, 280, 275, 5), manifest(CFG), faintLines, {
    fov: fov1,
    testTimeFlips: false,
  });
  assert.equal(one.frame?.identity, true);
  const image2 = photograph(1120, 1120, 560, 560, 550, 10);
  const fov2 = enlarge(fov1, 2);
  const two = await segmentImage(image2, manifest(CFG), faintLines, { fov: fov2, testTimeFlips: false });
  assert.equal(two.frame?.scale, 0.5);
  const lines = one.mask.reduce((a, v) => a + v, 0);
  assert.ok(lines > 4000, `${lines} line pixels at 1x`);
  // The artery/vein vote and the disc search read the mask in the frame: the same tree at both sizes.
  const readBack = mapToCanonical({ width: 1120, height: 1120, data: two.mask }, two.frame!);
  assert.deepEqual(readBack.data, one.mask);
  // The mask as the store keeps it (quantised to 8 bits) is read back as the prediction's own.
  const stored = quantisePrediction(two.prob, two.threshold).mask;
  shareFrameMask(two, stored);
  assert.deepEqual(mapToCanonical({ width: 1120, height: 1120, data: stored }, two.frame!).data, one.mask);
  // Any other mask (a corrected one) is converted by area, as before: here the lines are gone from it.
  const copy = mapToCanonical({ width: 1120, height: 1120, data: Uint8Array.from(two.mask) }, two.frame!);
  assert.ok(copy.data.reduce((a, v) => a + v, 0) < lines / 10);
});

test('native -> canonical -> native keeps a mask drawn at native size within one canonical pixel of its edges', () => {
  for (const [w, h, r] of [
    [1620, 1444, 700], // shrink 0.38
    [300, 290, 140], // enlarge 1.9
    [565, 584, 250], // mild
  ]) {
    const fov = disc(w, h, w / 2, h / 2, r);
    const f = planFrame(fov, CFG);
    // A drawn mask: strokes much wider than a canonical pixel, a blob, and nothing outside the field.
    const drawn = new Uint8Array(w * h);
    const stroke = Math.ceil(4 / f.scale);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inField = fov.data[y * w + x] === 1;
        const bar = Math.abs(x - y * 0.7 - w * 0.2) < stroke;
        const blob = Math.hypot(x - w * 0.6, y - h * 0.4) < r * 0.2;
        drawn[y * w + x] = inField && (bar || blob) ? 1 : 0;
      }
    }
    const canonical = mapToCanonical({ width: w, height: h, data: drawn }, f);
    assert.deepEqual([canonical.width, canonical.height], [f.width, f.height]);
    const back = probabilityToNative(Float32Array.from(canonical.data), f);
    assert.equal(back.length, w * h);
    const tolerance = Math.max(1, 1 / f.scale) + 0.5;
    let wrong = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if ((back[p] >= 0.5 ? 1 : 0) === drawn[p]) continue;
        wrong++;
        // Every disagreement sits on an edge of the drawn mask: a pixel of the other value is near.
        let nearEdge = false;
        const t = Math.ceil(tolerance);
        for (let dy = -t; dy <= t && !nearEdge; dy++) {
          for (let dx = -t; dx <= t && !nearEdge; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h || Math.hypot(dx, dy) > tolerance) continue;
            if (drawn[yy * w + xx] !== drawn[p]) nearEdge = true;
          }
        }
        assert.ok(nearEdge, `${w}x${h}: pixel ${x},${y} changed away from any edge`);
      }
    }
    assert.ok(wrong < 0.05 * drawn.reduce((a, b) => a + b, 0), `${w}x${h}: ${wrong} pixels changed`);
  }
});

test('probabilityAtNative reads probabilityToNative pixel by pixel, to the bit, in and around an off-centre crop', () => {
  for (const [w, h, cx, cy, r] of [
    [1620, 1444, 900, 700, 690], // shrunk 0.39, cropped on every side
    [300, 290, 160, 150, 120], // enlarged 2.2, cropped on every side
  ]) {
    const f = planFrame(disc(w, h, cx, cy, r), CFG);
    assert.ok(!f.identity && f.x0 > 0, `${w}x${h}: a cropped, scaled frame`);
    let s = 5;
    const prob = Float32Array.from({ length: f.width * f.height }, () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return (s % 1000) / 999;
    });
    const whole = probabilityToNative(prob, f);
    const at = probabilityAtNative(prob, f);
    for (let y = 0; y < h; y += 3) for (let x = 0; x < w; x += 3) assert.equal(at(x, y), whole[y * w + x]);
  }
});

test('a photograph and a map are converted once per frame: the second call is the first result', () => {
  const w = 400;
  const h = 380;
  const fov = disc(w, h, 210, 190, 185);
  const f = planFrame(fov, CFG);
  const image: RasterImage = {
    width: w,
    height: h,
    channels: 1,
    bitDepth: 8,
    data: fov.data.map((v) => v * 200),
  };
  const first = imageToCanonical(image, f);
  assert.equal(imageToCanonical(image, f), first);
  assert.equal(mapToCanonical(fov, f), mapToCanonical(fov, f));
  // Another frame, or another array, is converted afresh.
  assert.notEqual(imageToCanonical(image, planFrame(fov, CFG)), first);
  assert.notEqual(mapToCanonical({ ...fov, data: fov.data.slice() }, f), mapToCanonical(fov, f));
  assert.deepEqual(imageToCanonical({ ...image, data: image.data.slice() }, f), first);
});

test('resampling keeps a constant constant and averages areas when shrinking', () => {
  const src = new Float32Array(90 * 60).fill(7);
  const out = resample(src, 90, 60, 1, planAxis(90, 31, 0, 90 / 31), planAxis(60, 200, 0, 60 / 200));
  for (const v of out) assert.ok(Math.abs(v - 7) < 1e-5);
  // Shrinking by 3: each output pixel is the mean of its 3 source pixels.
  const row = Float32Array.from([0, 3, 6, 9, 12, 15]);
  assert.deepEqual(Array.from(resample(row, 6, 1, 1, planAxis(6, 2, 0, 3), planAxis(1, 1, 0, 1))), [3, 12]);
});

test('the calibre index measures vessel width, and a labelled wide-field image is scaled by it', () => {
  const bars = (w: number) => {
    const m = new Uint8Array(400 * 400);
    for (let y = 0; y < 400; y++) for (let x = 0; x < 400; x++) m[y * 400 + x] = y % 40 < w ? 1 : 0;
    return { width: 400, height: 400, data: m };
  };
  assert.ok(Math.abs(calibreIndex(bars(4)) - 4) < 0.3);
  assert.ok(Math.abs(calibreIndex(bars(10)) - 10) < 0.7);
  // No aperture (all-ones FOV) and labels 5.26 px wide: scaled so the labels become the reference 2.63.
  const image: RasterImage = {
    width: 400,
    height: 400,
    channels: 1,
    bitDepth: 8,
    data: new Uint8Array(160000),
  };
  const all = { width: 400, height: 400, data: new Uint8Array(160000).fill(1) };
  const c = sampleToCanonical(image, bars(5), all, { ...CFG, labelCalibre: 2.5 });
  assert.ok(Math.abs(c.frame.scale - 0.5) < 0.05, `scale ${c.frame.scale}`);
  assert.equal(c.mask.width, c.image.width);
});

/** Predicts "vessel" where the preprocessed input is dark: enough to follow geometry through the frame. */
const darkIsVessel: Predictor = {
  engine: 'tfjs',
  async predict(input) {
    return input.map((v) => 1 / (1 + Math.exp(4 * v)));
  },
  dispose() {},
};

function manifest(frame?: FrameConfig): ModelManifest {
  return {
    format: 'retinastudio-model',
    formatVersion: 1,
    name: 'geometry',
    createdAt: '2026-12-02T00:00:00Z',
    architecture: {
      kind: 'unet',
      inputChannels: 1,
      depth: 2,
      baseFilters: 4,
      convsPerLevel: 1,
      batchNorm: false,
      dropout: 0,
      upsampling: 'transpose',
      residual: false,
    },
    preprocess: { channel: 'green', clahe: null, gamma: 1, normalise: 'fov-zscore' },
    threshold: 0.5,
    patchSize: 64,
    parameters: 0,
    provenance: {} as ModelManifest['provenance'],
    ...(frame ? { frame } : {}),
  };
}

test('any input size comes back at its own size: tiny, huge, clipped, blank', async () => {
  const cases: [string, RasterImage][] = [
    ['tiny 90x80', photograph(90, 80, 45, 40, 38, 2)],
    ['huge clipped 3504x2336', photograph(3504, 2336, 1752, 1168, 1600, 18)],
    [
      'blank 320x240',
      { width: 320, height: 240, channels: 3, bitDepth: 8, data: new Uint8Array(320 * 240 * 3) },
    ],
  ];
  for (const [name, image] of cases) {
    const seg = await segmentImage(image, manifest(CFG), darkIsVessel, { testTimeFlips: false });
    assert.deepEqual(
      [seg.width, seg.height, seg.mask.length, seg.prob.length],
      [image.width, image.height, image.width * image.height, image.width * image.height],
      name,
    );
    assert.ok(seg.frame, name);
    for (const v of seg.prob) assert.ok(Number.isFinite(v), `${name}: non-finite probability`);
    if (name.startsWith('blank')) assert.match(seg.warnings.join(), /no field-of-view edge/);
    // A 76 px field enlarged 7x to the frame: its thin vessels were never there to find.
    else if (name.startsWith('tiny')) {
      assert.equal(seg.warnings.length, 1);
      assert.match(seg.warnings[0], /^low resolution: the field is about 7\d px across, enlarged [67]\.\dx/);
    } else assert.deepEqual(seg.warnings, [], name);
  }
});

test('the huge photograph runs at canonical size and its dark bars come back where they are', async () => {
  const image = photograph(3504, 2336, 1752, 1168, 1600, 18);
  const calls: number[] = [];
  const counting: Predictor = {
    ...darkIsVessel,
    predict: (x, n, h, w, c) => (calls.push(n * h * w), darkIsVessel.predict(x, n, h, w, c)),
  };
  const seg = await segmentImage(image, manifest(CFG), counting, { testTimeFlips: false });
  const pixels = calls.reduce((a, b) => a + b, 0);
  assert.ok(pixels < 700 * 500, `the network saw ${pixels} pixels: not the canonical frame`);
  // Rows inside a bar (period 108, width 18) are vessel at the centre column; rows between bars are not.
  const x = 1752;
  let hits = 0;
  let misses = 0;
  for (let y = 300; y < 2000; y++) {
    const inBar = y % 108 < 18;
    const atEdge = y % 108 < 2 || (y % 108 >= 16 && y % 108 < 20) || y % 108 > 105;
    if (atEdge) continue;
    if (seg.mask[y * 3504 + x] === (inBar ? 1 : 0)) hits++;
    else misses++;
  }
  assert.ok(misses < 0.03 * (hits + misses), `${misses} of ${hits + misses} rows wrong`);
});

test('cropFrame: a scaled box maps its corners and centre back to the native pixels they came from', () => {
  const f = cropFrame({ width: 400, height: 300 }, { x0: 100, y0: 50, x1: 200, y1: 130 }, 2);
  assert.deepEqual([f.width, f.height, f.identity, f.circle], [200, 160, false, null]);
  // Pixel centres: the box's native pixels 100..199 and 50..129 have their middle at (149.5, 89.5).
  const c = pointToNative({ x: 99.5, y: 79.5 }, f);
  assert.ok(Math.abs(c.x - 149.5) < 1e-9 && Math.abs(c.y - 89.5) < 1e-9, JSON.stringify(c));
  const corner = pointToNative({ x: 0, y: 0 }, f);
  assert.deepEqual([corner.x, corner.y], [99.75, 49.75]);
  assert.equal(cropFrame({ width: 40, height: 30 }, { x0: 0, y0: 0, x1: 40, y1: 30 }, 1).identity, true);
});

test('the ruler reads a vessel-like mask and refuses specks (noise thresholded)', () => {
  const w = 300;
  const bars = new Uint8Array(w * w);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) bars[y * w + x] = y % 30 < 3 ? 1 : 0;
  assert.ok(Math.abs(rulerCalibre({ width: w, height: w, data: bars }) - 3) < 0.3);
  // One pixel in eleven set, scattered: isolated specks, read by the calibre index as vessels under a pixel wide.
  const specks = new Uint8Array(w * w);
  for (let i = 0; i < specks.length; i += 11) specks[i] = 1;
  const speckMap = { width: w, height: w, data: specks };
  assert.ok(calibreIndex(speckMap) > 0);
  assert.equal(rulerCalibre(speckMap), 0);
  assert.equal(rulerCalibre({ width: w, height: w, data: new Uint8Array(w * w) }), 0, 'an empty mask');
});

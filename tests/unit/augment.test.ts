import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_AUGMENT,
  IDENTITY_GEOMETRY,
  IDENTITY_INTENSITY,
  applyAugment,
  augmentImage,
  augmentPatch,
  sampleAugmentParams,
  validateAugmentConfig,
  warpWindow,
  type GeometricParams,
  type WarpSource,
} from '../../main/ml/image/augment.js';
import { createRng } from '../../main/ml/rng.js';
import type { AugmentConfig } from '../../main/ml/types.js';

const NONE: AugmentConfig = {
  rotateDeg: 0,
  scale: [1, 1],
  flipH: false,
  flipV: false,
  elastic: null,
  shear: 0,
  brightness: 0,
  contrast: [1, 1],
  gamma: [1, 1],
};

/** A source whose image value encodes the position; mask and weight are random-ish binary patterns. */
function source(width: number, height: number): WarpSource {
  const n = width * height;
  const image = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 3);
  const mask = Uint8Array.from({ length: n }, (_, i) => ((i * 2654435761) >>> 28) & 1);
  const weight = Uint8Array.from({ length: n }, (_, i) => (((i * 40503) >>> 7) % 5 === 0 ? 0 : 1));
  return { width, height, image, mask, weight };
}

function crop(a: ArrayLike<number>, width: number, x0: number, y0: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(a[(y0 + y) * width + x0 + x]);
  return out;
}

/** Source with one marked pixel at (px, py): image 5, mask 1, weight 0; elsewhere image 0, mask 0, weight 1. */
function marked(width: number, height: number, px: number, py: number): WarpSource {
  const n = width * height;
  const image = new Float32Array(n);
  const mask = new Uint8Array(n);
  const weight = new Uint8Array(n).fill(1);
  const i = py * width + px;
  image[i] = 5;
  mask[i] = 1;
  weight[i] = 0;
  return { width, height, image, mask, weight };
}

/** Where the marked pixel landed in each output channel. */
function whereMarked(out: { image: Float32Array; mask: Float32Array; weight: Float32Array }, size: number) {
  const at = (i: number) => [i % size, Math.floor(i / size)];
  return {
    image: at(out.image.findIndex((v) => Math.abs(v - 5) < 1e-9)),
    mask: at(out.mask.findIndex((v) => v === 1)),
    weight: at(out.weight.findIndex((v) => v === 0)),
  };
}

const geo = (g: Partial<GeometricParams>): GeometricParams => ({ ...IDENTITY_GEOMETRY, ...g });

describe('augment geometry', () => {
  test('identity reproduces the crop exactly (null config and an all-neutral config)', () => {
    const src = source(30, 20);
    for (const cfg of [null, NONE]) {
      const out = augmentPatch(src, 7, 4, 9, cfg, createRng(1));
      assert.deepEqual(Array.from(out.image), crop(src.image, 30, 7, 4, 9, 9));
      assert.deepEqual(Array.from(out.mask), crop(src.mask!, 30, 7, 4, 9, 9));
      assert.deepEqual(Array.from(out.weight), crop(src.weight!, 30, 7, 4, 9, 9));
      assert.ok(out.valid.every((v) => v === 1));
    }
  });

  test('pixels mapped outside the image get image 0 and weight 0', () => {
    const src = source(10, 10);
    const out = warpWindow(src, -3, 6, 8, 8, IDENTITY_GEOMETRY);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const k = y * 8 + x;
        const sx = x - 3;
        const sy = y + 6;
        if (sx < 0 || sy >= 10) {
          assert.equal(out.image[k], 0);
          assert.equal(out.weight[k], 0);
          assert.equal(out.mask[k], 0);
          assert.equal(out.valid[k], 0);
        } else {
          assert.equal(out.image[k], src.image[sy * 10 + sx]);
        }
      }
    }
  });

  test('90° rotation, flips and scale move a marked pixel identically in image, mask and weight', () => {
    // 9x9 window at (10, 10): pivot (14, 14) = output (4, 4). Marked pixel 3 right of the pivot.
    const src = marked(30, 30, 17, 14);
    const cases: [Partial<GeometricParams>, [number, number]][] = [
      [{}, [7, 4]],
      [{ angle: Math.PI / 2 }, [4, 1]], // counter-clockwise on screen: right -> up
      [{ angle: -Math.PI / 2 }, [4, 7]],
      [{ angle: Math.PI }, [1, 4]],
      [{ flipH: true }, [1, 4]],
      [{ flipV: true }, [7, 4]],
      [{ scale: 4 / 3 }, [8, 4]], // offset 3 -> 4
    ];
    for (const [g, expected] of cases) {
      const out = warpWindow(src, 10, 10, 9, 9, geo(g));
      const w = whereMarked(out, 9);
      assert.deepEqual(w.image, expected, JSON.stringify(g));
      assert.deepEqual(w.mask, expected, JSON.stringify(g));
      assert.deepEqual(w.weight, expected, JSON.stringify(g));
      assert.equal(
        out.mask.reduce((a, b) => a + b, 0),
        1,
      );
    }
    // A pixel below the pivot is mirrored by flipV.
    const below = warpWindow(marked(30, 30, 14, 16), 10, 10, 9, 9, geo({ flipV: true }));
    assert.deepEqual(whereMarked(below, 9).mask, [4, 2]);
    // Shear moves x by tan(shear) * y: a pixel 2 below the pivot shifts 1 to the right for tan = 0.5.
    const sheared = warpWindow(marked(30, 30, 14, 16), 10, 10, 9, 9, geo({ shear: Math.atan(0.5) }));
    assert.deepEqual(whereMarked(sheared, 9).mask, [5, 6]);
  });

  test('a 90° rotation of a whole square image is an exact transpose-and-mirror', () => {
    const src = source(12, 12);
    const out = warpWindow(src, 0, 0, 12, 12, geo({ angle: Math.PI / 2 }));
    // CCW on screen: output (x, y) comes from source (11 - y, x).
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) {
        assert.equal(out.image[y * 12 + x], src.image[x * 12 + (11 - y)]);
        assert.equal(out.mask[y * 12 + x], src.mask![x * 12 + (11 - y)]);
      }
    }
  });

  test('bilinear sampling interpolates the image halfway between pixels', () => {
    const src = source(20, 20);
    // Scale 2 about pivot (9.5, 9.5) in a 20x20 window: output offset 0.5 maps to source offset 0.25.
    const out = warpWindow(src, 0, 0, 20, 20, geo({ scale: 2 }));
    const sx = 9.5 + 0.25;
    const sy = 9.5 + 0.25;
    const expectValue = sy * 20 * 0.25 + sx * 0.25 - 3; // the image is linear in x and y
    assert.ok(Math.abs(out.image[10 * 20 + 10] - expectValue) < 1e-5);
  });
});

describe('augment randomness and intensity', () => {
  test('same seed gives the same output; another seed differs', () => {
    const src = source(64, 64);
    const a = augmentPatch(src, 16, 16, 32, DEFAULT_AUGMENT, createRng(3));
    const b = augmentPatch(src, 16, 16, 32, DEFAULT_AUGMENT, createRng(3));
    const c = augmentPatch(src, 16, 16, 32, DEFAULT_AUGMENT, createRng(4));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.image, c.image);
  });

  test('mask and weight stay binary under every transform, elastic included', () => {
    const src = source(64, 64);
    const rng = createRng(5);
    const cfg: AugmentConfig = { ...DEFAULT_AUGMENT, elastic: { alpha: 3, sigma: 8 }, scale: [0.7, 1.4] };
    for (let k = 0; k < 50; k++) {
      const out = augmentPatch(src, rng.int(40), rng.int(40), 24, cfg, rng);
      assert.ok(out.mask.every((v) => v === 0 || v === 1));
      assert.ok(out.weight.every((v) => v === 0 || v === 1));
      assert.ok(out.image.every(Number.isFinite));
    }
  });

  test('elastic jitter displaces pixels by about alpha, smoothly', () => {
    // Image value = x coordinate, so the change of value is the horizontal displacement.
    const n = 64 * 64;
    const src: WarpSource = {
      width: 64,
      height: 64,
      image: Float32Array.from({ length: n }, (_, i) => i % 64),
    };
    const alpha = 2;
    const params = sampleAugmentParams({ ...NONE, elastic: { alpha, sigma: 8 } }, 32, 32, createRng(6));
    const out = applyAugment(src, 16, 16, 32, 32, params);
    const plainCrop = warpWindow(src, 16, 16, 32, 32, IDENTITY_GEOMETRY);
    const dx = out.image.map((v, i) => v - plainCrop.image[i]);
    const rms = Math.sqrt(dx.reduce((a, d) => a + d * d, 0) / dx.length);
    // Interpolating between control points lowers the spread somewhat below alpha.
    assert.ok(rms > 0.4 * alpha && rms < 1.3 * alpha, `rms displacement ${rms}`);
    let maxJump = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 1; x < 32; x++) maxJump = Math.max(maxJump, Math.abs(dx[y * 32 + x] - dx[y * 32 + x - 1]));
    }
    assert.ok(maxJump < alpha, `neighbouring displacements differ by ${maxJump}`);
  });

  test('intensity jitter touches the image only, and never out-of-image pixels', () => {
    const src = source(40, 40);
    const g = geo({ angle: 0.3 });
    const base = applyAugment(src, 20, 20, 24, 24, { geometric: g, intensity: IDENTITY_INTENSITY });
    const jit = applyAugment(src, 20, 20, 24, 24, {
      geometric: g,
      intensity: { brightness: 0.5, contrast: 1.5, gamma: 1 },
    });
    assert.deepEqual(jit.mask, base.mask);
    assert.deepEqual(jit.weight, base.weight);
    assert.ok(base.valid.some((v) => v === 0));
    for (let i = 0; i < base.image.length; i++) {
      const expected = base.valid[i] ? base.image[i] * 1.5 + 0.5 : 0;
      assert.ok(Math.abs(jit.image[i] - expected) <= 1e-5 * Math.max(1, Math.abs(expected)));
    }
    // Gamma keeps the window's min and max and is monotone.
    const gam = applyAugment(src, 20, 20, 24, 24, {
      geometric: g,
      intensity: { brightness: 0, contrast: 1, gamma: 2 },
    });
    const inside = (o: typeof base) => Array.from(o.image).filter((_, i) => base.valid[i]);
    assert.ok(Math.abs(Math.max(...inside(gam)) - Math.max(...inside(base))) < 1e-3);
    assert.ok(Math.abs(Math.min(...inside(gam)) - Math.min(...inside(base))) < 1e-5);
  });

  test('augmentImage keeps the size; sampled parameters stay within the configured ranges', () => {
    const src = source(50, 30);
    const out = augmentImage(src, DEFAULT_AUGMENT, createRng(8));
    assert.equal(out.image.length, 1500);
    const rng = createRng(9);
    for (let k = 0; k < 200; k++) {
      const p = sampleAugmentParams(DEFAULT_AUGMENT, 16, 16, rng);
      assert.ok(Math.abs(p.geometric.angle) <= Math.PI);
      assert.ok(p.geometric.scale >= 0.85 && p.geometric.scale <= 1.15);
      assert.ok(Math.abs(p.geometric.shear) <= 0.1);
      assert.ok(p.intensity.contrast >= 0.85 && p.intensity.contrast <= 1.15);
      assert.ok(p.intensity.gamma >= 0.85 && p.intensity.gamma <= 1.2);
      assert.ok(Math.abs(p.intensity.brightness) <= 0.15);
    }
  });

  test('validateAugmentConfig accepts the default and rejects bad input', () => {
    assert.deepEqual(validateAugmentConfig(JSON.parse(JSON.stringify(DEFAULT_AUGMENT))), DEFAULT_AUGMENT);
    assert.throws(() => validateAugmentConfig({ ...NONE, scale: [1.2, 0.8] }), /scale must be/);
    assert.throws(() => validateAugmentConfig({ ...NONE, flipH: 'yes' }), /flipH must be a boolean/);
    assert.throws(() => validateAugmentConfig({ ...NONE, elastic: { alpha: 1 } }), /elastic needs/);
    assert.throws(() => validateAugmentConfig({ ...NONE, rotateDeg: -1 }), /rotateDeg/);
  });
});

describe('blur and illumination augmentation', () => {
  const plain = NONE;
  const checker = (n: number) => {
    const image = new Float32Array(n * n);
    for (let i = 0; i < image.length; i++) image[i] = ((i % n) + Math.floor(i / n)) % 2 ? 1 : -1;
    return { width: n, height: n, image };
  };
  const spread = (x: Float32Array) => Math.max(...x) - Math.min(...x);

  test('blur softens a one-pixel pattern; the ramp adds a gradient; neither draws numbers when unset', () => {
    const src = checker(32);
    const same = augmentPatch(src, 0, 0, 32, plain, createRng(5));
    assert.ok(Math.abs(spread(same.image) - 2) < 1e-6, 'identity keeps the pattern');
    const blurred = applyAugment(src, 0, 0, 32, 32, {
      geometric: IDENTITY_GEOMETRY,
      intensity: { ...IDENTITY_INTENSITY, blur: 1 },
    });
    assert.ok(spread(blurred.image) < 1, `blur left a spread of ${spread(blurred.image)}`);
    const flat = { ...src, image: new Float32Array(32 * 32) };
    const ramped = applyAugment(flat, 0, 0, 32, 32, {
      geometric: IDENTITY_GEOMETRY,
      intensity: { ...IDENTITY_INTENSITY, ramp: 0.3, rampAngle: 0 },
    });
    assert.ok(Math.abs(ramped.image[31] - 0.3) < 1e-5 && Math.abs(ramped.image[0] + 0.3) < 1e-5);
    // A config without blur/illumination consumes exactly the random numbers it always did.
    const r1 = createRng(9);
    const r2 = createRng(9);
    sampleAugmentParams(plain, 32, 32, r1);
    sampleAugmentParams({ ...plain, blur: 0, illumination: 0 }, 32, 32, r2);
    assert.equal(r1.uniform(0, 1), r2.uniform(0, 1));
    const withBoth = sampleAugmentParams({ ...plain, blur: 1.2, illumination: 0.3 }, 32, 32, createRng(3));
    assert.ok(Math.abs(withBoth.intensity.ramp ?? 0) <= 0.3 && (withBoth.intensity.blur ?? 0) <= 1.2);
  });
});

// Training-time augmentation. One random geometric transform is applied identically to image, mask and weight map
// by inverse mapping: every output pixel is mapped back into the SOURCE image and sampled there (image bilinear,
// mask and weight nearest). A patch is therefore drawn straight from the full preprocessed image with no full-image
// warp per patch. Output pixels that map outside the source image get image 0, mask 0 and weight 0.
// Intensity jitter (blur, gamma, contrast, brightness, an illumination ramp) then touches the image only.
//
// Geometric conventions (forward map, source offset -> output offset, both relative to the pivot, y pointing down):
//   rotate by `angle` (positive = counter-clockwise on screen), then shear x += tan(shear) * y, then scale by
//   `scale` (> 1 enlarges structures), then mirror (flipH: x -> -x, flipV: y -> -y).
// The pivot is the output window's centre: for an output of width w placed at source origin (x0, y0) it is
// (x0 + (w-1)/2, y0 + (h-1)/2), so the identity transform reproduces the crop [x0, x0+w) x [y0, y0+h) exactly.
//
// Elastic jitter (when enabled): a random displacement field on a coarse grid of control points `sigma` output
// pixels apart, each displacement ~ N(0, alpha^2) pixels per axis, bilinearly interpolated between control points
// and added to the output offset before the inverse affine map. This is a cheap stand-in for Gaussian-smoothed
// noise (Simard et al.): `alpha` is the displacement's standard deviation in pixels, `sigma` its correlation length.

import type { AugmentConfig } from '../types.js';
import type { Rng } from '../rng.js';

export const DEFAULT_AUGMENT: AugmentConfig = Object.freeze({
  rotateDeg: 180,
  scale: [0.85, 1.15],
  flipH: true,
  flipV: true,
  elastic: Object.freeze({ alpha: 1.5, sigma: 16 }),
  shear: 0.1,
  brightness: 0.15,
  contrast: [0.85, 1.15],
  gamma: [0.85, 1.2],
}) as AugmentConfig;

/** A sampled elastic displacement field over an output window. */
export interface ElasticField {
  /** Control points across / down. */
  nx: number;
  ny: number;
  /** Spacing of the control points in output pixels. */
  spacing: number;
  /** dx, dy interleaved per control point, row-major. */
  d: Float32Array;
}

export interface GeometricParams {
  angle: number; // radians
  scale: number;
  shear: number; // radians
  flipH: boolean;
  flipV: boolean;
  elastic: ElasticField | null;
}

export interface IntensityParams {
  brightness: number; // additive
  contrast: number; // multiplicative, about 0
  gamma: number; // applied to the window's [min, max]-rescaled intensity
  /** Gaussian blur sigma in pixels (0: none). */
  blur?: number;
  /** Linear illumination ramp: value added at the window's edges along `rampAngle` (+/- this). */
  ramp?: number;
  rampAngle?: number;
}

export interface AugmentParams {
  geometric: GeometricParams;
  intensity: IntensityParams;
}

export const IDENTITY_GEOMETRY: GeometricParams = Object.freeze({
  angle: 0,
  scale: 1,
  shear: 0,
  flipH: false,
  flipV: false,
  elastic: null,
});

export const IDENTITY_INTENSITY: IntensityParams = Object.freeze({ brightness: 0, contrast: 1, gamma: 1 });

/** Source arrays to sample from; all H*W row-major. */
export interface WarpSource {
  width: number;
  height: number;
  image: Float32Array;
  /** Ground truth (non-zero = vessel); null/absent gives an all-zero mask. */
  mask?: Uint8Array | null;
  /** Weight/FOV map (non-zero = counts); null/absent means weight 1 everywhere inside the image. */
  weight?: Uint8Array | null;
}

/** Output buffers of one warped window, each outW*outH. */
export interface WarpOutput {
  image: Float32Array;
  mask: Float32Array;
  weight: Float32Array;
  /** 1 where the output pixel was sampled from inside the source image, else 0. */
  valid: Uint8Array;
}

export function allocWarpOutput(n: number): WarpOutput {
  return {
    image: new Float32Array(n),
    mask: new Float32Array(n),
    weight: new Float32Array(n),
    valid: new Uint8Array(n),
  };
}

function checkSource(src: WarpSource) {
  const n = src.width * src.height;
  if (!(src.width >= 1 && src.height >= 1))
    throw new Error(`augment: bad source size ${src.width}x${src.height}`);
  if (src.image.length !== n) throw new Error(`augment: image has ${src.image.length} values, expected ${n}`);
  if (src.mask && src.mask.length !== n)
    throw new Error(`augment: mask has ${src.mask.length} values, expected ${n}`);
  if (src.weight && src.weight.length !== n) {
    throw new Error(`augment: weight has ${src.weight.length} values, expected ${n}`);
  }
}

function sampleElastic(outW: number, outH: number, alpha: number, sigma: number, rng: Rng): ElasticField {
  const spacing = Math.max(1, sigma);
  const nx = Math.ceil((outW - 1) / spacing) + 1;
  const ny = Math.ceil((outH - 1) / spacing) + 1;
  const d = new Float32Array(nx * ny * 2);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal() * alpha;
  return { nx, ny, spacing, d };
}

/** Draws one set of transform parameters for an outW x outH window. */
export function sampleAugmentParams(cfg: AugmentConfig, outW: number, outH: number, rng: Rng): AugmentParams {
  const angle = (rng.uniform(-cfg.rotateDeg, cfg.rotateDeg) * Math.PI) / 180;
  // Log-uniform so zooming in and out by the same factor are equally likely.
  const [s0, s1] = cfg.scale;
  const scale = Math.exp(rng.uniform(Math.log(s0), Math.log(s1)));
  const shear = rng.uniform(-cfg.shear, cfg.shear);
  const flipH = cfg.flipH ? rng.bool() : false;
  const flipV = cfg.flipV ? rng.bool() : false;
  const elastic =
    cfg.elastic && cfg.elastic.alpha > 0
      ? sampleElastic(outW, outH, cfg.elastic.alpha, cfg.elastic.sigma, rng)
      : null;
  const brightness = rng.uniform(-cfg.brightness, cfg.brightness);
  const contrast = rng.uniform(cfg.contrast[0], cfg.contrast[1]);
  const [g0, g1] = cfg.gamma;
  const gamma = Math.exp(rng.uniform(Math.log(g0), Math.log(g1)));
  // Drawn only when configured, so recipes without them keep their exact random sequence.
  const blur = cfg.blur ? (rng.bool() ? rng.uniform(0, cfg.blur) : 0) : 0;
  const ramp = cfg.illumination ? rng.uniform(-cfg.illumination, cfg.illumination) : 0;
  const rampAngle = cfg.illumination ? rng.uniform(0, 2 * Math.PI) : 0;
  return {
    geometric: { angle, scale, shear, flipH, flipV, elastic },
    intensity: {
      brightness,
      contrast,
      gamma,
      ...(blur ? { blur } : {}),
      ...(ramp ? { ramp, rampAngle } : {}),
    },
  };
}

/** Rounds values within 1e-12 of an integer, so multiples of 90 degrees map pixels exactly. */
function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-12 ? r : v;
}

/**
 * Inverse of the forward map described at the top: output offset (u, v) -> source offset (a*u + b*v, c*u + d*v).
 */
function inverseMatrix(g: GeometricParams): [number, number, number, number] {
  if (!(g.scale > 0)) throw new Error(`augment: scale must be positive, got ${g.scale}`);
  const cos = snap(Math.cos(g.angle));
  const sin = snap(Math.sin(g.angle));
  const k = snap(Math.tan(g.shear));
  const fx = g.flipH ? -1 : 1;
  const fy = g.flipV ? -1 : 1;
  const inv = 1 / g.scale;
  // Undo flip and scale: p = (fx*u/s, fy*v/s). Undo shear: q = (p.x - k*p.y, p.y).
  // Undo rotation R = [[cos, sin], [-sin, cos]] with R^-1 = [[cos, -sin], [sin, cos]].
  const m00 = fx * inv; // q.x = m00*u + m01*v
  const m01 = -k * fy * inv;
  const m11 = fy * inv; // q.y = m11*v
  return [cos * m00, cos * m01 - sin * m11, sin * m00, sin * m01 + cos * m11];
}

/** Interpolated elastic displacement at output pixel (ox, oy), written to `res` [dx, dy]. */
function elasticAt(f: ElasticField, ox: number, oy: number, res: Float64Array): void {
  if (f.nx < 2 || f.ny < 2) {
    res[0] = f.d[0];
    res[1] = f.d[1];
    return;
  }
  const gx = ox / f.spacing;
  const gy = oy / f.spacing;
  const ix = Math.min(Math.floor(gx), f.nx - 2);
  const iy = Math.min(Math.floor(gy), f.ny - 2);
  const tx = gx - ix;
  const ty = gy - iy;
  const i00 = (iy * f.nx + ix) * 2;
  const i10 = i00 + 2;
  const i01 = i00 + f.nx * 2;
  const i11 = i01 + 2;
  const w00 = (1 - tx) * (1 - ty);
  const w10 = tx * (1 - ty);
  const w01 = (1 - tx) * ty;
  const w11 = tx * ty;
  res[0] = f.d[i00] * w00 + f.d[i10] * w10 + f.d[i01] * w01 + f.d[i11] * w11;
  res[1] = f.d[i00 + 1] * w00 + f.d[i10 + 1] * w10 + f.d[i01 + 1] * w01 + f.d[i11 + 1] * w11;
}

/**
 * Warps an outW x outH window whose untransformed position is the source rectangle at (x0, y0), writing into `out`
 * (allocated when absent). Deterministic given `geometric`.
 */
export function warpWindow(
  src: WarpSource,
  x0: number,
  y0: number,
  outW: number,
  outH: number,
  geometric: GeometricParams,
  out?: WarpOutput,
): WarpOutput {
  checkSource(src);
  const n = outW * outH;
  const o = out ?? allocWarpOutput(n);
  if (o.image.length < n || o.mask.length < n || o.weight.length < n || o.valid.length < n) {
    throw new Error('augment: output buffers too small');
  }
  const { width: W, height: H, image } = src;
  const mask = src.mask ?? null;
  const weight = src.weight ?? null;
  const [a, b, c, d] = inverseMatrix(geometric);
  const hx = (outW - 1) / 2;
  const hy = (outH - 1) / 2;
  const px = x0 + hx;
  const py = y0 + hy;
  const el = geometric.elastic;
  // Locals keep the hot loop free of property look-ups.
  const oImage = o.image;
  const oMask = o.mask;
  const oWeight = o.weight;
  const oValid = o.valid;
  const disp = new Float64Array(2);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let u = ox - hx;
      let v = oy - hy;
      if (el) {
        elasticAt(el, ox, oy, disp);
        u += disp[0];
        v += disp[1];
      }
      const sx = px + a * u + b * v;
      const sy = py + c * u + d * v;
      const k = oy * outW + ox;
      const nx = Math.floor(sx + 0.5);
      const ny = Math.floor(sy + 0.5);
      if (nx < 0 || ny < 0 || nx >= W || ny >= H) {
        oImage[k] = 0;
        oMask[k] = 0;
        oWeight[k] = 0;
        oValid[k] = 0;
        continue;
      }
      oValid[k] = 1;
      const ni = ny * W + nx;
      oMask[k] = mask && mask[ni] !== 0 ? 1 : 0;
      oWeight[k] = weight ? (weight[ni] !== 0 ? 1 : 0) : 1;
      // Bilinear, neighbours clamped to the image (only matters within half a pixel of the border).
      let ix = Math.floor(sx);
      let iy = Math.floor(sy);
      let tx = sx - ix;
      let ty = sy - iy;
      if (ix < 0) {
        ix = 0;
        tx = 0;
      } else if (ix >= W - 1) {
        ix = W - 1;
        tx = 0;
      }
      if (iy < 0) {
        iy = 0;
        ty = 0;
      } else if (iy >= H - 1) {
        iy = H - 1;
        ty = 0;
      }
      const i00 = iy * W + ix;
      const i10 = tx > 0 ? i00 + 1 : i00;
      const i01 = ty > 0 ? i00 + W : i00;
      const i11 = tx > 0 ? i01 + 1 : i01;
      const top = image[i00] + (image[i10] - image[i00]) * tx;
      const bottom = image[i01] + (image[i11] - image[i01]) * tx;
      oImage[k] = top + (bottom - top) * ty;
    }
  }
  return o;
}

const GAMMA_STEPS = 256;

/** t^gamma sampled at t = i / GAMMA_STEPS, i = 0..GAMMA_STEPS. */
function gammaTable(gamma: number): Float64Array {
  const lut = new Float64Array(GAMMA_STEPS + 1);
  for (let i = 0; i <= GAMMA_STEPS; i++) lut[i] = Math.pow(i / GAMMA_STEPS, gamma);
  return lut;
}

/**
 * Intensity jitter on the image only, for pixels that came from inside the source image (`inImage` non-zero):
 * gamma on the window's [min, max]-rescaled intensity, then contrast (multiplying, about 0 = FOV mean after
 * z-scoring), then brightness (adding). Out-of-image pixels stay 0.
 */
export function applyIntensity(
  image: Float32Array,
  inImage: Uint8Array,
  p: IntensityParams,
  n = image.length,
): void {
  if (p.gamma !== 1) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (inImage[i] === 0) continue;
      if (image[i] < lo) lo = image[i];
      if (image[i] > hi) hi = image[i];
    }
    const range = hi - lo;
    if (range > 1e-12) {
      // Math.pow per pixel dominates patch sampling; a linearly interpolated table is ample for augmentation.
      const lut = gammaTable(p.gamma);
      const scale = GAMMA_STEPS / range;
      for (let i = 0; i < n; i++) {
        if (inImage[i] === 0) continue;
        const t = (image[i] - lo) * scale;
        const j = t >= GAMMA_STEPS ? GAMMA_STEPS - 1 : Math.floor(t);
        image[i] = lo + range * (lut[j] + (lut[j + 1] - lut[j]) * (t - j));
      }
    }
  }
  if (p.contrast !== 1 || p.brightness !== 0) {
    for (let i = 0; i < n; i++) if (inImage[i] !== 0) image[i] = image[i] * p.contrast + p.brightness;
  }
}

/** In-place separable Gaussian blur of a w x h window (edges clamp). */
function gaussianBlur(img: Float32Array, w: number, h: number, sigma: number): void {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r] * img[y * w + Math.min(w - 1, Math.max(0, x + i))];
      tmp[y * w + x] = acc;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
      img[y * w + x] = acc;
    }
  }
}

/** Adds a linear illumination ramp (+/- amplitude at the window's edges along `angle`) to in-image pixels. */
function addRamp(
  img: Float32Array,
  valid: Uint8Array,
  w: number,
  h: number,
  amplitude: number,
  angle: number,
): void {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const ux = (Math.cos(angle) * 2) / Math.max(1, w - 1);
  const uy = (Math.sin(angle) * 2) / Math.max(1, h - 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (valid[p]) img[p] += amplitude * ((x - cx) * ux + (y - cy) * uy);
    }
  }
}

/** Applies fully specified parameters to an outW x outH window at (x0, y0). */
export function applyAugment(
  src: WarpSource,
  x0: number,
  y0: number,
  outW: number,
  outH: number,
  params: AugmentParams,
  out?: WarpOutput,
): WarpOutput {
  const o = warpWindow(src, x0, y0, outW, outH, params.geometric, out);
  const { blur, ramp, rampAngle } = params.intensity;
  if (blur) gaussianBlur(o.image, outW, outH, blur);
  applyIntensity(o.image, o.valid, params.intensity, outW * outH);
  if (ramp) addRamp(o.image, o.valid, outW, outH, ramp, rampAngle ?? 0);
  return o;
}

/**
 * A size x size training patch whose untransformed top-left corner is (x0, y0) in the source; `cfg` null gives the
 * plain crop. Random parameters come from `rng`, so the same seed reproduces the same patch.
 */
export function augmentPatch(
  src: WarpSource,
  x0: number,
  y0: number,
  size: number,
  cfg: AugmentConfig | null,
  rng: Rng,
  out?: WarpOutput,
): WarpOutput {
  if (!cfg) return warpWindow(src, x0, y0, size, size, IDENTITY_GEOMETRY, out);
  return applyAugment(src, x0, y0, size, size, sampleAugmentParams(cfg, size, size, rng), out);
}

/** A whole-image augmentation: output has the source's size, transformed about the image centre. */
export function augmentImage(src: WarpSource, cfg: AugmentConfig, rng: Rng): WarpOutput {
  return applyAugment(src, 0, 0, src.width, src.height, sampleAugmentParams(cfg, src.width, src.height, rng));
}

/** An augmentation config that cannot be used; `detail` says which field and why. */
export class AugmentConfigError extends Error {
  constructor(readonly detail: string) {
    super(`invalid augment config: ${detail}`);
    this.name = 'AugmentConfigError';
  }
}

/** Checks an untrusted value (e.g. a model manifest's provenance.augment) and returns a fresh, well-typed copy. */
export function validateAugmentConfig(x: unknown): AugmentConfig {
  const fail = (m: string): never => {
    throw new AugmentConfigError(m);
  };
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return fail('expected an object');
  const r = x as Record<string, unknown>;
  const num = (k: string, min: number) => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(`${k} must be a number >= ${min}`);
    return v as number;
  };
  const range = (k: string, positive: boolean): [number, number] => {
    const v = r[k];
    if (
      !Array.isArray(v) ||
      v.length !== 2 ||
      !v.every((e) => typeof e === 'number' && Number.isFinite(e) && (!positive || e > 0)) ||
      v[0] > v[1]
    ) {
      fail(`${k} must be [min, max] with min <= max${positive ? ', both > 0' : ''}`);
    }
    return [(v as number[])[0], (v as number[])[1]];
  };
  const bool = (k: string) => {
    if (typeof r[k] !== 'boolean') fail(`${k} must be a boolean`);
    return r[k] as boolean;
  };
  let elastic: AugmentConfig['elastic'] = null;
  if (r.elastic !== null) {
    const e = r.elastic as Record<string, unknown> | undefined;
    if (typeof e !== 'object' || e === null) return fail('elastic must be null or { alpha, sigma }');
    if (typeof e.alpha !== 'number' || !(e.alpha >= 0) || typeof e.sigma !== 'number' || !(e.sigma >= 1)) {
      fail('elastic needs alpha >= 0 and sigma >= 1');
    }
    elastic = { alpha: e.alpha as number, sigma: e.sigma as number };
  }
  return {
    rotateDeg: num('rotateDeg', 0),
    scale: range('scale', true),
    flipH: bool('flipH'),
    flipV: bool('flipV'),
    elastic,
    shear: num('shear', 0),
    brightness: num('brightness', 0),
    contrast: range('contrast', true),
    gamma: range('gamma', true),
    ...(r.blur !== undefined ? { blur: num('blur', 0) } : {}),
    ...(r.illumination !== undefined ? { illumination: num('illumination', 0) } : {}),
  };
}

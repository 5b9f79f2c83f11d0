// The canonical frame every network sees: the field of view found, cropped, and resampled so that the camera's
// aperture is `diameter` pixels across, whatever the camera's resolution. Probabilities come back to the image's own
// pixel grid through the exact inverse mapping, so masks stay at the input's size.
// Scale reference: the aperture's diameter. Measured on the reference labels (mean vessel calibre / aperture
// diameter: DRIVE 0.0098, STARE 0.0104, LES-AV's 30-degree field 0.0098), it puts vessels of 30- and 45-degree
// cameras at the same width within 6%. Where no aperture edge shows (borderless or wide-field photographs) the
// vessels' own calibre is the ruler instead: labels when training, the model's first-pass mask when predicting.
import type { BinaryMap, FrameConfig, RasterImage } from '../types.js';

export type { FrameConfig };
import { fitFovCircle, type FovCircle } from './fov-circle.js';
import { planAxis, resample, resampleAt, type AxisPlan } from './resample.js';
import { components } from '../../../shared/skeleton.js';

/**
 * A vessel mask's mean calibre in pixels: area over half the boundary length (a vessel of width w and length L has
 * area wL and about 2L boundary edges), so it needs no skeleton and is stable under small segmentation noise.
 */
export function calibreIndex(mask: BinaryMap): number {
  const { width: w, height: h, data } = mask;
  let area = 0;
  let edges = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      if (!data[p]) continue;
      area++;
      edges += (data[p - 1] ? 0 : 1) + (data[p + 1] ? 0 : 1) + (data[p - w] ? 0 : 1) + (data[p + w] ? 0 : 1);
    }
  }
  return edges > 0 ? (2 * area) / edges : 0;
}

/** Pieces of a mask smaller than this (8-connected pixels) are specks, not vessels. */
const SPECK_PIXELS = 16;

/**
 * The calibre of a first-pass mask as a ruler for the frame's scale, or 0 when the mask is no vessel tree: over
 * half its pixels in specks. Noise, film grain or a textured picture of something else thresholds to specks a pixel
 * or two across, which read as very thin vessels and enlarged the frame up to the ruler's limit (a 640x480 picture of
 * noise 3.4x: 30 s and a "low resolution" warning); a fundus's first pass, even from a tenfold-reduced wide field,
 * holds under 3% of its pixels in specks (DRIVE crops, AV-WIDE at two sizes).
 */
export function rulerCalibre(mask: BinaryMap): number {
  const { sizes } = components(mask.data, mask.width, mask.height);
  let total = 0;
  let specks = 0;
  for (let k = 1; k < sizes.length; k++) {
    total += sizes[k];
    if (sizes[k] < SPECK_PIXELS) specks += sizes[k];
  }
  return total > 0 && specks * 2 <= total ? calibreIndex(mask) : 0;
}

/** Where the canonical frame lies in one image. */
export interface Frame {
  native: { width: number; height: number };
  /** The native crop [x0, x1) x [y0, y1). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Canonical size of the crop. */
  width: number;
  height: number;
  /** Canonical pixels per native pixel (the mean of both axes; they differ only by rounding). */
  scale: number;
  /** True when the canonical frame is the image itself (the scale snapped to 1 and nothing cropped). */
  identity: boolean;
  circle: FovCircle | null;
  /** Said to the user: e.g. no aperture edge found, so the whole frame was taken as the field. */
  warnings: string[];
}

/** Margin kept around the aperture, as a share of its radius (the network sees the rim's context). */
const MARGIN = 0.03;

/** The largest whole shrinking ratio the frame snaps to. */
const MAX_SNAP_RATIO = 8;

/**
 * A scale within `snap` of 1/k (k whole) becomes exactly 1/k: then every canonical pixel averages the same k x k
 * block of the image's pixels. At a scale just off 1/k the blocks drift in phase across the image and blur some
 * places more than others, so the same photograph at twice its size would give a softer frame than at its size,
 * and vessels would come out wider (measured: CRAE +2-5% on DRIVE test at 2x).
 */
export function snapToWholeRatio(scale: number, snap: number): number {
  for (let k = 1; k <= MAX_SNAP_RATIO; k++) if (Math.abs(scale * k - 1) <= snap) return 1 / k;
  return scale;
}

/**
 * Places the frame: crop to the fitted aperture and scale it to `cfg.diameter`. Without an aperture the whole
 * image is the crop and the scale is `scaleWithoutAperture` (from a calibre ruler) or a guess from the diagonal.
 */
export function planFrame(fov: BinaryMap, cfg: FrameConfig, scaleWithoutAperture?: number): Frame {
  const { width: w, height: h } = fov;
  const circle = fitFovCircle(fov);
  const warnings: string[] = [];
  let x0 = 0;
  let y0 = 0;
  let x1 = w;
  let y1 = h;
  let scale: number;
  if (circle) {
    scale = cfg.diameter / (2 * circle.r);
    const reach = circle.r * (1 + MARGIN);
    x0 = Math.max(0, Math.floor(circle.cx - reach));
    y0 = Math.max(0, Math.floor(circle.cy - reach));
    x1 = Math.min(w, Math.ceil(circle.cx + reach));
    y1 = Math.min(h, Math.ceil(circle.cy + reach));
  } else {
    // No aperture edge (a borderless or wide-field photograph, a blank frame, not a fundus): the frame is the
    // field; a field cropped inside its aperture has about the aperture's diameter as its diagonal.
    scale = scaleWithoutAperture ?? cfg.diameter / Math.hypot(w, h);
    warnings.push(
      "no field-of-view edge found: the whole frame was segmented, scaled by the vessels' calibre",
    );
  }
  scale = snapToWholeRatio(scale, cfg.snap);
  const k = Math.round(1 / scale);
  if (k > 1 && scale === 1 / k) {
    // Whole blocks: the crop starts on a multiple of k and spans whole blocks (the pixels dropped lie in the margin).
    x0 -= x0 % k;
    y0 -= y0 % k;
    x1 = x0 + Math.max(k, Math.floor((x1 - x0) / k) * k);
    y1 = y0 + Math.max(k, Math.floor((y1 - y0) / k) * k);
    if (x1 > w || y1 > h) {
      x1 = Math.min(x1, w);
      y1 = Math.min(y1, h);
    }
  }
  return cropFrame({ width: w, height: h }, { x0, y0, x1, y1 }, scale, circle, warnings);
}

/** The frame that shows the native box [x0, x1) x [y0, y1) scaled by `scale`. */
export function cropFrame(
  native: { width: number; height: number },
  box: { x0: number; y0: number; x1: number; y1: number },
  scale: number,
  circle: Frame['circle'] = null,
  warnings: string[] = [],
): Frame {
  const { x0, y0, x1, y1 } = box;
  return {
    native: { width: native.width, height: native.height },
    x0,
    y0,
    x1,
    y1,
    width: Math.max(1, Math.round((x1 - x0) * scale)),
    height: Math.max(1, Math.round((y1 - y0) * scale)),
    scale,
    identity: scale === 1 && x0 === 0 && y0 === 0 && x1 === native.width && y1 === native.height,
    circle,
    warnings,
  };
}

/**
 * Native -> canonical plans whose taps index the whole native image: planned on the crop (edges clamp to the crop,
 * as before), then moved by the crop's origin, so the photograph is read in place rather than copied out first.
 */
function toCanonicalPlans(f: Frame) {
  const sx = (f.x1 - f.x0) / f.width;
  const sy = (f.y1 - f.y0) / f.height;
  return {
    px: shiftPlan(planAxis(f.x1 - f.x0, f.width, 0, sx), f.x0),
    py: shiftPlan(planAxis(f.y1 - f.y0, f.height, 0, sy), f.y0),
  };
}

function shiftPlan(plan: AxisPlan, by: number): AxisPlan {
  if (by !== 0) for (let j = 0; j < plan.taps.length; j++) plan.taps[j] += by;
  return plan;
}

/**
 * Conversions already made in a frame, by the data array converted: the vessel network, the artery/vein network
 * and the disc search all see the same photograph, field of view and mask in the same frame, and on an 8-megapixel
 * photograph each conversion costs a pass over every native pixel. A frame is planned per segmentation and its
 * inputs are not changed after it (results are shared: callers only read them, as identity frames always had).
 */
const convertedImages = new WeakMap<Frame, WeakMap<object, RasterImage>>();
const convertedMaps = new WeakMap<Frame, WeakMap<object, BinaryMap>>();

function once<T>(done: WeakMap<Frame, WeakMap<object, T>>, f: Frame, source: object, convert: () => T): T {
  let byData = done.get(f);
  if (!byData) done.set(f, (byData = new WeakMap()));
  let out = byData.get(source);
  if (!out) byData.set(source, (out = convert()));
  return out;
}

/** The photograph in the canonical frame, at its own bit depth. */
export function imageToCanonical(image: RasterImage, f: Frame): RasterImage {
  if (f.identity) return image;
  return once(convertedImages, f, image.data, () => convertImage(image, f));
}

function convertImage(image: RasterImage, f: Frame): RasterImage {
  const { px, py } = toCanonicalPlans(f);
  const out = resample(image.data, image.width, image.height, image.channels, px, py);
  const max = image.bitDepth === 16 ? 65535 : 255;
  const data = image.bitDepth === 16 ? new Uint16Array(out.length) : new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) data[i] = Math.min(max, Math.max(0, Math.round(out[i])));
  return { width: f.width, height: f.height, channels: image.channels, bitDepth: image.bitDepth, data };
}

/**
 * Records that `native` (a mask made on the image's grid from canonical probabilities) came from `canonical`, the
 * same probabilities thresholded in the frame: mapToCanonical then gives the frame's own mask back rather than a
 * resampling of its enlargement, so the skeleton that the artery/vein vote and the fovea search read in the frame
 * is the same whatever size the photograph came at (a thin junction thresholded after a cubic enlargement can open
 * by a pixel, and the vessel tree read back from it then differs).
 */
export function rememberCanonicalMask(native: BinaryMap, canonical: BinaryMap, f: Frame): void {
  if (f.identity) return;
  once(convertedMaps, f, native.data, () => canonical);
}

/** The share of each canonical pixel that a 0/1 map (drawn at native size) covers. */
export function coverToCanonical(map: BinaryMap, f: Frame): Float32Array {
  if (f.identity) return Float32Array.from(map.data);
  const { px, py } = toCanonicalPlans(f);
  return resample(map.data, map.width, map.height, 1, px, py);
}

/** A 0/1 map (FOV, a mask drawn at native size) in the canonical frame: area coverage above one half. */
export function mapToCanonical(map: BinaryMap, f: Frame): BinaryMap {
  if (f.identity) return map;
  return once(convertedMaps, f, map.data, () => convertMap(map, f));
}

function convertMap(map: BinaryMap, f: Frame): BinaryMap {
  const cover = coverToCanonical(map, f);
  const data = new Uint8Array(cover.length);
  for (let i = 0; i < cover.length; i++) data[i] = cover[i] >= 0.5 ? 1 : 0;
  return { width: f.width, height: f.height, data };
}

/** Canonical -> crop plans. Cubic: thin vessels keep their peak probability on the finer native grid (linear lost
 * 0.015 F1 at 2x). */
function toNativePlans(f: Frame): { px: AxisPlan; py: AxisPlan } {
  const cw = f.x1 - f.x0;
  const ch = f.y1 - f.y0;
  return {
    px: planAxis(f.width, cw, 0, f.width / cw, 'cubic'),
    py: planAxis(f.height, ch, 0, f.height / ch, 'cubic'),
  };
}

/** Canonical probabilities back on the image's own grid (zero outside the crop, which lies outside the field). */
export function probabilityToNative(prob: Float32Array, f: Frame): Float32Array {
  if (f.identity) return prob;
  const cw = f.x1 - f.x0;
  const ch = f.y1 - f.y0;
  const { px, py } = toNativePlans(f);
  const inCrop = resample(prob, f.width, f.height, 1, px, py);
  for (let i = 0; i < inCrop.length; i++) inCrop[i] = Math.min(1, Math.max(0, inCrop[i]));
  const { width: w, height: h } = f.native;
  if (cw === w && ch === h) return inCrop;
  const out = new Float32Array(w * h);
  for (let y = 0; y < ch; y++) out.set(inCrop.subarray(y * cw, (y + 1) * cw), (y + f.y0) * w + f.x0);
  return out;
}

/**
 * probabilityToNative's value at native pixels one at a time (the same number, to the bit), for callers that need
 * a few pixels of an 8-megapixel photograph rather than its whole grid.
 */
export function probabilityAtNative(prob: Float32Array, f: Frame): (x: number, y: number) => number {
  if (f.identity) return (x, y) => prob[y * f.width + x];
  const { px, py } = toNativePlans(f);
  return (x, y) => {
    const cx = x - f.x0;
    const cy = y - f.y0;
    if (cx < 0 || cy < 0 || x >= f.x1 || y >= f.y1) return 0;
    return Math.min(1, Math.max(0, resampleAt(prob, f.width, px, py, cx, cy)));
  };
}

/**
 * Canonical probabilities on the image's grid shrunk by a whole factor k (pixel (x, y) covers native pixels
 * [kx, kx + k) x [ky, ky + k)), straight from the frame: cheaper than mapping to native and shrinking. Outside the
 * crop the nearest crop value is taken; callers look only inside the field of view.
 */
export function probabilityToGrid(prob: Float32Array, f: Frame, k: number): Float32Array {
  const sw = Math.ceil(f.native.width / k);
  const sh = Math.ceil(f.native.height / k);
  const sx = f.width / (f.x1 - f.x0);
  const sy = f.height / (f.y1 - f.y0);
  const px = planAxis(f.width, sw, -f.x0 * sx, k * sx, 'cubic');
  const py = planAxis(f.height, sh, -f.y0 * sy, k * sy, 'cubic');
  const out = resample(prob, f.width, f.height, 1, px, py);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]));
  return out;
}

/** A point in canonical pixels mapped to the image's own pixels (centres map to centres). */
export function pointToNative(p: { x: number; y: number }, f: Frame): { x: number; y: number } {
  const sx = (f.x1 - f.x0) / f.width;
  const sy = (f.y1 - f.y0) / f.height;
  return { x: f.x0 + (p.x + 0.5) * sx - 0.5, y: f.y0 + (p.y + 0.5) * sy - 0.5 };
}

/** A point in the image's own pixels mapped to canonical pixels (pointToNative's inverse). */
export function pointToCanonical(p: { x: number; y: number }, f: Frame): { x: number; y: number } {
  const sx = (f.x1 - f.x0) / f.width;
  const sy = (f.y1 - f.y0) / f.height;
  return { x: (p.x - f.x0 + 0.5) / sx - 0.5, y: (p.y - f.y0 + 0.5) / sy - 0.5 };
}

/** A labelled training image in the canonical frame: photograph, label and FOV resampled alike. */
export function sampleToCanonical(
  image: RasterImage,
  mask: BinaryMap,
  fov: BinaryMap,
  cfg: FrameConfig,
): { image: RasterImage; mask: BinaryMap; fov: BinaryMap; frame: Frame } {
  // Without an aperture edge the label's own calibre is the ruler (wide-field and borderless photographs).
  const calibre = calibreIndex(mask);
  const frame = planFrame(fov, cfg, calibre > 0 ? cfg.labelCalibre / calibre : undefined);
  return {
    image: imageToCanonical(image, frame),
    mask: mapToCanonical(mask, frame),
    fov: mapToCanonical(fov, frame),
    frame,
  };
}

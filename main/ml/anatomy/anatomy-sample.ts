// Training samples of the anatomy networks and their patch batches. A sample is a photograph in its network's frame
// as preprocessed colour planes, a 0/1 target, a 0/1 weight (pixels that count) and the pixels patches centre on.
// Every plane of a patch goes through the same geometric warp; each gets its own intensity jitter (colour balance
// differs from camera to camera).
import type { AugmentConfig } from '../types.js';
import type { Rng } from '../rng.js';
import {
  IDENTITY_GEOMETRY,
  allocWarpOutput,
  applyIntensity,
  sampleAugmentParams,
  warpWindow,
} from '../image/augment.js';

export interface AnatomySample {
  id: string;
  width: number;
  height: number;
  /** Preprocessed channels, each width*height. */
  planes: Float32Array[];
  target: Uint8Array;
  weight: Uint8Array;
  /** Pixel indices a focused patch is centred on (e.g. labelled vessels, the disc). */
  focus: Int32Array;
  /** Pixel indices any other patch is centred on (the field of view). */
  anywhere: Int32Array;
  /** The task's reference in the frame, for validation scores (artery/vein labels, the disc). */
  reference?: Uint8Array;
  /** Frame pixels per native pixel (to state validation figures in the image's units). */
  scale?: number;
}

export interface AnatomyBatch {
  /** N*P*P*C, NHWC. */
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
}

/** Indices of the non-zero pixels of a 0/1 map. */
export function indicesOf(map: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < map.length; i++) if (map[i]) n++;
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < map.length; i++) if (map[i]) out[k++] = i;
  return out;
}

/**
 * `batchSize` patches of `size` x `size`: the first round(focusShare * batchSize) centred on a focus pixel, the
 * rest anywhere. Reproducible for a given rng state.
 */
export function sampleAnatomyBatch(
  samples: AnatomySample[],
  batchSize: number,
  size: number,
  focusShare: number,
  augment: AugmentConfig | null,
  rng: Rng,
): AnatomyBatch {
  if (samples.length === 0) throw new Error('anatomy patches: no samples');
  const c = samples[0].planes.length;
  const pp = size * size;
  const x = new Float32Array(batchSize * pp * c);
  const y = new Float32Array(batchSize * pp);
  const w = new Float32Array(batchSize * pp);
  const warp = allocWarpOutput(pp);
  const half = Math.floor(size / 2);
  const focused = Math.round(focusShare * batchSize);
  for (let k = 0; k < batchSize; k++) {
    const s = samples[rng.int(samples.length)];
    const pool = k < focused && s.focus.length > 0 ? s.focus : s.anywhere;
    const centre = pool.length > 0 ? pool[rng.int(pool.length)] : rng.int(s.width * s.height);
    const cx = centre % s.width;
    const cy = (centre - cx) / s.width;
    const params = augment ? sampleAugmentParams(augment, size, size, rng) : null;
    const geometry = params?.geometric ?? IDENTITY_GEOMETRY;
    for (let ch = 0; ch < c; ch++) {
      const src = {
        width: s.width,
        height: s.height,
        image: s.planes[ch],
        mask: ch === 0 ? s.target : null,
        weight: ch === 0 ? s.weight : null,
      };
      warpWindow(src, cx - half, cy - half, size, size, geometry, warp);
      if (params) {
        // The drawn jitter for the first channel, a fresh one for the others.
        const intensity =
          ch === 0 ? params.intensity : sampleAugmentParams(augment!, size, size, rng).intensity;
        applyIntensity(warp.image, warp.valid, { ...intensity, blur: 0, ramp: 0 }, pp);
      }
      const base = k * pp * c;
      for (let i = 0; i < pp; i++) x[base + i * c + ch] = warp.image[i];
      if (ch === 0) {
        y.set(warp.mask.subarray(0, pp), k * pp);
        for (let i = 0; i < pp; i++) w[k * pp + i] = warp.weight[i] * warp.valid[i];
      }
    }
  }
  return { x, y, w };
}

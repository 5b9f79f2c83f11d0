// Training patches and inference tiles.
//
// Training: samplePatchBatch draws square patches straight from full preprocessed images (augmented on the fly by
// inverse mapping, see augment.ts). Inference: tileGrid covers an image of any size with overlapping tiles and
// TileBlender / blendTiles merge per-tile predictions with a smooth window into one probability map.

import type { AugmentConfig } from '../types.js';
import type { Rng } from '../rng.js';
import { allocWarpOutput, augmentPatch } from './augment.js';

/** A training sample, preprocessed and in memory. All arrays are width*height, row-major. */
export interface PreparedSample {
  id: string;
  width: number;
  height: number;
  image: Float32Array; // preprocessed (preprocessImage)
  mask: Uint8Array; // 0/1 ground truth
  fov: Uint8Array; // 0/1 field of view
}

export interface PatchBatch {
  /** N*P*P*1, NHWC. */
  x: Float32Array;
  /** N*P*P, 0/1 ground truth. */
  y: Float32Array;
  /** N*P*P, 1 where the pixel is inside the FOV (and the image), else 0; losses and metrics weight by it. */
  w: Float32Array;
}

export interface PatchSamplingOptions {
  augment: AugmentConfig | null;
  /** Share of patches centred on a vessel pixel (inside the FOV); the rest are centred anywhere in the FOV. */
  vesselFraction?: number;
}

interface CentreIndex {
  fov: Int32Array; // pixel indices inside the FOV (all pixels if the FOV is empty)
  vessel: Int32Array; // vessel pixel indices inside the FOV
}

// Index lists are derived once per mask/FOV array and remembered; they depend only on the arrays' contents, which
// callers do not change after preparing a sample.
const centreCache = new WeakMap<Uint8Array, WeakMap<Uint8Array, CentreIndex>>();

function centreIndex(s: PreparedSample): CentreIndex {
  let byMask = centreCache.get(s.fov);
  if (!byMask) {
    byMask = new WeakMap();
    centreCache.set(s.fov, byMask);
  }
  const hit = byMask.get(s.mask);
  if (hit) return hit;
  const n = s.width * s.height;
  let nf = 0;
  let nv = 0;
  for (let i = 0; i < n; i++) {
    if (s.fov[i] !== 0) {
      nf++;
      if (s.mask[i] !== 0) nv++;
    }
  }
  const fov = new Int32Array(nf > 0 ? nf : n);
  const vessel = new Int32Array(nv);
  if (nf === 0) {
    for (let i = 0; i < n; i++) fov[i] = i;
  } else {
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (s.fov[i] !== 0) {
        fov[a++] = i;
        if (s.mask[i] !== 0) vessel[b++] = i;
      }
    }
  }
  const entry = { fov, vessel };
  byMask.set(s.mask, entry);
  return entry;
}

function checkSample(s: PreparedSample) {
  const n = s.width * s.height;
  if (!(s.width >= 1 && s.height >= 1) || s.image.length !== n || s.mask.length !== n || s.fov.length !== n) {
    throw new Error(`patches: sample ${s.id} arrays do not match its size ${s.width}x${s.height}`);
  }
}

/**
 * Draws `batchSize` patches of `patchSize` x `patchSize`. Each patch picks a sample uniformly, then a centre pixel:
 * the first round(vesselFraction * batchSize) patches on a vessel pixel (falling back to the FOV when an image has
 * none), the rest uniformly inside the FOV. The centre pixel lands at (floor(P/2), floor(P/2)) of an unaugmented
 * patch. Reproducible for a given rng state.
 */
export function samplePatchBatch(
  samples: PreparedSample[],
  batchSize: number,
  patchSize: number,
  rng: Rng,
  opts: PatchSamplingOptions,
): PatchBatch {
  if (samples.length === 0) throw new Error('patches: no samples to draw from');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`patches: bad batch size ${batchSize}`);
  if (!Number.isInteger(patchSize) || patchSize < 1) throw new Error(`patches: bad patch size ${patchSize}`);
  const frac = opts.vesselFraction ?? 0;
  if (!(frac >= 0 && frac <= 1)) throw new Error(`patches: vesselFraction must be in [0, 1], got ${frac}`);
  for (const s of samples) checkSample(s);

  const pp = patchSize * patchSize;
  const x = new Float32Array(batchSize * pp);
  const y = new Float32Array(batchSize * pp);
  const w = new Float32Array(batchSize * pp);
  const scratch = allocWarpOutput(pp);
  const vesselPatches = Math.round(frac * batchSize);
  const half = Math.floor(patchSize / 2);
  for (let k = 0; k < batchSize; k++) {
    const s = samples[rng.int(samples.length)];
    const idx = centreIndex(s);
    const pool = k < vesselPatches && idx.vessel.length > 0 ? idx.vessel : idx.fov;
    const c = pool[rng.int(pool.length)];
    const cx = c % s.width;
    const cy = (c - cx) / s.width;
    const out = {
      image: x.subarray(k * pp, (k + 1) * pp),
      mask: y.subarray(k * pp, (k + 1) * pp),
      weight: w.subarray(k * pp, (k + 1) * pp),
      valid: scratch.valid,
    };
    augmentPatch(
      { width: s.width, height: s.height, image: s.image, mask: s.mask, weight: s.fov },
      cx - half,
      cy - half,
      patchSize,
      opts.augment,
      rng,
      out,
    );
  }
  return { x, y, w };
}

// ---------------------------------------------------------------------------------------------------------------
// Inference tiling

export interface TileGrid {
  width: number;
  height: number;
  tile: number;
  overlap: number;
  /** Top-left corners. Tiles lie inside the image except where the image is smaller than a tile (then they start
   * at 0 and run past the far edge; extractTile pads those pixels). */
  tiles: { x: number; y: number }[];
}

function axisStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const n = Math.ceil((length - overlap) / (tile - overlap));
  const starts: number[] = [];
  // Spread evenly so the last tile ends exactly at the image edge; the stride never exceeds tile - overlap
  // (rounding may shave one pixel off the overlap).
  for (let i = 0; i < n; i++) starts.push(Math.round((i * (length - tile)) / (n - 1)));
  return starts;
}

/**
 * Covers a width x height image with `tile` x `tile` tiles (tile a multiple of 16) overlapping by at least about
 * `overlap` pixels (0 <= overlap < tile). Tiles are listed row by row.
 */
export function tileGrid(width: number, height: number, tile: number, overlap: number): TileGrid {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`tiles: bad image size ${width}x${height}`);
  }
  if (!Number.isInteger(tile) || tile < 16 || tile % 16 !== 0)
    throw new Error(`tiles: tile ${tile} must be a multiple of 16`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile) {
    throw new Error(`tiles: overlap ${overlap} must be an integer in [0, ${tile})`);
  }
  const xs = axisStarts(width, tile, overlap);
  const ys = axisStarts(height, tile, overlap);
  const tiles: { x: number; y: number }[] = [];
  for (const ty of ys) for (const tx of xs) tiles.push({ x: tx, y: ty });
  return { width, height, tile, overlap, tiles };
}

/** Mirror index into [0, n) without repeating the edge pixel (…2 1 0 1 2…), for any offset. */
export function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * Copies one tile of a single-channel image into `out` (tile*tile floats, allocated when absent). Pixels past the
 * image edge (images smaller than a tile) are filled by reflection, which keeps vessel texture continuous instead
 * of introducing an artificial edge; blending ignores them.
 */
export function extractTile(
  image: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  tile: number,
  out?: Float32Array,
): Float32Array {
  if (image.length !== width * height)
    throw new Error(`tiles: image has ${image.length} values, expected ${width * height}`);
  const o = out ?? new Float32Array(tile * tile);
  for (let ty = 0; ty < tile; ty++) {
    const sy = reflect(y0 + ty, height);
    const row = sy * width;
    const orow = ty * tile;
    if (x0 >= 0 && x0 + tile <= width) {
      o.set(image.subarray(row + x0, row + x0 + tile), orow);
    } else {
      for (let tx = 0; tx < tile; tx++) o[orow + tx] = image[row + reflect(x0 + tx, width)];
    }
  }
  return o;
}

/**
 * 1-D blending window: a raised-cosine ramp over `ramp` pixels at both ends, 1 in between. Strictly positive (the
 * first pixel gets a small weight, not 0), so every covered pixel has a non-zero total weight.
 */
export function blendWindow(tile: number, ramp: number): Float32Array {
  const w = new Float32Array(tile);
  const r = Math.min(ramp, Math.floor(tile / 2));
  for (let i = 0; i < tile; i++) {
    const d = Math.min(i, tile - 1 - i) + 0.5; // distance to the nearer end, in pixels
    w[i] = r > 0 && d < r ? 0.5 - 0.5 * Math.cos((Math.PI * d) / r) : 1;
  }
  return w;
}

/** Accumulates tile predictions into a full-size probability map, tile by tile (for batched inference). */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private readonly window: Float32Array;

  constructor(readonly grid: TileGrid) {
    const n = grid.width * grid.height;
    this.sum = new Float32Array(n);
    this.weight = new Float32Array(n);
    this.window = blendWindow(grid.tile, grid.overlap);
  }

  /** Adds the prediction (tile*tile floats, row-major) of grid.tiles[index]. */
  add(index: number, prediction: Float32Array): void {
    const { width, height, tile, tiles } = this.grid;
    const t = tiles[index];
    if (!t) throw new Error(`tiles: no tile ${index}`);
    if (prediction.length < tile * tile) throw new Error(`tiles: prediction has ${prediction.length} values`);
    const win = this.window;
    const yEnd = Math.min(tile, height - t.y);
    const xEnd = Math.min(tile, width - t.x);
    for (let ty = 0; ty < yEnd; ty++) {
      const wy = win[ty];
      const row = (t.y + ty) * width + t.x;
      const prow = ty * tile;
      for (let tx = 0; tx < xEnd; tx++) {
        const wt = wy * win[tx];
        this.sum[row + tx] += prediction[prow + tx] * wt;
        this.weight[row + tx] += wt;
      }
    }
  }

  /** The blended map; pixels no tile covered (none, for a tileGrid grid) are 0. */
  result(): Float32Array {
    const out = new Float32Array(this.sum.length);
    for (let i = 0; i < out.length; i++) out[i] = this.weight[i] > 0 ? this.sum[i] / this.weight[i] : 0;
    return out;
  }
}

/** Blends all tile predictions at once: `predictions` holds tiles.length * tile * tile floats in grid order. */
export function blendTiles(grid: TileGrid, predictions: Float32Array): Float32Array {
  const tt = grid.tile * grid.tile;
  if (predictions.length !== grid.tiles.length * tt) {
    throw new Error(`tiles: expected ${grid.tiles.length * tt} prediction values, got ${predictions.length}`);
  }
  const b = new TileBlender(grid);
  for (let i = 0; i < grid.tiles.length; i++) b.add(i, predictions.subarray(i * tt, (i + 1) * tt));
  return b.result();
}

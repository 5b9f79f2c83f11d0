// Separable resampling between an image's own pixel grid and the canonical frame: area averaging when shrinking
// (every source pixel counts, so thin vessels are not aliased away), linear or cubic interpolation when enlarging.
// Written here rather than taken from sharp because the frame needs float maps (probabilities) and exact control of
// where each output pixel lands in the source, so that canonical -> native is the true inverse of native -> canonical.

/** For each destination index, the source taps and their weights (summing to 1). */
export interface AxisPlan {
  length: number;
  offsets: Int32Array; // length + 1
  taps: Int32Array;
  weights: Float32Array;
}

/**
 * Destination pixel i covers the source interval [start + i*step, start + (i+1)*step) (pixel k covers [k, k+1)).
 * Taps outside [0, srcLen) are clamped to the edge. Enlarging is linear, or Keys cubic (a = -0.5), which keeps the
 * peak of a structure one source pixel wide where linear interpolation flattens it (thin vessels' probabilities).
 */
export function planAxis(
  srcLen: number,
  dstLen: number,
  start: number,
  step: number,
  enlarge: 'linear' | 'cubic' = 'linear',
): AxisPlan {
  const offsets = new Int32Array(dstLen + 1);
  const taps: number[] = [];
  const weights: number[] = [];
  const clamp = (k: number): number => (k < 0 ? 0 : k >= srcLen ? srcLen - 1 : k);
  for (let i = 0; i < dstLen; i++) {
    const a = start + i * step;
    const b = a + step;
    if (step > 1) {
      let total = 0;
      const from = taps.length;
      for (let k = Math.floor(a); k < b; k++) {
        const w = Math.min(b, k + 1) - Math.max(a, k);
        if (w <= 0) continue;
        taps.push(clamp(k));
        weights.push(w);
        total += w;
      }
      for (let j = from; j < weights.length; j++) weights[j] /= total;
    } else if (enlarge === 'cubic') {
      const c = (a + b) / 2 - 0.5;
      const k0 = Math.floor(c);
      for (let k = k0 - 1; k <= k0 + 2; k++) {
        const t = Math.abs(k - c);
        const w =
          t < 1 ? 1.5 * t ** 3 - 2.5 * t ** 2 + 1 : t < 2 ? -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2 : 0;
        taps.push(clamp(k));
        weights.push(w);
      }
    } else {
      const c = (a + b) / 2 - 0.5;
      const k0 = Math.floor(c);
      const f = c - k0;
      taps.push(clamp(k0), clamp(k0 + 1));
      weights.push(1 - f, f);
    }
    offsets[i + 1] = taps.length;
  }
  return { length: dstLen, offsets, taps: Int32Array.from(taps), weights: Float32Array.from(weights) };
}

/** Resamples interleaved `channels`-channel data from srcW x srcH to plans' lengths; the result is float. */
export function resample(
  src: ArrayLike<number>,
  srcW: number,
  srcH: number,
  channels: number,
  px: AxisPlan,
  py: AxisPlan,
): Float32Array {
  const dstW = px.length;
  const dstH = py.length;
  // Rows first, on the source rows the vertical plan uses only.
  const usedRows = new Uint8Array(srcH);
  for (let j = 0; j < py.taps.length; j++) usedRows[py.taps[j]] = 1;
  const tmp = new Float32Array(dstW * srcH * channels);
  // Each tap's offset into a source row, in elements; colour accumulates its channels together, one read of the
  // plan per tap (the row pass over an 8-megapixel photograph, 0.15 s with the plan read per channel). The sums per
  // channel are the same as one channel at a time, in the same order.
  const tapAt = Int32Array.from(px.taps, (t) => t * channels);
  const { offsets, weights } = px;
  for (let y = 0; y < srcH; y++) {
    if (!usedRows[y]) continue;
    const srow = y * srcW * channels;
    const trow = y * dstW * channels;
    if (channels === 3) {
      for (let x = 0, t = trow; x < dstW; x++, t += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let j = offsets[x]; j < offsets[x + 1]; j++) {
          const w = weights[j];
          const s = srow + tapAt[j];
          r += w * src[s];
          g += w * src[s + 1];
          b += w * src[s + 2];
        }
        tmp[t] = r;
        tmp[t + 1] = g;
        tmp[t + 2] = b;
      }
      continue;
    }
    for (let x = 0; x < dstW; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let j = offsets[x]; j < offsets[x + 1]; j++) acc += weights[j] * src[srow + tapAt[j] + c];
        tmp[trow + x * channels + c] = acc;
      }
    }
  }
  const out = new Float32Array(dstW * dstH * channels);
  const rowLen = dstW * channels;
  for (let y = 0; y < dstH; y++) {
    const orow = y * rowLen;
    const j0 = py.offsets[y];
    if (py.offsets[y + 1] - j0 === 4) {
      // Four taps (every row of a cubic enlargement, and of a shrink by 4) summed in a register, rounded to float32
      // after each as the in-place sum below is (the same bits): one write per pixel instead of four
      // read-modify-writes, the most of enlarging a probability map to an 8-megapixel photograph.
      const [w0, w1, w2, w3] = py.weights.subarray(j0, j0 + 4);
      const [t0, t1, t2, t3] = Array.from(py.taps.subarray(j0, j0 + 4), (t) => t * rowLen);
      for (let i = 0; i < rowLen; i++) {
        let v = Math.fround(w0 * tmp[t0 + i]);
        v = Math.fround(v + w1 * tmp[t1 + i]);
        v = Math.fround(v + w2 * tmp[t2 + i]);
        out[orow + i] = v + w3 * tmp[t3 + i];
      }
      continue;
    }
    for (let j = j0; j < py.offsets[y + 1]; j++) {
      const w = py.weights[j];
      const trow = py.taps[j] * rowLen;
      for (let i = 0; i < rowLen; i++) out[orow + i] += w * tmp[trow + i];
    }
  }
  return out;
}

/**
 * One pixel of `resample` on single-channel data, to the bit: its row pass rounds each tap row to float32 as
 * `resample` stores it, and the column pass rounds after every tap as `resample` accumulates in place. For maps read
 * at a few pixels of a large grid (the vessel pixels of an 8-megapixel photograph) without making the whole grid.
 */
export function resampleAt(
  src: Float32Array,
  srcW: number,
  px: AxisPlan,
  py: AxisPlan,
  x: number,
  y: number,
): number {
  let out = 0;
  for (let j = py.offsets[y]; j < py.offsets[y + 1]; j++) {
    const row = py.taps[j] * srcW;
    let acc = 0;
    for (let k = px.offsets[x]; k < px.offsets[x + 1]; k++) acc += px.weights[k] * src[row + px.taps[k]];
    out = Math.fround(out + py.weights[j] * Math.fround(acc));
  }
  return out;
}

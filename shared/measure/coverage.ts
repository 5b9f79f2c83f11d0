// Area-weighted resampling of 0/1 maps to another scale: each output pixel is the mean of the input area it covers
// (partial pixels weighted), separably along x then y. Used to bring a vessel map to a fixed working
// resolution, so a measure does not depend on how many pixels the camera spent on the same eye.

export interface CoverageMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** For each output index along an axis: the input pixels it covers and their weights (summing to 1). */
function axisWeights(inSize: number, outSize: number): { start: number; weights: number[] }[] {
  const ratio = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const a = o * ratio;
    const b = Math.min(inSize, (o + 1) * ratio);
    const start = Math.floor(a);
    const weights: number[] = [];
    for (let i = start; i < b; i++) weights.push((Math.min(b, i + 1) - Math.max(a, i)) / (b - a));
    return { start, weights };
  });
}

/**
 * The same weights turned around, for each input index: the outputs it contributes to and with what weight, in
 * output order (compressed rows: input i's entries are [first[i], first[i + 1])).
 */
function inputWeights(
  axis: { start: number; weights: number[] }[],
  inSize: number,
): { first: Int32Array; output: Int32Array; weight: Float64Array } {
  const first = new Int32Array(inSize + 1);
  for (const { start, weights } of axis) for (let k = 0; k < weights.length; k++) first[start + k + 1]++;
  for (let i = 0; i < inSize; i++) first[i + 1] += first[i];
  const output = new Int32Array(first[inSize]);
  const weight = new Float64Array(first[inSize]);
  const next = first.slice(0, inSize);
  axis.forEach(({ start, weights }, o) => {
    for (let k = 0; k < weights.length; k++) {
      const e = next[start + k]++;
      output[e] = o;
      weight[e] = weights[k];
    }
  });
  return { first, output, weight };
}

/**
 * The coverage of several 0/1 layers of one image at once: `bits[i]` has bit b set where pixel i belongs to layer b
 * (at most 8 layers). Each output pixel of a layer is the weighted sum of the inputs it covers, along x then y, each
 * pass added in input order in double precision and rounded to single precision after it (as a gathering resampler
 * with a single-precision row buffer rounds). The inputs are scattered rather than gathered, one input row at a time
 * straight into the outputs it covers: the pixels in no layer (most of a vessel map) cost one read for all the layers
 * together, no image-sized row buffer is kept, and the results are exactly the gathered ones.
 */
export function layerCoverage(
  bits: Uint8Array,
  layers: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): CoverageMap[] {
  if (layers < 1 || layers > 8) throw new RangeError(`layerCoverage takes 1 to 8 layers, not ${layers}`);
  const xs = inputWeights(axisWeights(w, outW), w);
  const ys = inputWeights(axisWeights(h, outH), h);
  const sums = Array.from({ length: layers }, () => new Float64Array(outW * outH));
  const acc = Array.from({ length: layers }, () => new Float64Array(outW));
  // The output columns a row touched, per layer (empty when lo > hi).
  const lo = new Int32Array(layers);
  const hi = new Int32Array(layers);
  for (let y = 0; y < h; y++) {
    lo.fill(outW);
    hi.fill(-1);
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const b = bits[row + x];
      if (b === 0) continue;
      const e0 = xs.first[x];
      const e1 = xs.first[x + 1];
      if (e1 === e0) continue;
      for (let l = 0; l < layers; l++) {
        if (!(b & (1 << l))) continue;
        const a = acc[l];
        for (let e = e0; e < e1; e++) a[xs.output[e]] += xs.weight[e];
        lo[l] = Math.min(lo[l], xs.output[e0]);
        hi[l] = Math.max(hi[l], xs.output[e1 - 1]);
      }
    }
    for (let l = 0; l < layers; l++) {
      if (lo[l] > hi[l]) continue;
      const a = acc[l];
      const sum = sums[l];
      for (let e = ys.first[y]; e < ys.first[y + 1]; e++) {
        const to = ys.output[e] * outW;
        const wy = ys.weight[e];
        for (let x = lo[l]; x <= hi[l]; x++) sum[to + x] += Math.fround(a[x]) * wy;
      }
      a.fill(0, lo[l], hi[l] + 1);
    }
  }
  return sums.map((sum) => ({ width: outW, height: outH, data: new Float32Array(sum) }));
}

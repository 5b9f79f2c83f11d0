// Area-weighted resampling of a 0..1 map to another scale: each output pixel is the mean of the input area it
// covers (partial pixels weighted), separably along x then y. Used to bring a vessel map to a fixed working
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

export function resampleCoverage(
  value: (i: number) => number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): CoverageMap {
  const xs = axisWeights(w, outW);
  const ys = axisWeights(h, outH);
  const rows = new Float32Array(outW * h);
  for (let y = 0; y < h; y++) {
    for (let o = 0; o < outW; o++) {
      const { start, weights } = xs[o];
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += value(y * w + start + k) * weights[k];
      rows[y * outW + o] = s;
    }
  }
  const data = new Float32Array(outW * outH);
  for (let o = 0; o < outH; o++) {
    const { start, weights } = ys[o];
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += rows[(start + k) * outW + x] * weights[k];
      data[o * outW + x] = s;
    }
  }
  return { width: outW, height: outH, data };
}

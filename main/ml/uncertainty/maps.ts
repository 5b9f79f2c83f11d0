// Small separable filters over float maps, used by the uncertainty features (sizes are in canonical pixels).
import { chamfer34 } from '../image/chamfer.js';

/** Mean over a (2r+1)^2 box with edge replication, in O(n) for any r (running sums along rows then columns). */
export function boxMean(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const k = 2 * r + 1;
  const clampX = (x: number) => (x < 0 ? 0 : x >= w ? w - 1 : x);
  const clampY = (y: number) => (y < 0 ? 0 : y >= h ? h - 1 : y);
  // Along the rows; clamping is needed only within r of either end.
  const inner = Math.max(r, w - r - 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let x = -r; x <= r; x++) s += src[row + clampX(x)];
    let x = 0;
    for (; x < r && x < w; x++) {
      tmp[row + x] = s / k;
      s += src[row + clampX(x + r + 1)] - src[row + clampX(x - r)];
    }
    for (; x < inner; x++) {
      tmp[row + x] = s / k;
      s += src[row + x + r + 1] - src[row + x - r];
    }
    for (; x < w; x++) {
      tmp[row + x] = s / k;
      s += src[row + clampX(x + r + 1)] - src[row + clampX(x - r)];
    }
  }
  // Down the columns a row at a time, every column's running sum at once (a column walk strides through memory):
  // the same sums in the same order.
  const acc = new Float64Array(w);
  for (let y = -r; y <= r; y++) {
    const row = clampY(y) * w;
    for (let x = 0; x < w; x++) acc[x] += tmp[row + x];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const enter = clampY(y + r + 1) * w;
    const leave = clampY(y - r) * w;
    for (let x = 0; x < w; x++) {
      out[row + x] = acc[x] / k;
      acc[x] += tmp[enter + x] - tmp[leave + x];
    }
  }
  return out;
}

/** Maximum over a (2r+1)^2 box (separable: rows, then columns); r is small here, so the plain scan is enough. */
export function boxMax(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let m = -Infinity;
      const end = Math.min(w - 1, x + r);
      for (let d = Math.max(0, x - r); d <= end; d++) if (src[row + d] > m) m = src[row + d];
      tmp[row + x] = m;
    }
  }
  for (let y = 0; y < h; y++) {
    const lo = Math.max(0, y - r);
    const hi = Math.min(h - 1, y + r);
    for (let x = 0; x < w; x++) {
      let m = -Infinity;
      for (let d = lo; d <= hi; d++) if (tmp[d * w + x] > m) m = tmp[d * w + x];
      out[y * w + x] = m;
    }
  }
  return out;
}

/**
 * Signed distance to the edge of a binary mask, capped at `cap`: positive inside (pixels to the nearest outside
 * pixel), negative outside. Two-pass chamfer (3-4 weights / 3), exact enough for features capped at a few pixels.
 */
export function signedEdgeDistance(mask: Uint8Array, w: number, h: number, cap: number): Float32Array {
  const inside = chamfer(mask, w, h, 1, cap);
  const outside = chamfer(mask, w, h, 0, cap);
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] ? inside[i] : -outside[i];
  return out;
}

/** Distance from each pixel with value `of` to the nearest pixel without it (capped). */
function chamfer(mask: Uint8Array, w: number, h: number, of: 0 | 1, cap: number): Float32Array {
  const big = cap * 3 + 3;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = (mask[i] ? 1 : 0) === of ? big : 0;
  chamfer34(d, w, h);
  for (let i = 0; i < d.length; i++) d[i] = Math.min(cap, d[i] / 3);
  return d;
}

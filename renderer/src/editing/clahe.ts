// A display-only CLAHE (contrast-limited adaptive histogram equalisation) for 8-bit grey pixels: the vessels of
// a fundus photograph stand out in its green channel once local contrast is equalised. Zuiderveld's scheme:
// per-tile histograms clipped at clipLimit x the mean bin count (the excess spread evenly over all bins), each
// tile's cumulative histogram as its grey mapping, and bilinear interpolation between the four nearest tile
// centres so no seams show. Near-black pixels (the surround outside the camera's field of view) are left out of
// the histograms so they do not use up the contrast of border tiles; a tile with too few counted pixels uses
// the whole image's mapping. The engine's own CLAHE (main/ml/clahe.ts) stays Node-side; this one only shows.

export interface DisplayClaheOptions {
  /** Tiles per side (fewer for images smaller than that many pixels). */
  tileGrid: number;
  /** Clip limit relative to a flat histogram (2 = twice the mean bin count). */
  clipLimit: number;
  /** Grey levels at or below this are not counted in the histograms (the black surround). */
  darkLevel: number;
}

export const DISPLAY_CLAHE: DisplayClaheOptions = { tileGrid: 8, clipLimit: 2, darkLevel: 8 };

const MIN_TILE_SHARE = 0.05;

/** Clips `hist` (counting `count` pixels) and writes its cumulative mapping to 0..255 into lut[offset..+256). */
function mapping(
  hist: Float64Array,
  count: number,
  clipLimit: number,
  lut: Uint8Array,
  offset: number,
): void {
  if (count <= 0) {
    for (let v = 0; v < 256; v++) lut[offset + v] = v;
    return;
  }
  const limit = Math.max(1, (clipLimit * count) / 256);
  let excess = 0;
  for (let v = 0; v < 256; v++) {
    if (hist[v] > limit) {
      excess += hist[v] - limit;
      hist[v] = limit;
    }
  }
  const share = excess / 256;
  let cum = 0;
  for (let v = 0; v < 256; v++) {
    cum += hist[v] + share;
    lut[offset + v] = Math.min(255, Math.round((255 * cum) / count));
  }
}

/** Tile edges along an axis: tile t covers [edges[t], edges[t + 1]). */
function edges(length: number, tiles: number): Int32Array {
  const e = new Int32Array(tiles + 1);
  for (let t = 0; t <= tiles; t++) e[t] = Math.floor((t * length) / tiles);
  return e;
}

/** Per coordinate: the lower tile index and the weight of the next tile (0 outside the first/last centre). */
function interpolation(length: number, e: Int32Array): { lo: Int32Array; w: Float32Array } {
  const tiles = e.length - 1;
  const centre = (t: number) => (e[t] + e[t + 1] - 1) / 2;
  const lo = new Int32Array(length);
  const w = new Float32Array(length);
  let t = 0;
  for (let x = 0; x < length; x++) {
    while (t < tiles - 1 && x >= centre(t + 1)) t++;
    if (tiles === 1 || x <= centre(0)) {
      lo[x] = 0;
      w[x] = 0;
    } else if (t >= tiles - 1) {
      lo[x] = tiles - 2;
      w[x] = 1;
    } else {
      lo[x] = t;
      w[x] = (x - centre(t)) / (centre(t + 1) - centre(t));
    }
  }
  return { lo, w };
}

/** CLAHE of `grey` (width x height, 0..255) into `out` (may be the same array). */
export function claheGrey(
  grey: Uint8Array | Uint8ClampedArray,
  out: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  opts: DisplayClaheOptions = DISPLAY_CLAHE,
): void {
  if (grey.length !== width * height || out.length !== grey.length) {
    throw new RangeError(`clahe: ${grey.length} pixels for a ${width}x${height} image`);
  }
  if (grey.length === 0) return;
  const gx = Math.max(1, Math.min(opts.tileGrid, width));
  const gy = Math.max(1, Math.min(opts.tileGrid, height));
  const ex = edges(width, gx);
  const ey = edges(height, gy);
  const tileOfX = new Int32Array(width);
  for (let t = 0; t < gx; t++) tileOfX.fill(t, ex[t], ex[t + 1]);

  const hists = new Float64Array(gx * gy * 256);
  const counts = new Int32Array(gx * gy);
  const all = new Float64Array(256);
  let allCount = 0;
  for (let ty = 0; ty < gy; ty++) {
    for (let y = ey[ty]; y < ey[ty + 1]; y++) {
      for (let x = 0, p = y * width; x < width; x++, p++) {
        const v = grey[p];
        if (v <= opts.darkLevel) continue;
        const t = ty * gx + tileOfX[x];
        hists[t * 256 + v]++;
        counts[t]++;
        all[v]++;
        allCount++;
      }
    }
  }
  const luts = new Uint8Array(gx * gy * 256);
  const global = new Uint8Array(256);
  mapping(all, allCount, opts.clipLimit, global, 0);
  for (let ty = 0; ty < gy; ty++) {
    for (let tx = 0; tx < gx; tx++) {
      const t = ty * gx + tx;
      const area = (ex[tx + 1] - ex[tx]) * (ey[ty + 1] - ey[ty]);
      if (counts[t] < MIN_TILE_SHARE * area) luts.set(global, t * 256);
      else mapping(hists.subarray(t * 256, (t + 1) * 256), counts[t], opts.clipLimit, luts, t * 256);
    }
  }

  const ix = interpolation(width, ex);
  const iy = interpolation(height, ey);
  const gx1 = gx > 1 ? 1 : 0;
  for (let y = 0; y < height; y++) {
    const ty = iy.lo[y];
    const wy = iy.w[y];
    const ty1 = gy > 1 ? ty + 1 : ty;
    for (let x = 0, p = y * width; x < width; x++, p++) {
      const v = grey[p];
      const tx = ix.lo[x];
      const wx = ix.w[x];
      const a = luts[(ty * gx + tx) * 256 + v];
      const b = luts[(ty * gx + tx + gx1) * 256 + v];
      const c = luts[(ty1 * gx + tx) * 256 + v];
      const d = luts[(ty1 * gx + tx + gx1) * 256 + v];
      const top = a + (b - a) * wx;
      const bottom = c + (d - c) * wx;
      out[p] = Math.round(top + (bottom - top) * wy);
    }
  }
}

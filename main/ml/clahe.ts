// Contrast-limited adaptive histogram equalisation (CLAHE) over a float grey image in [0, 1].
//
// Classic scheme (Zuiderveld 1994): the image is cut into tileGrid x tileGrid tiles; each tile gets a histogram,
// clipped at clipLimit x (mean bin count) with the clipped excess spread evenly over all bins (one pass, as
// OpenCV does), and its cumulative distribution becomes the tile's grey-level mapping. Each pixel's output is the
// bilinear interpolation of the mappings of the four tiles whose centres surround it (border pixels use the
// nearest tile(s) only), which removes tile seams.
//
// FOV awareness: only pixels inside the field of view enter the histograms, so the black surround of a fundus
// photograph does not eat the contrast budget of border tiles. The clip limit is scaled by the number of FOV
// pixels in the tile. A tile with too few FOV pixels for a meaningful histogram (fewer than
// max(MIN_TILE_PIXELS, MIN_TILE_SHARE x tile area)) uses the mapping of the whole FOV's histogram instead.
// Pixels outside the FOV are still mapped (by interpolation, like everyone else) so the output has no holes;
// callers decide what to do with them. An empty FOV is treated as "whole image".

export interface ClaheOptions {
  /** Clip limit relative to a flat histogram (OpenCV convention: 2.0 = twice the mean bin count). */
  clipLimit: number;
  /** Tiles per side. */
  tileGrid: number;
  /** Histogram bins; 256 suits 8-bit sources, more (e.g. 4096) keeps 16-bit detail. */
  bins: number;
}

const MIN_TILE_PIXELS = 32;
const MIN_TILE_SHARE = 0.02;

/** Tile boundaries along one axis: tile i covers [edges[i], edges[i+1]). Spreads the remainder evenly. */
function tileEdges(length: number, tiles: number): Int32Array {
  const edges = new Int32Array(tiles + 1);
  for (let i = 0; i <= tiles; i++) edges[i] = Math.floor((i * length) / tiles);
  return edges;
}

/**
 * For each coordinate along an axis: the two tiles to interpolate between and the weight of the second.
 * Coordinates before the first tile centre or after the last use a single tile (weight 0 on the second).
 */
function axisInterpolation(
  length: number,
  edges: Int32Array,
): { lo: Int32Array; hi: Int32Array; w: Float32Array } {
  const tiles = edges.length - 1;
  const centres = new Float64Array(tiles);
  for (let i = 0; i < tiles; i++) centres[i] = (edges[i] + edges[i + 1] - 1) / 2;
  const lo = new Int32Array(length);
  const hi = new Int32Array(length);
  const w = new Float32Array(length);
  let t = 0;
  for (let x = 0; x < length; x++) {
    while (t < tiles - 1 && x >= centres[t + 1]) t++;
    if (x <= centres[0]) {
      lo[x] = hi[x] = 0;
      w[x] = 0;
    } else if (t >= tiles - 1) {
      lo[x] = hi[x] = tiles - 1;
      w[x] = 0;
    } else {
      lo[x] = t;
      hi[x] = t + 1;
      w[x] = (x - centres[t]) / (centres[t + 1] - centres[t]);
    }
  }
  return { lo, hi, w };
}

/**
 * Turns a histogram into a clipped-equalisation mapping (monotone non-decreasing, values in [0, 1]).
 * `hist` is modified (clipped) in place.
 */
function histogramToMapping(
  hist: Float64Array,
  count: number,
  clipLimit: number,
  out: Float32Array,
  offset: number,
) {
  const bins = hist.length;
  if (count <= 0) {
    for (let b = 0; b < bins; b++) out[offset + b] = b / (bins - 1);
    return;
  }
  // At least one pixel per bin, otherwise tiny tiles would clip everything away.
  const limit = Math.max(1, (clipLimit * count) / bins);
  let excess = 0;
  for (let b = 0; b < bins; b++) {
    if (hist[b] > limit) {
      excess += hist[b] - limit;
      hist[b] = limit;
    }
  }
  const share = excess / bins;
  let cum = 0;
  for (let b = 0; b < bins; b++) {
    cum += hist[b] + share;
    out[offset + b] = cum / count;
  }
  // Guard the top against rounding drift so the mapping stays within [0, 1].
  for (let b = 0; b < bins; b++) if (out[offset + b] > 1) out[offset + b] = 1;
}

export interface ClaheMappings {
  /** Tiles across and down (tileGrid, reduced for images narrower/shorter than tileGrid pixels). */
  gx: number;
  gy: number;
  /** Tile boundaries: tile column tx covers x in [xEdges[tx], xEdges[tx+1]); likewise rows. */
  xEdges: Int32Array;
  yEdges: Int32Array;
  bins: number;
  /** gx*gy mappings of `bins` floats each, tile (tx, ty) at (ty*gx + tx)*bins. */
  luts: Float32Array;
  /** FOV pixel count per tile (same order), after the whole-image fallback for an empty FOV. */
  counts: Int32Array;
  /** Which tiles fell back to the whole-FOV mapping. */
  fallback: Uint8Array;
}

function quantise(v: number, bins: number): number {
  const q = Math.round(v * (bins - 1));
  return q < 0 ? 0 : q >= bins ? bins - 1 : q;
}

/** Builds the per-tile mappings (exposed for tests and diagnostics). */
export function claheMappings(
  grey: Float32Array,
  width: number,
  height: number,
  fov: Uint8Array | null,
  opts: ClaheOptions,
): ClaheMappings {
  const { clipLimit, tileGrid, bins } = opts;
  if (grey.length !== width * height)
    throw new Error(`clahe: grey has ${grey.length} values, expected ${width * height}`);
  if (fov && fov.length !== width * height)
    throw new Error(`clahe: fov has ${fov.length} values, expected ${width * height}`);
  if (!Number.isInteger(tileGrid) || tileGrid < 1)
    throw new Error(`clahe: tileGrid must be a positive integer`);
  if (!Number.isInteger(bins) || bins < 2) throw new Error(`clahe: bins must be an integer >= 2`);
  // Tiles must have at least one pixel on each axis.
  const gx = Math.min(tileGrid, width);
  const gy = Math.min(tileGrid, height);
  let useFov = fov;
  if (useFov) {
    let any = false;
    for (let i = 0; i < useFov.length && !any; i++) any = useFov[i] !== 0;
    if (!any) useFov = null;
  }
  const ex = tileEdges(width, gx);
  const ey = tileEdges(height, gy);
  const tileOfX = new Int32Array(width);
  for (let t = 0; t < gx; t++) tileOfX.fill(t, ex[t], ex[t + 1]);

  const tiles = gx * gy;
  const hists = new Float64Array(tiles * bins);
  const counts = new Int32Array(tiles);
  const globalHist = new Float64Array(bins);
  let globalCount = 0;
  for (let ty = 0; ty < gy; ty++) {
    for (let y = ey[ty]; y < ey[ty + 1]; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        if (useFov && useFov[i] === 0) continue;
        const q = quantise(grey[i], bins);
        const t = ty * gx + tileOfX[x];
        hists[t * bins + q]++;
        counts[t]++;
        globalHist[q]++;
        globalCount++;
      }
    }
  }

  const luts = new Float32Array(tiles * bins);
  const fallback = new Uint8Array(tiles);
  const globalLut = new Float32Array(bins);
  histogramToMapping(globalHist, globalCount, clipLimit, globalLut, 0);
  for (let ty = 0; ty < gy; ty++) {
    for (let tx = 0; tx < gx; tx++) {
      const t = ty * gx + tx;
      const area = (ex[tx + 1] - ex[tx]) * (ey[ty + 1] - ey[ty]);
      const minCount = Math.min(area, Math.max(MIN_TILE_PIXELS, MIN_TILE_SHARE * area));
      if (counts[t] < minCount) {
        fallback[t] = 1;
        luts.set(globalLut, t * bins);
      } else {
        histogramToMapping(hists.subarray(t * bins, (t + 1) * bins), counts[t], clipLimit, luts, t * bins);
      }
    }
  }
  return { gx, gy, xEdges: ex, yEdges: ey, bins, luts, counts, fallback };
}

/**
 * Applies CLAHE; returns a new Float32Array in [0, 1]. `fov` (0/1 per pixel) limits the histograms; null = all pixels.
 */
export function clahe(
  grey: Float32Array,
  width: number,
  height: number,
  fov: Uint8Array | null,
  opts: ClaheOptions,
): Float32Array {
  const { bins, luts, gx, xEdges, yEdges } = claheMappings(grey, width, height, fov, opts);
  const ix = axisInterpolation(width, xEdges);
  const iy = axisInterpolation(height, yEdges);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = iy.lo[y] * gx;
    const r1 = iy.hi[y] * gx;
    const wy = iy.w[y];
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const q = quantise(grey[row + x], bins);
      const wx = ix.w[x];
      const c0 = ix.lo[x];
      const c1 = ix.hi[x];
      const top = luts[(r0 + c0) * bins + q] * (1 - wx) + luts[(r0 + c1) * bins + q] * wx;
      const bottom = luts[(r1 + c0) * bins + q] * (1 - wx) + luts[(r1 + c1) * bins + q] * wx;
      out[row + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

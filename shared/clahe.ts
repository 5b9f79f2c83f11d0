// Contrast-limited adaptive histogram equalisation (CLAHE) over a float grey image in [0, 1]: the one
// implementation, used by the model's preprocessing (main/ml/image/preprocess.ts) and by the viewer's display filter
// (renderer/src/editing/displayFilter.ts), so annotators see the enhancement the network sees. Pure: typed arrays
// in and out, no Node or DOM APIs. The model's output must stay bit-identical (tests/unit/clahe.test.ts pins it on
// a DRIVE photograph): a change here moves every model's metrics.
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
  /** Histogram bins (CLAHE_BINS for the engine and the display filter). */
  bins: number;
}

/** The default model's clip limit and grid (DEFAULT_PREPROCESS), which the display filter shows too. */
export const DEFAULT_CLAHE: Readonly<Pick<ClaheOptions, 'clipLimit' | 'tileGrid'>> = Object.freeze({
  clipLimit: 2,
  tileGrid: 8,
});

/**
 * Histogram bins for any source, 8 or 16 bits. 4096 bins for 16-bit sources made the result depend on the file's
 * container: the clip limit is per bin, so an 8-, 10- or 12-bit photograph saved in 16 bits filled a fraction of
 * the bins and was clipped far harder (its mask differed from the 8-bit file's at Dice 0.964). The models were
 * trained on 8-bit photographs; finer bins bought them nothing measured.
 */
export const CLAHE_BINS = 256;

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

function checkArguments(
  grey: Float32Array,
  width: number,
  height: number,
  fov: Uint8Array | null,
  opts: ClaheOptions,
): void {
  const { tileGrid, bins } = opts;
  if (grey.length !== width * height)
    throw new Error(`clahe: grey has ${grey.length} values, expected ${width * height}`);
  if (fov && fov.length !== width * height)
    throw new Error(`clahe: fov has ${fov.length} values, expected ${width * height}`);
  if (!Number.isInteger(tileGrid) || tileGrid < 1)
    throw new Error(`clahe: tileGrid must be a positive integer`);
  // Levels are kept as 16-bit bin numbers: no source has more than 65536 grey levels.
  if (!Number.isInteger(bins) || bins < 2 || bins > 65536)
    throw new Error(`clahe: bins must be an integer in 2..65536`);
}

/** Every pixel's histogram bin, computed once for both the histograms and the mapping pass. */
function quantiseAll(grey: Float32Array, bins: number): Uint16Array {
  const levels = new Uint16Array(grey.length);
  for (let i = 0; i < grey.length; i++) levels[i] = quantise(grey[i], bins);
  return levels;
}

/** Builds the per-tile mappings (exposed for tests and diagnostics). */
export function claheMappings(
  grey: Float32Array,
  width: number,
  height: number,
  fov: Uint8Array | null,
  opts: ClaheOptions,
): ClaheMappings {
  checkArguments(grey, width, height, fov, opts);
  return mappingsOfLevels(quantiseAll(grey, opts.bins), width, height, fov, opts);
}

function mappingsOfLevels(
  levels: Uint16Array,
  width: number,
  height: number,
  fov: Uint8Array | null,
  opts: ClaheOptions,
): ClaheMappings {
  const { clipLimit, tileGrid, bins } = opts;
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
  for (let ty = 0; ty < gy; ty++) {
    for (let y = ey[ty]; y < ey[ty + 1]; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        if (useFov && useFov[i] === 0) continue;
        hists[(ty * gx + tileOfX[x]) * bins + levels[i]]++;
      }
    }
  }
  // The whole FOV's histogram is the tiles' summed: integer counts, so exactly what counting again would give.
  const globalHist = new Float64Array(bins);
  let globalCount = 0;
  for (let t = 0; t < tiles; t++) {
    let n = 0;
    for (let b = 0; b < bins; b++) {
      const c = hists[t * bins + b];
      globalHist[b] += c;
      n += c;
    }
    counts[t] = n;
    globalCount += n;
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
  checkArguments(grey, width, height, fov, opts);
  const levels = quantiseAll(grey, opts.bins);
  const { bins, luts, gx, xEdges, yEdges } = mappingsOfLevels(levels, width, height, fov, opts);
  const ix = axisInterpolation(width, xEdges);
  const iy = axisInterpolation(height, yEdges);
  // Per column: where the two tiles' mappings start in `luts`, and the first tile's weight. Hoisted out of the
  // pixel loop; the arithmetic itself is unchanged, so the output stays bit-identical.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const wLeft = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    left[x] = ix.lo[x] * bins;
    right[x] = ix.hi[x] * bins;
    wLeft[x] = 1 - ix.w[x];
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = iy.lo[y] * gx * bins;
    const r1 = iy.hi[y] * gx * bins;
    const wy = iy.w[y];
    const wTop = 1 - wy;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const q = levels[row + x];
      const wx = ix.w[x];
      const wl = wLeft[x];
      const l = left[x] + q;
      const r = right[x] + q;
      const top = luts[r0 + l] * wl + luts[r0 + r] * wx;
      const bottom = luts[r1 + l] * wl + luts[r1 + r] * wx;
      out[row + x] = top * wTop + bottom * wy;
    }
  }
  return out;
}

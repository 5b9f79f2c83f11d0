// Whole-image segmentation of any size: preprocessing, then either one padded pass (small images) or overlapping
// tiles blended with a smooth window (large images, bounded memory), whatever engine runs the network.
import type { BinaryMap, ModelManifest, Predictor, RasterImage } from './types.js';
import { preprocessImage } from './image/preprocess.js';
import { ModelLoadError } from './model/model-dir.js';
import { deriveFov } from './image/fov.js';
import { TileBlender, extractTile, tileGrid } from './image/patches.js';
import {
  rulerCalibre,
  imageToCanonical,
  mapToCanonical,
  planFrame,
  probabilityToNative,
  type Frame,
  type FrameConfig,
  pointToNative,
  probabilityToGrid,
  rememberCanonicalMask,
} from './frame/canonical-frame.js';
import { applyHead, checkHead, type ErrorHead } from './uncertainty/error-head.js';
import { planAxis, resample } from './frame/resample.js';
import { errorFeatures } from './uncertainty/error-features.js';
import { expectedF1, meanInside } from './uncertainty/image-scores.js';
import { checkTopology, type Gap } from './uncertainty/topology.js';
import { mapPixels } from '../../shared/pixels.js';

export interface SegmentOptions {
  /** The FOV to use; derived from the image when absent. */
  fov?: BinaryMap;
  /** Zero the probability outside the FOV (default true). */
  maskOutsideFov?: boolean;
  /** Images up to this many pixels run as one padded pass; larger ones are tiled. */
  singlePassMaxPixels?: number;
  tileSize?: number;
  tileOverlap?: number;
  /** Tiles per predictor call. */
  tileBatch?: number;
  /** Override the model's threshold. */
  threshold?: number;
  /** Override the model's test-time flips setting. */
  testTimeFlips?: boolean;
  /**
   * Also estimate where the mask is likely wrong with the model's uncertainty head (`retina calibrate` fits one):
   * the image and its three flips always run, and their spread is one of the head's inputs.
   */
  uncertainty?: boolean;
}

export interface Segmentation {
  width: number;
  height: number;
  /** Vessel probability per pixel, row-major. */
  prob: Float32Array;
  /** 0/1 at the threshold. */
  mask: Uint8Array;
  fov: BinaryMap;
  threshold: number;
  /** Where the network's canonical frame lay (null for a model without one: it ran at native size). */
  frame: Frame | null;
  /** Said to the user (e.g. no field-of-view edge found). */
  warnings: string[];
  /**
   * When asked for (`uncertainty`): the flips' standard deviation on the image's grid and the frame's scale
   * (canonical pixels per pixel), what the uncertainty head reads and is fitted on.
   */
  spread?: { map: Float32Array; scale: number };
  /** When asked for and the model has an uncertainty head: per-pixel error probability and quality scores. */
  uncertainty?: UncertaintyResult;
}

export interface UncertaintyResult {
  /** Probability that the mask is wrong at each pixel (0 outside the FOV), at the image's size. */
  map: Float32Array;
  meanUncertainty: number;
  expectedF1: number;
  fragments: number;
  /** Likely gaps in the image's pixels: a vessel end and the piece it seems to continue into. */
  gaps: Gap[];
}

const DEFAULTS = { singlePassMaxPixels: 1_200_000, tileSize: 512, tileOverlap: 64, tileBatch: 2 };

/** Mirror index into [0, n) without repeating the edge pixel. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** Pads a single-channel image to padW x padH by reflection (right and bottom edges). */
function padReflect(src: Float32Array, w: number, h: number, padW: number, padH: number): Float32Array {
  const out = new Float32Array(padW * padH);
  for (let y = 0; y < padH; y++) {
    const row = reflect(y, h) * w;
    out.set(src.subarray(row, row + w), y * padW);
    for (let x = w; x < padW; x++) out[y * padW + x] = src[row + reflect(x, w)];
  }
  return out;
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Runs the network over a preprocessed single-channel image and returns the probability map. */
export async function predictProbability(
  input: Float32Array,
  width: number,
  height: number,
  multiple: number,
  predictor: Predictor,
  opts: SegmentOptions = {},
): Promise<Float32Array> {
  const o = { ...DEFAULTS, ...opts };
  if (width * height <= o.singlePassMaxPixels) {
    const pw = roundUp(width, multiple);
    const ph = roundUp(height, multiple);
    const padded = pw === width && ph === height ? input : padReflect(input, width, height, pw, ph);
    const out = await predictor.predict(padded, 1, ph, pw, 1);
    if (pw === width && ph === height) return out;
    const prob = new Float32Array(width * height);
    for (let y = 0; y < height; y++) prob.set(out.subarray(y * pw, y * pw + width), y * width);
    return prob;
  }
  const tile = roundUp(o.tileSize, Math.max(16, multiple));
  const grid = tileGrid(width, height, tile, Math.min(o.tileOverlap, tile - 16));
  const blender = new TileBlender(grid);
  const tt = tile * tile;
  const batch = new Float32Array(o.tileBatch * tt);
  for (let start = 0; start < grid.tiles.length; start += o.tileBatch) {
    const n = Math.min(o.tileBatch, grid.tiles.length - start);
    for (let i = 0; i < n; i++) {
      const t = grid.tiles[start + i];
      extractTile(input, width, height, t.x, t.y, tile, batch.subarray(i * tt, (i + 1) * tt));
    }
    const out = await predictor.predict(batch.subarray(0, n * tt), n, tile, tile, 1);
    for (let i = 0; i < n; i++) blender.add(start + i, out.subarray(i * tt, (i + 1) * tt));
  }
  return blender.result();
}

/** Mirrors a single-channel image horizontally and/or vertically (its own inverse). */
export function flipImage(
  src: Float32Array,
  width: number,
  height: number,
  h: boolean,
  v: boolean,
): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const sy = v ? height - 1 - y : y;
    const row = src.subarray(sy * width, (sy + 1) * width);
    if (!h) out.set(row, y * width);
    else for (let x = 0; x < width; x++) out[y * width + x] = row[width - 1 - x];
  }
  return out;
}

/** The mean prediction over the image and its three flips: vessels have no preferred orientation. */
export async function predictWithFlips(
  input: Float32Array,
  width: number,
  height: number,
  multiple: number,
  predictor: Predictor,
  opts: SegmentOptions,
): Promise<Float32Array> {
  return (await predictFlipStats(input, width, height, multiple, predictor, opts, false)).mean;
}

/** Mean and (when `withSpread`) standard deviation of the predictions over the image and its three flips. */
export async function predictFlipStats(
  input: Float32Array,
  width: number,
  height: number,
  multiple: number,
  predictor: Predictor,
  opts: SegmentOptions,
  withSpread = true,
): Promise<{ mean: Float32Array; spread: Float32Array | null }> {
  const sum = new Float32Array(width * height);
  const sumSq = withSpread ? new Float32Array(width * height) : null;
  for (const [h, v] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const x = h || v ? flipImage(input, width, height, h, v) : input;
    const p = await predictProbability(x, width, height, multiple, predictor, opts);
    const back = h || v ? flipImage(p, width, height, h, v) : p;
    for (let i = 0; i < sum.length; i++) sum[i] += back[i] * 0.25;
    if (sumSq) for (let i = 0; i < sum.length; i++) sumSq[i] += back[i] * back[i] * 0.25;
  }
  if (!sumSq) return { mean: sum, spread: null };
  const spread = new Float32Array(sum.length);
  for (let i = 0; i < sum.length; i++) spread[i] = Math.sqrt(Math.max(0, sumSq[i] - sum[i] * sum[i]));
  return { mean: sum, spread };
}

interface NetworkOutput {
  prob: Float32Array;
  /** The flips' standard deviation, when uncertainty was asked for. */
  spread: Float32Array | null;
}

/** The network's probabilities over an image as given (no frame): preprocessing, then tiles or one pass. */
async function networkProbability(
  image: RasterImage,
  fov: BinaryMap,
  manifest: ModelManifest,
  predictor: Predictor,
  opts: SegmentOptions,
): Promise<NetworkOutput> {
  const input = preprocessImage(image, fov, manifest.preprocess);
  const multiple = 2 ** manifest.architecture.depth;
  if (opts.uncertainty) {
    const { mean, spread } = await predictFlipStats(
      input,
      image.width,
      image.height,
      multiple,
      predictor,
      opts,
    );
    return { prob: finiteOrThrow(mean, manifest), spread };
  }
  const flips = opts.testTimeFlips ?? manifest.testTimeFlips ?? false;
  const prob = flips
    ? await predictWithFlips(input, image.width, image.height, multiple, predictor, opts)
    : await predictProbability(input, image.width, image.height, multiple, predictor, opts);
  return { prob: finiteOrThrow(prob, manifest), spread: null };
}

/**
 * A network whose output is not a number (damaged weights, a diverged training) gave an empty mask that `segment`
 * wrote and reported as success; no probability map with NaN or infinite values leaves here.
 */
function finiteOrThrow(prob: Float32Array, manifest: ModelManifest): Float32Array {
  let bad = 0;
  for (let i = 0; i < prob.length; i++) if (!Number.isFinite(prob[i])) bad++;
  if (bad > 0)
    throw new ModelLoadError(
      `model ${manifest.name}: its output is not a number at ${bad} of ${prob.length} pixels: its weights are ` +
        'damaged (or its training diverged); restore the model folder or train it again',
    );
  return prob;
}

/** Bounds on the scale a calibre ruler may choose, relative to the aperture diameter the model works at. */
const RULER_MAX_SIDE = 4;

/**
 * The network run in the model's canonical frame and mapped back. Without an aperture edge the vessels' calibre
 * sets the scale: a first pass at a guess, then up to two passes rescaled so the mask's calibre matches the
 * model's own masks on its validation images.
 */
async function framedProbability(
  image: RasterImage,
  fov: BinaryMap,
  manifest: ModelManifest,
  cfg: FrameConfig,
  predictor: Predictor,
  opts: SegmentOptions,
): Promise<NetworkOutput & { frame: Frame; canonicalFov: BinaryMap }> {
  const run = async (frame: Frame) => {
    const canonicalFov = mapToCanonical(fov, frame);
    const net = await networkProbability(
      imageToCanonical(image, frame),
      canonicalFov,
      manifest,
      predictor,
      opts,
    );
    return { ...net, canonicalFov };
  };
  let frame = planFrame(fov, cfg);
  let out = await run(frame);
  if (!frame.circle) {
    const longest = Math.max(image.width, image.height);
    const maxScale = (RULER_MAX_SIDE * cfg.diameter) / longest;
    const threshold = opts.threshold ?? manifest.threshold;
    for (let pass = 0; pass < 2; pass++) {
      const prob = out.prob;
      const mask = new Uint8Array(prob.length);
      for (let i = 0; i < prob.length; i++) mask[i] = prob[i] >= threshold ? 1 : 0;
      const measured = rulerCalibre({ width: frame.width, height: frame.height, data: mask });
      if (measured <= 0) {
        // No vessel tree to measure: the guess stands, and the warning says the scale is a guess.
        if (pass === 0) frame = { ...frame, warnings: [NO_VESSEL_RULER_WARNING] };
        break;
      }
      const next = Math.min(maxScale, (frame.scale * cfg.maskCalibre) / measured);
      if (Math.abs(next / frame.scale - 1) < 0.1) break;
      frame = planFrame(fov, cfg, next);
      out = await run(frame);
    }
  }
  return { ...out, frame };
}

/** Said for a photograph with neither an aperture edge nor a vessel tree to scale by. */
const NO_VESSEL_RULER_WARNING =
  'no field-of-view edge found, and no vessels to scale by: the whole frame was segmented at a scale guessed from ' +
  'its size (is it a fundus photograph?)';

/**
 * Enlarged more than this into the model's frame, a photograph is a thumbnail: the vessels the network was trained
 * to see 1-2 px wide were never resolved by it (DRIVE's 565 px field reads at about 1x, a camera's megapixels shrink).
 */
const LOW_RESOLUTION_SCALE = 2;

/**
 * A multi-page file (a camera's TIFF holding colour and red-free, a stereo pair) is read at its first page only;
 * `done` says what was done with that page.
 */
export function pagesWarning(image: RasterImage, done = 'segmented'): string[] {
  return image.pages
    ? [`the file holds ${image.pages} pages: only the first was ${done} (save each page as its own file)`]
    : [];
}

/** Says so when the photograph's field was too small for its thin vessels to show (the mask is then coarse). */
function resolutionWarnings(frame: Frame | null, manifest: ModelManifest): string[] {
  const diameter = manifest.frame?.diameter;
  if (!frame || !diameter || frame.scale <= LOW_RESOLUTION_SCALE) return [];
  return [
    `low resolution: the field is about ${Math.round(diameter / frame.scale)} px across, enlarged ` +
      `${frame.scale.toFixed(1)}x to the ${diameter} px the model reads, so thin vessels are not resolved`,
  ];
}

/** Segments one photograph with a model: probability map and binary mask at the image's exact size. */
export async function segmentImage(
  image: RasterImage,
  manifest: ModelManifest,
  predictor: Predictor,
  opts: SegmentOptions = {},
): Promise<Segmentation> {
  const { width, height } = image;
  const fov = opts.fov ?? deriveFov(image);
  if (fov.width !== width || fov.height !== height) {
    throw new Error(`FOV mask is ${fov.width}x${fov.height} but the image is ${width}x${height}`);
  }
  const threshold = opts.threshold ?? manifest.threshold;
  let prob: Float32Array;
  let frame: Frame | null = null;
  let canonicalProb: Float32Array | null = null;
  let spread: Float32Array | null = null;
  /** For a photograph beyond HEAD_MAX_PIXELS: the head's inputs on a coarser grid, straight from the frame. */
  let coarse: CoarseInput | null = null;
  let gaps: { fragments: number; gaps: Gap[] } | null = null;
  if (manifest.frame) {
    const out = await framedProbability(image, fov, manifest, manifest.frame, predictor, opts);
    frame = out.frame;
    canonicalProb = out.prob;
    prob = probabilityToNative(out.prob, frame);
    if (out.spread) {
      // The head runs on the image's own grid, its features scaled to canonical units, because the errors that
      // count are the native mask's: a head applied in the frame and resampled blurred their one-pixel edges.
      // The topology check stays in the frame, where its radii were chosen.
      const k = headFactor(width, height);
      if (k === 1) spread = frame.identity ? out.spread : probabilityToNative(out.spread, frame);
      else {
        coarse = {
          prob: probabilityToGrid(out.prob, frame, k),
          spread: probabilityToGrid(out.spread, frame, k),
          factor: k,
        };
      }
      // Inside the field only: the frame's margin holds stray probability beyond the aperture's edge, whose specks
      // counted as fragments and drew vessels leaving the field as gaps.
      const t = checkTopology(
        maskInside(out.prob, threshold, out.canonicalFov.data),
        frame.width,
        frame.height,
      );
      const f = frame;
      // A pixel centre on the frame's edge maps a fraction of a pixel outside a small photograph: kept on it.
      const onImage = (p: { x: number; y: number }) => ({
        x: Math.min(width - 1, Math.max(0, p.x)),
        y: Math.min(height - 1, Math.max(0, p.y)),
      });
      gaps = {
        fragments: t.fragments,
        gaps: t.gaps.map((g) => ({
          from: onImage(pointToNative(g.from, f)),
          to: onImage(pointToNative(g.to, f)),
        })),
      };
    }
  } else {
    const out = await networkProbability(image, fov, manifest, predictor, opts);
    prob = out.prob;
    spread = out.spread;
    if (spread) gaps = checkTopology(maskInside(prob, threshold, fov.data), width, height);
  }
  if (opts.maskOutsideFov !== false) {
    for (let i = 0; i < prob.length; i++) if (fov.data[i] === 0) prob[i] = 0;
  }
  const mask = maskAt(prob, threshold);
  if (frame && canonicalProb) {
    rememberCanonicalMask(
      { width, height, data: mask },
      frameMask(canonicalProb, threshold, frame, fov, opts.maskOutsideFov !== false),
      frame,
    );
  }
  const seg: Segmentation = {
    width,
    height,
    prob,
    mask,
    fov,
    threshold,
    frame,
    warnings: [...pagesWarning(image), ...(frame?.warnings ?? []), ...resolutionWarnings(frame, manifest)],
  };
  if ((!spread && !coarse) || !gaps) return seg;
  const scale = frame?.scale ?? 1;
  if (spread) seg.spread = { map: spread, scale };
  const head = manifest.uncertainty?.head;
  if (head) {
    checkHead(head);
    const map = coarse
      ? coarseUncertaintyMap(head, coarse, fov, threshold, scale)
      : applyHead(head, errorFeatures(prob, spread!, width, height, threshold, scale), fov.data);
    seg.uncertainty = {
      map,
      meanUncertainty: meanInside(map, fov.data),
      expectedF1: expectedF1(map, mask, fov.data),
      ...gaps,
    };
  }
  return seg;
}

/**
 * Above HEAD_MAX_PIXELS the head runs on a grid shrunk by a whole factor to about HEAD_GRID_PIXELS, and its map is
 * enlarged back (every camera the head was fitted on stays below the limit and is judged pixel by pixel).
 */
const HEAD_MAX_PIXELS = 2_500_000;
const HEAD_GRID_PIXELS = 1_200_000;

interface CoarseInput {
  prob: Float32Array;
  spread: Float32Array;
  factor: number;
}

function headFactor(width: number, height: number): number {
  const n = width * height;
  return n <= HEAD_MAX_PIXELS ? 1 : Math.ceil(Math.sqrt(n / HEAD_GRID_PIXELS));
}

/**
 * The head's error probabilities for a photograph beyond HEAD_MAX_PIXELS (a 3504x2336 one), judged on a grid
 * `factor` times coarser (still finer than the canonical frame the network saw) whose inputs come straight from
 * the frame, then enlarged back linearly: it costs a third of judging every pixel.
 */
function coarseUncertaintyMap(
  head: ErrorHead,
  c: CoarseInput,
  fov: BinaryMap,
  threshold: number,
  scale: number,
): Float32Array {
  const { width: w, height: h } = fov;
  const k = c.factor;
  const sw = Math.ceil(w / k);
  const sh = Math.ceil(h / k);
  // The field of view sampled at each coarse pixel's centre.
  const coarseFov = new Uint8Array(sw * sh);
  for (let y = 0; y < sh; y++) {
    const ny = Math.min(h - 1, Math.floor((y + 0.5) * k));
    for (let x = 0; x < sw; x++)
      coarseFov[y * sw + x] = fov.data[ny * w + Math.min(w - 1, Math.floor((x + 0.5) * k))];
  }
  const u = applyHead(head, errorFeatures(c.prob, c.spread, sw, sh, threshold, scale * k), coarseFov);
  const back = resample(u, sw, sh, 1, planAxis(sw, w, 0, sw / w), planAxis(sh, h, 0, sh / h));
  for (let i = 0; i < back.length; i++) back[i] = Math.min(1, Math.max(0, back[i]));
  return back;
}

/**
 * Gives `mask`, the prediction's mask as the store keeps it (its probabilities quantised to 8 bits, so it differs
 * from `seg.mask` at most where the probability lies within half a step of the threshold), the prediction's form in
 * the frame: the artery/vein vote of a stored prediction then reads the same vessel tree as `retina segment --av`.
 */
export function shareFrameMask(seg: Segmentation, mask: Uint8Array): void {
  if (!seg.frame || mask === seg.mask) return;
  const size = { width: seg.width, height: seg.height };
  rememberCanonicalMask(
    { ...size, data: mask },
    mapToCanonical({ ...size, data: seg.mask }, seg.frame),
    seg.frame,
  );
}

/** The mask thresholded in the frame itself (cleared outside the field, as the native one is, when `inFieldOnly`). */
function frameMask(
  prob: Float32Array,
  threshold: number,
  frame: Frame,
  fov: BinaryMap,
  inFieldOnly: boolean,
): BinaryMap {
  const data = maskAt(prob, threshold);
  if (inFieldOnly) {
    const field = mapToCanonical(fov, frame).data;
    for (let i = 0; i < data.length; i++) if (!field[i]) data[i] = 0;
  }
  return { width: frame.width, height: frame.height, data };
}

function maskAt(prob: Float32Array, threshold: number): Uint8Array {
  return mapPixels(new Uint8Array(prob.length), prob, (p) => (p >= threshold ? 1 : 0));
}

/** The binary mask where the field of view is set (zero beyond it). */
function maskInside(prob: Float32Array, threshold: number, fov: Uint8Array): Uint8Array {
  const mask = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) mask[i] = fov[i] && prob[i] >= threshold ? 1 : 0;
  return mask;
}

/** The probability map as a 16-bit greyscale image (0..65535). */
export function probabilityImage(seg: Segmentation): RasterImage {
  const data = new Uint16Array(seg.prob.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, seg.prob[i])) * 65535);
  return { width: seg.width, height: seg.height, channels: 1, bitDepth: 16, data };
}

/** An uncertainty map as a 16-bit greyscale image: 0 = certain, 65535 = most uncertain. */
export function uncertaintyImage(map: Float32Array, width: number, height: number): RasterImage {
  const data = new Uint16Array(map.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, map[i])) * 65535);
  return { width, height, channels: 1, bitDepth: 16, data };
}

/** The binary mask as an 8-bit greyscale image (0/255). */
export function maskImage(seg: Segmentation): RasterImage {
  const data = new Uint8Array(seg.mask.length);
  for (let i = 0; i < data.length; i++) data[i] = seg.mask[i] ? 255 : 0;
  return { width: seg.width, height: seg.height, channels: 1, bitDepth: 8, data };
}

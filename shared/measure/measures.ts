// Clinical vessel measures of one image, each with a unit and a 95% interval, from its vessel graph.
//
// Units: micrometres when the pixel size is known, otherwise disc diameters, otherwise (no disc either) pixels,
// always named. Intervals come from re-measuring over plausible versions of the image's segmentation and labels
// (Monte Carlo, seeded so a result is reproducible):
// - the segmentation: where the model's probability map is known, a plausible mask is the map cut anywhere within
//   +-PLAUSIBLE_BAND of the threshold (pixels a person edited stay as edited) and a vessel's plausible edges lie
//   within +-PLAUSIBLE_BAND of its half maximum; counts and widths are taken at the three levels and interpolated;
// - the width of each vessel: its mean's standard error along the vessel;
// - artery/vein: each vessel's label flips with the probability the classifier gave the other class (CRAE and CRVE
//   themselves are the exact expectation over those labels, not a mean of draws: expected-equivalents);
// - whole-image averages (calibre, tortuosity): the segments are resampled with replacement;
// - the fractal dimension: the box-count fit's standard error.
// A value that cannot be measured is null with a reason, never a guess; one measured from a disc the field's edge cuts
// off stays as measured, and the image's notes say why it may be wrong.
import { fractalDimensions } from './fractal.js';
import { centralEquivalent } from './knudtson.js';
import { expectedEquivalent } from './expected-equivalents.js';
import { buildVesselGraph, type VesselGraph, type VesselSegment } from './vessel-graph.js';
import { zoneVessels, type Disc, type ZoneName, type ZoneVessel } from './zones.js';
import { DISC_AT_FIELD_EDGE_NOTE, discAtFieldEdge } from './disc-at-field-edge.js';
import { unlabelledZoneNote, unlabelledZoneShare } from './unlabelled-zone.js';
import { AV_CLASS } from '../vessel-segments.js';
import { binarise } from '../pixels.js';
import type { Gradability } from './gradability-verdict.js';

export type LengthUnit = 'µm' | 'DD' | 'px';
export type MeasureUnit = LengthUnit | '1/mm' | '1/DD' | '1/px' | 'ratio' | 'fraction' | 'dimensionless';

export interface Measure {
  value: number | null;
  unit: MeasureUnit;
  ci95: [number, number] | null;
  /** Why the value is absent. */
  reason?: string;
}

export interface MeasureInput {
  width: number;
  height: number;
  /** The vessel mask (the corrected one when there is one), non-zero = vessel. */
  mask: Uint8Array;
  /** Field of view, non-zero inside (default: the whole image). */
  fov?: Uint8Array;
  /** The prediction's probability map and threshold, for the segmentation's share of the intervals. */
  probability?: Float32Array;
  threshold?: number;
  /** AV_CLASS per pixel, and the classifier's probability of artery per pixel. */
  av?: Uint8Array;
  arteryProbability?: Float32Array;
  disc?: Disc | null;
  /** Why there is no disc, when it is not that none was found (never looked for, removed by hand). */
  noDiscReason?: string;
  /** Micrometres per pixel (DICOM pixel spacing, or field angle over the FOV's diameter). */
  pixelSizeUm?: number | null;
  /** How far to trust that pixel size, when in doubt (a field angle spread over the frame's diagonal). */
  scaleNote?: string;
  draws?: number;
  seed?: number;
}

export interface NamedVessel {
  /** A1..A6, V1..V6: widest first. */
  name: string;
  segment: number;
  x: number;
  y: number;
  width: number;
}

export interface ImageMeasures {
  /** `source`: where the length unit came from; micrometres from a pixel size given, a camera's field angle or DICOM. */
  scale: {
    unit: LengthUnit;
    perPixel: number;
    source: 'pixel size' | 'field angle' | 'dicom' | 'disc diameter' | 'none';
  };
  disc: Disc | null;
  crae: Measure;
  crve: Measure;
  avr: Measure;
  craeZoneC: Measure;
  crveZoneC: Measure;
  avrZoneC: Measure;
  fractalDimension: Measure;
  fractalDimensionArteries: Measure;
  fractalDimensionVeins: Measure;
  vesselDensity: Measure;
  vesselDensityArteries: Measure;
  vesselDensityVeins: Measure;
  calibre: Measure;
  calibreArteries: Measure;
  calibreVeins: Measure;
  tortuosity: Measure;
  tortuosityDensity: Measure;
  /** The vessels Knudtson's formulas took, per zone and class. */
  zoneVessels: Record<ZoneName, { arteries: NamedVessel[]; veins: NamedVessel[] }>;
  /** Every labelled vessel crossing each zone, widest first (the first six of each class are zoneVessels). */
  zoneCandidates: Record<ZoneName, { arteries: NamedVessel[]; veins: NamedVessel[] }>;
  graph: { segments: number; junctions: number; crossings: number; ends: number; length: number };
  /** The disc measured from is cut off by the field's edge (its diameter then too small); values stay as measured. */
  discAtFieldEdge: boolean;
  /** Sentences for people on how far to trust the values (one per concern), [] when there is none. */
  notes: string[];
  /** Whether the photograph could be measured at all (judged from its pixels; absent where they were not seen). */
  quality?: Gradability;
}

/** How far either side of the threshold a plausible segmentation cuts the probability map. */
export const PLAUSIBLE_BAND = 0.1;
const DEFAULT_DRAWS = 400;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function percentiles(values: number[]): [number, number] {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return [at(0.025), at(0.975)];
}

/** Value at draw offset d in [-1, 1] from values at d = -1, 0, 1 (or a single value). */
function interpolate(v: ArrayLike<number>, d: number): number {
  if (v.length < 3) return v[0];
  const far = d < 0 ? v[0] : v[2];
  return Number.isNaN(far) ? v[1] : v[1] + Math.abs(d) * (far - v[1]);
}

function absent(unit: MeasureUnit, reason: string): Measure {
  return { value: null, unit, ci95: null, reason };
}

function measured(value: number, draws: number[], unit: MeasureUnit): Measure {
  const [lo, hi] = percentiles(draws);
  return { value, unit, ci95: [Math.min(lo, value), Math.max(hi, value)] };
}

/**
 * A fractal dimension: a vessel map, made of courses in the plane, lies between a line's 1 and the plane's 2. A fit
 * a rounding error over 2 (an all-vessel mask) is 2, and draws are kept within [1, 2]; a fit under 1 counted
 * specks, not vessels (a dot read 0.29 with an interval reaching below 0), so there is no dimension to give.
 */
function dimension(value: number, draws: number[]): Measure {
  if (value < 1)
    return absent(
      'dimensionless',
      'the vessel map is scattered specks, not vessel courses (box counting gives less than a line: below 1)',
    );
  const plausible = (v: number): number => Math.min(2, Math.max(1, v));
  return measured(plausible(value), draws.map(plausible), 'dimensionless');
}

/**
 * The field widths are read on (the probability where the mask agrees with it, the mask's own 0/1 where a person
 * edited it), the cuts that make the plausible masks for counting (threshold -+ PLAUSIBLE_BAND), and the width
 * levels as fractions of each vessel's peak (half maximum -+ PLAUSIBLE_BAND).
 */
interface PlausibleField {
  data: Float32Array | Uint8Array;
  cuts: number[];
  widthLevels: number[];
}

/** Cuts of the probability map tried when a mask was re-thresholded: every 1/THRESHOLD_STEPS. */
const THRESHOLD_STEPS = 200;

/**
 * The threshold a mask was cut at: the prediction's, unless the mask was re-thresholded (the viewer's slider saves
 * the mask, not the cut), then the cut of the probability map it agrees with best (to 1/THRESHOLD_STEPS). Hand edits
 * disagree with every cut alike, so another cut is taken only when it explains most of the disagreement; else the
 * intervals were centred on the prediction's cut while the mask was cut elsewhere (the value on their edge).
 */
export function effectiveThreshold(mask: Uint8Array, p: Float32Array, t: number): number {
  let off = 0;
  for (let i = 0; i < mask.length; i++) if ((mask[i] !== 0) !== p[i] >= t) off++;
  if (off <= mask.length * 0.001) return t;
  const ones = new Float64Array(THRESHOLD_STEPS);
  const zeros = new Float64Array(THRESHOLD_STEPS);
  for (let i = 0; i < mask.length; i++) {
    const b = Math.min(THRESHOLD_STEPS - 1, Math.max(0, Math.floor(p[i] * THRESHOLD_STEPS)));
    if (mask[i] !== 0) ones[b]++;
    else zeros[b]++;
  }
  // Agreement of the cut k / STEPS: background below it, vessel at or above it.
  let below = 0;
  let above = ones.reduce((a, b) => a + b, 0);
  // Cuts between two levels of the map make the same mask: the middle of the best run of cuts is taken.
  let best = -1;
  let [first, last] = [0, 0];
  for (let k = 1; k < THRESHOLD_STEPS; k++) {
    below += zeros[k - 1];
    above -= ones[k - 1];
    if (below + above > best) [best, first, last] = [below + above, k, k];
    else if (below + above === best && last === k - 1) last = k;
  }
  const explained = best - (mask.length - off);
  return explained > off / 2 ? (first + last) / 2 / THRESHOLD_STEPS : t;
}

function plausibleField(input: MeasureInput): PlausibleField {
  const { mask, probability: p } = input;
  if (!p || input.threshold === undefined) return { data: binarise(mask), cuts: [0.5], widthLevels: [0.5] };
  const t = effectiveThreshold(mask, p, input.threshold);
  const data = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const vessel = mask[i] !== 0;
    data[i] = vessel === p[i] >= t ? p[i] : vessel ? 1 : 0;
  }
  const lo = Math.max(0.02, t - PLAUSIBLE_BAND);
  const hi = Math.min(0.98, t + PLAUSIBLE_BAND);
  // Narrowest first: draw offset -1 is the highest cut.
  return { data, cuts: [hi, t, lo], widthLevels: [0.5 + PLAUSIBLE_BAND, 0.5, 0.5 - PLAUSIBLE_BAND] };
}

function fovDiameter(
  fov: Uint8Array | undefined,
  w: number,
  h: number,
): { pixels: number; diameter: number } {
  if (!fov) return { pixels: w * h, diameter: Math.max(w, h) };
  let n = 0;
  for (let i = 0; i < fov.length; i++) if (fov[i]) n++;
  return { pixels: n, diameter: 2 * Math.sqrt(n / Math.PI) };
}

/** The vessel model's canonical aperture diameter in pixels: the resolution the graph's defaults are set for. */
export const REFERENCE_FIELD = 536;
interface Draws {
  offsets: number[];
  rand: () => number;
}

type MapMeasures = Pick<
  ImageMeasures,
  | 'fractalDimension'
  | 'fractalDimensionArteries'
  | 'fractalDimensionVeins'
  | 'vesselDensity'
  | 'vesselDensityArteries'
  | 'vesselDensityVeins'
>;

type Notes = Pick<ImageMeasures, 'discAtFieldEdge' | 'notes'>;

/**
 * What may make the values wrong though they were measured: a disc cut off by the field's edge; vessels around it
 * left unlabelled; a pixel size resting on an assumption.
 */
function notesOf(input: MeasureInput): Notes {
  const { disc, width, height, fov, mask, av } = input;
  const atEdge = !!disc && discAtFieldEdge(disc, { width, height, data: fov });
  const unlabelled =
    disc && av ? unlabelledZoneNote(unlabelledZoneShare(mask, av, width, height, disc)) : null;
  const notes = [
    ...(atEdge ? [DISC_AT_FIELD_EDGE_NOTE] : []),
    ...(unlabelled ? [unlabelled] : []),
    ...(input.scaleNote && input.pixelSizeUm ? [input.scaleNote] : []),
  ];
  return { discAtFieldEdge: atEdge, notes };
}

/** Why the field measures are absent when the field of view holds no pixel (an all-black FOV mask imported). */
export const EMPTY_FIELD_REASON = 'the field of view is empty: there is no field to measure over';

export function measureImage(given: MeasureInput): ImageMeasures {
  const { width: w, height: h } = given;
  // An empty field of view has no density or dimension (they are shares of it); the vessels' own measures are
  // read off the mask as for a photograph without one, rather than failing on a field 0 pixels across.
  const emptyField = !!given.fov && fovDiameter(given.fov, w, h).pixels === 0;
  const input = emptyField ? { ...given, fov: undefined } : given;
  const fov = fovDiameter(input.fov, w, h);
  const field = plausibleField(input);
  const rand = rng(input.seed ?? 1);
  const draws: Draws = {
    offsets: Array.from({ length: input.draws ?? DEFAULT_DRAWS }, () =>
      field.cuts.length > 1 ? 2 * rand() - 1 : 0,
    ),
    rand,
  };
  const graph = graphOf(input, field, fov.diameter / REFERENCE_FIELD);
  const map = mapMeasures(input, field, fov, draws);
  if (emptyField)
    for (const key of Object.keys(map) as (keyof MapMeasures)[])
      map[key] = absent(map[key].unit, EMPTY_FIELD_REASON);
  return {
    ...graphMeasures(input, graph, draws),
    ...map,
    ...notesOf(input),
  };
}

function graphOf(input: MeasureInput, field: PlausibleField, resolution: number): VesselGraph {
  const { width: w, height: h } = input;
  return buildVesselGraph(
    {
      width: w,
      height: h,
      mask: input.mask,
      field: { width: w, height: h, data: field.data },
      levels: field.widthLevels,
      av: input.av,
      arteryProbability: input.arteryProbability,
    },
    { resolution },
  );
}

/** The layers mapMeasures counts, as bits of one byte per pixel, with each layer's pixel count. */
interface MapLayers {
  bits: Uint8Array;
  /** Layers 0..cuts-1: the plausible cuts, narrowest first; then arteries, then veins (with labels). */
  layers: number;
  counts: number[];
  /** Vessel pixels of the mask inside the field of view. */
  vesselPixels: number;
}

/**
 * One pass over the photograph: per pixel inside the field of view, the plausible cuts its field value reaches (the
 * cuts nest, narrowest first, so reaching one reaches every later one) and, on the mask's vessel pixels, its
 * artery/vein class.
 */
function mapLayers(input: MeasureInput, field: PlausibleField): MapLayers {
  const { data, cuts } = field;
  const { fov, mask, av } = input;
  const n = cuts.length;
  const artery = av ? 1 << n : 0;
  const vein = av ? 1 << (n + 1) : 0;
  const layers = av ? n + 2 : n;
  const bits = new Uint8Array(data.length);
  const counts = new Array<number>(layers).fill(0);
  let vesselPixels = 0;
  for (let i = 0; i < data.length; i++) {
    if (fov && !fov[i]) continue;
    let b = 0;
    // Cut k holds the pixels that reach cuts k..n-1: test from the widest (last) cut inwards.
    for (let k = n - 1; k >= 0 && data[i] >= cuts[k]; k--) {
      b |= 1 << k;
      counts[k]++;
    }
    if (mask[i] !== 0) {
      vesselPixels++;
      if (av && av[i] === AV_CLASS.artery) {
        b |= artery;
        counts[n]++;
      } else if (av && av[i] === AV_CLASS.vein) {
        b |= vein;
        counts[n + 1]++;
      }
    }
    bits[i] = b;
  }
  return { bits, layers, counts, vesselPixels };
}

/**
 * Density and fractal dimension, counted on the full-resolution maps at the plausible cuts. The maps are one byte
 * of layer bits per pixel, built in one pass and box-counted together (not tested through a callback per pixel per
 * map): on an 8-megapixel photograph that is most of the time a correction used to wait for its measures.
 */
function mapMeasures(
  input: MeasureInput,
  field: PlausibleField,
  fov: { pixels: number; diameter: number },
  { offsets, rand }: Draws,
): MapMeasures {
  const { width: w, height: h } = input;
  const cuts = field.cuts.length;
  const mid = cuts >> 1;
  const layers = mapLayers(input, field);
  const levelCounts = layers.counts.slice(0, cuts);
  const density: Measure = measured(
    levelCounts[mid] / fov.pixels,
    offsets.map((d) => interpolate(levelCounts, d) / fov.pixels),
    'fraction',
  );
  const fitsAll = fractalDimensions(layers.bits, layers.layers, w, h, fov.diameter);
  // Each draw also carries the box-count fit's own error (the counts never lie exactly on one power law).
  const fits = fitsAll.slice(0, cuts);
  const fdLevels = fits.map((f) => f.dimension);
  const z = offsets.map(() => gaussian(rand));
  // Box counting has nothing to count on an empty mask: no dimension, rather than a made-up 0.
  const fdAll =
    levelCounts[mid] === 0
      ? absent('dimensionless', 'no vessel pixels in the mask')
      : dimension(
          fdLevels[mid],
          offsets.map((d, k) => interpolate(fdLevels, d) + z[k] * fits[mid].standardError),
        );
  const classMeasures = (layer: number, vessels: string): { fd: Measure; density: Measure } => {
    if (!input.av)
      return {
        fd: absent('dimensionless', 'no artery/vein labels'),
        density: absent('fraction', 'no artery/vein labels'),
      };
    const count = layers.counts[layer];
    const share = count / Math.max(1, layers.vesselPixels);
    const fit = fitsAll[layer];
    const fdValue = fit.dimension;
    // The class's share of the vessels scales with the segmentation's plausible versions.
    return {
      fd:
        count === 0
          ? absent('dimensionless', `no ${vessels} labelled`)
          : dimension(
              fdValue,
              offsets.map(
                (d, k) => fdValue + interpolate(fdLevels, d) - fdLevels[mid] + z[k] * fit.standardError,
              ),
            ),
      density: measured(
        count / fov.pixels,
        offsets.map((d) => (share * interpolate(levelCounts, d)) / fov.pixels),
        'fraction',
      ),
    };
  };
  const arteries = classMeasures(cuts, 'arteries');
  const veins = classMeasures(cuts + 1, 'veins');
  return {
    fractalDimension: fdAll,
    fractalDimensionArteries: arteries.fd,
    fractalDimensionVeins: veins.fd,
    vesselDensity: density,
    vesselDensityArteries: arteries.density,
    vesselDensityVeins: veins.density,
  };
}

/**
 * The measures with their micrometres' origin named: the engine sees only a pixel size, while its caller knows
 * whether that came from the user, a DICOM header or a camera's field angle. Other units are left as they are.
 */
export function withScaleSource(
  m: ImageMeasures,
  source: 'pixel size' | 'field angle' | 'dicom' | null,
): ImageMeasures {
  return source && m.scale.unit === 'µm' ? { ...m, scale: { ...m.scale, source } } : m;
}

/** The measures read off the vessel graph: calibre, tortuosity, CRAE/CRVE/AVR. */
function graphMeasures(
  input: MeasureInput,
  graph: VesselGraph,
  { offsets, rand }: Draws,
): Omit<ImageMeasures, keyof MapMeasures | keyof Notes> {
  const mid = graph.levels.length >> 1;
  const disc = input.disc ?? null;
  const scale: ImageMeasures['scale'] = input.pixelSizeUm
    ? { unit: 'µm', perPixel: input.pixelSizeUm, source: 'pixel size' }
    : disc
      ? { unit: 'DD', perPixel: 1 / disc.diameter, source: 'disc diameter' }
      : { unit: 'px', perPixel: 1, source: 'none' };
  const inverseUnit: MeasureUnit = scale.unit === 'µm' ? '1/mm' : scale.unit === 'DD' ? '1/DD' : '1/px';
  const perLength = scale.unit === 'µm' ? 1000 / scale.perPixel : 1 / scale.perPixel;

  // Calibre and tortuosity over the graph's segments.
  const measurable = graph.segments.filter(
    (s) => !s.bridge && s.widthPoints >= 3 && !Number.isNaN(s.width[mid]),
  );
  const calibreOf = (segs: VesselSegment[], unitLabel: string): Measure => {
    if (segs.length === 0) return absent(scale.unit, `no ${unitLabel} measurable`);
    const value = weightedMean(segs, (s) => s.width[mid]);
    const boot = offsets.map((d) => {
      const pick = resample(segs, rand);
      return weightedMean(pick, (s) => interpolate(s.width, d));
    });
    return measured(
      value * scale.perPixel,
      boot.map((v) => v * scale.perPixel),
      scale.unit,
    );
  };
  const calibre = calibreOf(measurable, 'vessel');
  const calibreArteries = input.av
    ? calibreOf(
        measurable.filter((s) => s.av === 'artery'),
        'artery',
      )
    : absent(scale.unit, 'no artery/vein labels');
  const calibreVeins = input.av
    ? calibreOf(
        measurable.filter((s) => s.av === 'vein'),
        'vein',
      )
    : absent(scale.unit, 'no artery/vein labels');
  const tortuous = graph.segments.filter(
    (s) => !s.bridge && s.chord > 0 && s.length >= Math.max(10, 3 * (s.width[mid] || 0)),
  );
  const tortuosityOf = (get: (s: VesselSegment) => number, unit: MeasureUnit, factor: number): Measure => {
    if (tortuous.length === 0) return absent(unit, 'no vessel segment long enough');
    const value = weightedMean(tortuous, get);
    return measured(
      value * factor,
      offsets.map(() => weightedMean(resample(tortuous, rand), get) * factor),
      unit,
    );
  };
  const tortuosity = tortuosityOf((s) => s.distanceFactor, 'ratio', 1);
  const tortuosityDensity = tortuosityOf((s) => s.tortuosityDensity, inverseUnit, perLength);

  // CRAE, CRVE and AVR in zones B and C.
  const zones = {} as ImageMeasures['zoneVessels'];
  const candidates = {} as ImageMeasures['zoneCandidates'];
  const equivalents = (zone: ZoneName): { crae: Measure; crve: Measure; avr: Measure } => {
    zones[zone] = { arteries: [], veins: [] };
    candidates[zone] = { arteries: [], veins: [] };
    if (!disc) {
      const why = input.noDiscReason ?? 'no optic disc found';
      return { crae: absent(scale.unit, why), crve: absent(scale.unit, why), avr: absent('ratio', why) };
    }
    if (!input.av) {
      const why = 'no artery/vein labels';
      return { crae: absent(scale.unit, why), crve: absent(scale.unit, why), avr: absent('ratio', why) };
    }
    const vessels = zoneVessels(graph.segments, graph.nodes, disc, zone, mid);
    const a = vessels.filter((v) => v.av === 'artery');
    const v = vessels.filter((x) => x.av === 'vein');
    candidates[zone] = {
      arteries: named(a, 'A', mid, scale.perPixel),
      veins: named(v, 'V', mid, scale.perPixel),
    };
    zones[zone] = {
      arteries: candidates[zone].arteries.slice(0, 6),
      veins: candidates[zone].veins.slice(0, 6),
    };
    const labelled = expectedEquivalents(vessels, mid, input.seed ?? 1);
    const crae = labelled.crae;
    const crve = labelled.crve;
    const drawn = offsets.map((d) => drawEquivalents(vessels, graph.segments, d, rand));
    const few = (n: number, what: string): string =>
      `only ${n} ${what}${n === 1 ? '' : 's'} measurable in zone ${zone} (6 needed)`;
    const craeM =
      crae === null
        ? absent(scale.unit, few(a.length, 'arteriole'))
        : measured(
            crae * scale.perPixel,
            drawn.map((x) => (x.crae ?? NaN) * scale.perPixel),
            scale.unit,
          );
    const crveM =
      crve === null
        ? absent(scale.unit, few(v.length, 'venule'))
        : measured(
            crve * scale.perPixel,
            drawn.map((x) => (x.crve ?? NaN) * scale.perPixel),
            scale.unit,
          );
    const avr =
      crae === null || crve === null
        ? absent('ratio', crae === null ? few(a.length, 'arteriole') : few(v.length, 'venule'))
        : measured(
            crae / crve,
            drawn.map((x) => (x.crae !== null && x.crve !== null ? x.crae / x.crve : NaN)),
            'ratio',
          );
    return { crae: craeM, crve: crveM, avr };
  };
  const b = equivalents('B');
  const c = equivalents('C');
  let totalLength = 0;
  for (const s of graph.segments) totalLength += s.length;
  return {
    scale,
    disc,
    crae: b.crae,
    crve: b.crve,
    avr: b.avr,
    craeZoneC: c.crae,
    crveZoneC: c.crve,
    avrZoneC: c.avr,
    calibre,
    calibreArteries,
    calibreVeins,
    tortuosity,
    tortuosityDensity,
    zoneVessels: zones,
    zoneCandidates: candidates,
    graph: {
      segments: graph.segments.filter((s) => !s.bridge).length,
      junctions: graph.nodes.filter((n) => n.kind === 'junction').length,
      crossings:
        graph.nodes.filter((n) => n.kind === 'crossing').length -
        graph.segments.filter((s) => s.bridge).length,
      ends: graph.nodes.filter((n) => n.kind === 'end').length,
      length: totalLength * scale.perPixel,
    },
  };
}

function weightedMean(segs: VesselSegment[], get: (s: VesselSegment) => number): number {
  let sum = 0;
  let wsum = 0;
  for (const s of segs) {
    const v = get(s);
    if (Number.isNaN(v)) continue;
    sum += v * s.length;
    wsum += s.length;
  }
  return wsum > 0 ? sum / wsum : NaN;
}

function resample<T>(items: T[], rand: () => number): T[] {
  return items.map(() => items[Math.floor(rand() * items.length)]);
}

function named(vessels: ZoneVessel[], prefix: string, mid: number, perPixel: number): NamedVessel[] {
  return [...vessels]
    .sort((a, b) => b.width[mid] - a.width[mid])
    .map((v, k) => ({
      name: `${prefix}${k + 1}`,
      segment: v.segment,
      x: v.x,
      y: v.y,
      width: v.width[mid] * perPixel,
    }));
}

/**
 * CRAE and CRVE as given by the labels, absent (null) when they leave fewer than six of a class; otherwise their
 * exact expectation over the classifier's artery probabilities (expected-equivalents), which a person's labels or
 * none leave at the formula over the labelled widths. The value is the same for any number of draws and seed, and a
 * vessel gained or lost moves it only by that vessel's own share.
 */
function expectedEquivalents(
  vessels: ZoneVessel[],
  mid: number,
  seed: number,
): { crae: number | null; crve: number | null } {
  const widths = (cls: ZoneVessel['av']): number[] =>
    vessels.filter((z) => z.av === cls).map((z) => z.width[mid]);
  const labelled = vessels.map((z) => ({ ...z, width: z.width[mid] }));
  const expected = (kind: 'arteriole' | 'venule', cls: ZoneVessel['av']): number | null => {
    const hard = centralEquivalent(widths(cls), kind);
    return hard === null ? null : (expectedEquivalent(labelled, kind, { seed }) ?? hard);
  };
  return { crae: expected('arteriole', 'artery'), crve: expected('venule', 'vein') };
}

/** One plausible version of the zone's vessels: widths at draw offset d plus their error, labels flipped by confidence. */
function drawEquivalents(
  vessels: ZoneVessel[],
  segments: VesselSegment[],
  d: number,
  rand: () => number,
): { crae: number | null; crve: number | null } {
  const a: number[] = [];
  const v: number[] = [];
  for (const z of vessels) {
    const width = interpolate(z.width, d) + gaussian(rand) * z.widthSe;
    const pa = z.arteryProbability;
    let cls = z.av;
    if (pa !== null && rand() < Math.min(pa, 1 - pa)) cls = cls === 'artery' ? 'vein' : 'artery';
    (cls === 'artery' ? a : v).push(width);
  }
  return { crae: centralEquivalent(a, 'arteriole'), crve: centralEquivalent(v, 'venule') };
}

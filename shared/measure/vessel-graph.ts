// The vessel graph of a mask: centreline segments between junctions, crossings and ends, each with its length,
// tortuosity, width profile and artery/vein label. Derived data, rebuilt from the current (corrected) mask; the
// measures and the measurements panel read it.
import { AV_CLASS } from '../vessel-segments.js';
import { traceCentrelines, type Centrelines, type GraphNode, type Point } from './centrelines.js';
import {
  arcLength,
  chord,
  distanceFactor,
  smoothPath,
  tangentAt,
  tortuosityDensity,
} from './path-geometry.js';
import { widthsAt, type Field } from './width-profile.js';
import { binarise } from '../pixels.js';

export type VesselClass = 'artery' | 'vein';

export interface SegmentPoint extends Point {
  /** Width edge to edge at each of the graph's levels (NaN where no edge was found or too close to a node). */
  widths: Float32Array;
}

export interface VesselSegment {
  id: number;
  from: number;
  to: number;
  /** The smoothed centreline. */
  points: SegmentPoint[];
  length: number;
  chord: number;
  distanceFactor: number;
  tortuosityDensity: number;
  /** Median width at each level over the points clear of the nodes (NaN when none is). */
  width: number[];
  /** Spread of the point widths at the middle level (standard deviation), and how many points were measured. */
  widthSd: number;
  widthPoints: number;
  av: VesselClass | null;
  /** Mean probability of artery along the centreline, when the caller gave one. */
  arteryProbability: number | null;
  /** A short piece between two junctions that together form one crossing of two vessels. */
  bridge: boolean;
}

export interface VesselGraph {
  width: number;
  height: number;
  segments: VesselSegment[];
  nodes: GraphNode[];
  /** The field levels widths were taken at, the middle one being the mask's own edge. */
  levels: number[];
}

export interface GraphInput {
  width: number;
  height: number;
  /** The vessel mask, non-zero = vessel. */
  mask: Uint8Array;
  /** Where widths are read (default: the mask as 0/1) and at which levels (default [0.5]). */
  field?: Field;
  levels?: number[];
  /** AV_CLASS per pixel. */
  av?: Uint8Array;
  /** Probability of artery per pixel. */
  arteryProbability?: Float32Array;
}

export interface GraphOptions {
  /**
   * Pixels of this image per pixel of the reference resolution (a 536-pixel aperture, the vessel model's canonical
   * frame; default 1). Smoothing, tangents and the edge search scale with it, so the same eye photographed at twice
   * the resolution gives the same graph.
   */
  resolution?: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function classOf(input: GraphInput, pts: Point[]): { av: VesselClass | null; p: number | null } {
  let artery = 0;
  let vein = 0;
  let sum = 0;
  let n = 0;
  for (const q of pts) {
    const i = Math.round(q.y) * input.width + Math.round(q.x);
    if (input.av) {
      if (input.av[i] === AV_CLASS.artery) artery++;
      else if (input.av[i] === AV_CLASS.vein) vein++;
    }
    if (input.arteryProbability && input.mask[i]) {
      sum += input.arteryProbability[i];
      n++;
    }
  }
  const av = artery === 0 && vein === 0 ? null : artery >= vein ? 'artery' : 'vein';
  return { av, p: n ? sum / n : null };
}

export function buildVesselGraph(input: GraphInput, opts: GraphOptions = {}): VesselGraph {
  const { width: w, height: h } = input;
  const binary = binarise(input.mask);
  const field: Field = input.field ?? { width: w, height: h, data: binary };
  const levels = input.levels ?? [0.5];
  const mid = levels.length >> 1;
  const res = opts.resolution ?? 1;
  // On a high-resolution photograph the skeleton is traced on the mask shrunk by an integer factor (each pixel the
  // majority of its block): the topology is the same, the thinning 4-9 times cheaper; widths are still read on the
  // full-resolution field.
  const k = Math.max(1, Math.floor(res / 2));
  const { paths, nodes } = k > 1 ? traceShrunk(binary, w, h, k) : traceCentrelines(binary, w, h);
  const sigma = (2 * res) / k;
  const reach = 40 * res;
  const step = 0.25 * Math.max(1, res / 2);
  const tangentReach = Math.max(2, Math.round((3 * res) / k));
  const segments: VesselSegment[] = paths.map((path) => {
    const ends: Point[] = [];
    for (const id of [path.from, path.to]) if (id >= 0) ends.push(nodes[id]);
    // Anchor the centreline on its junctions so lengths run node to node.
    const raw: Point[] = [...path.points];
    if (path.from >= 0 && nodes[path.from].kind !== 'end')
      raw.unshift({ x: nodes[path.from].x, y: nodes[path.from].y });
    if (path.to >= 0 && nodes[path.to].kind !== 'end') raw.push({ x: nodes[path.to].x, y: nodes[path.to].y });
    const smooth = smoothPath(raw, sigma);
    const points: SegmentPoint[] = smooth.map((p, i) => ({
      ...p,
      widths: Float32Array.from(
        widthsAt(field, p, tangentAt(smooth, i, tangentReach), levels, reach, step),
        (v) => v ?? NaN,
      ),
    }));
    // Near a node the profile runs into the other branches: skip points within one local width of any node.
    for (const p of points) {
      const wMid = p.widths[mid];
      for (const e of ends) {
        if (Number.isNaN(wMid) || Math.hypot(p.x - e.x, p.y - e.y) < Math.max(2, wMid)) p.widths.fill(NaN);
      }
    }
    const width = levels.map((_, k) =>
      median(points.map((p) => p.widths[k]).filter((v) => !Number.isNaN(v))),
    );
    const mids = points.map((p) => p.widths[mid]).filter((v) => !Number.isNaN(v));
    const mean = mids.reduce((a, b) => a + b, 0) / Math.max(1, mids.length);
    const sd = Math.sqrt(mids.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, mids.length - 1));
    const { av, p } = classOf(input, path.points);
    return {
      id: path.id,
      from: path.from,
      to: path.to,
      points,
      length: arcLength(smooth),
      chord: chord(smooth),
      distanceFactor: distanceFactor(smooth),
      tortuosityDensity: tortuosityDensity(smooth, Math.max(2, Math.round(2 * sigma))),
      width,
      widthSd: sd,
      widthPoints: mids.length,
      av,
      arteryProbability: p,
      bridge: false,
    };
  });
  markCrossings(segments, nodes);
  return { width: w, height: h, segments, nodes, levels };
}

/** Centrelines traced on the mask shrunk k times, in full-resolution pixel coordinates. */
function traceShrunk(mask: Uint8Array, w: number, h: number, k: number): Centrelines {
  const sw = Math.floor(w / k);
  const sh = Math.floor(h / k);
  const small = new Uint8Array(sw * sh);
  const half = (k * k) / 2;
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      let n = 0;
      for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) n += mask[(y * k + dy) * w + x * k + dx];
      small[y * sw + x] = n >= half ? 1 : 0;
    }
  }
  const c = traceCentrelines(small, sw, sh);
  const up = (p: Point): Point => ({ x: p.x * k + (k - 1) / 2, y: p.y * k + (k - 1) / 2 });
  return {
    paths: c.paths.map((p) => ({ ...p, points: p.points.map(up) })),
    nodes: c.nodes.map((n) => ({ ...n, ...up(n) })),
  };
}

/**
 * Where two vessels cross, the skeleton meets in one node of four branches or in two three-way junctions joined by
 * a piece shorter than the vessels are wide; both read as a crossing, not as branchings.
 */
function markCrossings(segments: VesselSegment[], nodes: GraphNode[]): void {
  for (const n of nodes) if (n.kind === 'junction' && n.paths.length >= 4) n.kind = 'crossing';
  for (const s of segments) {
    if (s.from < 0 || s.to < 0 || s.from === s.to) continue;
    const a = nodes[s.from];
    const b = nodes[s.to];
    if (a.kind === 'end' || b.kind === 'end' || a.paths.length !== 3 || b.paths.length !== 3) continue;
    const around = [...a.paths, ...b.paths]
      .filter((id) => id !== s.id)
      .map((id) => segments[id]?.width[segments[id].width.length >> 1]);
    const wide = Math.max(...around.filter((v): v is number => v !== undefined && !Number.isNaN(v)), 0);
    if (s.length <= Math.max(3, 1.5 * wide)) {
      s.bridge = true;
      a.kind = 'crossing';
      b.kind = 'crossing';
    }
  }
}

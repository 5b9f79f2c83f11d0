// The artery/vein vote along the vessel tree. Each segment's own evidence is its pixels' mean logit (the network's
// artery-vs-vein odds); segments that meet at a node share a type with odds that depend on how they meet. The
// posterior per segment comes from loopy belief propagation on that binary pairwise model, so a short or ambiguous
// segment follows the confident vessel it belongs to.
//
// How segments meet, and how often they share a type by the reference labels: at a three-armed node, the two arms
// that continue straightest almost always (a vessel runs on through its branch point, or past a vessel touching
// it); the third arm less often (it may be a crossing vessel that lost an arm). A four-armed node whose two
// straight-through pairs are both straight is a crossing: each pair is one vessel, and the two vessels are often,
// but not reliably enough to use, of opposite types; any other four arms are mostly two branch points close
// together, left uncoupled (coupling them did not help).
//
// Measured with the bundled models on the reference's centreline pixels (`npm run bench:anatomy`), on segments of
// the one-pixel skeleton (vessel-segments.ts): see the artery/vein model card. The couplings and the temperature
// were chosen in the canonical frame on the training and validation images only, pooled: each segment alone 0.896,
// with this vote 0.919 (the same images' figures on the older, fragmented skeleton: 0.882 and 0.893). Weaker
// couplings than on the fragmented skeleton won, since its segments are longer and carry more evidence of their
// own; their posteriors need no temperature (negative log-likelihood 0.210 at 1, 0.218 at 1.25).
import { CANONICAL_SHORT_PIECE, segmentNodes, type SegmentNode } from '../../../shared/segment-nodes.js';
import { segmentMeanValues, type VesselSegments } from '../../../shared/vessel-segments.js';

export const AV_PROPAGATION = {
  /** Two junctions joined by a piece shorter than this (canonical pixels) are one node. */
  shortPiece: CANONICAL_SHORT_PIECE,
  /** A segment's evidence reaches full weight at this length (canonical pixels); shorter ones count less. */
  fullLength: 10,
  /** Couplings, as log-odds that two arms have the same type. A node of two arms: one vessel cut by a spur. */
  twoArms: 1.5,
  /** Three arms: the pair that continues straightest. */
  straightBranch: 1.5,
  /** Three arms: the third arm with each of the others. */
  sideBranch: 0.75,
  /** Four arms: both straight-through pairs at least this straight (1 = no bend) make a crossing. */
  crossingStraightness: 0.7,
  /** A crossing's straight-through pairs (arms of different pairs stay uncoupled). */
  crossing: 1,
  /** Four arms that are not a crossing: every pair. */
  branchCluster: 0,
  /** Posterior log-odds are divided by this to give the artery probability. */
  temperature: 1,
  iterations: 30,
} as const;

export type AvPropagation = { readonly [K in keyof typeof AV_PROPAGATION]: number };

export interface Coupling {
  a: number;
  b: number;
  /** Log-odds of the same type (positive: alike). */
  strength: number;
}

/** How straight two arms continue through their node: 1 when they arrive from opposite directions. */
function straightness(n: SegmentNode, i: number, j: number): number {
  return -(n.arms[i].dx * n.arms[j].dx + n.arms[i].dy * n.arms[j].dy);
}

/** The three ways to split four arms into two pairs. */
const PAIRINGS = [
  [
    [0, 1],
    [2, 3],
  ],
  [
    [0, 2],
    [1, 3],
  ],
  [
    [0, 3],
    [1, 2],
  ],
] as const;

function threeArms(n: SegmentNode, p: AvPropagation, out: Coupling[]): void {
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 2, 0],
  ] as const;
  const [a, b, c] = orders.reduce((x, y) =>
    straightness(n, y[0], y[1]) > straightness(n, x[0], x[1]) ? y : x,
  );
  const arm = (i: number) => n.arms[i].segment;
  out.push(
    { a: arm(a), b: arm(b), strength: p.straightBranch },
    { a: arm(a), b: arm(c), strength: p.sideBranch },
    { a: arm(b), b: arm(c), strength: p.sideBranch },
  );
}

function fourArms(n: SegmentNode, p: AvPropagation, out: Coupling[]): void {
  const arm = (i: number) => n.arms[i].segment;
  const pairing = (pr: (typeof PAIRINGS)[number]) =>
    Math.min(straightness(n, pr[0][0], pr[0][1]), straightness(n, pr[1][0], pr[1][1]));
  const best = PAIRINGS.reduce((x, y) => (pairing(y) > pairing(x) ? y : x));
  if (pairing(best) >= p.crossingStraightness) {
    for (const [i, j] of best) out.push({ a: arm(i), b: arm(j), strength: p.crossing });
    return;
  }
  if (p.branchCluster === 0) return;
  for (let i = 0; i < 4; i++)
    for (let j = i + 1; j < 4; j++) out.push({ a: arm(i), b: arm(j), strength: p.branchCluster });
}

/** Couplings between the segments that meet at each node (five or more arms: a tangle, left uncoupled). */
export function avCouplings(nodes: SegmentNode[], p: AvPropagation = AV_PROPAGATION): Coupling[] {
  const out: Coupling[] = [];
  for (const n of nodes) {
    if (n.arms.length === 2) out.push({ a: n.arms[0].segment, b: n.arms[1].segment, strength: p.twoArms });
    else if (n.arms.length === 3) threeArms(n, p, out);
    else if (n.arms.length === 4) fourArms(n, p, out);
  }
  return out;
}

/**
 * Posterior artery-vs-vein log-odds per segment (index 0 unused): loopy belief propagation (damped, a fixed number
 * of sweeps) from each segment's evidence, weighted by its length, through the couplings.
 */
export function propagateEvidence(
  evidence: ArrayLike<number>,
  lengths: ArrayLike<number>,
  couplings: Coupling[],
  p: AvPropagation = AV_PROPAGATION,
): Float64Array {
  const n = evidence.length;
  const field = new Float64Array(n);
  for (let s = 1; s < n; s++) field[s] = evidence[s] * Math.min(1, Math.sqrt(lengths[s] / p.fullLength));
  // messages[2k]: a -> b of coupling k; messages[2k + 1]: b -> a.
  const messages = new Float64Array(couplings.length * 2);
  const belief = Float64Array.from(field);
  const message = (strength: number, from: number, back: number) =>
    2 * Math.atanh(Math.tanh(strength / 2) * Math.tanh((belief[from] - back) / 2));
  for (let it = 0; it < p.iterations; it++) {
    for (let k = 0; k < couplings.length; k++) {
      const { a, b, strength } = couplings[k];
      const ab = message(strength, a, messages[2 * k + 1]);
      const ba = message(strength, b, messages[2 * k]);
      messages[2 * k] = 0.5 * messages[2 * k] + 0.5 * ab;
      messages[2 * k + 1] = 0.5 * messages[2 * k + 1] + 0.5 * ba;
    }
    belief.set(field);
    for (let k = 0; k < couplings.length; k++) {
      belief[couplings[k].b] += messages[2 * k];
      belief[couplings[k].a] += messages[2 * k + 1];
    }
  }
  return belief;
}

/** Per segment the artery log-odds after the tree vote, already divided by the temperature. */
export function treeVote(
  logits: Float32Array,
  seg: VesselSegments,
  w: number,
  h: number,
  p: AvPropagation = AV_PROPAGATION,
): Float64Array {
  const couplings = avCouplings(segmentNodes(seg, w, h, p.shortPiece), p);
  const posterior = propagateEvidence(segmentMeanValues(logits, seg), seg.length, couplings, p);
  return posterior.map((z) => z / p.temperature);
}

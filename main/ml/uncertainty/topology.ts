// The topology check: a vessel tree is one connected piece that ends in fine tips, so extra pieces and vessel ends
// that stop just short of another vessel are where a human would close a gap. Works on the binary mask in the
// canonical frame (radii in canonical pixels, the same on every camera).
import { N8, components, skeletonDegree, skeletonize } from '../../../shared/skeleton.js';

export interface Gap {
  /** The end of the broken vessel and the nearest pixel of the other piece. */
  from: { x: number; y: number };
  to: { x: number; y: number };
}

export interface Topology {
  /** Connected pieces of at least MIN_PIECE pixels beyond the first. */
  fragments: number;
  gaps: Gap[];
}

/** Smaller pieces are specks, not vessel fragments. */
const MIN_PIECE = 10;
/** A vessel end this close (canonical px) to another piece, pointing at it, looks like a gap. */
const GAP_REACH = 14;
/** How far back along the skeleton the end's direction is taken from. */
const DIRECTION_STEPS = 6;
/** The other piece must lie within this angle of the vessel's direction (cos 50 degrees). */
const MIN_COS = 0.64;

function skeletonNeighbours(s: Uint8Array, w: number, h: number, i: number): number[] {
  const x = i % w;
  const y = (i - x) / w;
  const out: number[] = [];
  for (const [dx, dy] of N8) {
    const nx = x + dx;
    const ny = y + dy;
    if (nx >= 0 && ny >= 0 && nx < w && ny < h && s[ny * w + nx]) out.push(ny * w + nx);
  }
  return out;
}

/** The unit direction a vessel end points in: from a skeleton pixel a few steps back to the end. */
function endDirection(s: Uint8Array, w: number, h: number, end: number): { dx: number; dy: number } | null {
  let prev = -1;
  let at = end;
  for (let k = 0; k < DIRECTION_STEPS; k++) {
    const next = skeletonNeighbours(s, w, h, at).filter((j) => j !== prev);
    if (next.length !== 1) break;
    prev = at;
    at = next[0];
  }
  if (at === end) return null;
  const dx = (end % w) - (at % w);
  const dy = Math.floor(end / w) - Math.floor(at / w);
  const len = Math.hypot(dx, dy);
  return len > 0 ? { dx: dx / len, dy: dy / len } : null;
}

/** Fragments and likely gaps of a binary mask (pieces under MIN_PIECE pixels are ignored). */
export function checkTopology(mask: Uint8Array, w: number, h: number): Topology {
  const { labels, sizes } = components(mask, w, h);
  const pieces = sizes.filter((n, id) => id > 0 && n >= MIN_PIECE).length;
  const skeleton = skeletonize(mask, w, h);
  const best = new Map<string, { d: number; gap: Gap }>();
  for (let i = 0; i < skeleton.length; i++) {
    if (!skeleton[i] || skeletonDegree(skeleton, w, h, i) !== 1) continue;
    const own = labels[i];
    if (sizes[own] < MIN_PIECE) continue;
    const dir = endDirection(skeleton, w, h, i);
    if (!dir) continue;
    const x0 = i % w;
    const y0 = (i - x0) / w;
    let found: { d: number; x: number; y: number; other: number } | null = null;
    for (let dy = -GAP_REACH; dy <= GAP_REACH; dy++) {
      for (let dx = -GAP_REACH; dx <= GAP_REACH; dx++) {
        const x = x0 + dx;
        const y = y0 + dy;
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const other = labels[y * w + x];
        if (!other || other === own || sizes[other] < MIN_PIECE) continue;
        const d = Math.hypot(dx, dy);
        if (d > GAP_REACH || (dx * dir.dx + dy * dir.dy) / d < MIN_COS) continue;
        if (!found || d < found.d) found = { d, x, y, other };
      }
    }
    if (!found) continue;
    const key = own < found.other ? `${own}-${found.other}` : `${found.other}-${own}`;
    const prior = best.get(key);
    if (!prior || found.d < prior.d) {
      best.set(key, { d: found.d, gap: { from: { x: x0, y: y0 }, to: { x: found.x, y: found.y } } });
    }
  }
  return { fragments: Math.max(0, pieces - 1), gaps: [...best.values()].map((b) => b.gap) };
}

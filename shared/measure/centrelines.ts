// Vessel centrelines as ordered paths between nodes: the skeleton of the mask, made strictly 8-thin, cut at its
// junctions. Each path runs from one node (a junction cluster or a free end) to another, so lengths, tangents and
// width profiles can be taken along it. Pure: the engine, the CLI and the renderer's measurements panel share it.
import { N8, components, skeletonize } from '../skeleton.js';

export interface Point {
  x: number;
  y: number;
}

export type NodeKind = 'end' | 'junction' | 'crossing';

export interface GraphNode {
  id: number;
  kind: NodeKind;
  x: number;
  y: number;
  /** Paths that meet here. */
  paths: number[];
}

export interface Centreline {
  id: number;
  /** Skeleton pixels in order, as pixel centres; the first and last are the pixels next to the end nodes. */
  points: Point[];
  /** Node ids at the start and the end (the same for a closed loop), -1 for none. */
  from: number;
  to: number;
}

export interface Centrelines {
  paths: Centreline[];
  nodes: GraphNode[];
}

/**
 * Zhang-Suen leaves 4-connected staircase corners (a pixel with, say, its north and east neighbours set), which read
 * as spurious junctions. Removing a corner pixel whose neighbours stay one 8-connected group keeps the topology.
 */
function makeEightThin(s: Uint8Array, w: number, h: number): void {
  // Ring order N, NE, E, SE, S, SW, W, NW; consecutive ring members touch, and so do N-E, E-S, S-W, W-N.
  const ring = [
    [0, -1],
    [1, -1],
    [1, 0],
    [1, 1],
    [0, 1],
    [-1, 1],
    [-1, 0],
    [-1, -1],
  ] as const;
  const on = new Array<boolean>(8);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!s[i]) continue;
      let count = 0;
      for (let k = 0; k < 8; k++) {
        on[k] = s[i + ring[k][1] * w + ring[k][0]] === 1;
        if (on[k]) count++;
      }
      const corner = (on[0] && on[2]) || (on[2] && on[4]) || (on[4] && on[6]) || (on[6] && on[0]);
      if (!corner || count < 2) continue;
      if (neighbourGroups(on) === 1) s[i] = 0;
    }
  }
}

/** 8-connected groups among the set ring members (ring neighbours touch; so do the orthogonal pairs). */
function neighbourGroups(on: boolean[]): number {
  const seen = new Array<boolean>(8).fill(false);
  let groups = 0;
  for (let k = 0; k < 8; k++) {
    if (!on[k] || seen[k]) continue;
    groups++;
    const stack = [k];
    seen[k] = true;
    while (stack.length) {
      const a = stack.pop()!;
      const near = [(a + 1) % 8, (a + 7) % 8];
      if (a % 2 === 0) near.push((a + 2) % 8, (a + 6) % 8);
      for (const b of near)
        if (on[b] && !seen[b]) {
          seen[b] = true;
          stack.push(b);
        }
    }
  }
  return groups;
}

function degreeAt(s: Uint8Array, w: number, h: number, i: number): number {
  const x = i % w;
  const y = (i - x) / w;
  let d = 0;
  for (const [dx, dy] of N8) {
    const nx = x + dx;
    const ny = y + dy;
    if (nx >= 0 && ny >= 0 && nx < w && ny < h && s[ny * w + nx]) d++;
  }
  return d;
}

/** The one-pixel-wide, 8-thin skeleton of a mask (0/1 per pixel). */
export function thinSkeleton(mask: Uint8Array, w: number, h: number): Uint8Array {
  const s = skeletonize(mask, w, h);
  makeEightThin(s, w, h);
  return s;
}

/** Traces the skeleton of `mask` into centreline paths between end and junction nodes. */
export function traceCentrelines(mask: Uint8Array, w: number, h: number): Centrelines {
  const s = thinSkeleton(mask, w, h);
  const junction = new Uint8Array(w * h);
  const plain = new Uint8Array(w * h);
  for (let i = 0; i < s.length; i++) {
    if (!s[i]) continue;
    if (degreeAt(s, w, h, i) >= 3) junction[i] = 1;
    else plain[i] = 1;
  }
  const nodes: GraphNode[] = [];
  // Junction clusters: adjacent junction pixels are one node at their centroid.
  const jc = components(junction, w, h);
  const nodeOfCluster = new Int32Array(jc.sizes.length).fill(-1);
  const sums = Array.from({ length: jc.sizes.length }, () => ({ x: 0, y: 0 }));
  for (let i = 0; i < jc.labels.length; i++) {
    const c = jc.labels[i];
    if (!c) continue;
    sums[c].x += i % w;
    sums[c].y += Math.floor(i / w);
  }
  for (let c = 1; c < jc.sizes.length; c++) {
    nodeOfCluster[c] = nodes.length;
    nodes.push({
      id: nodes.length,
      kind: 'junction',
      x: sums[c].x / jc.sizes[c],
      y: sums[c].y / jc.sizes[c],
      paths: [],
    });
  }
  const pieces = components(plain, w, h);
  const members: number[][] = Array.from({ length: pieces.sizes.length }, () => []);
  for (let i = 0; i < pieces.labels.length; i++) if (pieces.labels[i]) members[pieces.labels[i]].push(i);
  const paths: Centreline[] = [];
  const neighbours = (i: number, inSet: (j: number) => boolean): number[] => {
    const x = i % w;
    const y = (i - x) / w;
    const out: number[] = [];
    for (const [dx, dy] of N8) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const j = ny * w + nx;
      if (inSet(j)) out.push(j);
    }
    return out;
  };
  for (let p = 1; p < members.length; p++) {
    const own = (j: number): boolean => pieces.labels[j] === p;
    // Start at a pixel with at most one neighbour in the piece (an open path); a closed loop starts anywhere.
    const start = members[p].find((i) => neighbours(i, own).length <= 1) ?? members[p][0];
    const order: number[] = [start];
    const visited = new Set<number>([start]);
    for (;;) {
      const next = neighbours(order[order.length - 1], own).find((j) => !visited.has(j));
      if (next === undefined) break;
      visited.add(next);
      order.push(next);
    }
    const first = order[0];
    const last = order[order.length - 1];
    const junctionsNear = (i: number): number[] => [
      ...new Set(neighbours(i, (j) => junction[j] === 1).map((j) => nodeOfCluster[jc.labels[j]])),
    ];
    const newEnd = (i: number): number => {
      nodes.push({ id: nodes.length, kind: 'end', x: i % w, y: Math.floor(i / w), paths: [] });
      return nodes.length - 1;
    };
    let from: number;
    let to: number;
    const atFirst = junctionsNear(first);
    const atLast = junctionsNear(last);
    if (order.length > 2 && !atFirst.length && !atLast.length && neighbours(first, own).includes(last)) {
      from = to = -1; // a closed loop
    } else if (order.length === 1) {
      from = atFirst[0] ?? newEnd(first);
      to = atFirst[1] ?? (atFirst.length ? newEnd(first) : from);
    } else {
      from = atFirst[0] ?? newEnd(first);
      to = atLast.find((n) => n !== from) ?? atLast[0] ?? newEnd(last);
    }
    const id = paths.length;
    paths.push({ id, points: order.map((i) => ({ x: i % w, y: Math.floor(i / w) })), from, to });
    if (from >= 0) nodes[from].paths.push(id);
    if (to >= 0 && to !== from) nodes[to].paths.push(id);
  }
  return { paths, nodes };
}

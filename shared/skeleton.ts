// Binary-mask topology both sides use: 8-connected components, a Zhang-Suen skeleton thinned to one pixel, and a
// skeleton pixel's neighbour count (the uncertainty check's gaps, the vessel segments of the artery/vein vote, and
// the renderer's "flip this segment").

export const N8 = [
  [-1, -1],
  [0, -1],
  [1, -1],
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
] as const;

/** 8-connected component labels (0 = background, 1..n) and each label's pixel count (index 0 unused). */
export function components(mask: Uint8Array, w: number, h: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const id = sizes.length;
    let size = 0;
    labels[start] = id;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % w;
      const y = (i - x) / w;
      for (const [dx, dy] of N8) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (mask[j] && !labels[j]) {
          labels[j] = id;
          stack.push(j);
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/**
 * The pixel counts of the 8-connected pieces of `mask` inside `within` (bytes read as true when non-zero), in no
 * particular order: what components() sizes, without its label image or per-pixel flood. Each row's runs join the
 * runs touching them in the row above through union-find, and four-byte words empty in either map are skipped at
 * once, so a camera-sized mask that is mostly background costs a fraction of a flood fill.
 */
export function componentSizes(mask: Uint8Array, within: Uint8Array, w: number, h: number): number[] {
  // Word views only where both maps start on a word boundary (any typed array the product makes does).
  const words = mask.byteOffset % 4 === 0 && within.byteOffset % 4 === 0;
  const m32 = words ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
  const f32 = words ? new Uint32Array(within.buffer, within.byteOffset, within.length >> 2) : null;
  const parent: number[] = [];
  const size: number[] = [];
  const root = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  // Runs [start, end) of the row above and of this row, each with its piece's label.
  let prevStart = new Int32Array(w);
  let prevEnd = new Int32Array(w);
  let prevLabel = new Int32Array(w);
  let curStart = new Int32Array(w);
  let curEnd = new Int32Array(w);
  let curLabel = new Int32Array(w);
  let prevN = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let curN = 0;
    let first = 0; // the first run above that may still touch a run of this row
    let start = -1;
    for (let x = 0; x <= w; x++) {
      const i = row + x;
      let on = false;
      if (x < w) {
        if (m32 && (i & 3) === 0 && x + 4 <= w && (m32[i >> 2] === 0 || f32![i >> 2] === 0)) {
          // Four pixels off: close a run open before them, then step over the rest of the word.
          if (start < 0) {
            x += 3;
            continue;
          }
        } else on = mask[i] !== 0 && within[i] !== 0;
      }
      if (on) {
        if (start < 0) start = x;
        continue;
      }
      if (start < 0) continue;
      // The run [start, x) touches a run [s, e) above when s <= x and e >= start (diagonals included).
      while (first < prevN && prevEnd[first] < start) first++;
      let label = -1;
      for (let q = first; q < prevN && prevStart[q] <= x; q++) {
        const r = root(prevLabel[q]);
        if (label < 0) label = r;
        else if (r !== label) {
          parent[r] = label;
          size[label] += size[r];
        }
      }
      if (label < 0) {
        label = parent.length;
        parent.push(label);
        size.push(0);
      }
      size[label] += x - start;
      curStart[curN] = start;
      curEnd[curN] = x;
      curLabel[curN++] = label;
      start = -1;
    }
    [prevStart, curStart] = [curStart, prevStart];
    [prevEnd, curEnd] = [curEnd, prevEnd];
    [prevLabel, curLabel] = [curLabel, prevLabel];
    prevN = curN;
  }
  const sizes: number[] = [];
  for (let a = 0; a < parent.length; a++) if (parent[a] === a) sizes.push(size[a]);
  return sizes;
}

/**
 * Which 8-neighbourhoods (bit k = neighbour P(k+2), clockwise from north) make a pixel removable in each of the
 * two Zhang-Suen sub-iterations: a table, so the thinning loop does one lookup per pixel.
 */
const REMOVABLE: [Uint8Array, Uint8Array] = (() => {
  const tables: [Uint8Array, Uint8Array] = [new Uint8Array(256), new Uint8Array(256)];
  for (let code = 0; code < 256; code++) {
    const p = Array.from({ length: 8 }, (_, k) => (code >> k) & 1);
    const b = p.reduce((s, v) => s + v, 0);
    let a = 0;
    for (let k = 0; k < 8; k++) if (p[k] === 0 && p[(k + 1) % 8] === 1) a++;
    if (b < 2 || b > 6 || a !== 1) continue;
    if (p[0] * p[2] * p[4] === 0 && p[2] * p[4] * p[6] === 0) tables[0][code] = 1;
    if (p[0] * p[2] * p[6] === 0 && p[0] * p[4] * p[6] === 0) tables[1][code] = 1;
  }
  return tables;
})();

/**
 * Zhang-Suen thinning: a one-pixel-wide skeleton that keeps the mask's connectivity and its ends. Each
 * sub-iteration decides on the state before it, as the method defines; it visits only pixels still set whose
 * neighbourhood changed since that sub-iteration's table last rejected them (the others would be rejected again),
 * so after the first passes the work follows the shrinking edge rather than the whole image.
 */
export function skeletonize(mask: Uint8Array, w: number, h: number): Uint8Array {
  // Padded by one pixel of background so neighbours never leave the array.
  const W = w + 2;
  const s = new Uint8Array(W * (h + 2));
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) {
        s[(y + 1) * W + x + 1] = 1;
        count++;
      }
    }
  }
  // The set pixels, and per pixel bit t: table t has to look at it again.
  const live = new Int32Array(count);
  for (let i = 0, k = 0; i < s.length; i++) if (s[i]) live[k++] = i;
  const stale = new Uint8Array(s.length).fill(3);
  const remove = new Int32Array(count);
  const around = [-W - 1, -W, -W + 1, -1, 1, W - 1, W, W + 1];
  let changed = true;
  while (changed) {
    changed = false;
    for (let t = 0; t < 2; t++) {
      const table = REMOVABLE[t];
      const bit = 1 << t;
      let removed = 0;
      for (let k = 0; k < count; k++) {
        const i = live[k];
        if (!(stale[i] & bit)) continue;
        stale[i] &= ~bit;
        const code =
          s[i - W] |
          (s[i - W + 1] << 1) |
          (s[i + 1] << 2) |
          (s[i + W + 1] << 3) |
          (s[i + W] << 4) |
          (s[i + W - 1] << 5) |
          (s[i - 1] << 6) |
          (s[i - W - 1] << 7);
        if (table[code]) remove[removed++] = i;
      }
      if (!removed) continue;
      changed = true;
      for (let r = 0; r < removed; r++) {
        const i = remove[r];
        s[i] = 0;
        for (const d of around) stale[i + d] = 3;
      }
      let kept = 0;
      for (let k = 0; k < count; k++) if (s[live[k]]) live[kept++] = live[k];
      count = kept;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) out.set(s.subarray((y + 1) * W + 1, (y + 1) * W + 1 + w), y * w);
  return out;
}

/** Skeleton neighbours of skeleton pixel `i` (three or more: a junction). */
export function skeletonDegree(s: Uint8Array, w: number, h: number, i: number): number {
  const x = i % w;
  const y = (i - x) / w;
  let d = 0;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      if ((dx || dy) && x + dx >= 0 && y + dy >= 0 && x + dx < w && y + dy < h && s[i + dy * w + dx]) d++;
    }
  }
  return d;
}

/** How many 8-connected groups the skeleton neighbours of pixel (x, y) form among themselves. */
function neighbourGroups(s: Uint8Array, w: number, h: number, x: number, y: number): number {
  const on: number[] = [];
  for (let k = 0; k < 8; k++) {
    const [dx, dy] = N8[k];
    if (x + dx >= 0 && y + dy >= 0 && x + dx < w && y + dy < h && s[(y + dy) * w + x + dx]) on.push(k);
  }
  const parent = on.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let a = 0; a < on.length; a++) {
    for (let b = a + 1; b < on.length; b++) {
      const [ax, ay] = N8[on[a]];
      const [bx, by] = N8[on[b]];
      if (Math.max(Math.abs(ax - bx), Math.abs(ay - by)) === 1) parent[find(a)] = find(b);
    }
  }
  return on.filter((_, i) => find(i) === i).length;
}

/**
 * The skeleton thinned to one pixel in 8-connectivity. Zhang-Suen leaves two-pixel steps on vessels that run at a
 * slant, and every pixel of such a step has three neighbours: a third of a skeleton's pixels read as junctions and
 * cut vessels into pieces of a few pixels (measured on the canonical frames of the artery/vein images: 184,188 of
 * 464,076 skeleton pixels; 35,858 segments, 22,013 of them under 6 pixels). A pixel whose neighbours all touch one
 * another links nothing they do not link already, so it goes (one pass in scan order, never an end): 12,800
 * junction pixels and 16,232 segments are left.
 */
export function thinToOnePixel(skel: Uint8Array, w: number, h: number): Uint8Array {
  const out = Uint8Array.from(skel);
  for (let i = 0; i < out.length; i++) {
    if (!out[i]) continue;
    const x = i % w;
    const y = (i - x) / w;
    if (skeletonDegree(out, w, h, i) >= 2 && neighbourGroups(out, w, h, x, y) === 1) out[i] = 0;
  }
  return out;
}

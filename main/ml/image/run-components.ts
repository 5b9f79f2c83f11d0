// 4-connected components of a binary map found on its row runs rather than pixel by pixel: a field of view is one
// run per row, so an 8-megapixel photograph has a few thousand runs to join instead of millions of pixels to flood.

/** The runs of `value` in each row ([start, end) as flat indices) and the component each run belongs to. */
interface RunComponents {
  count: number;
  start: Int32Array;
  end: Int32Array;
  /** Component of each run, numbered 0.. in the raster order of their first pixel. */
  component: Int32Array;
  components: number;
}

function find(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

function runComponents(mask: Uint8Array, w: number, h: number, value: 0 | 1): RunComponents {
  // Runs first (at most one per two pixels plus one per row), with each row's first run index.
  let count = 0;
  const cap = Math.ceil(w / 2) * h + h;
  let start: Int32Array = new Int32Array(Math.min(cap, 1024));
  let end: Int32Array = new Int32Array(start.length);
  const rowFirst = new Int32Array(h + 1);
  for (let y = 0; y < h; y++) {
    rowFirst[y] = count;
    const row = y * w;
    let x = 0;
    while (x < w) {
      while (x < w && (mask[row + x] ? 1 : 0) !== value) x++;
      if (x === w) break;
      const s = x;
      while (x < w && (mask[row + x] ? 1 : 0) === value) x++;
      if (count === start.length) {
        const grow = Math.min(cap, start.length * 2);
        start = copyInto(new Int32Array(grow), start);
        end = copyInto(new Int32Array(grow), end);
      }
      start[count] = row + s;
      end[count] = row + x;
      count++;
    }
  }
  rowFirst[h] = count;
  // Join runs of neighbouring rows that share a column.
  const parent = new Int32Array(count);
  for (let i = 0; i < count; i++) parent[i] = i;
  for (let y = 1; y < h; y++) {
    let a = rowFirst[y - 1];
    let b = rowFirst[y];
    const aEnd = rowFirst[y];
    const bEnd = rowFirst[y + 1];
    while (a < aEnd && b < bEnd) {
      const as = start[a] - (y - 1) * w;
      const ae = end[a] - (y - 1) * w;
      const bs = start[b] - y * w;
      const be = end[b] - y * w;
      if (as < be && bs < ae) {
        const ra = find(parent, a);
        const rb = find(parent, b);
        if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
      if (ae <= be) a++;
      else b++;
    }
  }
  // Number the components by their first run, which holds their first pixel in raster order.
  const component = new Int32Array(count);
  const id = new Int32Array(count).fill(-1);
  let components = 0;
  for (let i = 0; i < count; i++) {
    const r = find(parent, i);
    if (id[r] < 0) id[r] = components++;
    component[i] = id[r];
  }
  return { count, start, end, component, components };
}

function copyInto(to: Int32Array, from: Int32Array): Int32Array {
  to.set(from);
  return to;
}

/** Keeps only the largest 4-connected foreground component (the first in raster order among equals). */
export function keepLargestComponent(mask: Uint8Array, w: number, h: number): void {
  const c = runComponents(mask, w, h, 1);
  const sizes = new Float64Array(c.components);
  for (let i = 0; i < c.count; i++) sizes[c.component[i]] += c.end[i] - c.start[i];
  let best = -1;
  for (let k = 0; k < c.components; k++) if (best < 0 || sizes[k] > sizes[best]) best = k;
  mask.fill(0);
  for (let i = 0; i < c.count; i++) if (c.component[i] === best) mask.fill(1, c.start[i], c.end[i]);
}

/** Sets every background pixel not 4-connected to the image border through background to foreground. */
export function fillHoles(mask: Uint8Array, w: number, h: number): void {
  const c = runComponents(mask, w, h, 0);
  const outside = new Uint8Array(c.components);
  for (let i = 0; i < c.count; i++) {
    const row = Math.floor(c.start[i] / w);
    if (row === 0 || row === h - 1 || c.start[i] === row * w || c.end[i] === (row + 1) * w)
      outside[c.component[i]] = 1;
  }
  for (let i = 0; i < c.count; i++) if (!outside[c.component[i]]) mask.fill(1, c.start[i], c.end[i]);
}

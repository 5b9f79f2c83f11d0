// Shared inputs for the editing tests: real DRIVE vessel masks and a small deterministic PRNG.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const datasetsRoot = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

export interface TestMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** DRIVE `1st_manual` vessel mask of a training image (21..40) as 0/1 bytes. */
export async function driveManual(n: number): Promise<TestMask> {
  const file = path.join(datasetsRoot, 'DRIVE/training/1st_manual', `${n}_manual1.gif`);
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] > 127 ? 1 : 0;
  return { width: info.width, height: info.height, data: mask };
}

/** Mulberry32: reproducible random numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 8-connected (or 4-connected) component labels by plain BFS: the slow, obvious reference. */
export function referenceComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  want: number,
  eight: boolean,
): { label: Int32Array; sizes: number[] } {
  const label = new Int32Array(mask.length).fill(-1);
  const sizes: number[] = [];
  for (let s = 0; s < mask.length; s++) {
    if (mask[s] !== want || label[s] !== -1) continue;
    const id = sizes.length;
    const queue = [s];
    label[s] = id;
    let size = 0;
    while (queue.length) {
      const p = queue.pop() as number;
      size++;
      const x = p % width;
      const y = Math.floor(p / width);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (mask[q] === want && label[q] === -1) {
            label[q] = id;
            queue.push(q);
          }
        }
    }
    sizes.push(size);
  }
  return { label, sizes };
}

export function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

/** Bounding box of pixels that differ between a and b (empty rect when none). */
export function diffBox(a: Uint8Array, b: Uint8Array, width: number) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let p = 0; p < a.length; p++) {
    if (a[p] === b[p]) continue;
    const x = p % width;
    const y = Math.floor(p / width);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + 1);
    y1 = Math.max(y1, y + 1);
  }
  return x1 > x0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : { x: 0, y: 0, width: 0, height: 0 };
}
